//! The one error type of the crate, and the kinds of its network, device and decode errors.

use std::time::Duration;

/// The underlying error of a [`NetworkError`], [`DeviceError`] or [`DecodeError`], when there
/// is one (an `std::io::Error`, a TLS error, a backend's error).
pub type BoxedSource = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What [`NetworkError`], [`DeviceError`] and [`DecodeError`] share (each is a kind, a
/// message and an optional source): `with_source`, `Display` as `<prefix>: <message>` (the
/// text [`Error`] shows), and `std::error::Error` with the source as its cause. `$new` is a
/// statement making an `e` of the type, for the doc example.
macro_rules! error_data {
    ($ty:ident, $prefix:literal, $new:literal) => {
        impl $ty {
            /// The same error with its underlying cause (an `io::Error`, a TLS or backend
            /// error), given by [`source`](std::error::Error::source).
            ///
            #[doc = concat!(
                "```\nuse audiostream::*;\n",
                $new,
                ".with_source(std::io::Error::other(\"cause\"));\n",
                "assert_eq!(std::error::Error::source(&e).unwrap().to_string(), \"cause\");\n",
                "assert!(e.to_string().starts_with(\"", $prefix, ": \"));\n```"
            )]
            pub fn with_source(mut self, source: impl Into<BoxedSource>) -> Self {
                self.source = Some(source.into());
                self
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!($prefix, ": {}"), self.message)
            }
        }

        impl std::error::Error for $ty {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.source
                    .as_deref()
                    .map(|e| e as &(dyn std::error::Error + 'static))
            }
        }
    };
}

