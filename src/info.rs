//! The JSON document `audiostream info --json` prints for a file, built in one place for the
//! command-line tool and the browser package (`web/`), which give the same answer.

use crate::{Result, StreamReader};

/// What `audiostream info --json` says of an opened file, without its `path`: the metadata of
/// the default audio stream and the container ([`StreamReader::get_metadata`]), the index of
/// the default audio stream, and a description of every stream
/// ([`StreamReader::get_src_stream_info`]). Unknown values are `null`.
///
/// ```
/// let reader = audiostream::StreamReader::new("fixtures/flac_16_stereo_44100.flac", None, None)?;
/// let v = audiostream::info::describe(&reader)?;
/// assert_eq!(v["codec"], "flac");
/// assert_eq!(v["streams"][0]["media_type"], "audio");
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn describe(reader: &StreamReader) -> Result<serde_json::Value> {
    let m = reader.get_metadata();
    let mut streams = Vec::new();
    for i in 0..reader.num_src_streams() {
        let s = reader.get_src_stream_info(i)?;
        streams.push(serde_json::json!({
            "index": s.index,
            "media_type": s.media_type.as_str(),
            "codec": s.codec,
            "codec_long_name": s.codec_long_name,
            "sample_rate": s.sample_rate,
            "num_channels": s.num_channels,
            "num_frames": s.num_frames,
            "duration": s.duration,
            "duration_estimated": s.duration_estimated,
            "bit_rate": s.bit_rate,
            "bits_per_sample": s.bits_per_sample,
            "language": s.language,
            "tags": s.tags,
        }));
    }
    Ok(serde_json::json!({
        "format": m.format,
        "codec": m.codec,
        "sample_rate": m.sample_rate,
        "num_channels": m.num_channels,
        "num_frames": m.num_frames,
        "duration": m.duration,
        "duration_estimated": m.duration_estimated,
        "bit_rate": m.bit_rate,
        "bits_per_sample": m.bits_per_sample,
        "default_audio_stream": reader.default_audio_stream(),
        "tags": m.tags,
        "streams": streams,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checked against ffprobe's view of the same fixture (`ffprobe -show_streams`): a 16-bit
    /// stereo 44.1 kHz FLAC stream, its only stream.
    #[test]
    fn a_flac_file() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/flac_16_stereo_44100.flac"
        );
        let reader = StreamReader::new(path, None, None).unwrap();
        let v = describe(&reader).unwrap();
        assert_eq!(v["codec"], "flac");
        assert_eq!(v["sample_rate"], 44100);
        assert_eq!(v["num_channels"], 2);
        assert_eq!(v["bits_per_sample"], 16);
        assert_eq!(v["default_audio_stream"], 0);
        assert_eq!(v["streams"].as_array().map(Vec::len), Some(1));
        assert_eq!(v["streams"][0]["media_type"], "audio");
        assert!(v.get("path").is_none());
    }
}
