//! Encoders for audiostream: the [`Encoder`] trait, [`CodecConfig`], and one adapter per
//! format — WAV (PCM, written here), MP3 (LAME, feature `encode-mp3`), FLAC (libFLAC, feature
//! `encode-flac`) — behind a registry by codec name ([`open_encoder`]).
//!
//! ```
//! use audiostream_codecs::{open_encoder, EncoderRequest, Planar, SampleFormat, Sink, StreamSpec};
//! let out = std::io::Cursor::new(Vec::new());
//! let spec = StreamSpec { sample_rate: 8000, channels: 1 };
//! let mut enc = open_encoder(&EncoderRequest::new("pcm_s16le", spec), Sink::seekable(out))?;
//! assert_eq!(enc.input_format(), SampleFormat::S16);
//! enc.encode(Planar::I16(&[vec![0, 1000, -1000]]))?;
//! enc.finish()?;
//! # Ok::<(), audiostream_codecs::EncodeError>(())
//! ```
//!
//! # What `CodecConfig` means per encoder
//!
//! | encoder | `bit_rate` | `compression_level` | `qscale` | `qmin` / `qmax` | `bit_rate_tolerance` | `buffer_size` |
//! |---|---|---|---|---|---|---|
//! | `mp3` | CBR at that rate (8..320 kbps, LAME's set) | LAME's algorithm quality 0 (best) .. 9 | VBR quality 0 (best) .. 9 | VBR minimum / maximum bit rate (bits/s, LAME's set) | with `bit_rate`: ABR around `bit_rate` | error |
//! | `flac` | error (FLAC is lossless) | 0 .. 8 (default 5) | error (FLAC is lossless) | error | error | error |
//! | `pcm_*` (WAV) | error | error | error | error | error | error |
//!
//! A field an encoder cannot honour is an [`EncodeError::InvalidArgument`] naming the field and
//! the encoder.

use std::collections::BTreeMap;
use std::io::{Seek, Write};

pub mod convert;
#[cfg(feature = "encode-flac")]
pub mod flac;
#[cfg(feature = "encode-mp3")]
pub mod mp3;
pub mod wav;

/// String options (format, decoder and encoder options), as torchaudio's `Dict[str, str]`
/// (`audiostream::Options` is this type).
///
/// ```
/// let opts = audiostream_codecs::Options::from([("compression_level".into(), "8".into())]);
/// assert_eq!(opts["compression_level"], "8");
/// ```
pub type Options = BTreeMap<String, String>;

/// Codec settings, as torchaudio's `CodecConfig`. See the crate docs for what each field means
/// for each encoder.
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

impl CodecConfig {
    /// The names of the fields that are set, for "this encoder takes none of these" errors.
    ///
    /// ```
    /// let cfg = audiostream_codecs::CodecConfig { qscale: Some(2.0), ..Default::default() };
    /// assert_eq!(cfg.fields_set(), ["qscale"]);
    /// ```
    pub fn fields_set(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.bit_rate.is_some() {
            v.push("bit_rate");
        }
        if self.compression_level.is_some() {
            v.push("compression_level");
        }
        if self.qscale.is_some() {
            v.push("qscale");
        }
        if self.qmin.is_some() {
            v.push("qmin");
        }
        if self.qmax.is_some() {
            v.push("qmax");
        }
        if self.bit_rate_tolerance.is_some() {
            v.push("bit_rate_tolerance");
        }
        if self.buffer_size.is_some() {
            v.push("buffer_size");
        }
        v
    }
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
    /// Frames after the last input frame (known once the encoder has finished).
    pub padding: u32,
}

/// Errors of the encoders.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A setting outside what the encoder allows; names the field, the encoder and the range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A codec, format or feature this build does not have; lists what it has.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The encoder library failed.
    #[error("encoder failed: {0}")]
    Failed(String),
    /// Writing the encoded bytes failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Sample formats (FFmpeg's names): what an encoder's [`Encoder::encode`] takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SampleFormat {
    /// Unsigned 8-bit, silence at 128.
    U8,
    /// Signed 16-bit.
    S16,
    /// Signed 24-bit, in the low 24 bits of an `i32` (range ±2^23).
    S24,
    /// Signed 32-bit.
    S32,
    /// 32-bit float in `[-1, 1]`.
    F32,
    /// 64-bit float in `[-1, 1]`.
    F64,
}

