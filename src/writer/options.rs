//! [`AudioEncodeOptions`]: how the audio stream of a writer is configured.

use crate::{AudioEffector, CodecConfig, Options};

/// Configuration of a writer's audio stream, as a builder (seed: `add_audio_stream(...)`).
///
/// ```
/// use audiostream::{AudioEncodeOptions, CodecConfig};
/// let opts = AudioEncodeOptions::new(44100, 2)
///     .format("s16")
///     .encoder("mp3")
///     .codec_config(CodecConfig { bit_rate: Some(192_000), ..Default::default() });
/// assert_eq!(opts.format, "s16");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AudioEncodeOptions {
    /// Rate of the audio given to `write_audio_chunk`, Hz.
    pub sample_rate: u32,
    /// Channels of the audio given to `write_audio_chunk`.
    pub num_channels: usize,
    /// Sample type `write_audio_chunk` accepts: `fltp`/`flt` (f32, default), `dbl`/`dblp` (f64),
    /// `s16`/`s16p` (i16), `s32`/`s32p` (i32), `u8`/`u8p` (u8). Chunks are always
    /// `(channels, frames)` arrays, so the planar and interleaved names mean the same.
    pub format: String,
    /// Encoder (codec) name; default: the container's (`pcm_s16le` for WAV, `mp3`, `flac`,
    /// `vorbis` for `.ogg`, `opus` for `.opus`). FFmpeg's names `libopus`, `libvorbis`,
    /// `libmp3lame` are taken too.
    pub encoder: Option<String>,
    /// Codec settings (see the codecs crate docs for each encoder's mapping).
    pub codec_config: Option<CodecConfig>,
    /// Encoder-specific options; unknown keys are an error.
    pub encoder_option: Options,
    /// Rate the encoder writes; default `sample_rate` (Opus: 48000 whatever the input, as
    /// `opusenc`). Another rate resamples the input
    /// ([`dsp::Resampler`](crate::dsp::Resampler)).
    pub encoder_sample_rate: Option<u32>,
    /// Channels the encoder writes; default `num_channels`. Another count remixes the input
    /// ([`dsp::Remixer`](crate::dsp::Remixer)).
    pub encoder_num_channels: Option<usize>,
    /// Coded sample format: WAV `u8`/`s16`/`s24`/`s32`/`flt`/`dbl`, FLAC `s16`/`s24`, Opus
    /// `flt`/`s16` (the depth libopus assumes). Default for WAV and FLAC: `s16`, whatever the
    /// input's type or the depth of the file it came from (as FFmpeg's `pcm_s16le` and
    /// `flac` defaults): a 24-bit source written with the defaults becomes 16-bit. Set `s24`
    /// to keep 24 bits, or use [`save`](crate::save()), which picks the depth the samples need.
    pub encoder_format: Option<String>,
    /// Effects applied before encoding, after any remix/resample (so at the encoder's rate
    /// and channels); their tails (reverb, echo) are written at `close`/`finish`.
    pub effect: Option<AudioEffector>,
}

impl AudioEncodeOptions {
    /// `f32` input at `sample_rate` with `num_channels`, everything else default.
    pub fn new(sample_rate: u32, num_channels: usize) -> Self {
        AudioEncodeOptions {
            sample_rate,
            num_channels,
            format: "fltp".into(),
            encoder: None,
            codec_config: None,
            encoder_option: Options::new(),
            encoder_sample_rate: None,
            encoder_num_channels: None,
            encoder_format: None,
            effect: None,
        }
    }

    /// Input sample type name.
    pub fn format(mut self, format: &str) -> Self {
        self.format = format.to_string();
        self
    }

    /// Encoder name.
    pub fn encoder(mut self, name: &str) -> Self {
        self.encoder = Some(name.to_string());
        self
    }

    /// Codec settings.
    pub fn codec_config(mut self, config: CodecConfig) -> Self {
        self.codec_config = Some(config);
        self
    }

    /// One encoder option.
    pub fn encoder_option(mut self, key: &str, value: &str) -> Self {
        self.encoder_option
            .insert(key.to_string(), value.to_string());
        self
    }

    /// Rate the encoder writes.
    pub fn encoder_sample_rate(mut self, hz: u32) -> Self {
        self.encoder_sample_rate = Some(hz);
        self
    }

    /// Channels the encoder writes.
    pub fn encoder_num_channels(mut self, n: usize) -> Self {
        self.encoder_num_channels = Some(n);
        self
    }

    /// Coded sample format.
    pub fn encoder_format(mut self, format: &str) -> Self {
        self.encoder_format = Some(format.to_string());
        self
    }

    /// Effects to apply before encoding (see [`effect`](Self::effect)).
    ///
    /// ```
    /// use audiostream::{AudioEffector, AudioEncodeOptions};
    /// let opts = AudioEncodeOptions::new(44100, 2).effect("bass 3 gain -3".parse::<AudioEffector>()?);
    /// assert!(opts.effect.is_some());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn effect(mut self, effector: AudioEffector) -> Self {
        self.effect = Some(effector);
        self
    }
}

/// Where a chunk given to [`StreamWriter::write_audio_chunk`](crate::StreamWriter::write_audio_chunk)
/// starts: nothing (right after what was written), a frame index at the stream's input rate
/// (`Some(160)`, the seed's `pts`), or seconds (`chunk.pts` of a reader's chunk, passed as it
/// is; rounded to the nearest frame at the input rate).
///
/// ```
/// use audiostream::Pts;
/// assert_eq!(Pts::from(None), Pts::Next);
/// assert_eq!(Pts::from(Some(160)), Pts::Frames(160));
/// assert_eq!(Pts::from(0.5), Pts::Seconds(0.5));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pts {
    /// Right after what was written.
    Next,
    /// A frame index at the stream's input rate.
    Frames(i64),
    /// A time in seconds (a reader chunk's `pts`).
    Seconds(f64),
}

impl From<Option<i64>> for Pts {
    fn from(pts: Option<i64>) -> Self {
        pts.map_or(Pts::Next, Pts::Frames)
    }
}

impl From<i64> for Pts {
    fn from(frames: i64) -> Self {
        Pts::Frames(frames)
    }
}

impl From<f64> for Pts {
    fn from(seconds: f64) -> Self {
        Pts::Seconds(seconds)
    }
}
