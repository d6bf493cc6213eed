//! The length of an MP3 (MPEG audio) file that has no Xing/Info/VBRI tag, estimated from a
//! sample of its frames.
//!
//! Nothing in such a file says how long it is, so the demuxer leaves the length unknown and
//! decodes every frame (as FFmpeg does). For the metadata an estimate is still useful; it is
//! marked as one (`duration_estimated`). symphonia's own estimate divides the file size by the
//! mean size of the first frames, which is 4 to 9 times off on streams whose bit rate changes
//! (`l3-he_32khz`, `M2L3_bitrate_*` of the ISO vectors). Here a file of up to 4 MiB of audio
//! has all its frame headers walked (a count, not an estimate, unless junk sits between the
//! frames), and a longer one has its frames sampled at 32 places across it.

use std::io::{Read, Seek, SeekFrom};

/// Frames walked at each probe point.
const FRAMES_PER_PROBE: u64 = 16;
/// Bytes read at each probe point (enough for 16 frames at 448 kb/s, 32 kHz).
const PROBE_BYTES: usize = 32 * 1024;
/// Places across the audio where frames are sampled.
const PROBES: u64 = 32;
/// Audio up to this size has every frame header walked.
const WALK_ALL_BYTES: u64 = 4 << 20;

/// One MPEG audio frame header, as far as the length needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FrameHeader {
    /// Bytes of the frame, header included.
    size: usize,
    /// Samples per channel it decodes to.
    samples: u64,
    sample_rate: u32,
}

