//! The limits every size from a file header or an argument is checked against before anything
//! is allocated by it. A file that asks for more is an [`Error::Decode`](crate::Error::Decode),
//! an argument an [`Error::InvalidArgument`](crate::Error::InvalidArgument), each naming the
//! value and the limit.
//!
//! ```
//! assert_eq!(audiostream::limits::MAX_SAMPLE_RATE, 1 << 20);
//! ```

/// The highest sample rate a stream may have (2^20 Hz: FLAC's STREAMINFO holds up to
/// 1,048,575 Hz; 768 kHz is the highest rate audio interfaces use). The writer refuses input
/// and encoder rates above it too.
pub const MAX_SAMPLE_RATE: u32 = 1 << 20;

/// The most channels a decoded stream may have (FLAC and Opus take 8, WAV's channel mask 18;
/// Ambisonics of order 7 needs 64).
pub const MAX_STREAM_CHANNELS: usize = 64;

/// The most samples (frames x channels) one packet may decode to, as its header declares it:
/// decoders size their buffers by it when they are made (2^24: 64 MiB of `f32`; FLAC's
/// largest block, 65,535 frames of 8 channels, is 2^19).
pub const MAX_PACKET_SAMPLES: u64 = 1 << 24;

/// The most frames a reader's chunk may hold (2^24: 6 minutes at 44.1 kHz).
pub const MAX_FRAMES_PER_CHUNK: usize = 1 << 24;

/// The longest time an effect argument may give, in seconds: 24 hours (SoX takes any; `pad 0
/// 1e30` asked for more memory than exists).
pub const MAX_EFFECT_SECONDS: f64 = 86_400.0;

/// The most samples an effect argument may give: 24 hours at [`MAX_SAMPLE_RATE`].
pub const MAX_EFFECT_SAMPLES: u64 = 86_400 * MAX_SAMPLE_RATE as u64;

/// The longest gap between packets (lost packets) filled with silence, in seconds; a longer
/// one is a discontinuity (a restarted live stream) and is not filled.
pub const MAX_GAP_SECONDS: u64 = 10;

/// The most samples (frames x channels) an effect that holds the whole stream until its end
/// (`norm`, `gain -n/-e/-B/-b/-r`) keeps in memory (2^20: 4 MiB of `f32`, 11.9 s of stereo at
/// 44.1 kHz); the rest of a longer stream goes to an anonymous temporary file (as SoX's
/// `gain` does), read back a piece at a time at the end. A file that cannot be made or written
/// is an [`Error::Io`](crate::Error::Io).
pub const SPOOL_AFTER_SAMPLES: usize = 1 << 20;

/// Where there is no file system to spool to (WebAssembly in a browser; WASI without
/// `TMPDIR`): the most samples such an effect holds in memory (2^26: 256 MiB of `f32`, 12.7
/// minutes of stereo at 44.1 kHz); a longer stream is [`Error::Unsupported`](crate::Error::Unsupported)
/// naming this limit.
pub const MAX_HELD_SAMPLES_IN_MEMORY: u64 = 1 << 26;

/// Checks a sample rate argument named `name` (an output or stream rate): 1 to
/// [`MAX_SAMPLE_RATE`] Hz, else [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming
/// the value and the range. One check for the reader's outputs, `load`, `save` and the writer.
pub(crate) fn check_sample_rate(name: &str, hz: u32) -> crate::Result<()> {
    if hz == 0 || hz > MAX_SAMPLE_RATE {
        return Err(crate::Error::invalid_argument(
            name,
            hz,
            format!(
                "1 to {MAX_SAMPLE_RATE} Hz (limits::MAX_SAMPLE_RATE, the highest rate a \
                 StreamReader takes)"
            ),
        ));
    }
    Ok(())
}

/// Checks a channel count argument named `name` (an output's channels): 1 to
/// [`dsp::MAX_CHANNELS`](crate::dsp::MAX_CHANNELS), the most the remixer takes.
pub(crate) fn check_channels(name: &str, n: usize) -> crate::Result<()> {
    if n == 0 || n > crate::dsp::MAX_CHANNELS {
        return Err(crate::Error::invalid_argument(
            name,
            n,
            format!("1 to {} channels", crate::dsp::MAX_CHANNELS),
        ));
    }
    Ok(())
}