/// Everything that can go wrong in audiostream.
///
/// Every message names the value at fault and, where there is a choice, what is allowed.
/// [`Error::Network`], [`Error::Device`] and [`Error::Decode`] carry data to match on (a kind,
/// an HTTP status, the URL with its password masked) besides the message; their
/// [`source`](std::error::Error::source) is the underlying error where there is one.
///
/// ```
/// use audiostream::{Error, NetworkErrorKind};
/// let e = Error::invalid_argument("frames_per_chunk", 0, "a positive number of frames");
/// assert!(e.to_string().contains("frames_per_chunk"));
///
/// // What a caller typically does with a failed open:
/// fn advice(e: &Error) -> &'static str {
///     match e {
///         Error::Network(n) if n.kind == NetworkErrorKind::Status(404) => "no such stream",
///         Error::Network(n) if n.status().is_some_and(|s| s >= 500) => "server trouble: retry",
///         Error::Network(_) | Error::Timeout(_) => "check the connection",
///         Error::Device(d) if d.kind == audiostream::DeviceErrorKind::NotFound => "pick another device",
///         Error::Decode(_) | Error::Unsupported(_) => "not audio we can read",
///         _ => "failed",
///     }
/// }
/// let e: Error = audiostream::NetworkError::new(
///     NetworkErrorKind::Status(404),
///     Some("http://me:s3cret@radio.example/a.mp3"),
///     "http://me:***@radio.example/a.mp3: HTTP 404 Not Found",
/// )
/// .into();
/// assert_eq!(advice(&e), "no such stream");
/// assert_eq!(e.http_status(), Some(404));
/// assert!(matches!(&e, Error::Network(n) if n.url.as_deref() == Some("http://me:***@radio.example/a.mp3")));
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
    /// Media bytes that could not be demuxed or decoded; [`DecodeError::kind`] says how
    /// (malformed, truncated, empty, over a limit). Displays as `decode error: <message>`.
    #[error(transparent)]
    Decode(DecodeError),
    /// An encoder refused the audio or its settings.
    #[error("encode error: {0}")]
    Encode(String),
    /// A live source delivered nothing within the allowed time.
    #[error("timed out after {0:?} waiting for data")]
    Timeout(Duration),
    /// An audio device could not be found, opened or driven; [`DeviceError::kind`] says which.
    /// Displays as `device error: <message>`.
    #[error(transparent)]
    Device(DeviceError),
    /// A network source or sink failed; [`NetworkError::kind`] says how (an HTTP status, a
    /// refused connection, TLS, ...). Displays as `network error: <message>`.
    #[error(transparent)]
    Network(NetworkError),
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
    /// An `io::Error` that carries an [`Error`] as its inner error gives that error back
    /// instead: that is how a network source's failure mid-stream (a reset connection, a
    /// range request answered 503) reaches the caller typed, as [`Error::Network`], through
    /// the demuxer, which passes on only `io::Error`s.
    ///
    /// ```
    /// use audiostream::{Error, NetworkError, NetworkErrorKind};
    /// let io = std::io::Error::from(std::io::ErrorKind::NotFound);
    /// let e = Error::io("opening \"a.wav\"", io);
    /// assert!(e.to_string().contains("a.wav"));
    ///
    /// let carried = std::io::Error::other(Error::from(NetworkError::new(
    ///     NetworkErrorKind::Status(503),
    ///     Some("http://h/a.mp3"),
    ///     "http://h/a.mp3: HTTP 503",
    /// )));
    /// assert_eq!(Error::io("reading", carried).http_status(), Some(503));
    /// ```
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        match carried_error(source) {
            Ok(e) => e,
            Err(source) => Error::Io {
                context: context.into(),
                source,
            },
        }
    }

    /// An [`Error::Decode`] of kind [`DecodeErrorKind::Malformed`] (bytes the format does not
    /// allow): the common case. Other kinds: [`DecodeError::new`].
    ///
    /// ```
    /// use audiostream::{DecodeErrorKind, Error};
    /// let e = Error::decode("frame 3: bad sync word");
    /// assert_eq!(e.to_string(), "decode error: frame 3: bad sync word");
    /// assert!(matches!(e, Error::Decode(d) if d.kind == DecodeErrorKind::Malformed));
    /// ```
    pub fn decode(message: impl Into<String>) -> Self {
        Error::Decode(DecodeError::new(DecodeErrorKind::Malformed, message))
    }

    /// An [`Error::Decode`] of kind [`DecodeErrorKind::LimitExceeded`].
    #[cfg(feature = "decode-core")]
    pub(crate) fn decode_limit(message: impl Into<String>) -> Self {
        Error::Decode(DecodeError::new(DecodeErrorKind::LimitExceeded, message))
    }

    /// An [`Error::Decode`] of kind [`DecodeErrorKind::Internal`] (a demuxer or decoder that
    /// panicked).
    #[cfg(feature = "decode-core")]
    pub(crate) fn decode_internal(message: impl Into<String>) -> Self {
        Error::Decode(DecodeError::new(DecodeErrorKind::Internal, message))
    }

    /// An [`Error::Device`] of the given kind.
    ///
    /// ```
    /// use audiostream::{DeviceErrorKind, Error};
    /// let e = Error::device(DeviceErrorKind::Busy, "capture device \"hw:1\" is busy");
    /// assert_eq!(e.to_string(), "device error: capture device \"hw:1\" is busy");
    /// ```
    pub fn device(kind: DeviceErrorKind, message: impl Into<String>) -> Self {
        Error::Device(DeviceError::new(kind, message))
    }

    /// The HTTP status of an [`Error::Network`] that is an error answer (`404`, `503`, ...).
    ///
    /// ```
    /// use audiostream::{Error, NetworkError, NetworkErrorKind};
    /// let e: Error = NetworkError::new(NetworkErrorKind::Status(503), None, "HTTP 503").into();
    /// assert_eq!(e.http_status(), Some(503));
    /// assert_eq!(Error::decode("x").http_status(), None);
    /// ```
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Network(n) => n.status(),
            _ => None,
        }
    }
}

/// The [`Error`] an `io::Error` carries as its inner error, or the `io::Error` as it was
/// (its OS error code kept: `into_inner` is called only when there is an [`Error`] inside).
fn carried_error(io: std::io::Error) -> std::result::Result<Error, std::io::Error> {
    if !io.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        return Err(io);
    }
    let kind = io.kind();
    match io.into_inner().map(|inner| inner.downcast::<Error>()) {
        Some(Ok(e)) => Ok(*e),
        Some(Err(other)) => Err(std::io::Error::new(kind, other)),
        None => Err(std::io::Error::from(kind)),
    }
}

/// An `io::Error` is an [`Error::Io`] (context `I/O`), or the [`Error`] it carries (see
/// [`Error::io`]).
impl From<std::io::Error> for Error {
    fn from(source: std::io::Error) -> Self {
        Error::io("I/O", source)
    }
}

/// An array of the wrong shape (e.g. `Array2::from_shape_vec` with a length that does not fit)
/// is an [`Error::InvalidArgument`], so `?` works on ndarray's constructors.
///
/// ```
/// use audiostream::ndarray::Array2;
/// fn planar(samples: Vec<f32>) -> audiostream::Result<Array2<f32>> {
///     Ok(Array2::from_shape_vec((2, 3), samples)?)
/// }
/// let e = planar(vec![0.0; 5]).unwrap_err();
/// assert!(matches!(e, audiostream::Error::InvalidArgument(_)), "{e}");
/// assert!(e.to_string().contains("array shape"), "{e}");
/// ```
impl From<ndarray::ShapeError> for Error {
    fn from(e: ndarray::ShapeError) -> Self {
        Error::InvalidArgument(format!("array shape: {e}"))
    }
}

