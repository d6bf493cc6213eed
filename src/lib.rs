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
//!
//! ## Cargo features
//!
//! The default is everything: every decoder, the four encoders, devices, network streams and
//! the CLI. Take only what you need with `default-features = false`:
//!
//! | feature | what | needs to build |
//! |---|---|---|
//! | `decode` | every `decode-*` below: the reader, resampling, tags | Rust only (builds for wasm32) |
//! | `decode-wav`, `decode-aiff`, `decode-flac`, `decode-mp3`, `decode-ogg` (Vorbis, Opus), `decode-mp4` (AAC, ALAC), `decode-aac` (ADTS), `decode-mkv` (Matroska/WebM: Vorbis, Opus), `decode-caf` | one container each, with the codecs it usually holds; a codec in another container (FLAC in MP4) needs both features | Rust only |
//! | `encode-mp3` | LAME 3.100 (LGPL: README, "Licenses of what is linked") | C compiler, make |
//! | `encode-flac` | libFLAC | C compiler, cmake |
//! | `encode-opus` | libopus 1.6.1 | C compiler, cmake |
//! | `encode-vorbis` | libvorbis 1.3.7 | C compiler |
//! | `device` | capture and playback through cpal (`decode` too) | ALSA headers on Linux (`libasound2-dev`) |
//! | `net` | HTTP(S) and Icecast (`decode` too) | C compiler (ring, rustls's crypto) |
//! | `cli` | the `audiostream` binary; it reads the formats of the `decode-*` features chosen with it (`decode` for all) | Rust only |
//!
//! WAV is always written (no feature). Recipes:
//!
//! ```toml
//! # Decode only, e.g. a data loader for a model: pure Rust, no C compiler, builds for wasm32.
//! audiostream = { version = "0.1", default-features = false, features = ["decode"] }
//! # Only the formats you read (smaller binary, less to compile).
//! audiostream = { version = "0.1", default-features = false, features = ["decode-wav", "decode-flac", "decode-mp3"] }
//! # Decode and encode (files, memory, pipes), without devices, network or the CLI.
//! audiostream = { version = "0.1", default-features = false, features = ["decode", "encode-flac", "encode-mp3", "encode-opus", "encode-vorbis"] }
//! # Everything except LAME (no LGPL code linked in): MP3 is then read but not written.
//! audiostream = { version = "0.1", default-features = false, features = ["decode", "encode-flac", "encode-opus", "encode-vorbis", "device", "net", "cli"] }
//! # Everything.
//! audiostream = "0.1"
//! ```
//!
//! `.ci/run` checks each feature alone (`cargo hack check --each-feature`) and the
//! `decode`-only build for wasm32.

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
#[cfg(feature = "decode-core")]
pub mod load;
#[cfg(feature = "net")]
pub mod net;
mod open;
pub mod pipeline;
#[cfg(feature = "decode-core")]
mod reader;
mod redact;
pub mod save;
#[cfg(feature = "decode-core")]
pub mod transforms;
pub(crate) mod writer;

/// The README's Rust snippets, compiled (and run, unless marked `no_run`) as doc tests of this
/// module, so that the README cannot drift from the API.
#[cfg(all(
    doctest,
    feature = "decode",
    feature = "encode-mp3",
    feature = "encode-opus",
    feature = "encode-vorbis",
    feature = "device",
    feature = "net"
))]
#[doc = include_str!("../README.md")]
mod readme {}

pub use audiostream_codecs::convert::PcmSample;
pub use audiostream_codecs::{CodecConfig, EncodeError, Encoder, EncoderDelay, SampleFormat};
pub use chunk::{Chunk, Sample};
#[cfg(feature = "device")]
pub use device::play_audio;
pub use dsp::Remixer;
#[cfg(feature = "decode-core")]
pub use dsp::{output_frames, Resampler};
pub use effects::AudioEffector;
pub use error::{
    BoxedSource, DecodeError, DecodeErrorKind, DeviceError, DeviceErrorKind, Error, NetworkError,
    NetworkErrorKind, Result,
};
/// fundsp, whose graphs run as effects ([`AudioEffector::from_fundsp`]): the version this
/// crate runs, for building them.
pub use fundsp;
#[cfg(feature = "decode-core")]
pub use load::{
    load, load_as, load_bytes, load_bytes_as, load_bytes_with, load_with, LoadOptions, Loaded,
};
pub use ndarray;
pub use pipeline::EffectStream;
#[cfg(feature = "decode-core")]
pub use reader::registry;
#[cfg(feature = "decode-core")]
pub use reader::{
    AudioStreamOptions, MediaType, Metadata, OutputStream, ReaderStats, SourceStream, StreamReader,
};
pub use redact::redact_credentials;
pub use save::{encode, encode_with, save, save_with, SaveOptions};
#[cfg(feature = "decode-core")]
pub use symphonia;
pub use writer::{AudioEncodeOptions, Pts, StreamWriter, WriterStats};

/// String options (format, decoder and encoder options), as torchaudio's `Dict[str, str]`: the
/// codecs crate's, so that one type goes from the reader's options to an encoder's.
pub use audiostream_codecs::Options;
