//! WAV files whose PCM samples sit in wider slots than their bit depth says, which symphonia
//! 0.6's WAV demuxer misreads: a `WAVE_FORMAT_PCM` header with 24 bits per sample and a block
//! align of 4 bytes per channel (what `arecord -f S24_LE` writes) is read as packed 24-bit
//! samples, which turns the audio into loud noise without an error; 12 or 20 bits in 2 or 3
//! bytes are refused. (`WAVE_FORMAT_EXTENSIBLE` with fewer valid bits than the container is
//! read right by symphonia and is left to it.)
//!
//! These files are read by our raw PCM demuxer over the `data` chunk instead, each slot
//! turned into a left-justified sample of the slot's width (see [`SlotLayout::normalize`]).

use symphonia::core::io::{MediaSourceStream, ReadBytes, SeekBuffered};

/// How far into a stream the header is looked for. A `MediaSourceStream` can step back about
/// 32 KiB, so this stays below that; WAV headers are far smaller.
const MAX_PEEK: usize = 24 * 1024;

/// The sample layout of a WAV file symphonia misreads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SlotLayout {
    pub(crate) sample_rate: u32,
    pub(crate) channels: u16,
    /// Valid bits per sample (`wBitsPerSample`).
    pub(crate) bits: u16,
    /// Bytes per sample slot (`nBlockAlign / nChannels`).
    pub(crate) slot_bytes: u16,
    /// Whether the valid bits are the low bits of each slot (ALSA's `S24_LE`), rather than the
    /// high bits as the WAVE format describes.
    pub(crate) low_justified: bool,
    /// Byte offset of the first sample.
    pub(crate) data_start: u64,
    /// Bytes of samples (the `data` chunk's size), when it was written.
    pub(crate) data_len: Option<u64>,
}

impl SlotLayout {
    /// Rewrites slots in place so that the valid bits are the slot's high bits (a left-justified
    /// sample of the slot's width, which symphonia's PCM decoder reads exactly).
    pub(crate) fn normalize(&self, data: &mut [u8]) {
        if !self.low_justified {
            return;
        }
        let width = usize::from(self.slot_bytes);
        let shift = u32::from(self.slot_bytes) * 8 - u32::from(self.bits);
        for slot in data.chunks_exact_mut(width) {
            let mut word = [0u8; 4];
            word[..width].copy_from_slice(slot);
            // Whatever the bits above the valid ones hold (ALSA leaves them as sign extension
            // or zero), they are shifted out.
            let value = u32::from_le_bytes(word) << shift;
            slot.copy_from_slice(&value.to_le_bytes()[..width]);
        }
    }
}

