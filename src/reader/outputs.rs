//! Output streams: an output's options checked, its decoder, conversion and chunk buffer set
//! up (`add_audio_stream`), and its description (`get_out_stream_info`).

use super::buffer::OutputBuffer;
use super::convert::Conversion;
use super::{AudioStreamOptions, MediaType, OutputStream, StreamReader};
use crate::limits::MAX_FRAMES_PER_CHUNK;
use crate::{Error, Result};
use symphonia::core::codecs::audio::AudioDecoderOptions;

/// One output stream: which source stream it reads, its conversion (if any) and its chunk
/// buffer.
pub(super) struct Output {
    pub(super) src: usize,
    pub(super) buffer: OutputBuffer,
    /// Resampling and remixing; `None` when the output has the source's rate and channels
    /// (decoded frames go straight into the buffer).
    pub(super) conv: Option<Conversion>,
    /// Source frames before this one are not for this output (a seek target, or the frame a
    /// conversion restarts at).
    pub(super) from: u64,
    pub(super) info: OutputStream,
}

/// The sample type of an output's chunks from its torchaudio/FFmpeg name.
fn output_format(name: &str) -> Result<crate::SampleFormat> {
    use crate::SampleFormat as F;
    Ok(match name.trim().to_ascii_lowercase().as_str() {
        "flt" | "fltp" | "f32" => F::F32,
        "dbl" | "dblp" | "f64" => F::F64,
        "s16" | "s16p" => F::S16,
        "s32" | "s32p" => F::S32,
        "u8" | "u8p" => F::U8,
        _ => {
            return Err(Error::invalid_argument(
                "format",
                name,
                "fltp/flt (f32, the default), dblp/dbl (f64), s16p/s16, s32p/s32, u8p/u8",
            ))
        }
    })
}

/// Parses a `true`/`false` option value.
fn parse_bool(name: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(Error::invalid_argument(name, value, "true or false")),
    }
}