impl SampleFormat {
    /// FFmpeg's name: `u8`, `s16`, `s24`, `s32`, `flt`, `dbl`.
    ///
    /// ```
    /// assert_eq!(audiostream_codecs::SampleFormat::F32.name(), "flt");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            SampleFormat::U8 => "u8",
            SampleFormat::S16 => "s16",
            SampleFormat::S24 => "s24",
            SampleFormat::S32 => "s32",
            SampleFormat::F32 => "flt",
            SampleFormat::F64 => "dbl",
        }
    }

    /// Parses an `encoder_format` name (`u8`, `s16`, `s24`, `s32`, `flt`/`f32`, `dbl`/`f64`).
    ///
    /// ```
    /// use audiostream_codecs::SampleFormat;
    /// assert_eq!(SampleFormat::parse("f32"), Some(SampleFormat::F32));
    /// assert_eq!(SampleFormat::parse("s12"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "u8" | "u8p" => SampleFormat::U8,
            "s16" | "s16p" => SampleFormat::S16,
            "s24" => SampleFormat::S24,
            "s32" | "s32p" => SampleFormat::S32,
            "flt" | "fltp" | "f32" => SampleFormat::F32,
            "dbl" | "dblp" | "f64" => SampleFormat::F64,
            _ => return None,
        })
    }

    /// Bits per sample.
    ///
    /// ```
    /// assert_eq!(audiostream_codecs::SampleFormat::S24.bits(), 24);
    /// ```
    pub fn bits(self) -> u32 {
        match self {
            SampleFormat::U8 => 8,
            SampleFormat::S16 => 16,
            SampleFormat::S24 => 24,
            SampleFormat::S32 | SampleFormat::F32 => 32,
            SampleFormat::F64 => 64,
        }
    }
}

/// Planar samples in an encoder's input format: one `Vec` per channel, equal lengths.
/// `I32` carries both `S24` (range ±2^23) and `S32`.
#[derive(Clone, Copy, Debug)]
pub enum Planar<'a> {
    /// `u8` samples.
    U8(&'a [Vec<u8>]),
    /// `s16` samples.
    I16(&'a [Vec<i16>]),
    /// `s24` or `s32` samples.
    I32(&'a [Vec<i32>]),
    /// `flt` samples.
    F32(&'a [Vec<f32>]),
    /// `dbl` samples.
    F64(&'a [Vec<f64>]),
}

impl Planar<'_> {
    /// Number of channels.
    ///
    /// ```
    /// assert_eq!(audiostream_codecs::Planar::I16(&[vec![1, 2], vec![3, 4]]).channels(), 2);
    /// ```
    pub fn channels(&self) -> usize {
        match self {
            Planar::U8(p) => p.len(),
            Planar::I16(p) => p.len(),
            Planar::I32(p) => p.len(),
            Planar::F32(p) => p.len(),
            Planar::F64(p) => p.len(),
        }
    }

    /// Number of frames (length of the first channel).
    ///
    /// ```
    /// assert_eq!(audiostream_codecs::Planar::F32(&[vec![0.0; 5]]).frames(), 5);
    /// ```
    pub fn frames(&self) -> usize {
        match self {
            Planar::U8(p) => p.first().map_or(0, Vec::len),
            Planar::I16(p) => p.first().map_or(0, Vec::len),
            Planar::I32(p) => p.first().map_or(0, Vec::len),
            Planar::F32(p) => p.first().map_or(0, Vec::len),
            Planar::F64(p) => p.first().map_or(0, Vec::len),
        }
    }
}

/// Rate and channel count of a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamSpec {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Number of channels.
    pub channels: u16,
}

/// `Write + Seek`, as one object-safe trait.
pub trait WriteSeek: Write + Seek + Send {}
impl<T: Write + Seek + Send> WriteSeek for T {}

/// Where an encoder writes: a seekable sink (headers are patched on flush and finish) or a
/// stream (headers are written once, open-ended).
pub enum Sink {
    /// A file or memory buffer.
    Seekable(Box<dyn WriteSeek>),
    /// A pipe, socket or stdout.
    Stream(Box<dyn Write + Send>),
}

impl Sink {
    /// A seekable sink.
    ///
    /// ```
    /// let sink = audiostream_codecs::Sink::seekable(std::io::Cursor::new(Vec::new()));
    /// assert!(sink.is_seekable());
    /// ```
    pub fn seekable<W: Write + Seek + Send + 'static>(w: W) -> Self {
        Sink::Seekable(Box::new(w))
    }

    /// A non-seekable sink.
    ///
    /// ```
    /// let sink = audiostream_codecs::Sink::stream(std::io::sink());
    /// assert!(!sink.is_seekable());
    /// ```
    pub fn stream<W: Write + Send + 'static>(w: W) -> Self {
        Sink::Stream(Box::new(w))
    }

    /// Whether headers can be patched.
    pub fn is_seekable(&self) -> bool {
        matches!(self, Sink::Seekable(_))
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Seekable(w) => w.write(buf),
            Sink::Stream(w) => w.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Seekable(w) => w.write_all(buf),
            Sink::Stream(w) => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Seekable(w) => w.flush(),
            Sink::Stream(w) => w.flush(),
        }
    }
}