/// Looks at the start of `mss` for a WAV header symphonia would misread and, when it finds
/// one, leaves `mss` at the first sample. Otherwise `mss` is left where it was.
pub(crate) fn sniff(mss: &mut MediaSourceStream<'_>) -> Option<SlotLayout> {
    let start = mss.pos();
    let mut head = vec![0u8; MAX_PEEK];
    let mut got = 0;
    while got < head.len() {
        match mss.read_buf(&mut head[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    head.truncate(got);
    let found = parse(&head);
    mss.seek_buffered(start + found.map_or(0, |l| l.data_start));
    found.map(|l| SlotLayout {
        data_start: start + l.data_start,
        ..l
    })
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Parses a RIFF/WAVE header held in `head`; `data_start` is relative to `head`.
fn parse(head: &[u8]) -> Option<SlotLayout> {
    if head.get(..4)? != b"RIFF" || head.get(8..12)? != b"WAVE" {
        return None;
    }
    let mut pos = 12;
    let mut format = None;
    while pos + 8 <= head.len() {
        let id = head.get(pos..pos + 4)?;
        let len = u32_at(head, pos + 4)?;
        let body = pos + 8;
        if id == b"fmt " {
            format = Some(body);
        } else if id == b"data" {
            let fmt = format?;
            let tag = u16_at(head, fmt)?;
            let channels = u16_at(head, fmt + 2)?;
            let sample_rate = u32_at(head, fmt + 4)?;
            let block_align = u16_at(head, fmt + 12)?;
            let bits = u16_at(head, fmt + 14)?;
            // WAVE_FORMAT_PCM only, with whole slots of 1 to 4 bytes per channel that are wider
            // than the valid bits or hold a bit depth that is not a whole number of bytes.
            if tag != 1 || channels == 0 || sample_rate == 0 || block_align % channels != 0 {
                return None;
            }
            let slot_bytes = block_align / channels;
            if !(1..=4).contains(&slot_bytes)
                || bits == 0
                || bits > slot_bytes * 8
                || bits == slot_bytes * 8
            {
                return None;
            }
            let data_len = (len != 0 && len != u32::MAX).then_some(u64::from(len));
            let low_justified =
                bits == 24 && slot_bytes == 4 && looks_low_justified(&head[body.min(head.len())..]);
            return Some(SlotLayout {
                sample_rate,
                channels,
                bits,
                slot_bytes,
                low_justified,
                data_start: body as u64,
                data_len,
            });
        }
        pos = body
            .checked_add(len as usize)?
            .checked_add(len as usize & 1)?;
    }
    None
}

/// Whether 24-bit samples in 4-byte slots are ALSA's `S24_LE` (the low three bytes, the top
/// byte a sign extension or zero) rather than left-justified as the WAVE format describes.
/// ALSA's layout is what writes this header in practice (`arecord`); a left-justified file
/// shows itself by zero low bytes under top bytes that are not a sign extension.
fn looks_low_justified(samples: &[u8]) -> bool {
    let mut low_bytes_zero = true;
    let mut top_is_extension = true;
    for s in samples.chunks_exact(4) {
        low_bytes_zero &= s[0] == 0;
        let extension = if s[2] & 0x80 != 0 { 0xff } else { 0x00 };
        top_is_extension &= s[3] == extension || s[3] == 0;
    }
    !low_bytes_zero || top_is_extension
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(tag: u16, channels: u16, block_align: u16, bits: u16, data: &[u8]) -> Vec<u8> {
        let mut f = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0".to_vec();
        f.extend(tag.to_le_bytes());
        f.extend(channels.to_le_bytes());
        f.extend(48000u32.to_le_bytes());
        f.extend((48000 * u32::from(block_align)).to_le_bytes());
        f.extend(block_align.to_le_bytes());
        f.extend(bits.to_le_bytes());
        f.extend(b"data");
        f.extend((data.len() as u32).to_le_bytes());
        f.extend(data);
        f
    }

    #[test]
    fn alsa_s24_le_is_low_justified() {
        // 0x123456 and -2 (sign-extended) in 4-byte slots.
        let data = [0x56, 0x34, 0x12, 0x00, 0xfe, 0xff, 0xff, 0xff];
        let l = parse(&header(1, 2, 8, 24, &data)).expect("a slot layout");
        assert_eq!((l.bits, l.slot_bytes, l.low_justified), (24, 4, true));
        assert_eq!((l.data_start, l.data_len), (44, Some(8)));
        let mut d = data;
        l.normalize(&mut d);
        assert_eq!(
            i32::from_le_bytes(d[..4].try_into().unwrap()),
            0x123456 << 8
        );
        assert_eq!(i32::from_le_bytes(d[4..].try_into().unwrap()), -2 << 8);
    }

    #[test]
    fn left_justified_24_in_32_is_recognised() {
        let data = [0x00, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00, 0x80];
        let l = parse(&header(1, 1, 4, 24, &data)).expect("a slot layout");
        assert!(!l.low_justified);
    }

    #[test]
    fn packed_and_extensible_headers_are_left_to_symphonia() {
        assert_eq!(parse(&header(1, 2, 6, 24, &[0; 6])), None);
        assert_eq!(parse(&header(1, 2, 4, 16, &[0; 4])), None);
        assert_eq!(parse(&header(0xfffe, 2, 8, 32, &[0; 8])), None);
        assert_eq!(parse(b"RIFF\0\0\0\0WAVEdata"), None);
    }

    #[test]
    fn twenty_bits_in_three_bytes() {
        let l = parse(&header(1, 1, 3, 20, &[0x00, 0x10, 0x80])).expect("a slot layout");
        assert_eq!((l.bits, l.slot_bytes, l.low_justified), (20, 3, false));
    }
}
