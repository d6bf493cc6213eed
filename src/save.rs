//! One-call saving: a whole `(channels, frames)` array into a file ([`save`], [`save_with`])
//! or into the bytes of a file ([`encode`], [`encode_with`]), through [`StreamWriter`].
//!
//! **Bit depth.** WAV and FLAC store integers of a fixed depth, and an `f32` array has none:
//! unless [`SaveOptions::bits_per_sample`] says, the depth is the smallest that holds every
//! sample exactly — 16 bits when every sample is a multiple of 2^-15 (audio that came from a
//! 16-bit file), 24 bits when every sample is a multiple of 2^-23 (from a 24-bit file: a
//! loaded 24-bit FLAC is saved 24-bit and bit for bit), otherwise 32-bit float for WAV and
//! 24 bits (rounded) for FLAC, whose encoder writes at most 24. Integer arrays keep their
//! depth the same way (`i32` samples whose low 8 bits are all zero are 24-bit). A
//! [`StreamWriter`] left to its defaults writes 16 bits; `save` does not.
//!
//! **Failures write nothing.** Every argument (shape, rate, container, codec settings) is
//! checked against an encoder writing nowhere before the file is created; a write that fails
//! later removes the partial file.

use crate::{AudioEncodeOptions, CodecConfig, Error, Options, Result, Sample, StreamWriter};
use audiostream_codecs::{SampleFormat, CONTAINERS};
use ndarray::ArrayView2;
use std::io::{Cursor, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// How [`save_with`] and [`encode_with`] write: container, depth, codec settings, tags.
///
/// ```
/// use audiostream::{CodecConfig, SaveOptions};
/// let opts = SaveOptions::new()
///     .bits_per_sample(24)
///     .codec_config(CodecConfig { compression_level: Some(8), ..Default::default() })
///     .tag("title", "Take 1");
/// assert_eq!(opts.bits_per_sample, Some(24));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SaveOptions {
    /// Container (`wav`, `flac`, `mp3`, `ogg`, `opus`); default from the file's extension.
    pub format: Option<String>,
    /// Bits per sample of WAV (8, 16, 24, 32) and FLAC (16, 24); default: the smallest depth
    /// that holds the samples exactly (see the [module docs](self)). Lossy codecs have none.
    pub bits_per_sample: Option<u32>,
    /// Encoder (codec); default the container's (e.g. `opus` into `.ogg` instead of Vorbis).
    pub encoder: Option<String>,
    /// Codec settings (bit rate, quality, compression level).
    pub codec_config: Option<CodecConfig>,
    /// Tags (`title`, `artist`, `album`, `date`, `genre`, `comment`, `track`).
    pub tags: Options,
}

impl SaveOptions {
    /// The defaults: container from the extension, depth from the samples.
    ///
    /// ```
    /// assert_eq!(audiostream::SaveOptions::new().bits_per_sample, None);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Container name.
    ///
    /// ```
    /// assert_eq!(audiostream::SaveOptions::new().format("flac").format.as_deref(), Some("flac"));
    /// ```
    pub fn format(mut self, name: &str) -> Self {
        self.format = Some(name.to_string());
        self
    }

    /// Bits per sample (WAV, FLAC).
    ///
    /// ```
    /// assert_eq!(audiostream::SaveOptions::new().bits_per_sample(24).bits_per_sample, Some(24));
    /// ```
    pub fn bits_per_sample(mut self, bits: u32) -> Self {
        self.bits_per_sample = Some(bits);
        self
    }

    /// Encoder name.
    ///
    /// ```
    /// assert_eq!(audiostream::SaveOptions::new().encoder("opus").encoder.as_deref(), Some("opus"));
    /// ```
    pub fn encoder(mut self, name: &str) -> Self {
        self.encoder = Some(name.to_string());
        self
    }

    /// Codec settings.
    ///
    /// ```
    /// use audiostream::{CodecConfig, SaveOptions};
    /// let opts = SaveOptions::new().codec_config(CodecConfig { bit_rate: Some(192_000), ..Default::default() });
    /// assert!(opts.codec_config.is_some());
    /// ```
    pub fn codec_config(mut self, config: CodecConfig) -> Self {
        self.codec_config = Some(config);
        self
    }

    /// One tag.
    ///
    /// ```
    /// let opts = audiostream::SaveOptions::new().tag("artist", "Someone");
    /// assert_eq!(opts.tags["artist"], "Someone");
    /// ```
    pub fn tag(mut self, key: &str, value: &str) -> Self {
        self.tags.insert(key.to_string(), value.to_string());
        self
    }
}