impl From<NetworkError> for Error {
    fn from(e: NetworkError) -> Self {
        Error::Network(e)
    }
}

impl From<DeviceError> for Error {
    fn from(e: DeviceError) -> Self {
        Error::Device(e)
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

/// How a network source or sink failed.
///
/// ```
/// use audiostream::NetworkErrorKind;
/// assert!(NetworkErrorKind::Status(404).is_client_error());
/// assert!(!NetworkErrorKind::Connect.is_client_error());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NetworkErrorKind {
    /// The server answered with this HTTP status instead of what was asked (404, 403, 500;
    /// an Icecast server refusing a source).
    Status(u16),
    /// The host name could not be resolved.
    Resolve,
    /// The TCP connection could not be made (refused, unreachable), to the server or the proxy.
    Connect,
    /// TLS failed: setup, the handshake, or the server's certificate.
    Tls,
    /// A redirect could not be followed: too many (a loop), without a `Location`, or to a URL
    /// we cannot read.
    Redirect,
    /// The proxy refused to open a tunnel (`CONNECT`) with this HTTP status (407 when it wants
    /// credentials).
    ProxyStatus(u16),
    /// The answer is not what HTTP allows or what was asked (not HTTP, headers too long, a
    /// range answered with other bytes, a resource that changed).
    Protocol,
    /// The connection failed while sending or receiving (reset, closed early).
    Io,
}

impl NetworkErrorKind {
    /// Whether this is an HTTP 4xx status (the request is wrong: retrying will not help).
    ///
    /// ```
    /// assert!(audiostream::NetworkErrorKind::Status(403).is_client_error());
    /// ```
    pub fn is_client_error(self) -> bool {
        matches!(self, NetworkErrorKind::Status(400..=499))
    }
}

/// A failed network source or sink: the [`kind`](NetworkError::kind) to match on, the URL (its
/// password masked as `***`), the message, and the underlying error.
///
/// ```
/// use audiostream::{Error, NetworkErrorKind};
/// # fn open() -> audiostream::Result<()> { Err(audiostream::NetworkError::new(NetworkErrorKind::Status(404), None, "HTTP 404").into()) }
/// match open() {
///     Err(Error::Network(e)) if e.kind == NetworkErrorKind::Status(404) => println!("gone: {e}"),
///     Err(e) => println!("{e}"),
///     Ok(()) => {}
/// }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct NetworkError {
    /// How it failed.
    pub kind: NetworkErrorKind,
    /// The URL being read or written (after redirects), with its password masked.
    pub url: Option<String>,
    /// What happened, naming the URL (the `Display` text after `network error: `).
    pub message: String,
    /// The underlying error (an `std::io::Error`, a TLS error), if any.
    pub source: Option<BoxedSource>,
}

impl NetworkError {
    /// A network error; `url` is masked here (`user:***@`), whatever it holds.
    ///
    /// ```
    /// use audiostream::{NetworkError, NetworkErrorKind};
    /// let e = NetworkError::new(NetworkErrorKind::Connect, Some("http://u:pw@h/"), "refused");
    /// assert_eq!(e.url.as_deref(), Some("http://u:***@h/"));
    /// assert_eq!(e.to_string(), "network error: refused");
    /// ```
    pub fn new(kind: NetworkErrorKind, url: Option<&str>, message: impl Into<String>) -> Self {
        NetworkError {
            kind,
            url: url.map(crate::redact_credentials),
            message: crate::redact_credentials(&message.into()),
            source: None,
        }
    }

    /// The HTTP status when the server (or proxy) answered with an error status.
    ///
    /// ```
    /// use audiostream::{NetworkError, NetworkErrorKind};
    /// assert_eq!(NetworkError::new(NetworkErrorKind::Status(410), None, "gone").status(), Some(410));
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self.kind {
            NetworkErrorKind::Status(s) | NetworkErrorKind::ProxyStatus(s) => Some(s),
            _ => None,
        }
    }
}

error_data!(
    NetworkError,
    "network error",
    "let e = NetworkError::new(NetworkErrorKind::Connect, None, \"refused\")"
);

