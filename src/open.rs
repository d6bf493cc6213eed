//! Opening a source or a sink by name — a path, `-` for stdin/stdout, a URL (HTTP(S), Icecast)
//! or an audio device (`format = "device"`) — in one place, above the reader and the writer:
//! `reader/` and `writer/` name neither `net` nor `device`. The network and device modules
//! build what the reader and the writer take (a live source, a sink) and hand it to them.

#[cfg(feature = "device")]
use crate::Error;
#[cfg(feature = "decode-core")]
use crate::StreamReader;
use crate::{Options, Result, StreamWriter};
use std::ffi::OsStr;
use std::path::Path;

/// `src` as text, for the names that must be text (device names).
#[cfg(feature = "device")]
fn as_text<'a>(what: &str, src: &'a OsStr) -> Result<&'a str> {
    src.to_str().ok_or_else(|| {
        Error::invalid_argument(
            what,
            format!("{src:?}"),
            "UTF-8 text (only paths may be other bytes)",
        )
    })
}

#[cfg(feature = "decode-core")]
impl StreamReader {
    /// Opens `src`: a path (`&str`, `String`, `&Path`, `PathBuf`, any bytes the OS allows),
    /// `-` for stdin, a URL (feature `net`) or a capture device (`format = "device"`, feature
    /// `device`) (seed: `StreamReader(src, format, option)`).
    ///
    /// `format` forces the demuxer instead of probing the content: `wav`, `mp3`, `flac`, `ogg`,
    /// `mp4`/`m4a`, `mkv`/`webm`, `aiff`, `caf`, `aac` (ADTS), or raw PCM `s16le`, `s24le`,
    /// `s32le`, `f32le`, `f64le`, `u8`. Raw PCM takes the options `sample_rate` (required) and
    /// `channels` (default 1); an option nothing uses is an [`Error::InvalidArgument`](crate::Error::InvalidArgument).
    ///
    /// ```no_run
    /// use audiostream::{Options, StreamReader};
    /// let opts = Options::from([("sample_rate".into(), "16000".into()), ("channels".into(), "1".into())]);
    /// let reader = StreamReader::new("speech.raw", Some("s16le"), Some(&opts))?;
    /// assert_eq!(reader.get_metadata().sample_rate, 16000);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn new(
        src: impl AsRef<OsStr>,
        format: Option<&str>,
        option: Option<&Options>,
    ) -> Result<Self> {
        let src = src.as_ref();
        // A capture device (options: sample_rate, channels, buffer_frames, queue_frames).
        #[cfg(feature = "device")]
        if format.is_some_and(|f| f.trim().eq_ignore_ascii_case("device")) {
            let name = as_text("device name", src)?;
            return crate::device::open_capture(name, option).map(|(reader, _)| reader);
        }
        #[cfg(feature = "net")]
        if let Some(url) = src.to_str().filter(|s| crate::net::is_url(s)) {
            return crate::net::open_reader(url, format, option);
        }
        let path = Path::new(src);
        let (source, ext) = crate::reader::source::open_path(path)?;
        let name = if src == "-" {
            "stdin".to_string()
        } else {
            format!("{path:?}")
        };
        Self::open(name, source, ext.as_deref(), format, option, false)
    }
}

impl StreamWriter {
    /// Opens `dst` for writing (seed: `StreamWriter(dst, format, option)`): a path (`&str`,
    /// `String`, `&Path`, `PathBuf`), `-` for
    /// stdout, an Icecast URL (`icecast://`, feature `net`) or a playback device
    /// (`format = "device"`, feature `device`). `format` (`wav`, `mp3`, `flac`, `ogg`
    /// (`.ogg`/`.oga`: Vorbis, or Opus with `encoder("opus")`), `opus`) overrides the file
    /// extension. Files take no container options: any `option` key is an
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument).
    ///
    /// ```no_run
    /// let writer = audiostream::StreamWriter::new("-", Some("wav"), None)?; // WAV on stdout
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn new(
        dst: impl AsRef<OsStr>,
        format: Option<&str>,
        option: Option<&Options>,
    ) -> Result<Self> {
        let dst = dst.as_ref();
        // A playback device (options: buffer_frames, queue_frames).
        #[cfg(feature = "device")]
        if format.is_some_and(|f| f.trim().eq_ignore_ascii_case("device")) {
            let name = as_text("device name", dst)?;
            return crate::device::open_writer(name, option).map(|(writer, _)| writer);
        }
        #[cfg(feature = "net")]
        if let Some(dst) = dst.to_str().filter(|s| crate::net::is_sink_url(s)) {
            let (name, container, conn) = crate::net::open_sink(dst, format, option)?;
            return Ok(Self::with_sink(
                name,
                container,
                audiostream_codecs::Sink::stream(conn),
            ));
        }
        Self::create(Path::new(dst), format, option)
    }
}