impl StreamReader {
    /// Adds an output stream reading the default audio stream in chunks of `frames_per_chunk`
    /// frames, keeping at most `buffer_chunk_size` chunks waiting (seed:
    /// `add_basic_audio_stream`). Returns the output's index in `pop_chunks()`.
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// assert_eq!(reader.add_basic_audio_stream(1024, 3)?, 0);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn add_basic_audio_stream(
        &mut self,
        frames_per_chunk: usize,
        buffer_chunk_size: usize,
    ) -> Result<usize> {
        self.add_audio_stream(
            AudioStreamOptions::new(frames_per_chunk).buffer_chunk_size(buffer_chunk_size),
        )
    }

    /// Adds an output stream configured by `opts`. Several outputs may read the same or
    /// different source streams, each with its own chunking.
    ///
    /// `sample_rate` and `num_channels` convert, per output (outputs on the same source may
    /// differ): decoded frames are remixed ([`dsp::Remixer`](crate::dsp::Remixer)) and then
    /// resampled ([`dsp::Resampler`](crate::dsp::Resampler)), and chunks hold
    /// `frames_per_chunk` frames at the output's rate, chunk *i* at `i * frames_per_chunk /
    /// sample_rate`. A stream of `n` source frames gives exactly
    /// [`output_frames`](crate::dsp::output_frames)`(source rate, sample_rate, n)` frames, the
    /// samples of the whole decode converted in one piece, bit for bit, whatever the
    /// chunking, and after any [`seek`](Self::seek). An output added after reading has begun
    /// starts its conversion at the frame reached (seek to line it up with a full converted
    /// decode). `sample_rate` outside 1 to [`MAX_SAMPLE_RATE`](crate::limits::MAX_SAMPLE_RATE),
    /// `num_channels` outside 1 to [`MAX_CHANNELS`](crate::dsp::MAX_CHANNELS) are
    /// [`Error::InvalidArgument`]; a rate pair
    /// the resampler cannot do is [`Error::Unsupported`].
    ///
    /// ```no_run
    /// use audiostream::{AudioStreamOptions, StreamReader};
    /// let mut reader = StreamReader::new("music.flac", None, None)?;
    /// // 16 kHz mono in chunks of 0.1 s, next to the source format in chunks of 4096 frames.
    /// reader.add_audio_stream(AudioStreamOptions::new(1600).sample_rate(16000).num_channels(1))?;
    /// reader.add_basic_audio_stream(4096, 3)?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    ///
    /// ```no_run
    /// use audiostream::{AudioStreamOptions, StreamReader};
    /// let mut reader = StreamReader::new("movie.mkv", None, None)?;
    /// let second_audio = (0..reader.num_src_streams())
    ///     .filter(|&i| reader.get_src_stream_info(i).map_or(false, |s| s.media_type.as_str() == "audio"))
    ///     .nth(1)
    ///     .expect("two audio tracks");
    /// reader.add_audio_stream(AudioStreamOptions::new(4096).stream_index(second_audio))?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn add_audio_stream(&mut self, opts: AudioStreamOptions) -> Result<usize> {
        if opts.frames_per_chunk == 0 || opts.frames_per_chunk > MAX_FRAMES_PER_CHUNK {
            return Err(Error::invalid_argument(
                "frames_per_chunk",
                opts.frames_per_chunk,
                format!("1 to {MAX_FRAMES_PER_CHUNK} frames"),
            ));
        }
        if opts.buffer_chunk_size == 0 {
            return Err(Error::invalid_argument(
                "buffer_chunk_size",
                0,
                "a positive number of chunks",
            ));
        }
        if let Some(hz) = opts.sample_rate {
            crate::limits::check_sample_rate("sample_rate", hz)?;
        }
        if let Some(n) = opts.num_channels {
            crate::limits::check_channels("num_channels", n)?;
        }
        let src = match opts.stream_index {
            Some(i) => i,
            None => self.default_audio_stream().ok_or_else(|| {
                Error::Unsupported(format!("{} has no audio stream", self.src_name))
            })?,
        };
        let info = self.get_src_stream_info(src)?;
        if info.media_type != MediaType::Audio {
            let audio: Vec<String> = self
                .streams
                .iter()
                .filter(|s| s.media_type == MediaType::Audio)
                .map(|s| s.index.to_string())
                .collect();
            return Err(Error::invalid_argument(
                "stream_index",
                format!("{src} (a {} stream)", info.media_type.as_str()),
                format!("an audio stream: [{}]", audio.join(", ")),
            ));
        }
        if let Some(name) = &opts.decoder {
            if *name != info.codec {
                return Err(Error::invalid_argument(
                    "decoder",
                    name,
                    format!("\"{}\", the codec of source stream {src}", info.codec),
                ));
            }
        }
        let format = match opts.format.as_deref() {
            None => crate::SampleFormat::F32,
            Some(name) => output_format(name)?,
        };
        let mut dec_opts = AudioDecoderOptions::default();
        for (key, value) in &opts.decoder_option {
            match key.as_str() {
                "gapless" => dec_opts.gapless = parse_bool("decoder_option gapless", value)?,
                "verify" => dec_opts.verify = parse_bool("decoder_option verify", value)?,
                _ => {
                    return Err(Error::invalid_argument(
                        "decoder_option",
                        key,
                        "gapless, verify",
                    ))
                }
            }
        }
        let new_slot = if self.decoders[src].is_some() {
            if !opts.decoder_option.is_empty() {
                return Err(Error::InvalidArgument(format!(
                    "decoder_option for source stream {src}: its decoder was already set up by an \
                     earlier output; give decoder options on the first output of a stream"
                )));
            }
            None
        } else {
            Some(self.make_decoder(src, &dec_opts)?)
        };
        let Some(slot) = new_slot.as_ref().or(self.decoders[src].as_ref()) else {
            return Err(Error::decode(format!("no decoder for stream {src}")));
        };
        let (src_rate, src_channels) = (slot.sample_rate, slot.channels);
        // Where the output starts: frame 0, the frame reached, or a pending seek's target.
        let start = slot.position.unwrap_or(slot.discard_until);
        let out_rate = opts.sample_rate.unwrap_or(src_rate);
        let out_channels = opts.num_channels.unwrap_or(src_channels);
        // Set up the conversion before the decoder, so an unsupported one leaves no decoder.
        let mut conv = Conversion::new(
            src_rate,
            src_channels,
            out_rate,
            out_channels,
            opts.effect.as_ref(),
        )?;
        // A conversion added after reading has begun starts afresh at the current frame (seek
        // to put it on the grid of a full converted decode).
        let (from, out_start) = match &mut conv {
            Some(c) => c.start_at(start)?,
            None => (start, start),
        };
        if let Some(slot) = new_slot {
            self.decoders[src] = Some(slot);
        }
        let mut buffer = OutputBuffer::new(
            format,
            opts.frames_per_chunk,
            opts.buffer_chunk_size,
            out_channels,
            out_rate,
        );
        buffer.reset(out_start);
        let info = OutputStream {
            source_index: src,
            sample_rate: out_rate,
            num_channels: out_channels,
            frames_per_chunk: opts.frames_per_chunk,
            buffer_chunk_size: opts.buffer_chunk_size,
            converted: conv.is_some(),
        };
        self.outputs.push(Output {
            src,
            buffer,
            conv,
            from,
            info,
        });
        Ok(self.outputs.len() - 1)
    }

    /// Describes output stream `i`: the source stream it reads, and the rate, channels and
    /// chunking of its chunks (seed: `get_out_stream_info`).
    ///
    /// ```no_run
    /// use audiostream::{AudioStreamOptions, StreamReader};
    /// let mut reader = StreamReader::new("in.flac", None, None)?;
    /// reader.add_audio_stream(AudioStreamOptions::new(4096).sample_rate(16000))?;
    /// assert_eq!(reader.get_out_stream_info(0)?.sample_rate, 16000);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn get_out_stream_info(&self, i: usize) -> Result<OutputStream> {
        self.check_output_index(i)?;
        Ok(self.outputs[i].info.clone())
    }

    /// `InvalidArgument` naming the valid range when `i` is not an output's index.
    pub(super) fn check_output_index(&self, i: usize) -> Result<()> {
        if i < self.outputs.len() {
            return Ok(());
        }
        Err(Error::invalid_argument(
            "output stream index",
            i,
            format!(
                "0..{} (the reader has {} output streams)",
                self.outputs.len(),
                self.outputs.len()
            ),
        ))
    }
}
