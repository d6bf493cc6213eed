//! [`AudioStreamOptions`]: how one output stream of a reader is configured.

use crate::{AudioEffector, Options};

/// Configuration of one output stream of a [`StreamReader`](crate::StreamReader), as a builder.
///
/// ```
/// use audiostream::AudioStreamOptions;
/// let opts = AudioStreamOptions::new(4096)
///     .buffer_chunk_size(8)
///     .stream_index(1)
///     .decoder("flac")
///     .decoder_option("gapless", "true");
/// assert_eq!(opts.frames_per_chunk, 4096);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AudioStreamOptions {
    /// Frames in every chunk but the last one.
    pub frames_per_chunk: usize,
    /// Chunks kept waiting before the oldest is dropped (default 3, as torchaudio).
    pub buffer_chunk_size: usize,
    /// Source stream to read; default: the default audio stream.
    pub stream_index: Option<usize>,
    /// Decoder (codec) name; must be the codec of the chosen stream.
    pub decoder: Option<String>,
    /// Decoder options: `gapless` (`true`/`false`, default `true`: trim encoder delay and
    /// padding) and `verify` (`true`/`false`, default `false`: check checksums where the codec
    /// has them, e.g. FLAC's MD5).
    pub decoder_option: Options,
    /// Output sample rate in Hz; default: the source's. Another rate resamples
    /// ([`dsp::Resampler`](crate::dsp::Resampler): sharp FFT filter, the filter delay removed,
    /// `output_frames(src_rate, sample_rate, n)` frames for `n` source frames).
    pub sample_rate: Option<u32>,
    /// Output channel count; default: the source's. Another count remixes
    /// ([`dsp::Remixer`](crate::dsp::Remixer): mono ↔ stereo, 5.1/7.1 downmixes, ...),
    /// before resampling.
    pub num_channels: Option<usize>,
    /// Effects applied after remixing and resampling, before chunking (SoX effects, e.g.
    /// `"highpass 80 reverb 30"`): tails (reverb, echo) come out at the end of the stream;
    /// after a seek they start afresh.
    pub effect: Option<AudioEffector>,
    /// Sample type of the chunks, by torchaudio's (FFmpeg's) name: `fltp` (`f32`, the default),
    /// `dblp` (`f64`), `s16p` (`i16`), `s32p` (`i32`), `u8p` (`u8`); the non-planar names
    /// (`flt`, `s16`, ...) mean the same (chunks are always `(channels, frames)`). Chunks in
    /// the output's type come from [`StreamReader::pop_chunks_as`](crate::StreamReader::pop_chunks_as)
    /// exactly: integer sources keep every bit (a 32-bit FLAC in `s32p`), which `f32` cannot.
    pub format: Option<String>,
}

impl AudioStreamOptions {
    /// Options with `frames_per_chunk` and every other setting at its default.
    pub fn new(frames_per_chunk: usize) -> Self {
        AudioStreamOptions {
            frames_per_chunk,
            buffer_chunk_size: 3,
            stream_index: None,
            decoder: None,
            decoder_option: Options::new(),
            sample_rate: None,
            num_channels: None,
            effect: None,
            format: None,
        }
    }

    /// Chunks kept waiting before the oldest is dropped.
    pub fn buffer_chunk_size(mut self, n: usize) -> Self {
        self.buffer_chunk_size = n;
        self
    }

    /// Source stream index (see [`StreamReader::get_src_stream_info`](crate::StreamReader::get_src_stream_info)).
    pub fn stream_index(mut self, i: usize) -> Self {
        self.stream_index = Some(i);
        self
    }

    /// Decoder name, e.g. `"mp3"`, `"flac"`, `"pcm_s16le"`.
    pub fn decoder(mut self, name: &str) -> Self {
        self.decoder = Some(name.to_string());
        self
    }

    /// One decoder option.
    pub fn decoder_option(mut self, key: &str, value: &str) -> Self {
        self.decoder_option
            .insert(key.to_string(), value.to_string());
        self
    }

    /// Output sample rate in Hz (resampling when it differs from the source's).
    ///
    /// ```
    /// let opts = audiostream::AudioStreamOptions::new(1024).sample_rate(16000).num_channels(1);
    /// assert_eq!((opts.sample_rate, opts.num_channels), (Some(16000), Some(1)));
    /// ```
    pub fn sample_rate(mut self, hz: u32) -> Self {
        self.sample_rate = Some(hz);
        self
    }

    /// Output channel count (remixing when it differs from the source's).
    pub fn num_channels(mut self, n: usize) -> Self {
        self.num_channels = Some(n);
        self
    }

    /// Sample type of the chunks (see [`format`](Self::format)).
    ///
    /// ```
    /// let opts = audiostream::AudioStreamOptions::new(1024).format("s32p");
    /// assert_eq!(opts.format.as_deref(), Some("s32p"));
    /// ```
    pub fn format(mut self, name: &str) -> Self {
        self.format = Some(name.to_string());
        self
    }

    /// Effects to apply (see [`effect`](Self::effect)).
    ///
    /// ```
    /// use audiostream::{AudioEffector, AudioStreamOptions};
    /// let fx: AudioEffector = "highpass 80 gain -3".parse()?;
    /// let opts = AudioStreamOptions::new(1024).effect(fx);
    /// assert!(opts.effect.is_some());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn effect(mut self, effector: AudioEffector) -> Self {
        self.effect = Some(effector);
        self
    }
}

/// What one output stream of a reader delivers (seed: `get_out_stream_info(i)`): the source
/// stream it reads, and its rate, channels and chunking after any conversion.
///
/// ```no_run
/// use audiostream::{AudioStreamOptions, StreamReader};
/// let mut reader = StreamReader::new("in.wav", None, None)?;
/// let i = reader.add_audio_stream(AudioStreamOptions::new(1600).sample_rate(16000).num_channels(1))?;
/// let out = reader.get_out_stream_info(i)?;
/// assert_eq!((out.sample_rate, out.num_channels, out.frames_per_chunk), (16000, 1, 1600));
/// # Ok::<(), audiostream::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputStream {
    /// Index of the source stream it reads (see `get_src_stream_info`).
    pub source_index: usize,
    /// Sample rate of the chunks, Hz (the source's unless `sample_rate` was given).
    pub sample_rate: u32,
    /// Channels of the chunks (the source's unless `num_channels` was given).
    pub num_channels: usize,
    /// Frames in every chunk but the last one.
    pub frames_per_chunk: usize,
    /// Chunks kept waiting before the oldest is dropped.
    pub buffer_chunk_size: usize,
    /// Whether the output resamples, remixes or applies effects to the source.
    pub converted: bool,
}
