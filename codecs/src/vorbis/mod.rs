//! Ogg Vorbis (`.ogg`) through libvorbis 1.3.7, built from the source bundled in `vorbis-sys`
//! (libogg's bit packer from `ogg-sys`) — the same library `oggenc` and FFmpeg's libvorbis use
//! (feature `encode-vorbis`; a C compiler).
//!
//! Why not aoTuV (the patched libvorbis of `vorbis_rs` / `aotuv_lancer_vorbis_sys`): measured
//! by `benches/codec_choice.sh` at the same `-q`, aoTuV's files are 20-24 % larger than
//! `oggenc`'s on speech and -1 to +8 % on music — a different operating point, not "oggenc's
//! quality and size at the same settings", which libvorbis 1.3.7 is by construction.
//!
//! # Settings
//!
//! | setting | Vorbis |
//! |---|---|
//! | sample rate | any rate libvorbis has a mode for (8 kHz to 192 kHz and more; it says which it has not, and the error names `encoder_sample_rate`) |
//! | channels | 1 ..= 8; the input is in WAV order and is stored in Vorbis order (Vorbis I §4.3.9), as FFmpeg does |
//! | `encoder_format` | `flt` only (libvorbis encodes float) |
//! | `CodecConfig.qscale` | VBR quality -1 ..= 10, as `oggenc -q` (fractions allowed); the default is 3, as `oggenc`'s |
//! | `CodecConfig.bit_rate` | average bit rate, bits/s, held by the bit rate management engine (`oggenc -b N --managed`) |
//! | `CodecConfig.qmin` / `qmax` | minimum / maximum bit rate, bits/s (`oggenc --managed --min-bitrate` / `--max-bitrate`): with `qscale`, hard limits on the quality mode; with `bit_rate`, around the average; alone, a managed stream with only those limits |
//! | `CodecConfig.compression_level`, `bit_rate_tolerance`, `buffer_size` | error |
//! | `encoder_option` `serial` | the Ogg serial number (default: random, as `oggenc`), for reproducible files |
//! | tags | Vorbis comments: `title` → `TITLE`, `track` → `TRACKNUMBER`, any other key uppercased |
//!
//! Settings are checked with libvorbis itself when the encoder is opened: a rate, channel
//! count, quality or bit rate it has no mode for is an [`crate::EncodeError::InvalidArgument`]
//! (with the managed bit rates it does have there).
//!
//! # Output
//!
//! The identification header alone on the first page, comment and setup headers ending the
//! second, then audio pages cut at 4 KiB of packets (libogg's policy, so sizes match `oggenc`'s).
//! The audio goes to libvorbis in pieces of at most 1024 frames, as `oggenc` reads it, and the
//! output does not depend on how it was split into `encode` calls. libvorbis sets each packet's
//! granule position; the last one is the input's length, so FFmpeg, `oggdec` and the reader
//! decode exactly the input's frames. `flush` writes every packet libvorbis has made (it holds
//! back up to two blocks, about 4096 frames, to decide block sizes) and flushes the sink.
//! Nothing is written before the first `encode`, `flush` or `finish`; a started stream dropped
//! without `finish` is finished.

mod encoder;
mod libvorbis;
mod settings;

pub use encoder::VorbisEncoder;
pub use libvorbis::version as libvorbis_version;

/// The codec name.
pub const CODEC: &str = "vorbis";
