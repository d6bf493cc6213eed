//! What a reader knows about its source: [`Metadata`], [`SourceStream`], and the names of
//! codecs and containers (FFmpeg's names, so users of torchaudio/FFmpeg recognise them).

use crate::Options;

/// Metadata of the default audio stream and its container (seed: `get_metadata()`).
///
/// ```no_run
/// let r = audiostream::StreamReader::new("song.flac", None, None)?;
/// let m = r.get_metadata();
/// println!("{} Hz, {} channels, {:?} s, title {:?}", m.sample_rate, m.num_channels, m.duration, m.tags.get("title"));
/// # Ok::<(), audiostream::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Number of channels.
    pub num_channels: usize,
    /// Number of frames (after gapless trimming), when the container says.
    pub num_frames: Option<u64>,
    /// Duration in seconds, when known.
    pub duration: Option<f64>,
    /// Whether `duration` is an estimate (an MP3 without a Xing/Info/VBRI tag, an ADTS AAC
    /// stream: nothing in the file says how long it is, so its length is estimated from its
    /// size and a sample of its frames; `num_frames` is then `None`). pedalboard calls the
    /// opposite `exact_duration_known`.
    pub duration_estimated: bool,
    /// Codec name as FFmpeg names it (`pcm_s16le`, `flac`, `mp3`, `vorbis`, `aac`, ...).
    pub codec: String,
    /// Container name (`wav`, `flac`, `mp3`, `ogg`, `mp4`, `matroska`, `aiff`, `caf`, `aac`, raw
    /// formats by their name such as `s16le`).
    pub format: String,
    /// Bit rate in bits per second: exact for PCM, the file's average otherwise.
    pub bit_rate: Option<u64>,
    /// Bits per sample of the coded audio, for PCM and lossless codecs.
    pub bits_per_sample: Option<u32>,
    /// Tags: `title`, `artist`, `album`, `date`, `genre`, `comment`, `track`, ... (ID3v1/v2,
    /// Vorbis comments, MP4 and RIFF INFO tags, under FFmpeg's key names; other keys lowercased).
    pub tags: Options,
}

/// The kind of a source stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaType {
    /// Audio.
    Audio,
    /// Video (never decoded, only described).
    Video,
    /// Subtitles (never decoded, only described).
    Subtitle,
    /// A stream whose codec the demuxer did not recognise.
    Unknown,
}

impl MediaType {
    /// `"audio"`, `"video"`, `"subtitle"` or `"unknown"`.
    ///
    /// ```
    /// assert_eq!(audiostream::MediaType::Audio.as_str(), "audio");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            MediaType::Audio => "audio",
            MediaType::Video => "video",
            MediaType::Subtitle => "subtitle",
            MediaType::Unknown => "unknown",
        }
    }
}

/// One stream of the source container (seed: `get_src_stream_info(i)`).
///
/// ```no_run
/// let r = audiostream::StreamReader::new("movie.mkv", None, None)?;
/// for i in 0..r.num_src_streams() {
///     let s = r.get_src_stream_info(i)?;
///     println!("{i}: {} {}", s.media_type.as_str(), s.codec);
/// }
/// # Ok::<(), audiostream::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SourceStream {
    /// Index in the container (what `stream_index` takes).
    pub index: usize,
    /// Audio, video, subtitle or unknown.
    pub media_type: MediaType,
    /// Codec name as FFmpeg names it.
    pub codec: String,
    /// A longer description of the codec.
    pub codec_long_name: String,
    /// Sample rate (audio).
    pub sample_rate: Option<u32>,
    /// Channels (audio).
    pub num_channels: Option<usize>,
    /// Frames after gapless trimming, when the container says.
    pub num_frames: Option<u64>,
    /// Duration in seconds, when known.
    pub duration: Option<f64>,
    /// Whether `duration` is an estimate (see [`Metadata::duration_estimated`]).
    pub duration_estimated: bool,
    /// Bit rate in bits per second, when known.
    pub bit_rate: Option<u64>,
    /// Bits per coded sample, for PCM and lossless codecs.
    pub bits_per_sample: Option<u32>,
    /// Language tag of the stream, if any.
    pub language: Option<String>,
    /// Per-stream tags.
    pub tags: Options,
}

