//! # audiostream
//!
//! Streaming audio I/O in pure Rust: read audio in fixed-size chunks from files, memory and
//! streams, seek exactly, and read metadata — the `torchaudio.io` streaming API without FFmpeg.
//!
//! ```no_run
//! use audiostream::StreamReader;
//! let mut reader = StreamReader::new("music.flac", None, None)?;
//! reader.add_basic_audio_stream(4096, 3)?;
//! for chunks in reader.stream() {
//!     if let Some(chunk) = &chunks?[0] {
//!         println!("{:.2} s: {} frames x {} channels", chunk.pts, chunk.ncols(), chunk.nrows());
//!     }
//! }
//! # Ok::<(), audiostream::Error>(())
//! ```
//!
//! Audio is channels-first `(channels, frames)` `f32` in `[-1, 1]`; times are seconds.

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod chunk;
#[cfg(feature = "device")]
pub mod device;
pub mod dsp;
pub mod effects;
mod error;
pub mod functional;
#[cfg(feature = "json")]
pub mod info;
pub mod limits;
#[cfg(feature = "net")]
pub mod net;
mod open;
pub mod pipeline;
#[cfg(feature = "decode")]
mod reader;
mod redact;
#[cfg(feature = "decode")]
pub mod transforms;
pub(crate) mod writer;

pub use audiostream_codecs::convert::PcmSample;
pub use audiostream_codecs::{CodecConfig, EncodeError, Encoder, EncoderDelay, SampleFormat};
pub use chunk::{Chunk, Sample};
#[cfg(feature = "device")]
pub use device::play_audio;
pub use dsp::Remixer;
#[cfg(feature = "decode")]
pub use dsp::{output_frames, Resampler};
pub use effects::AudioEffector;
pub use error::{Error, Result};
/// fundsp, whose graphs run as effects ([`AudioEffector::from_fundsp`]): the version this
/// crate runs, for building them.
pub use fundsp;
pub use ndarray;
pub use pipeline::EffectStream;
#[cfg(feature = "decode")]
pub use reader::registry;
#[cfg(feature = "decode")]
pub use reader::{
    AudioStreamOptions, MediaType, Metadata, OutputStream, ReaderStats, SourceStream, StreamReader,
};
pub use redact::redact_credentials;
#[cfg(feature = "decode")]
pub use symphonia;
pub use writer::{AudioEncodeOptions, StreamWriter, WriterStats};

/// String options (format, decoder and encoder options), as torchaudio's `Dict[str, str]`: the
/// codecs crate's, so that one type goes from the reader's options to an encoder's.
pub use audiostream_codecs::Options;
