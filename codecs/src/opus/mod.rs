//! Ogg Opus (`.opus`, RFC 7845) through libopus 1.6.1, built from the source bundled in
//! `opusic-sys` (feature `encode-opus`; cmake and a C compiler).
//!
//! Why libopus and not the pure-Rust encoder of opus-pure 0.2.2 (whose decoder the reader
//! uses): measured by `benches/codec_choice.sh` on speech and music at 16 to 192 kb/s, with
//! the same settings as `opusenc --bitrate B`, opus-pure is as fast as libopus but does not
//! spend the bit rate it is given — its files are 8 to 16 % smaller than libopus's on music
//! (and 11 % larger on speech at 16 kb/s, 22 % smaller and 1 dB worse at 64 kb/s) — so it is
//! not "libopus's quality at the same bit rate"; libopus is (README, "Writing Opus and Vorbis").
//!
//! # Settings
//!
//! | setting | Opus |
//! |---|---|
//! | sample rate | 8000, 12000, 16000, 24000, 48000 Hz (the coding rate; granule positions count 48 kHz). The writer converts other rates to 48 kHz by itself, as `opusenc` does, and records the input's rate in OpusHead (`EncoderRequest::input_sample_rate`), so `opusdec` decodes back to it |
//! | channels | 1, 2 (mapping family 0), 3 ..= 8 (family 1: libopus's surround layouts; the input is in WAV order and is stored in Vorbis order, as FFmpeg does) |
//! | `encoder_format` | `flt` (default: 24-bit depth, libopus's default, as FFmpeg's libopus) or `s16` (16-bit input and depth, as `opusenc` on 16-bit WAV) |
//! | `CodecConfig.bit_rate` | total bit rate, 6000 ..= 255000 × channels bits/s (6 to 510 kb/s for a stereo pair); default 64 kb/s per stream + 32 kb/s per coupled stream (96 kb/s stereo, 64 kb/s mono: FFmpeg's and `opusenc`'s) |
//! | `CodecConfig.bit_rate_tolerance` | any value > 0 selects constrained VBR (the rate held near `bit_rate` over short windows); unset: unconstrained VBR, `opusenc`'s default |
//! | `CodecConfig.compression_level` | libopus's complexity 0 (fastest) ..= 10 (best, the default, as `opusenc` and FFmpeg) |
//! | `CodecConfig.qscale`, `qmin`, `qmax`, `buffer_size` | error: Opus takes a bit rate |
//! | `encoder_option` `vbr` | `on` (default), `constrained`, `off` (CBR), as FFmpeg's libopus |
//! | `encoder_option` `application` | `audio` (default), `voip`, `lowdelay` (CELT only, 2.5 ms less delay) |
//! | `encoder_option` `frame_duration` | milliseconds: 2.5, 5, 10, 20 (default), 40, 60, 80, 100, 120 |
//! | `encoder_option` `serial` | the Ogg serial number (default: random, as `opusenc`), for reproducible files |
//! | tags | OpusTags Vorbis comments: `title` → `TITLE`, `track` → `TRACKNUMBER`, any other key uppercased; vendor string libopus's |
//!
//! # Output
//!
//! An OpusHead page (beginning of stream), an OpusTags page, then audio pages cut at 4 KiB of
//! packets. Pre-skip = libopus's look-ahead (312 samples at 48 kHz for `audio`/`voip`, 120 for
//! `lowdelay`). At `finish` the input is padded with silence until libopus has coded it and its
//! look-ahead, in whole frames, and the last page's granule position is pre-skip + input
//! length (RFC 7845 §4.4), so FFmpeg, `opusdec` and the reader decode exactly the input's
//! length. `flush` ends the page being filled and flushes the sink: the file decodes up to the
//! last whole frame (at most one frame, 20 ms by default, waits for more audio). Nothing is
//! written before the first `encode`, `flush` or `finish`; a started stream dropped without
//! `finish` is finished. The bytes do not depend on how the audio is split into `encode` calls.

mod encoder;
mod libopus;
mod settings;

pub use encoder::OpusEncoder;
pub use libopus::version as libopus_version;
pub use settings::{default_bit_rate, SAMPLE_RATES};

/// The codec name.
pub const CODEC: &str = "opus";

/// The rate the writer encodes at when given `input_rate` and no `encoder_sample_rate`: 48 kHz
/// for every input, as `opusenc` (libopusenc) does.
///
/// ```
/// assert_eq!(audiostream_codecs::opus::default_rate(44_100), 48_000);
/// ```
pub fn default_rate(_input_rate: u32) -> u32 {
    48_000
}
