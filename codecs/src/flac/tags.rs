//! The stream header libFLAC writes: parsing it, and the VORBIS_COMMENT block with the tags
//! that replaces libFLAC's empty one.

use super::libflac::invalid;
use super::VORBIS_COMMENT;
use crate::EncodeError;

/// The Vorbis comment field name for a tag key; an error for names Vorbis comments cannot hold.
pub(super) fn vorbis_field(key: &str) -> Result<String, EncodeError> {
    let field = match key.to_ascii_lowercase().as_str() {
        "title" => "TITLE".to_string(),
        "artist" => "ARTIST".to_string(),
        "album" => "ALBUM".to_string(),
        "date" => "DATE".to_string(),
        "genre" => "GENRE".to_string(),
        "comment" => "COMMENT".to_string(),
        "track" => "TRACKNUMBER".to_string(),
        _ => key.to_ascii_uppercase(),
    };
    // Vorbis comment field names: printable ASCII 0x20..0x7D without '='.
    if field.is_empty()
        || !field
            .bytes()
            .all(|b| (0x20..=0x7D).contains(&b) && b != b'=')
    {
        return Err(invalid(format!(
            "tag key \"{key}\" for encoder flac; Vorbis comment names are printable ASCII \
             without '=' or '~'"
        )));
    }
    Ok(field)
}

/// What the encoder needs from libFLAC's stream header.
pub(super) struct Header {
    /// STREAMINFO's rate, channels, bits per sample and total samples.
    pub(super) packed: u64,
    /// Byte range of the VORBIS_COMMENT block (header included) and its last-block flag.
    pub(super) vorbis_comment: Option<(usize, usize, bool)>,
}

pub(super) fn be_u24(b: &[u8]) -> Option<usize> {
    match b {
        &[a, b, c] => Some(usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c)),
        _ => None,
    }
}

pub(super) fn le_u32(b: &[u8]) -> Option<usize> {
    let b: [u8; 4] = b.try_into().ok()?;
    usize::try_from(u32::from_le_bytes(b)).ok()
}

/// Parses `fLaC` and the metadata blocks at the start of `head`.
pub(super) fn parse_header(head: &[u8]) -> Option<Header> {
    if head.get(..4)? != b"fLaC" || *head.get(4)? & 0x7F != 0 {
        return None; // STREAMINFO must come first
    }
    let packed = u64::from_be_bytes(head.get(18..26)?.try_into().ok()?);
    let mut pos = 4;
    let mut vorbis_comment = None;
    loop {
        let flags = *head.get(pos)?;
        let end = pos + 4 + be_u24(head.get(pos + 1..pos + 4)?)?;
        let last = flags & 0x80 != 0;
        if flags & 0x7F == VORBIS_COMMENT {
            vorbis_comment = Some((pos, end, last));
        }
        pos = end;
        if last {
            break;
        }
    }
    (pos <= head.len()).then_some(Header {
        packed,
        vorbis_comment,
    })
}

/// A VORBIS_COMMENT block with `vendor` and `tags`.
pub(super) fn vorbis_comment_block(
    vendor: &[u8],
    tags: &[(String, String)],
    last: bool,
) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    body.extend(u32::try_from(vendor.len()).ok()?.to_le_bytes());
    body.extend(vendor);
    body.extend(u32::try_from(tags.len()).ok()?.to_le_bytes());
    for (field, value) in tags {
        let entry = format!("{field}={value}");
        body.extend(u32::try_from(entry.len()).ok()?.to_le_bytes());
        body.extend(entry.as_bytes());
    }
    let len = u32::try_from(body.len()).ok().filter(|&l| l < 1 << 24)?;
    let mut block = vec![VORBIS_COMMENT | if last { 0x80 } else { 0 }];
    block.extend(&len.to_be_bytes()[1..]);
    block.extend(body);
    Some(block)
}