/// Saves `(channels, frames)` `f32` audio into a file; the container comes from the extension
/// (`.wav`, `.flac`, `.mp3`, `.ogg` (Vorbis), `.opus`). WAV and FLAC get the depth the
/// samples need (see the [module docs](self)): a loaded 24-bit file is saved 24-bit.
///
/// ```no_run
/// let (audio, rate) = audiostream::load("in.mp3")?;
/// audiostream::save("out.flac", audio.view(), rate)?;
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn save(path: impl AsRef<Path>, audio: ArrayView2<'_, f32>, sample_rate: u32) -> Result<()> {
    save_with(path, audio, sample_rate, SaveOptions::new())
}

/// Saves `(channels, frames)` audio of any sample type (`f32`, `f64`, `i16`, `i32`, `u8`,
/// integers at full scale as FFmpeg's) as `opts` says.
///
/// ```no_run
/// use audiostream::{ndarray::Array2, save_with, SaveOptions};
/// let audio = Array2::<i32>::zeros((2, 48_000));
/// save_with("silence.flac", audio.view(), 48_000, SaveOptions::new().bits_per_sample(24))?;
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn save_with<T: Sample>(
    path: impl AsRef<Path>,
    audio: ArrayView2<'_, T>,
    sample_rate: u32,
    opts: SaveOptions,
) -> Result<()> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let container = match &opts.format {
        Some(f) => f.trim().to_ascii_lowercase(),
        None => path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "path = {name:?} has no extension to tell the format by; allowed: one of {} \
                     (or SaveOptions::format)",
                    extensions()
                ))
            })?,
    };
    let stream = plan(audio, sample_rate, &container, &opts)?;
    // Checked against an encoder that writes nowhere: nothing is created for bad arguments.
    {
        let mut dry = StreamWriter::from_writer(std::io::sink(), &container)?;
        dry.add_audio_stream_with(stream.clone())?;
    }
    let file =
        std::fs::File::create(path).map_err(|e| Error::io(format!("creating {name:?}"), e))?;
    let written = write_all(
        StreamWriter::from_seekable(std::io::BufWriter::new(file), &container),
        stream,
        &opts.tags,
        audio,
    );
    if written.is_err() {
        // A partial file is worse than none.
        let _ = std::fs::remove_file(path);
    }
    written
}

/// The bytes of a whole file holding `audio` (`"wav"`, `"flac"`, `"mp3"`, `"ogg"` (Vorbis),
/// `"opus"`), with `config`'s codec settings: for sending, storing in a database, or a
/// browser download. WAV and FLAC keep the depth the samples need (see [`save`]).
///
/// ```
/// use audiostream::ndarray::Array2;
/// let audio = Array2::<f32>::from_shape_fn((1, 800), |(_, i)| (i as f32 * 0.05).sin() * 0.5);
/// let wav = audiostream::encode(audio.view(), 8000, "wav", None)?;
/// assert_eq!(&wav[..4], b"RIFF");
/// let (back, rate) = audiostream::load_bytes(&wav)?;
/// assert_eq!((back.dim(), rate), ((1, 800), 8000));
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn encode(
    audio: ArrayView2<'_, f32>,
    sample_rate: u32,
    format: &str,
    config: Option<CodecConfig>,
) -> Result<Vec<u8>> {
    let opts = SaveOptions {
        codec_config: config,
        ..SaveOptions::new()
    };
    encode_with(audio, sample_rate, format, opts)
}

/// [`encode`] for any sample type, with every [`SaveOptions`] setting (`opts.format` is
/// ignored: `format` says).
///
/// ```
/// use audiostream::{ndarray::Array2, SaveOptions};
/// let audio = Array2::<i16>::zeros((2, 4410));
/// let flac = audiostream::encode_with(audio.view(), 44_100, "flac", SaveOptions::new().tag("title", "Hush"))?;
/// assert_eq!(&flac[..4], b"fLaC");
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn encode_with<T: Sample>(
    audio: ArrayView2<'_, T>,
    sample_rate: u32,
    format: &str,
    opts: SaveOptions,
) -> Result<Vec<u8>> {
    let container = format.trim().to_ascii_lowercase();
    let stream = plan(audio, sample_rate, &container, &opts)?;
    let buffer = SharedBuffer::default();
    write_all(
        StreamWriter::from_seekable(buffer.clone(), &container),
        stream,
        &opts.tags,
        audio,
    )?;
    let bytes = buffer
        .0
        .lock()
        .map(|mut c| std::mem::take(c.get_mut()))
        .map_err(|_| Error::Encode("the encoder's buffer was poisoned".into()))?;
    Ok(bytes)
}

