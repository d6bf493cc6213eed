//! Encoder adapters for audiostream: the [`Encoder`] trait and [`CodecConfig`].
//!
//! The per-format adapters (WAV through hound, MP3 through LAME, FLAC through libFLAC) are
//! added by the writer work; this crate fixes the shape they share.

/// Codec settings, as torchaudio's `CodecConfig`. Each encoder documents what each field means
/// for it; a field an encoder cannot honour is an error naming the field and the encoder.
///
/// ```
/// use audiostream_codecs::CodecConfig;
/// let cfg = CodecConfig { bit_rate: Some(128_000), ..Default::default() };
/// assert_eq!(cfg.qscale, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CodecConfig {
    /// Target bit rate, bits per second.
    pub bit_rate: Option<u32>,
    /// Compression level (codec-dependent range).
    pub compression_level: Option<i32>,
    /// Quality scale (VBR quality for MP3).
    pub qscale: Option<f32>,
    /// Minimum quantizer / minimum bit rate (codec-dependent).
    pub qmin: Option<i32>,
    /// Maximum quantizer / maximum bit rate (codec-dependent).
    pub qmax: Option<i32>,
    /// Bit rate tolerance (with `bit_rate`, average bit rate mode for MP3).
    pub bit_rate_tolerance: Option<u32>,
    /// Encoder buffer size.
    pub buffer_size: Option<u32>,
}

/// What an encoder adds around the audio it is given, in frames.
///
/// ```
/// let d = audiostream_codecs::EncoderDelay { delay: 576, padding: 1000 };
/// assert_eq!(d.delay + d.padding, 1576);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncoderDelay {
    /// Frames of priming before the first input frame.
    pub delay: u32,
    /// Frames after the last input frame.
    pub padding: u32,
}

/// Errors of the encoders.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A setting outside what the encoder allows; names the field, the encoder and the range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The encoder failed.
    #[error("encoder failed: {0}")]
    Failed(String),
    /// Writing the encoded bytes failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// One audio encoder writing one stream.
///
/// Samples come in planar `f32` (one slice per channel, equal lengths, `[-1, 1]`).
pub trait Encoder: Send {
    /// Encodes `planar` (one slice per channel).
    fn encode(&mut self, planar: &[&[f32]]) -> Result<(), EncodeError>;
    /// Makes everything encoded so far readable by a decoder (headers patched where possible).
    fn flush(&mut self) -> Result<(), EncodeError>;
    /// Encodes what is buffered and finalizes the stream.
    fn finish(&mut self) -> Result<(), EncodeError>;
    /// The priming and padding the encoder adds.
    fn delay(&self) -> EncoderDelay;
}
