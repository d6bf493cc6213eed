//! [`AudioStreamOptions`]: how one output stream of a reader is configured.

use crate::Options;

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
    /// Output sample rate (resampling; not yet supported).
    pub sample_rate: Option<u32>,
    /// Output channel count (remixing; not yet supported).
    pub num_channels: Option<usize>,
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

    /// Output sample rate.
    pub fn sample_rate(mut self, hz: u32) -> Self {
        self.sample_rate = Some(hz);
        self
    }

    /// Output channel count.
    pub fn num_channels(mut self, n: usize) -> Self {
        self.num_channels = Some(n);
        self
    }
}
