//! Opening a source or a sink by name — a path, `-` for stdin/stdout, a URL (HTTP(S), Icecast)
//! or an audio device (`format = "device"`) — in one place, above the reader and the writer:
//! `reader/` and `writer/` name neither `net` nor `device`. The network and device modules
//! build what the reader and the writer take (a live source, a sink) and hand it to them.

#[cfg(feature = "decode-core")]
use crate::StreamReader;
use crate::{Options, Result, StreamWriter};

#[cfg(feature = "decode-core")]
impl StreamReader {
    /// Opens `src`: a path, or `-` for stdin (seed: `StreamReader(src, format, option)`).
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
    pub fn new(src: &str, format: Option<&str>, option: Option<&Options>) -> Result<Self> {
        // A capture device (options: sample_rate, channels, buffer_frames, queue_frames).
        #[cfg(feature = "device")]
        if format.is_some_and(|f| f.trim().eq_ignore_ascii_case("device")) {
            return crate::device::open_capture(src, option).map(|(reader, _)| reader);
        }
        #[cfg(feature = "net")]
        if crate::net::is_url(src) {
            return crate::net::open_reader(src, format, option);
        }
        let (source, ext) = crate::reader::source::open_path(src)?;
        let name = if src == "-" {
            "stdin".to_string()
        } else {
            format!("{src:?}")
        };
        Self::open(name, source, ext.as_deref(), format, option, false)
    }
}

impl StreamWriter {
    /// Opens `dst` for writing (seed: `StreamWriter(dst, format, option)`): a path, `-` for
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
    pub fn new(dst: &str, format: Option<&str>, option: Option<&Options>) -> Result<Self> {
        // A playback device (options: buffer_frames, queue_frames).
        #[cfg(feature = "device")]
        if format.is_some_and(|f| f.trim().eq_ignore_ascii_case("device")) {
            return crate::device::open_writer(dst, option).map(|(writer, _)| writer);
        }
        #[cfg(feature = "net")]
        if crate::net::is_sink_url(dst) {
            let (name, container, conn) = crate::net::open_sink(dst, format, option)?;
            return Ok(Self::with_sink(
                name,
                container,
                audiostream_codecs::Sink::stream(conn),
            ));
        }
        Self::create(dst, format, option)
    }
}