#[cfg(feature = "decode-core")]
pub(crate) mod from_symphonia {
    use super::*;
    use symphonia::core::codecs::audio::well_known::*;
    use symphonia::core::codecs::audio::AudioCodecId;
    use symphonia::core::meta::{MetadataRevision, RawValue, StandardTag, Tag};

    /// FFmpeg's name and long name of a symphonia audio codec.
    pub(crate) fn codec_names(id: AudioCodecId) -> (&'static str, &'static str) {
        const NAMES: &[(AudioCodecId, &str, &str)] = &[
            (
                CODEC_ID_PCM_S32LE,
                "pcm_s32le",
                "PCM signed 32-bit little-endian",
            ),
            (
                CODEC_ID_PCM_S32BE,
                "pcm_s32be",
                "PCM signed 32-bit big-endian",
            ),
            (
                CODEC_ID_PCM_S24LE,
                "pcm_s24le",
                "PCM signed 24-bit little-endian",
            ),
            (
                CODEC_ID_PCM_S24BE,
                "pcm_s24be",
                "PCM signed 24-bit big-endian",
            ),
            (
                CODEC_ID_PCM_S16LE,
                "pcm_s16le",
                "PCM signed 16-bit little-endian",
            ),
            (
                CODEC_ID_PCM_S16BE,
                "pcm_s16be",
                "PCM signed 16-bit big-endian",
            ),
            (CODEC_ID_PCM_S8, "pcm_s8", "PCM signed 8-bit"),
            (
                CODEC_ID_PCM_U32LE,
                "pcm_u32le",
                "PCM unsigned 32-bit little-endian",
            ),
            (
                CODEC_ID_PCM_U32BE,
                "pcm_u32be",
                "PCM unsigned 32-bit big-endian",
            ),
            (
                CODEC_ID_PCM_U24LE,
                "pcm_u24le",
                "PCM unsigned 24-bit little-endian",
            ),
            (
                CODEC_ID_PCM_U24BE,
                "pcm_u24be",
                "PCM unsigned 24-bit big-endian",
            ),
            (
                CODEC_ID_PCM_U16LE,
                "pcm_u16le",
                "PCM unsigned 16-bit little-endian",
            ),
            (
                CODEC_ID_PCM_U16BE,
                "pcm_u16be",
                "PCM unsigned 16-bit big-endian",
            ),
            (CODEC_ID_PCM_U8, "pcm_u8", "PCM unsigned 8-bit"),
            (
                CODEC_ID_PCM_F32LE,
                "pcm_f32le",
                "PCM 32-bit floating point little-endian",
            ),
            (
                CODEC_ID_PCM_F32BE,
                "pcm_f32be",
                "PCM 32-bit floating point big-endian",
            ),
            (
                CODEC_ID_PCM_F64LE,
                "pcm_f64le",
                "PCM 64-bit floating point little-endian",
            ),
            (
                CODEC_ID_PCM_F64BE,
                "pcm_f64be",
                "PCM 64-bit floating point big-endian",
            ),
            (CODEC_ID_PCM_ALAW, "pcm_alaw", "PCM A-law"),
            (CODEC_ID_PCM_MULAW, "pcm_mulaw", "PCM mu-law"),
            (CODEC_ID_ADPCM_MS, "adpcm_ms", "ADPCM Microsoft"),
            (CODEC_ID_ADPCM_IMA_WAV, "adpcm_ima_wav", "ADPCM IMA WAV"),
            (CODEC_ID_ADPCM_IMA_QT, "adpcm_ima_qt", "ADPCM IMA QuickTime"),
            (CODEC_ID_VORBIS, "vorbis", "Vorbis"),
            (CODEC_ID_OPUS, "opus", "Opus"),
            (CODEC_ID_MP1, "mp1", "MP1 (MPEG audio layer 1)"),
            (CODEC_ID_MP2, "mp2", "MP2 (MPEG audio layer 2)"),
            (CODEC_ID_MP3, "mp3", "MP3 (MPEG audio layer 3)"),
            (CODEC_ID_AAC, "aac", "AAC (Advanced Audio Coding)"),
            (CODEC_ID_AC3, "ac3", "ATSC A/52A (AC-3)"),
            (CODEC_ID_EAC3, "eac3", "ATSC A/52B (AC-3, E-AC-3)"),
            (CODEC_ID_FLAC, "flac", "FLAC (Free Lossless Audio Codec)"),
            (CODEC_ID_ALAC, "alac", "ALAC (Apple Lossless Audio Codec)"),
            (CODEC_ID_WAVPACK, "wavpack", "WavPack"),
            (CODEC_ID_WMA, "wmav2", "Windows Media Audio"),
        ];
        NAMES
            .iter()
            .find(|(c, _, _)| *c == id)
            .map_or(("unknown", "unknown codec"), |(_, n, l)| (*n, *l))
    }