/// One audio encoder writing one stream into its [`Sink`].
///
/// Lifecycle: created by [`open_encoder`] (which checks every setting), then
/// [`set_tags`](Encoder::set_tags) (optional, before any audio), [`encode`](Encoder::encode)
/// any number of times, [`flush`](Encoder::flush) whenever the output should be readable so
/// far, and [`finish`](Encoder::finish) once. Encoders write their header lazily, at the first
/// `encode`, `flush` or `finish`.
pub trait Encoder: Send {
    /// Codec name (`pcm_s16le`, `mp3`, `flac`, ...).
    fn codec(&self) -> &'static str;
    /// The sample format [`encode`](Encoder::encode) takes.
    fn input_format(&self) -> SampleFormat;
    /// Tags to write (`title`, `artist`, `album`, `date`, `genre`, `comment`, `track`, ...):
    /// ID3v2 for MP3, Vorbis comments for FLAC, RIFF INFO for WAV. Only before any audio.
    fn set_tags(&mut self, tags: &Options) -> Result<(), EncodeError>;
    /// Encodes planar samples of [`input_format`](Encoder::input_format).
    fn encode(&mut self, samples: Planar<'_>) -> Result<(), EncodeError>;
    /// Writes out what can be written and makes the output readable up to here (headers
    /// patched when the sink is seekable). Codecs that work in blocks (MP3, FLAC) keep the
    /// last partial block until more audio or `finish`.
    fn flush(&mut self) -> Result<(), EncodeError>;
    /// Encodes what is buffered and finalizes the stream. Further calls do nothing.
    fn finish(&mut self) -> Result<(), EncodeError>;
    /// The priming and padding the encoder adds (padding is known after `finish`).
    fn delay(&self) -> EncoderDelay;
}

/// What to open: codec, stream, and the user's settings.
#[derive(Clone, Debug)]
pub struct EncoderRequest<'a> {
    /// Codec name: `pcm_s16le`, `pcm_s24le`, `pcm_s32le`, `pcm_f32le`, `pcm_f64le`, `pcm_u8`,
    /// `mp3`, `flac`.
    pub codec: &'a str,
    /// Rate and channels of the audio the encoder gets.
    pub spec: StreamSpec,
    /// `encoder_format`: the coded sample format (FLAC: `s16`, `s24`; MP3 ignores it).
    pub format: Option<SampleFormat>,
    /// Codec settings.
    pub config: CodecConfig,
    /// `encoder_option`: codec-specific string options; unknown keys are an error.
    pub options: Options,
}

impl<'a> EncoderRequest<'a> {
    /// A request with default settings.
    ///
    /// ```
    /// use audiostream_codecs::{EncoderRequest, StreamSpec};
    /// let r = EncoderRequest::new("flac", StreamSpec { sample_rate: 44100, channels: 2 });
    /// assert_eq!(r.codec, "flac");
    /// ```
    pub fn new(codec: &'a str, spec: StreamSpec) -> Self {
        EncoderRequest {
            codec,
            spec,
            format: None,
            config: CodecConfig::default(),
            options: Options::new(),
        }
    }
}

/// Every codec this build can encode.
///
/// ```
/// assert!(audiostream_codecs::available_codecs().contains(&"pcm_s16le"));
/// ```
pub fn available_codecs() -> Vec<&'static str> {
    let mut v = wav::CODECS.to_vec();
    if cfg!(feature = "encode-mp3") {
        v.push("mp3");
    }
    if cfg!(feature = "encode-flac") {
        v.push("flac");
    }
    v
}

