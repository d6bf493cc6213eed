//! The codecs this build can encode, one row each: adding a codec is a module and a row here
//! (plus, for a new container, its row in [`container_codecs`](crate::container_codecs)).

use crate::{EncodeError, Encoder, EncoderRequest, Sink};

/// Opens an encoder of a codec (the module's `new`, boxed).
type OpenFn = fn(&EncoderRequest<'_>, Sink) -> Result<Box<dyn Encoder>, EncodeError>;

/// One codec family: the codec names it encodes, FFmpeg's encoder name for it, how to open it,
/// and the rate it encodes at for a given input rate when none is asked.
pub(crate) struct CodecRow {
    /// Our codec names (WAV's PCM variants share one encoder).
    pub(crate) names: &'static [&'static str],
    /// FFmpeg's encoder name (`libopus`), accepted as an alias as torchaudio's `encoder=` does.
    pub(crate) ffmpeg_name: Option<&'static str>,
    pub(crate) open: OpenFn,
    pub(crate) default_rate: fn(u32) -> u32,
}

fn same_rate(input_rate: u32) -> u32 {
    input_rate
}

/// Every codec of this build (cargo features `encode-*` select the rows).
pub(crate) static CODECS: &[CodecRow] = &[
    CodecRow {
        names: crate::wav::CODECS,
        ffmpeg_name: None,
        open: |r, s| Ok(Box::new(crate::wav::WavEncoder::new(r, s)?)),
        default_rate: same_rate,
    },
    #[cfg(feature = "encode-mp3")]
    CodecRow {
        names: &["mp3"],
        ffmpeg_name: Some("libmp3lame"),
        open: |r, s| Ok(Box::new(crate::mp3::Mp3Encoder::new(r, s)?)),
        default_rate: same_rate,
    },
    #[cfg(feature = "encode-flac")]
    CodecRow {
        names: &["flac"],
        ffmpeg_name: None,
        open: |r, s| Ok(Box::new(crate::flac::FlacEncoder::new(r, s)?)),
        default_rate: same_rate,
    },
    #[cfg(feature = "encode-opus")]
    CodecRow {
        names: &["opus"],
        ffmpeg_name: Some("libopus"),
        open: |r, s| Ok(Box::new(crate::opus::OpusEncoder::new(r, s)?)),
        default_rate: crate::opus::default_rate,
    },
    #[cfg(feature = "encode-vorbis")]
    CodecRow {
        names: &["vorbis"],
        ffmpeg_name: Some("libvorbis"),
        open: |r, s| Ok(Box::new(crate::vorbis::VorbisEncoder::new(r, s)?)),
        default_rate: same_rate,
    },
];

/// The row that encodes `codec` (our name).
pub(crate) fn row(codec: &str) -> Option<&'static CodecRow> {
    CODECS.iter().find(|row| row.names.contains(&codec))
}
