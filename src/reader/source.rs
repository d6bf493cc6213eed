//! Opening sources (paths, stdin, `Read`/`Read + Seek` values) and choosing the demuxer.

use super::raw::{self, RawPcmReader};
use crate::{Error, Options, Result};
#[cfg(feature = "decode-aac")]
use audiostream_symphonia_aac::AdtsReader;
use std::io::{Read, Seek, SeekFrom};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::{Hint, Probe};
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::{MediaSource, MediaSourceStream, ReadOnlySource};
use symphonia::core::meta::MetadataOptions;
#[cfg(feature = "decode-ogg")]
use symphonia::default::formats::OggReader;
use symphonia::default::meta::{ApeReader, Id3v1Reader, Id3v2Reader};

/// Container names accepted by `format` (besides the raw PCM ones) in this build: each with
/// its `decode-*` feature (Cargo.toml).
pub(crate) const CONTAINERS: &[&str] = &[
    #[cfg(feature = "decode-wav")]
    "wav",
    #[cfg(feature = "decode-mp3")]
    "mp3",
    #[cfg(feature = "decode-flac")]
    "flac",
    #[cfg(feature = "decode-ogg")]
    "ogg",
    #[cfg(feature = "decode-mp4")]
    "mp4",
    #[cfg(feature = "decode-mp4")]
    "m4a",
    #[cfg(feature = "decode-mkv")]
    "mkv",
    #[cfg(feature = "decode-mkv")]
    "webm",
    #[cfg(feature = "decode-aiff")]
    "aiff",
    #[cfg(feature = "decode-caf")]
    "caf",
    #[cfg(feature = "decode-aac")]
    "aac",
];

/// A `Send` value made `Sync` by allowing access only through `&mut` (symphonia's
/// `MediaSource` asks for `Send + Sync`, which a `Box<dyn Read + Send>`, a socket wrapper or a
/// `RefCell` inside a reader is not). `Mutex::get_mut` takes no lock: this costs nothing.
pub(crate) struct Exclusive<R>(std::sync::Mutex<R>);

impl<R> Exclusive<R> {
    pub(crate) fn new(inner: R) -> Self {
        Exclusive(std::sync::Mutex::new(inner))
    }

    fn get(&mut self) -> &mut R {
        // Poisoned only if a panic happened while locked, and it is never locked.
        self.0
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<R: Read> Read for Exclusive<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.get().read(buf)
    }
}

impl<R: Seek> Seek for Exclusive<R> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.get().seek(pos)
    }
}

/// A `Read + Seek` value as a symphonia media source (seekable, length found by seeking).
pub(crate) struct SeekableSource<R> {
    inner: Exclusive<R>,
    len: Option<u64>,
}

impl<R: Read + Seek> SeekableSource<R> {
    pub(crate) fn new(mut inner: R) -> Result<Self> {
        let pos = inner.stream_position()?;
        let end = inner.seek(SeekFrom::End(0))?;
        inner.seek(SeekFrom::Start(pos))?;
        Ok(SeekableSource {
            inner: Exclusive::new(inner),
            len: Some(end),
        })
    }
}

impl<R: Read> Read for SeekableSource<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: Seek> Seek for SeekableSource<R> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

impl<R: Read + Seek + Send> MediaSource for SeekableSource<R> {
    fn is_seekable(&self) -> bool {
        true
    }
    fn byte_len(&self) -> Option<u64> {
        self.len
    }
}

/// Opens a path, or stdin for `-`. Returns the source and the file extension (a probe hint).
pub(crate) fn open_path(path: &std::path::Path) -> Result<(Box<dyn MediaSource>, Option<String>)> {
    if path.as_os_str() == "-" {
        return Ok((Box::new(ReadOnlySource::new(std::io::stdin())), None));
    }
    let src = path;
    let file = std::fs::File::open(path).map_err(|e| Error::io(format!("opening {src:?}"), e))?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io(format!("reading the size of {src:?}"), e))?;
    if meta.is_dir() {
        return Err(Error::invalid_argument(
            "src",
            format!("{src:?} (a directory)"),
            "a media file, \"-\" for stdin, or a URL",
        ));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    Ok((Box::new(file), ext))
}