/// Why an audio device could not be used.
///
/// ```
/// assert_ne!(audiostream::DeviceErrorKind::NotFound, audiostream::DeviceErrorKind::Busy);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeviceErrorKind {
    /// No device has that name, there is no default device, or the device went away
    /// (unplugged). The message lists the devices that exist where we can.
    NotFound,
    /// The device is in use by another program or stream.
    Busy,
    /// The operating system or sound server denied access.
    PermissionDenied,
    /// The device does not offer what was asked (rate, channels, sample format, direction).
    Unsupported,
    /// The audio host (sound server, subsystem) is not available.
    HostUnavailable,
    /// The device took no audio (or gave none) for too long.
    Stalled,
    /// Any other failure the backend reported.
    Backend,
}

/// A device error: the [`kind`](DeviceError::kind) to match on, the message, and the
/// backend's error.
///
/// ```
/// use audiostream::{DeviceError, DeviceErrorKind};
/// let e = DeviceError::new(DeviceErrorKind::NotFound, "no capture device named \"mic\"");
/// assert_eq!(e.to_string(), "device error: no capture device named \"mic\"");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct DeviceError {
    /// What went wrong.
    pub kind: DeviceErrorKind,
    /// What happened, naming the device (the `Display` text after `device error: `).
    pub message: String,
    /// The backend's error, if any.
    pub source: Option<BoxedSource>,
}

impl DeviceError {
    /// A device error of `kind`.
    ///
    /// ```
    /// let e = audiostream::DeviceError::new(audiostream::DeviceErrorKind::Busy, "busy");
    /// assert!(e.source.is_none());
    /// ```
    pub fn new(kind: DeviceErrorKind, message: impl Into<String>) -> Self {
        DeviceError {
            kind,
            message: message.into(),
            source: None,
        }
    }
}

error_data!(
    DeviceError,
    "device error",
    "let e = DeviceError::new(DeviceErrorKind::Backend, \"ALSA failed\")"
);

/// Why media bytes could not be decoded.
///
/// ```
/// assert_ne!(audiostream::DecodeErrorKind::Truncated, audiostream::DecodeErrorKind::Malformed);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// Bytes the format does not allow, or that decode to nothing usable.
    Malformed,
    /// The data ends before the format says it should (a cut-off file or download).
    Truncated,
    /// There is nothing to decode: 0 bytes.
    Empty,
    /// A size in the data is beyond the reader's limits ([`crate::limits`]).
    LimitExceeded,
    /// A demuxer or decoder failed inside (it panicked); the stream ends there.
    Internal,
}

/// A decode error: the [`kind`](DecodeError::kind) to match on, the message, and the
/// underlying error.
///
/// ```
/// use audiostream::{DecodeError, DecodeErrorKind, Error};
/// let e: Error = DecodeError::new(DecodeErrorKind::Empty, "\"a.wav\" is empty (0 bytes)").into();
/// assert_eq!(e.to_string(), "decode error: \"a.wav\" is empty (0 bytes)");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// What is wrong with the data.
    pub kind: DecodeErrorKind,
    /// What happened, naming the source (the `Display` text after `decode error: `).
    pub message: String,
    /// The underlying error, if any.
    pub source: Option<BoxedSource>,
}

impl DecodeError {
    /// A decode error of `kind`.
    ///
    /// ```
    /// let e = audiostream::DecodeError::new(audiostream::DecodeErrorKind::Truncated, "cut");
    /// assert_eq!(e.message, "cut");
    /// ```
    pub fn new(kind: DecodeErrorKind, message: impl Into<String>) -> Self {
        DecodeError {
            kind,
            message: message.into(),
            source: None,
        }
    }
}

error_data!(
    DecodeError,
    "decode error",
    "let e = DecodeError::new(DecodeErrorKind::Malformed, \"bad frame\")"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_their_prefixes_and_sources_chain() {
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let e: Error = NetworkError::new(
            NetworkErrorKind::Io,
            Some("http://u:s3cret@h/x"),
            "http://u:s3cret@h/x: reading the body: reset",
        )
        .with_source(io)
        .into();
        assert_eq!(
            e.to_string(),
            "network error: http://u:***@h/x: reading the body: reset"
        );
        let src = std::error::Error::source(&e).expect("the io error is the source");
        assert!(src.downcast_ref::<std::io::Error>().is_some());
        assert_eq!(
            Error::decode("bad").to_string(),
            "decode error: bad",
            "the Display of Decode is unchanged"
        );
        assert_eq!(
            Error::device(DeviceErrorKind::NotFound, "none").to_string(),
            "device error: none"
        );
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Error>();
    }
}
