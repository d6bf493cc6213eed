//! Where a writer's encoder comes from: one door for every destination. A container (WAV, MP3,
//! FLAC, Ogg) makes its codec's encoder over the writer's sink ([`ContainerEncoders`]); a
//! playback device makes an "encoder" that queues `f32` audio for the device (the `device`
//! module implements [`EncoderFactory`] for it). The writer asks the factory for the encoder's
//! rate and channels, builds the conversion to them, and only then has the encoder made — so
//! a call that fails leaves the sink untouched and the writer usable for a corrected call.

use super::AudioEncodeOptions;
use crate::{Error, Options, Result};
use audiostream_codecs::{
    container_codecs, open_encoder, wav, Encoder, EncoderRequest, SampleFormat, Sink, StreamSpec,
};

/// The rate and channel count an encoder takes (the writer converts its input to them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EncoderShape {
    pub(crate) sample_rate: u32,
    pub(crate) channels: usize,
}

/// Makes the encoder of a writer's audio stream once [`StreamWriter::add_audio_stream_with`]
/// says what the stream is.
///
/// [`StreamWriter::add_audio_stream_with`]: crate::StreamWriter::add_audio_stream_with
pub(crate) trait EncoderFactory: Send {
    /// Checks every setting of `opts` and says what the encoder will take; consumes nothing,
    /// so an error leaves the factory ready for another call.
    fn plan(&mut self, opts: &AudioEncodeOptions) -> Result<EncoderShape>;

    /// Makes the encoder [`plan`](EncoderFactory::plan) described, with `tags`. Called at most
    /// once, after a successful `plan` with the same `opts`.
    fn make(&mut self, opts: &AudioEncodeOptions, tags: &Options) -> Result<Box<dyn Encoder>>;
}

/// A container's encoders: the codec `opts` names (or the container's default), writing into
/// the sink the writer was opened with.
pub(crate) struct ContainerEncoders {
    container: String,
    /// The output, until the encoder takes it.
    sink: Option<Sink>,
}

impl ContainerEncoders {
    pub(crate) fn new(container: String, sink: Sink) -> Self {
        ContainerEncoders {
            container,
            sink: Some(sink),
        }
    }

    /// The codec request `opts` makes of this container, every name and value checked.
    fn request<'a>(&self, opts: &'a AudioEncodeOptions) -> Result<EncoderRequest<'a>> {
        // The codec first: it decides the default coding rate (Opus: 48 kHz).
        let coded_format = match &opts.encoder_format {
            None => None,
            Some(name) => Some(SampleFormat::parse(name).ok_or_else(|| {
                Error::invalid_argument("encoder_format", name, "u8, s16, s24, s32, flt, dbl")
            })?),
        };
        let allowed = container_codecs(&self.container).unwrap_or(&[]);
        let codec: &str = match (&opts.encoder, coded_format) {
            // FFmpeg's encoder names (libopus, libvorbis, libmp3lame) name ours.
            (Some(name), _) => audiostream_codecs::canonical_codec(name),
            // WAV: the coded format picks the PCM codec.
            (None, Some(f)) if self.container == "wav" => wav::codec_for_format(f),
            (None, _) => allowed.first().copied().unwrap_or("pcm_s16le"),
        };
        if !allowed.contains(&codec) {
            let known = audiostream_codecs::available_codecs();
            return Err(
                if known.contains(&codec) || ["mp3", "flac", "opus", "vorbis"].contains(&codec) {
                    Error::InvalidArgument(format!(
                        "encoder \"{codec}\" cannot be written into a {} file; it takes: {}",
                        self.container,
                        allowed.join(", ")
                    ))
                } else {
                    Error::Unsupported(format!(
                        "encoder \"{codec}\"; this build has: {}",
                        known.join(", ")
                    ))
                },
            );
        }
        let encoder_rate = opts
            .encoder_sample_rate
            .unwrap_or_else(|| audiostream_codecs::default_encoder_rate(codec, opts.sample_rate));
        if encoder_rate == 0 {
            return Err(Error::invalid_argument(
                "encoder_sample_rate",
                0,
                "a positive rate in Hz",
            ));
        }
        let encoder_channels = opts.encoder_num_channels.unwrap_or(opts.num_channels);
        let encoder_channels = u16::try_from(encoder_channels)
            .ok()
            .filter(|c| *c > 0)
            .ok_or_else(|| {
                Error::invalid_argument("encoder_num_channels", encoder_channels, "1 to 65535")
            })?;
        Ok(EncoderRequest {
            codec,
            spec: StreamSpec {
                sample_rate: encoder_rate,
                channels: encoder_channels,
            },
            format: coded_format,
            config: opts.codec_config.clone().unwrap_or_default(),
            options: opts.encoder_option.clone(),
            input_sample_rate: (encoder_rate != opts.sample_rate).then_some(opts.sample_rate),
        })
    }
}

impl EncoderFactory for ContainerEncoders {
    fn plan(&mut self, opts: &AudioEncodeOptions) -> Result<EncoderShape> {
        let request = self.request(opts)?;
        // Every codec setting is checked by opening the encoder over a sink that keeps
        // nothing: the real output is handed over only once all of them hold.
        open_encoder(&request, Sink::stream(std::io::sink()))?;
        Ok(EncoderShape {
            sample_rate: request.spec.sample_rate,
            channels: usize::from(request.spec.channels),
        })
    }

    fn make(&mut self, opts: &AudioEncodeOptions, tags: &Options) -> Result<Box<dyn Encoder>> {
        let request = self.request(opts)?;
        let sink = self.sink.take().ok_or(Error::Closed("StreamWriter"))?;
        let mut encoder = open_encoder(&request, sink)?;
        if !tags.is_empty() {
            encoder.set_tags(tags)?;
        }
        Ok(encoder)
    }
}