/// The demuxer chosen for a source, and our name for its container.
pub(crate) struct Demuxer {
    pub(crate) reader: Box<dyn FormatReader>,
    pub(crate) container: String,
    pub(crate) byte_len: Option<u64>,
    /// Container tags the demuxer does not report (RIFF INFO).
    pub(crate) extra_tags: Options,
    /// For MPEG audio without a Xing/Info/VBRI tag: the estimated frame count (the demuxer
    /// leaves the length unknown).
    pub(crate) estimated_frames: Option<u64>,
}

/// Builds a probe that only knows `name`'s demuxer (plus tag readers that may precede it).
// With `decode-core` alone there is no container: every name is `None`.
#[allow(unreachable_code)]
fn forced_probe(name: &str) -> Option<Probe> {
    let mut p = Probe::new();
    p.register_metadata::<Id3v2Reader>();
    p.register_metadata::<ApeReader>();
    p.register_metadata::<Id3v1Reader>();
    match name {
        #[cfg(feature = "decode-wav")]
        "wav" | "wave" => p.register_format::<audiostream_symphonia_riff::WavReader>(),
        #[cfg(feature = "decode-mp3")]
        "mp3" | "mp2" | "mp1" => p.register_format::<audiostream_symphonia_mp3::MpaReader>(),
        #[cfg(feature = "decode-flac")]
        "flac" => p.register_format::<audiostream_symphonia_flac::FlacReader>(),
        #[cfg(feature = "decode-ogg")]
        "ogg" | "oga" => p.register_format::<OggReader>(),
        #[cfg(feature = "decode-mp4")]
        "mp4" | "m4a" | "mov" | "isomp4" => {
            p.register_format::<audiostream_symphonia_isomp4::IsoMp4Reader>()
        }
        #[cfg(feature = "decode-mkv")]
        "mkv" | "webm" | "matroska" => p.register_format::<audiostream_symphonia_mkv::MkvReader>(),
        #[cfg(feature = "decode-aiff")]
        "aiff" | "aif" => p.register_format::<audiostream_symphonia_riff::AiffReader>(),
        #[cfg(feature = "decode-caf")]
        "caf" => p.register_format::<audiostream_symphonia_caf::CafReader>(),
        #[cfg(feature = "decode-aac")]
        "aac" | "adts" => p.register_format::<AdtsReader>(),
        // Containers of this build only: the caller's error lists them (CONTAINERS).
        _ => return None,
    }
    Some(p)
}

fn probe_error(src: &str, forced: Option<&str>, seekable: bool, e: SymError) -> Error {
    // Some containers keep what a demuxer needs after the audio (MP4 without "faststart", CAF):
    // from a pipe they cannot be opened at all, so say so.
    let hint = if seekable {
        ""
    } else {
        " (read from a non-seekable stream: MP4/M4A with its index at the end and CAF need a \
         seekable source such as a file or memory)"
    };
    let e = match e {
        // The probe found no demuxer for the bytes at all.
        SymError::Unsupported(m) if m.starts_with("core (probe)") => match forced {
            Some(f) => Error::decode(format!("{src}: not a valid \"{f}\" stream")),
            None => Error::Unsupported(format!(
                "{src}: not a recognised audio format; supported containers: {}, and raw PCM ({}) with format=",
                CONTAINERS.join(", "),
                raw::RAW_FORMATS.join(", ")
            )),
        },
        // A demuxer recognised its container and then could not read it (e.g. an MP4 without
        // its index because the file is truncated): say what the demuxer said.
        SymError::Unsupported(m) => Error::decode(format!(
            "{src}: {m} (the file may be truncated or damaged)"
        )),
        SymError::LimitError(m) => crate::DecodeError::new(
            crate::DecodeErrorKind::LimitExceeded,
            format!("{src}: {m} (the file may be truncated or damaged)"),
        )
        .into(),
        SymError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            crate::DecodeError::new(
                crate::DecodeErrorKind::Truncated,
                format!("{src}: empty or truncated before any audio"),
            )
            .into()
        }
        SymError::IoError(io) => Error::io(format!("reading {src}"), io),
        other => Error::decode(format!("{src}: {other}")),
    };
    match e {
        Error::Unsupported(m) if !hint.is_empty() => Error::Unsupported(format!("{m}{hint}")),
        Error::Decode(mut d) if !hint.is_empty() => {
            d.message.push_str(hint);
            Error::Decode(d)
        }
        other => other,
    }
}

/// How a demuxer is chosen: the file extension (a probe hint), the forced format and options.
#[derive(Clone, Debug, Default)]
pub(crate) struct OpenSpec {
    pub(crate) ext: Option<String>,
    /// Lowercased `format` override.
    pub(crate) format: Option<String>,
    pub(crate) option: Options,
    /// A network source: reads beyond what the demuxer needs cost requests.
    pub(crate) remote: bool,
}