/// Parses a frame header (free-format frames, with no size in their header, are not taken).
fn parse(h: u32) -> Option<FrameHeader> {
    const KBPS: [[[u32; 15]; 3]; 2] = [
        [
            [
                0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
            ],
            [
                0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
            ],
            [
                0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
            ],
        ],
        [
            [
                0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
            ],
            [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
            [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
        ],
    ];
    let version = (h >> 19) & 3; // 0: MPEG-2.5, 2: MPEG-2, 3: MPEG-1
    let layer = (h >> 17) & 3; // 3: I, 2: II, 1: III
    let bitrate = ((h >> 12) & 15) as usize;
    let rate_index = ((h >> 10) & 3) as usize;
    if h >> 21 != 0x7ff || version == 1 || layer == 0 || bitrate == 0 || bitrate == 15 {
        return None;
    }
    let sample_rate = [44100u32, 48000, 32000].get(rate_index)? >> [2, 0, 1, 0][version as usize];
    let mpeg1 = version == 3;
    let kbps = KBPS[usize::from(!mpeg1)][(3 - layer) as usize][bitrate];
    let padding = (h >> 9) & 1;
    let (size, samples) = match layer {
        3 => ((12 * kbps * 1000 / sample_rate + padding) * 4, 384),
        2 => (144 * kbps * 1000 / sample_rate + padding, 1152),
        _ if mpeg1 => (144 * kbps * 1000 / sample_rate + padding, 1152),
        _ => (72 * kbps * 1000 / sample_rate + padding, 576),
    };
    Some(FrameHeader {
        size: size as usize,
        samples,
        sample_rate,
    })
}

fn header_at(buf: &[u8], pos: usize) -> Option<FrameHeader> {
    let b = buf.get(pos..pos + 4)?;
    parse(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Walks up to `max_frames` frames from the first place in `buf` where two frames of the same
/// sample rate follow each other: (bytes, frames walked, samples per frame, rate).
fn walk(buf: &[u8], max_frames: u64) -> Option<(u64, u64, u64, u32)> {
    let start = (0..buf.len()).find(|&p| {
        header_at(buf, p).is_some_and(|h| {
            header_at(buf, p + h.size).is_some_and(|n| n.sample_rate == h.sample_rate)
        })
    })?;
    let first = header_at(buf, start)?;
    let (mut pos, mut bytes, mut frames) = (start, 0u64, 0u64);
    while frames < max_frames {
        let Some(h) = header_at(buf, pos) else { break };
        if h.sample_rate != first.sample_rate || pos + h.size > buf.len() {
            break;
        }
        bytes += h.size as u64;
        frames += 1;
        pos += h.size;
    }
    (frames > 0).then_some((bytes, frames, first.samples, first.sample_rate))
}

/// Bytes of an ID3v2 tag at the start of `head` (0 when there is none).
fn id3v2_len(head: &[u8]) -> u64 {
    match head {
        [b'I', b'D', b'3', _, _, flags, a, b, c, d, ..] => {
            let size = [a, b, c, d]
                .iter()
                .fold(0u64, |acc, &&x| (acc << 7) | u64::from(x & 0x7f));
            let footer = if flags & 0x10 != 0 { 10 } else { 0 };
            10 + size + footer
        }
        _ => 0,
    }
}

/// The estimated number of frames (samples per channel) of the MPEG audio in `src`, which is
/// `len` bytes long; `None` when its start does not look like MPEG audio. The position is
/// restored.
pub(crate) fn estimate_frames<R: Read + Seek + ?Sized>(src: &mut R, len: u64) -> Option<u64> {
    let start = src.stream_position().ok()?;
    let estimate = estimate(src, len);
    src.seek(SeekFrom::Start(start)).ok()?;
    estimate
}

fn read_at<R: Read + Seek + ?Sized>(src: &mut R, pos: u64, n: usize) -> Option<Vec<u8>> {
    src.seek(SeekFrom::Start(pos)).ok()?;
    let mut buf = Vec::with_capacity(n);
    src.take(n as u64).read_to_end(&mut buf).ok()?;
    Some(buf)
}

fn estimate<R: Read + Seek + ?Sized>(src: &mut R, len: u64) -> Option<u64> {
    // A quick look first (most files are not MPEG audio): a frame header after the ID3v2 tag.
    let audio_start = id3v2_len(&read_at(src, 0, 10)?);
    header_at(&read_at(src, audio_start, 4)?, 0)?;
    // An ID3v1 tag ("TAG", 128 bytes) at the end is not audio.
    let tail = read_at(src, len.saturating_sub(128), 128)?;
    let audio_end = if tail.starts_with(b"TAG") {
        len.saturating_sub(128)
    } else {
        len
    };
    let audio_len = audio_end.checked_sub(audio_start).filter(|n| *n > 0)?;
    // The file must start (after its tag) with MPEG audio: two frames in a row.
    let first = read_at(src, audio_start, PROBE_BYTES)?;
    let (_, _, samples, rate) = walk(&first, FRAMES_PER_PROBE)?;
    if audio_len <= WALK_ALL_BYTES {
        let all = read_at(src, audio_start, audio_len as usize)?;
        let (_, frames, _, _) = walk(&all, u64::MAX)?;
        return Some(frames * samples);
    }
    let (mut bytes, mut frames) = (0u64, 0u64);
    for probe in 0..PROBES {
        let at = audio_start + audio_len / PROBES * probe;
        let Some(buf) = read_at(src, at, PROBE_BYTES) else {
            continue;
        };
        if let Some((b, f, s, r)) = walk(&buf, FRAMES_PER_PROBE) {
            if s == samples && r == rate {
                bytes += b;
                frames += f;
            }
        }
    }
    let mean_frame = bytes as f64 / frames as f64;
    (frames > 0 && mean_frame > 0.0)
        .then(|| ((audio_len as f64 / mean_frame) * samples as f64).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A CBR MPEG-1 layer III stream: `n` frames of 128 kb/s at 44.1 kHz (417 or 418 bytes).
    fn cbr(n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..n {
            let padding = u32::from(i % 3 == 0);
            let h: u32 = 0xfffb_9000 | (padding << 9) | 0x44;
            let size = 144 * 128_000 / 44100 + padding as usize;
            out.extend(h.to_be_bytes());
            out.resize(out.len() + size - 4, 0);
        }
        out
    }

    #[test]
    fn cbr_estimate_is_within_a_frame() {
        let bytes = cbr(1000);
        let n = estimate_frames(&mut Cursor::new(&bytes), bytes.len() as u64).unwrap();
        assert!(n.abs_diff(1000 * 1152) <= 1152, "{n}");
    }

    #[test]
    fn id3v2_and_id3v1_are_not_audio() {
        let mut bytes = b"ID3\x03\0\0\0\0\x02\0".to_vec();
        bytes.resize(10 + 256, 0);
        bytes.extend(cbr(500));
        bytes.extend(b"TAG");
        bytes.resize(bytes.len() + 125, b' ');
        let n = estimate_frames(&mut Cursor::new(&bytes), bytes.len() as u64).unwrap();
        assert!(n.abs_diff(500 * 1152) <= 1152, "{n}");
    }

    #[test]
    fn other_content_has_no_estimate() {
        let bytes = b"RIFF\0\0\0\0WAVEfmt ".repeat(100);
        assert_eq!(
            estimate_frames(&mut Cursor::new(&bytes), bytes.len() as u64),
            None
        );
    }
}