/// The codecs a container can hold, the first being its default (as FFmpeg's muxers).
///
/// ```
/// assert_eq!(audiostream_codecs::container_codecs("wav").unwrap()[0], "pcm_s16le");
/// assert!(audiostream_codecs::container_codecs("ogg").is_none());
/// ```
pub fn container_codecs(container: &str) -> Option<&'static [&'static str]> {
    Some(match container {
        "wav" => wav::CODECS,
        "mp3" => &["mp3"],
        "flac" => &["flac"],
        _ => return None,
    })
}

/// The containers this crate writes.
pub const CONTAINERS: &[&str] = &["wav", "mp3", "flac"];

/// Opens an encoder for `request` writing into `sink`. Every setting is checked here: an
/// unknown codec is [`EncodeError::Unsupported`] listing the available ones; a rate, channel
/// count, format, config field or option the codec cannot take is
/// [`EncodeError::InvalidArgument`] naming it and what is allowed.
///
/// ```
/// use audiostream_codecs::{open_encoder, CodecConfig, EncodeError, EncoderRequest, Sink, StreamSpec};
/// let mut req = EncoderRequest::new("pcm_s16le", StreamSpec { sample_rate: 8000, channels: 1 });
/// req.config = CodecConfig { bit_rate: Some(64_000), ..Default::default() };
/// let err = open_encoder(&req, Sink::stream(std::io::sink())).err().unwrap();
/// assert!(matches!(err, EncodeError::InvalidArgument(m) if m.contains("bit_rate")));
/// ```
pub fn open_encoder(
    request: &EncoderRequest<'_>,
    sink: Sink,
) -> Result<Box<dyn Encoder>, EncodeError> {
    if request.spec.sample_rate == 0 {
        return Err(EncodeError::InvalidArgument(
            "sample_rate = 0; allowed: a positive rate in Hz".into(),
        ));
    }
    if request.spec.channels == 0 {
        return Err(EncodeError::InvalidArgument(
            "num_channels = 0; allowed: at least 1 channel".into(),
        ));
    }
    match request.codec {
        c if wav::CODECS.contains(&c) => Ok(Box::new(wav::WavEncoder::new(request, sink)?)),
        #[cfg(feature = "encode-mp3")]
        "mp3" => Ok(Box::new(mp3::Mp3Encoder::new(request, sink)?)),
        #[cfg(feature = "encode-flac")]
        "flac" => Ok(Box::new(flac::FlacEncoder::new(request, sink)?)),
        other => Err(EncodeError::Unsupported(format!(
            "encoder \"{other}\"; this build has: {}",
            available_codecs().join(", ")
        ))),
    }
}

/// Checks that `options` has only keys from `allowed` (an error names the first other key).
///
/// ```
/// use audiostream_codecs::{check_options, Options};
/// let opts = Options::from([("vbr".to_string(), "1".to_string())]);
/// assert!(check_options("mp3", &opts, &["joint_stereo"]).is_err());
/// ```
pub fn check_options(codec: &str, options: &Options, allowed: &[&str]) -> Result<(), EncodeError> {
    match options.keys().find(|k| !allowed.contains(&k.as_str())) {
        None => Ok(()),
        Some(k) => Err(EncodeError::InvalidArgument(format!(
            "encoder_option \"{k}\" for encoder {codec}; allowed: {}",
            if allowed.is_empty() {
                "none".to_string()
            } else {
                allowed.join(", ")
            }
        ))),
    }
}

/// Errors for every `CodecConfig` field set that `codec` does not take.
///
/// ```
/// use audiostream_codecs::{reject_config_fields, CodecConfig};
/// let cfg = CodecConfig { qscale: Some(1.0), ..Default::default() };
/// let e = reject_config_fields("flac", &cfg, &["compression_level"], "FLAC is lossless").unwrap_err();
/// assert!(e.to_string().contains("qscale"));
/// ```
pub fn reject_config_fields(
    codec: &str,
    config: &CodecConfig,
    allowed: &[&str],
    why: &str,
) -> Result<(), EncodeError> {
    match config
        .fields_set()
        .into_iter()
        .find(|f| !allowed.contains(f))
    {
        None => Ok(()),
        Some(f) => Err(EncodeError::InvalidArgument(format!(
            "CodecConfig.{f} cannot be honoured by encoder {codec} ({why}); it takes: {}",
            if allowed.is_empty() {
                "no CodecConfig field".to_string()
            } else {
                allowed.join(", ")
            }
        ))),
    }
}
