//! Getting the sink back: a writer over a `Write` value keeps a handle on it, so
//! [`StreamWriter::into_inner`] can return it (the bytes of a file written into memory)
//! once the stream is finalized.

use super::encoders::{EncoderFactory, EncoderShape};
use super::{AudioEncodeOptions, StreamWriter};
use crate::{Error, Options, Result};
use audiostream_codecs::Encoder;
use std::any::Any;
use std::io::{Seek, SeekFrom, Write};
use std::sync::{Arc, Mutex, PoisonError};

/// The writer's `Write` value, shared between the encoder that writes into it and the handle
/// that gives it back. The lock is never contended (one writer, then `into_inner`).
pub(super) struct SharedSink<W>(Arc<Mutex<W>>);

impl<W: Send + 'static> SharedSink<W> {
    /// The sink for the encoder, and the handle [`StreamWriter::into_inner`] takes it back by.
    pub(super) fn new(w: W) -> (Self, Box<dyn Any + Send>) {
        let shared = Arc::new(Mutex::new(w));
        (SharedSink(shared.clone()), Box::new(shared))
    }
}

impl<W: Write> Write for SharedSink<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .write_all(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush()
    }
}

impl<W: Seek> Seek for SharedSink<W> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .seek(pos)
    }
}

/// What is left of a writer's encoders once its sink was given back.
struct Spent;

impl EncoderFactory for Spent {
    fn plan(&mut self, _: &AudioEncodeOptions) -> Result<EncoderShape> {
        Err(Error::Closed("StreamWriter"))
    }
    fn make(&mut self, _: &AudioEncodeOptions, _: &Options) -> Result<Box<dyn Encoder>> {
        Err(Error::Closed("StreamWriter"))
    }
}

impl StreamWriter {
    /// A writer into memory: a seekable buffer (headers are patched as in a file), whose
    /// bytes [`into_vec`](Self::into_vec) returns. `format`: `wav`, `flac`, `mp3`, `ogg`,
    /// `opus`.
    ///
    /// ```
    /// use audiostream::{ndarray::Array2, Options, StreamWriter};
    /// let mut writer = StreamWriter::to_memory("mp3")?;
    /// writer.set_metadata(Options::from([("title".into(), "Tone".into())]))?;
    /// writer.add_audio_stream(44100, 2)?;
    /// writer.write_audio_chunk(0, Array2::<f32>::zeros((2, 44100)).view(), None)?;
    /// let mp3: Vec<u8> = writer.into_vec()?;
    /// assert_eq!(&mp3[..3], b"ID3");
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn to_memory(format: &str) -> Result<Self> {
        Self::from_seekable(std::io::Cursor::new(Vec::new()), format)
    }

    /// Finalizes the stream and returns the `Write` value the writer was made with
    /// ([`from_writer`](Self::from_writer), [`from_seekable`](Self::from_seekable)), e.g. the
    /// `Vec<u8>` or `Cursor<Vec<u8>>` holding the file. `W` must be that value's type: anything
    /// else, or a writer opened on a path, URL or device, is an [`Error::InvalidArgument`]
    /// (the writer is finalized either way).
    ///
    /// ```
    /// use audiostream::{ndarray::Array2, StreamWriter};
    /// let mut writer = StreamWriter::from_writer(Vec::<u8>::new(), "wav")?;
    /// writer.add_audio_stream(8000, 1)?;
    /// writer.write_audio_chunk(0, Array2::<f32>::zeros((1, 800)).view(), None)?;
    /// let wav: Vec<u8> = writer.into_inner()?;
    /// assert_eq!(&wav[..4], b"RIFF");
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn into_inner<W: Send + 'static>(mut self) -> Result<W> {
        self.finish()?;
        // Drop what still holds the sink: the encoder (finished) and the factory.
        self.stream = None;
        self.encoders = Box::new(Spent);
        let Some(handle) = self.sink_handle.take() else {
            return Err(Error::InvalidArgument(format!(
                "into_inner() on a writer to {}; only writers made by from_writer, \
                 from_seekable or to_memory give their sink back",
                self.dst_name
            )));
        };
        let shared = handle.downcast::<Arc<Mutex<W>>>().map_err(|_| {
            Error::InvalidArgument(format!(
                "into_inner::<{}>() on a writer over another type; use the type given to \
                 from_writer/from_seekable (to_memory: Cursor<Vec<u8>>, or into_vec())",
                std::any::type_name::<W>()
            ))
        })?;
        match Arc::try_unwrap(*shared) {
            Ok(m) => Ok(m.into_inner().unwrap_or_else(PoisonError::into_inner)),
            // Every other holder was dropped above.
            Err(_) => Err(Error::InvalidArgument(
                "into_inner(): the sink is still in use".into(),
            )),
        }
    }

    /// Finalizes the stream and returns the file's bytes, for a writer made by
    /// [`to_memory`](Self::to_memory), or by `from_writer`/`from_seekable` over a `Vec<u8>` or
    /// `Cursor<Vec<u8>>`.
    ///
    /// ```
    /// use audiostream::{ndarray::Array2, StreamWriter};
    /// let mut writer = StreamWriter::to_memory("flac")?;
    /// writer.add_audio_stream(16000, 1)?;
    /// writer.write_audio_chunk(0, Array2::<f32>::zeros((1, 1600)).view(), None)?;
    /// let flac = writer.into_vec()?;
    /// assert_eq!(&flac[..4], b"fLaC");
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn into_vec(mut self) -> Result<Vec<u8>> {
        let is_cursor = self
            .sink_handle
            .as_ref()
            .is_some_and(|h| h.is::<Arc<Mutex<std::io::Cursor<Vec<u8>>>>>());
        if is_cursor {
            return self
                .into_inner::<std::io::Cursor<Vec<u8>>>()
                .map(|c| c.into_inner());
        }
        if self.sink_handle.is_none() {
            // Finalize before reporting, as into_inner does.
            self.finish()?;
        }
        self.into_inner::<Vec<u8>>()
    }
}
