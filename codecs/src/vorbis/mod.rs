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
//! The first two audio packets get a page of their own, so that the first audio page is not
//! also the last one (FFmpeg 5.1 gets the length of such streams wrong, oggenc's too; a stream
//! of only two audio packets — under about 300 frames — still is one page).
//! The audio goes to libvorbis in pieces of exactly 1024 frames (the last one shorter), as
//! `oggenc` reads it: libvorbis's start-of-stream extrapolation depends on how much it holds,
//! so fixed pieces make the output independent of how the audio was split into `encode` calls
//! (and the same as oggenc's). libvorbis sets each packet's granule position; the last one is
//! the input's length, so FFmpeg, `oggdec` and the reader decode exactly the input's frames.
//! `flush` writes every packet libvorbis has made and flushes the sink: up to 1024 frames wait
//! for a whole piece and libvorbis holds back up to two blocks (about 4096 frames) to decide
//! block sizes. An empty stream still has one audio packet, of granule position 0, as
//! libvorbis makes it (ogginfo calls that the mark of a buggy encoder, for oggenc's empty
//! files too; without it FFmpeg cannot open the stream).
//! Nothing is written before the first `encode`, `flush` or `finish`; a started stream dropped
//! without `finish` is finished.

mod encoder;
mod libvorbis;
mod settings;

pub use encoder::VorbisEncoder;
pub use libvorbis::version as libvorbis_version;

/// The codec name.
pub const CODEC: &str = "vorbis";