    /// Bits per sample of a PCM codec, from its name (`pcm_f32le` → 32), for demuxers that
    /// leave the field empty.
    pub(crate) fn pcm_bits(codec: &str) -> Option<u32> {
        let rest = codec.strip_prefix("pcm_")?;
        let digits: String = rest
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        match rest {
            "alaw" | "mulaw" => Some(8),
            _ => digits.parse().ok(),
        }
    }

    /// Our container name for a symphonia format short name.
    pub(crate) fn container_name(short_name: &str) -> &str {
        match short_name {
            "wave" => "wav",
            "isomp4" => "mp4",
            other => other,
        }
    }

    /// FFmpeg's key for a standard tag, with its value, for the tags people look up by name.
    fn standard_key(tag: &StandardTag) -> Option<(&'static str, String)> {
        use StandardTag as S;
        Some(match tag {
            S::TrackTitle(v) => ("title", v.to_string()),
            S::Artist(v) => ("artist", v.to_string()),
            S::Album(v) => ("album", v.to_string()),
            S::AlbumArtist(v) => ("album_artist", v.to_string()),
            S::Genre(v) => ("genre", v.to_string()),
            S::Comment(v) => ("comment", v.to_string()),
            S::Composer(v) => ("composer", v.to_string()),
            S::Copyright(v) => ("copyright", v.to_string()),
            S::Encoder(v) => ("encoder", v.to_string()),
            S::EncodedBy(v) => ("encoded_by", v.to_string()),
            S::Language(v) => ("language", v.to_string()),
            S::Lyrics(v) => ("lyrics", v.to_string()),
            S::Performer(v) => ("performer", v.to_string()),
            S::Description(v) => ("description", v.to_string()),
            S::RecordingDate(v) | S::ReleaseDate(v) => ("date", v.to_string()),
            S::RecordingYear(v) | S::ReleaseYear(v) => ("date", v.to_string()),
            S::TrackNumber(v) => ("track", v.to_string()),
            S::DiscNumber(v) => ("disc", v.to_string()),
            S::Bpm(v) => ("bpm", v.to_string()),
            _ => return None,
        })
    }

    fn raw_value_text(v: &RawValue) -> Option<String> {
        match v {
            RawValue::Binary(_) => None,
            other => Some(other.to_string()),
        }
    }

    /// Adds `tags` to `out`; later values replace earlier ones with the same key.
    pub(crate) fn add_tags(out: &mut Options, tags: &[Tag]) {
        for tag in tags {
            if let Some((key, value)) = tag.std.as_ref().and_then(standard_key) {
                out.insert(key.to_string(), value);
            } else if let Some(value) = raw_value_text(&tag.raw.value) {
                let key = tag.raw.key.trim().to_lowercase();
                if !key.is_empty() {
                    out.insert(key, value);
                }
            }
        }
    }

    /// Container-level tags of a metadata revision, and per-track tags by track id.
    pub(crate) fn revision_tags(
        rev: &MetadataRevision,
        media: &mut Options,
        per_track: &mut std::collections::HashMap<u64, Options>,
    ) {
        add_tags(media, &rev.media.tags);
        for t in &rev.per_track {
            add_tags(per_track.entry(t.track_id).or_default(), &t.metadata.tags);
        }
    }
}