/// Chooses and opens the demuxer: `format` forces one, otherwise the content is probed.
pub(crate) fn open_demuxer(
    src_name: &str,
    mut source: Box<dyn MediaSource>,
    spec: &OpenSpec,
) -> Result<Demuxer> {
    if source.byte_len() == Some(0) {
        return Err(crate::DecodeError::new(
            crate::DecodeErrorKind::Empty,
            format!("{src_name} is empty (0 bytes)"),
        )
        .into());
    }
    let (riff_tags, mp3_frames) = match (source.is_seekable(), source.byte_len()) {
        (true, Some(len)) => (
            super::riff_info::read_info_tags(&mut source),
            if spec.remote {
                None
            } else {
                super::mp3_estimate::estimate_frames(&mut source, len)
            },
        ),
        _ => (Options::new(), None),
    };
    let mss = MediaSourceStream::new(source, Default::default());
    let mut demuxer = reopen_demuxer(src_name, mss, spec)?;
    demuxer.extra_tags = riff_tags;
    if demuxer.container == "mp3" {
        demuxer.estimated_frames = mp3_frames;
    }
    Ok(demuxer)
}

/// Opens the demuxer on a media source stream (at its current position).
pub(crate) fn reopen_demuxer(
    src_name: &str,
    mut mss: MediaSourceStream<'static>,
    spec: &OpenSpec,
) -> Result<Demuxer> {
    let byte_len = mss.byte_len();
    let seekable = mss.is_seekable();
    let option = &spec.option;
    let format = spec.format.as_deref();
    if let Some(f) = format {
        if raw::RAW_FORMATS.contains(&f) {
            let (rate, channels) = raw::parse_options(f, option)?;
            let reader = RawPcmReader::new(mss, f, rate, channels)?.live(raw::live_option(option)?);
            return Ok(Demuxer {
                reader: Box::new(reader),
                container: f.to_string(),
                byte_len,
                extra_tags: Options::new(),
                estimated_frames: None,
            });
        }
    }
    if let Some(key) = option.keys().next() {
        return Err(Error::invalid_argument(
            "option",
            key,
            format!(
                "no options for container formats; raw PCM formats ({}) take sample_rate and channels",
                raw::RAW_FORMATS.join(", ")
            ),
        ));
    }
    // WAV samples in wider slots than their bit depth: symphonia misreads them.
    if matches!(format, None | Some("wav" | "wave")) {
        if let Some(layout) = super::wav_slots::sniff(&mut mss) {
            return Ok(Demuxer {
                reader: Box::new(RawPcmReader::wav_slots(mss, layout)),
                container: "wav".into(),
                byte_len,
                extra_tags: Options::new(),
                estimated_frames: None,
            });
        }
    }
    let mut hint = Hint::new();
    if let Some(ext) = &spec.ext {
        hint.with_extension(ext);
    }
    let fmt_opts = FormatOptions::default();
    let meta_opts = MetadataOptions::default();
    let reader = match format {
        Some(f) => {
            let probe = forced_probe(f).ok_or_else(|| {
                Error::Unsupported(format!(
                    "format \"{f}\"; supported: {}, {}",
                    CONTAINERS.join(", "),
                    raw::RAW_FORMATS.join(", ")
                ))
            })?;
            probe
                .probe(&hint, mss, fmt_opts, meta_opts)
                .map_err(|e| probe_error(src_name, Some(f), seekable, e))?
        }
        None => super::registry::probe()
            .probe(&hint, mss, fmt_opts, meta_opts)
            .map_err(|e| probe_error(src_name, None, seekable, e))?,
    };
    let container =
        super::metadata::from_symphonia::container_name(reader.format_info().short_name)
            .to_string();
    Ok(Demuxer {
        reader,
        container,
        byte_len,
        extra_tags: Options::new(),
        estimated_frames: None,
    })
}

/// An empty demuxer that stands in while the real one is being reopened.
pub(crate) fn placeholder_demuxer() -> Result<Box<dyn FormatReader>> {
    let empty: Box<dyn MediaSource> = Box::new(std::io::Cursor::new(Vec::<u8>::new()));
    let mss = MediaSourceStream::new(empty, Default::default());
    Ok(Box::new(RawPcmReader::new(mss, "u8", 1, 1)?))
}
