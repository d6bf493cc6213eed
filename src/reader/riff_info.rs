//! RIFF INFO tags of WAV files (title, artist, ...), which symphonia 0.6's WAV demuxer reads
//! but does not hand on. Read from a seekable source before the demuxer takes it.

use crate::Options;
use std::io::{Read, Seek, SeekFrom};

/// Chunks looked at before giving up (a WAV file has a handful).
const MAX_CHUNKS: usize = 64;
/// An INFO list larger than this is not tags.
const MAX_INFO_BYTES: u32 = 1 << 20;

/// FFmpeg's key for a RIFF INFO field.
fn key_for(id: &[u8; 4]) -> String {
    match id {
        b"INAM" => "title".into(),
        b"IART" => "artist".into(),
        b"IPRD" => "album".into(),
        b"ICMT" => "comment".into(),
        b"ICRD" => "date".into(),
        b"IGNR" => "genre".into(),
        b"ISFT" => "encoder".into(),
        b"ICOP" => "copyright".into(),
        b"ITRK" | b"IPRT" => "track".into(),
        b"IENG" => "engineer".into(),
        b"ILNG" => "language".into(),
        other => String::from_utf8_lossy(other).to_lowercase(),
    }
}

fn read_u32<R: Read + ?Sized>(r: &mut R) -> std::io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_id<R: Read + ?Sized>(r: &mut R) -> std::io::Result<[u8; 4]> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(b)
}

/// Parses the fields of an INFO list body.
fn parse_info(body: &[u8], tags: &mut Options) {
    let mut pos = 0;
    while let (Some(id), Some(len)) = (body.get(pos..pos + 4), body.get(pos + 4..pos + 8)) {
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let Some(value) = body.get(pos + 8..pos + 8 + len) else {
            break;
        };
        let text = String::from_utf8_lossy(value);
        let text = text.trim_end_matches('\0').trim();
        if !text.is_empty() {
            let id = [id[0], id[1], id[2], id[3]];
            tags.insert(key_for(&id), text.to_string());
        }
        pos += 8 + len + (len & 1);
    }
}

/// Reads the INFO tags of a RIFF/WAVE file from its start; the position is restored.
/// Anything unexpected just ends the search: tags are a courtesy, the demuxer judges the file.
pub(crate) fn read_info_tags<R: Read + Seek + ?Sized>(src: &mut R) -> Options {
    let mut tags = Options::new();
    let Ok(start) = src.stream_position() else {
        return tags;
    };
    let _ = scan(src, &mut tags);
    let _ = src.seek(SeekFrom::Start(start));
    tags
}

fn scan<R: Read + Seek + ?Sized>(src: &mut R, tags: &mut Options) -> std::io::Result<()> {
    if &read_id(src)? != b"RIFF" {
        return Ok(());
    }
    let _riff_len = read_u32(src)?;
    if &read_id(src)? != b"WAVE" {
        return Ok(());
    }
    for _ in 0..MAX_CHUNKS {
        let id = read_id(src)?;
        let len = read_u32(src)?;
        if &id == b"LIST" && (4..=MAX_INFO_BYTES).contains(&len) {
            let mut body = vec![0u8; len as usize];
            src.read_exact(&mut body)?;
            if body.starts_with(b"INFO") {
                parse_info(&body[4..], tags);
            }
            if len & 1 == 1 {
                src.seek(SeekFrom::Current(1))?;
            }
        } else {
            if len == u32::MAX {
                // A streamed WAV whose size was never written: nothing after it.
                return Ok(());
            }
            src.seek(SeekFrom::Current(i64::from(len) + i64::from(len & 1)))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_info_after_data_and_restores_the_position() {
        let mut f = Vec::new();
        f.extend(b"RIFF\0\0\0\0WAVE");
        f.extend(b"data\x03\0\0\0abc\0"); // odd size: one pad byte
        let mut info = Vec::new();
        info.extend(b"INFOINAM\x06\0\0\0Title\0IART\x03\0\0\0Me\0\0");
        f.extend(b"LIST");
        f.extend((info.len() as u32).to_le_bytes());
        f.extend(&info);
        let mut c = std::io::Cursor::new(f);
        let tags = read_info_tags(&mut c);
        assert_eq!(tags.get("title").map(String::as_str), Some("Title"));
        assert_eq!(tags.get("artist").map(String::as_str), Some("Me"));
        assert_eq!(c.position(), 0);
    }

    #[test]
    fn garbage_gives_no_tags() {
        let mut c = std::io::Cursor::new(b"RIFF\x04\0\0\0WAVELIST\xff\xff\xff\x7f".to_vec());
        assert!(read_info_tags(&mut c).is_empty());
        let mut c = std::io::Cursor::new(Vec::new());
        assert!(read_info_tags(&mut c).is_empty());
    }
}
