//! The one error type of the crate.

use std::time::Duration;

/// Everything that can go wrong in audiostream.
///
/// Every message names the value at fault and, where there is a choice, what is allowed.
///
/// ```
/// use audiostream::Error;
/// let e = Error::invalid_argument("frames_per_chunk", 0, "a positive number of frames");
/// assert!(e.to_string().contains("frames_per_chunk"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operating-system I/O error, with what we were doing when it happened.
    #[error("I/O error: {context}: {source}")]
    Io {
        /// What was being done, e.g. `opening "song.mp3"`.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A format, codec or option this build does not support; the message lists what is.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An argument outside what is allowed: names the argument, the value and what is allowed.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Media bytes that could not be demuxed or decoded.
    #[error("decode error: {0}")]
    Decode(String),
    /// An encoder refused the audio or its settings.
    #[error("encode error: {0}")]
    Encode(String),
    /// A live source delivered nothing within the allowed time.
    #[error("timed out after {0:?} waiting for data")]
    Timeout(Duration),
    /// An audio device could not be found, opened or driven.
    #[error("device error: {0}")]
    Device(String),
    /// A network source or sink failed.
    #[error("network error: {0}")]
    Network(String),
    /// The object was used after `close()`.
    #[error("{0} was used after close()")]
    Closed(&'static str),
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An [`Error::InvalidArgument`] naming the argument, its value and what is allowed.
    ///
    /// ```
    /// let e = audiostream::Error::invalid_argument("buffer_chunk_size", 0, "at least 1");
    /// assert_eq!(e.to_string(), "invalid argument: buffer_chunk_size = 0; allowed: at least 1");
    /// ```
    pub fn invalid_argument(
        name: &str,
        value: impl std::fmt::Display,
        allowed: impl std::fmt::Display,
    ) -> Self {
        Error::InvalidArgument(format!("{name} = {value}; allowed: {allowed}"))
    }

    /// An [`Error::Io`] with a description of what was being done.
    ///
    /// ```
    /// let io = std::io::Error::from(std::io::ErrorKind::NotFound);
    /// let e = audiostream::Error::io("opening \"a.wav\"", io);
    /// assert!(e.to_string().contains("a.wav"));
    /// ```
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(source: std::io::Error) -> Self {
        Error::Io {
            context: "I/O".into(),
            source,
        }
    }
}