fn extensions() -> String {
    CONTAINERS
        .iter()
        .map(|c| format!(".{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks the arguments and says what the writer's stream is.
fn plan<T: Sample>(
    audio: ArrayView2<'_, T>,
    sample_rate: u32,
    container: &str,
    opts: &SaveOptions,
) -> Result<AudioEncodeOptions> {
    if !CONTAINERS.contains(&container) {
        return Err(Error::Unsupported(format!(
            "writing the \"{container}\" format; supported: {}",
            CONTAINERS.join(", ")
        )));
    }
    let (channels, frames) = audio.dim();
    if channels == 0 || frames == 0 {
        return Err(Error::invalid_argument(
            "audio",
            format!("an array of shape ({channels}, {frames})"),
            "(channels, frames) with at least one channel and one frame",
        ));
    }
    crate::limits::check_sample_rate("sample_rate", sample_rate)?;
    let mut stream = AudioEncodeOptions::new(sample_rate, channels).format(T::FORMAT.name());
    if let Some(e) = &opts.encoder {
        stream = stream.encoder(e);
    }
    if let Some(c) = &opts.codec_config {
        stream = stream.codec_config(c.clone());
    }
    let pcm = container == "wav" || container == "flac";
    let coded = match (opts.bits_per_sample, pcm) {
        (Some(bits), false) => {
            return Err(Error::invalid_argument(
                "bits_per_sample",
                bits,
                format!(
                    "none for {container} (a lossy codec has no bit depth); WAV and FLAC take it"
                ),
            ))
        }
        (None, false) => None,
        (Some(bits), true) => Some(match (container, bits) {
            ("wav", 8) => SampleFormat::U8,
            (_, 16) => SampleFormat::S16,
            (_, 24) => SampleFormat::S24,
            ("wav", 32) => SampleFormat::S32,
            _ => {
                return Err(Error::invalid_argument(
                    "bits_per_sample",
                    bits,
                    if container == "wav" {
                        "8, 16, 24, 32 for WAV"
                    } else {
                        "16, 24 for FLAC"
                    },
                ))
            }
        }),
        (None, true) => Some(match (needed_depth(audio), container) {
            (Depth::Bits(8), "wav") => SampleFormat::U8,
            (Depth::Bits(b), _) if b <= 16 => SampleFormat::S16,
            (Depth::Bits(24), _) => SampleFormat::S24,
            (Depth::Bits(_), "wav") => SampleFormat::S32,
            (Depth::Float, "wav") => SampleFormat::F32,
            // FLAC's encoder writes at most 24 bits.
            _ => SampleFormat::S24,
        }),
    };
    if let Some(f) = coded {
        stream = stream.encoder_format(f.name());
    }
    Ok(stream)
}

/// The depth that holds every sample of an array exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Depth {
    Bits(u32),
    Float,
}

fn needed_depth<T: Sample>(audio: ArrayView2<'_, T>) -> Depth {
    match T::FORMAT {
        SampleFormat::U8 => Depth::Bits(8),
        SampleFormat::S16 => Depth::Bits(16),
        SampleFormat::S32 => {
            // Full-scale 32-bit integers: a 24-bit source has its low 8 bits zero.
            let low = audio.iter().fold(0i32, |acc, s| acc | s.to_s32().0);
            Depth::Bits(if low & 0xFFFF == 0 {
                16
            } else if low & 0xFF == 0 {
                24
            } else {
                32
            })
        }
        _ => {
            let fits = |scale: f64| {
                audio.iter().all(|s| {
                    let x = s.to_f64();
                    let v = x * scale;
                    (-1.0..1.0).contains(&x) && v == v.trunc()
                })
            };
            if fits(32768.0) {
                Depth::Bits(16)
            } else if fits(8_388_608.0) {
                Depth::Bits(24)
            } else {
                Depth::Float
            }
        }
    }
}

/// Writes the whole array through a writer and closes it.
fn write_all<T: Sample>(
    writer: Result<StreamWriter>,
    stream: AudioEncodeOptions,
    tags: &Options,
    audio: ArrayView2<'_, T>,
) -> Result<()> {
    let mut writer = writer?;
    if !tags.is_empty() {
        writer.set_metadata(tags.clone())?;
    }
    writer.add_audio_stream_with(stream)?;
    writer.write_audio_chunk(0, audio, None)?;
    writer.close()
}

/// A `Vec<u8>` the writer writes into and `encode_with` takes back after `close`.
#[derive(Clone, Default)]
struct SharedBuffer(Arc<Mutex<Cursor<Vec<u8>>>>);

impl SharedBuffer {
    fn with<R>(
        &self,
        f: impl FnOnce(&mut Cursor<Vec<u8>>) -> std::io::Result<R>,
    ) -> std::io::Result<R> {
        let mut c = self
            .0
            .lock()
            .map_err(|_| std::io::Error::other("the encoder's buffer was poisoned"))?;
        f(&mut c)
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.with(|c| c.write(buf))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Seek for SharedBuffer {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.with(|c| c.seek(pos))
    }
}
