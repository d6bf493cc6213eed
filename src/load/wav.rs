//! The direct PCM path of a load: a plain WAV file held in memory is converted straight from
//! its `data` chunk into the output array, with no demuxer, packets or chunk buffer.
//!
//! Decoding PCM is a copy, so the general path's fixed costs (probe, reader and decoder setup,
//! a packet per 1152 frames, the chunk buffer) were most of a 1-second clip's time
//! (BENCHMARKS.md, "One-call load"). The header is parsed here by a bounded parser that takes
//! only the layouts whose samples it knows to be exactly what the general path gives:
//! `WAVE_FORMAT_PCM` (8/16/24/32 bits), `WAVE_FORMAT_IEEE_FLOAT` (32/64 bits) and
//! `WAVE_FORMAT_EXTENSIBLE` of those with all bits valid and a channel mask that names one
//! speaker per channel (or none), block align equal to channels × bytes, and a `data` chunk
//! that is whole: present in full, a whole number of frames, not the `0xFFFFFFFF` of a stream
//! written to a pipe. Everything else (A-law, ADPCM, `S24_LE` slots, truncated files, odd
//! chunk padding, RF64...) is handed back to the general path, which knows it.
//!
//! Samples are converted by symphonia's `FromSample`, from the types its PCM decoder gives
//! (`symphonia-codec-pcm` 0.6.1 `lib.rs`: `u8`, `i16`, `i24`, `i32`, `f32`, `f64`, read
//! little-endian), as the reader's chunk buffer converts them, so every output sample type is
//! bit for bit the general path's (`tests/it/load.rs` compares both with FFmpeg).

use crate::Sample;
use ndarray::Array2;
use symphonia::core::audio::conv::{ConvertibleSample, FromSample};
use symphonia::core::audio::sample::i24;

/// Most channels the direct path takes (more go through the general path).
const MAX_CHANNELS: u16 = 8;

/// The channel mask bits WAVE defines (`SPEAKER_FRONT_LEFT` .. `SPEAKER_TOP_BACK_RIGHT`).
const KNOWN_SPEAKERS: u32 = (1 << 18) - 1;

/// `KSDATAFORMAT_SUBTYPE_PCM` and `_IEEE_FLOAT` (ksmedia.h): the first two bytes are the
/// format tag, the rest is the common GUID tail.
const GUID_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

/// How the samples of a plain WAV file are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Encoding {
    U8,
    S16,
    S24,
    S32,
    F32,
    F64,
}

impl Encoding {
    fn bytes(self) -> usize {
        match self {
            Encoding::U8 => 1,
            Encoding::S16 => 2,
            Encoding::S24 => 3,
            Encoding::S32 | Encoding::F32 => 4,
            Encoding::F64 => 8,
        }
    }
}

/// A plain WAV file: where its samples are and how they are stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) encoding: Encoding,
    pub(crate) channels: usize,
    pub(crate) sample_rate: u32,
    /// Byte range of the `data` chunk's samples (a whole number of frames).
    pub(crate) data: std::ops::Range<usize>,
}

impl Layout {
    /// Frames in the `data` chunk.
    pub(crate) fn frames(&self) -> usize {
        self.data.len() / (self.channels * self.encoding.bytes())
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The `fmt ` chunk's body, when it is one the direct path takes.
fn parse_fmt(f: &[u8]) -> Option<(Encoding, u16, u32)> {
    let tag = u16_at(f, 0)?;
    let channels = u16_at(f, 2)?;
    let rate = u32_at(f, 4)?;
    let block_align = u16_at(f, 12)?;
    let bits = u16_at(f, 14)?;
    // The extension, as symphonia reads it (riff `wave/chunks.rs`): none, an empty one, or the
    // 22 bytes of WAVE_FORMAT_EXTENSIBLE.
    let (float, bits) = match (tag, f.len()) {
        (1, 16) | (3, 16) => (tag == 3, bits),
        (1, 18) | (3, 18) if u16_at(f, 16)? == 0 => (tag == 3, bits),
        (0xfffe, 40) if u16_at(f, 16)? == 22 => {
            let valid = u16_at(f, 18)?;
            let mask = u32_at(f, 20)?;
            let guid = f.get(24..40)?;
            let sub = u16_at(guid, 0)?;
            let mask_ok = mask == 0
                || (mask & !KNOWN_SPEAKERS == 0 && mask.count_ones() == u32::from(channels));
            if valid != bits || guid[2..] != GUID_TAIL || !(sub == 1 || sub == 3) || !mask_ok {
                return None;
            }
            (sub == 3, bits)
        }
        _ => return None,
    };
    let encoding = match (float, bits) {
        (false, 8) => Encoding::U8,
        (false, 16) => Encoding::S16,
        (false, 24) => Encoding::S24,
        (false, 32) => Encoding::S32,
        (true, 32) => Encoding::F32,
        (true, 64) => Encoding::F64,
        _ => return None,
    };
    let ok = (1..=MAX_CHANNELS).contains(&channels)
        && (1..=crate::limits::MAX_SAMPLE_RATE).contains(&rate)
        && usize::from(block_align) == usize::from(channels) * encoding.bytes();
    ok.then_some((encoding, channels, rate))
}

/// Parses a WAV file held in memory, when it is plain enough for the direct path (see the
/// module docs); `None` hands it to the general path. Reads only inside `bytes`: every offset
/// and size is checked before use.
pub(crate) fn parse(bytes: &[u8]) -> Option<Layout> {
    if bytes.get(0..4)? != b"RIFF" || bytes.get(8..12)? != b"WAVE" {
        return None;
    }
    // The RIFF chunk must hold what follows, and the bytes must hold the RIFF chunk (a
    // streamed file's 0xFFFFFFFF, or a truncated one, goes to the general path).
    let riff_end = usize::try_from(u32_at(bytes, 4)?).ok()?.checked_add(8)?;
    if riff_end > bytes.len() {
        return None;
    }
    let mut at = 12;
    let mut fmt = None;
    let mut fact = None;
    // A handful of chunks precede `data` in real files: bound the walk all the same.
    for _ in 0..64 {
        let id = bytes.get(at..at + 4)?;
        let len = usize::try_from(u32_at(bytes, at + 4)?).ok()?;
        let body = at + 8;
        let end = body.checked_add(len)?;
        if end > riff_end {
            return None;
        }
        match id {
            b"fmt " => fmt = Some(parse_fmt(&bytes[body..end])?),
            b"fact" => fact = Some(u32_at(bytes, body).filter(|_| len == 4)?),
            b"data" => {
                let (encoding, channels, sample_rate) = fmt?;
                let frame = usize::from(channels) * encoding.bytes();
                if len % frame != 0 {
                    return None;
                }
                // symphonia takes the data chunk's frame count over the fact chunk's; a file
                // where they differ is left to it.
                if fact.is_some_and(|n| usize::try_from(n).ok() != Some(len / frame)) {
                    return None;
                }
                return Some(Layout {
                    encoding,
                    channels: usize::from(channels),
                    sample_rate,
                    data: body..end,
                });
            }
            // LIST (INFO tags), PEAK, bext, JUNK...: skipped here as by symphonia. An odd
            // length would need the pad byte rule: left to the general path.
            _ if len % 2 == 1 => return None,
            _ => {}
        }
        at = end;
    }
    None
}

/// Converts the interleaved frames `data` into `rows` (one slice per channel, as long as
/// `data` has frames), reading each sample of `W` bytes with `read`. Mono and stereo, nearly
/// every file, get loops without index checks, which the compiler vectorizes; wider files go
/// channel by channel.
fn fill<T, S, const W: usize>(data: &[u8], rows: &mut [&mut [T]], read: impl Fn([u8; W]) -> S)
where
    T: FromSample<S>,
{
    let sample = |b: &[u8]| T::from_sample(read(b.try_into().unwrap_or([0; W])));
    match rows {
        [mono] => {
            for (o, b) in mono.iter_mut().zip(data.chunks_exact(W)) {
                *o = sample(b);
            }
        }
        [left, right] => {
            let frames = data.chunks_exact(2 * W);
            for ((l, r), f) in left.iter_mut().zip(right.iter_mut()).zip(frames) {
                *l = sample(&f[..W]);
                *r = sample(&f[W..]);
            }
        }
        _ => {
            let frame = rows.len() * W;
            for (c, row) in rows.iter_mut().enumerate() {
                for (o, f) in row.iter_mut().zip(data.chunks_exact(frame)) {
                    *o = sample(&f[c * W..(c + 1) * W]);
                }
            }
        }
    }
}

/// Converts the frames `data` into `rows` as `T`, by the layout's encoding: the types and
/// reads of symphonia's PCM decoder.
fn convert<T: Sample + ConvertibleSample>(layout: &Layout, data: &[u8], rows: &mut [&mut [T]]) {
    match layout.encoding {
        Encoding::U8 => fill(data, rows, |[b]: [u8; 1]| b),
        Encoding::S16 => fill(data, rows, i16::from_le_bytes),
        // Sign-extended from the top byte, as symphonia's `read_i24`.
        Encoding::S24 => fill(data, rows, |[a, b, c]: [u8; 3]| {
            i24(i32::from_le_bytes([0, a, b, c]) >> 8)
        }),
        Encoding::S32 => fill(data, rows, i32::from_le_bytes),
        Encoding::F32 => fill(data, rows, f32::from_le_bytes),
        Encoding::F64 => fill(data, rows, f64::from_le_bytes),
    }
}

/// Frames `frames` (clamped to the data) of a plain WAV file as a `(channels, frames)` array,
/// converted on `threads` threads (each takes a run of frames of every channel, written into
/// its slices of the output, which is allocated once).
pub(crate) fn decode<T: Sample + ConvertibleSample>(
    bytes: &[u8],
    layout: &Layout,
    frames: std::ops::Range<usize>,
    threads: usize,
) -> Array2<T> {
    let end = frames.end.min(layout.frames());
    let start = frames.start.min(end);
    let n = end - start;
    let channels = layout.channels;
    let frame = channels * layout.encoding.bytes();
    let data = &bytes[layout.data.clone()][start * frame..end * frame];
    let mut out = vec![T::SILENCE; channels * n];
    let parts = threads.clamp(1, n.max(1));
    // Each part's slice of each row.
    let mut slots: Vec<Vec<&mut [T]>> = (0..parts).map(|_| Vec::with_capacity(channels)).collect();
    if n > 0 {
        for row in out.chunks_mut(n) {
            let mut rest = row;
            for (k, slot) in slots.iter_mut().enumerate() {
                let (mine, tail) = rest.split_at_mut(n * (k + 1) / parts - n * k / parts);
                slot.push(mine);
                rest = tail;
            }
        }
    }
    let part_data = |k: usize| &data[n * k / parts * frame..n * (k + 1) / parts * frame];
    if parts == 1 {
        if let Some(rows) = slots.first_mut() {
            convert(layout, data, rows);
        }
    } else {
        std::thread::scope(|scope| {
            for (k, mut rows) in slots.into_iter().enumerate() {
                let d = part_data(k);
                scope.spawn(move || convert(layout, d, &mut rows));
            }
        });
    }
    Array2::from_shape_vec((channels, n), out)
        .unwrap_or_else(|_| Array2::from_elem((channels, 0), T::SILENCE))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAV file: `fmt ` body, then `chunks` (id, body), samples in `data` of `data_len` bytes
    /// (the stated size; the bytes written are `samples`).
    fn wav(fmt: &[u8], chunks: &[(&[u8; 4], &[u8])], data_len: u32, samples: &[u8]) -> Vec<u8> {
        let mut body = b"WAVE".to_vec();
        let mut chunk = |id: &[u8; 4], len: u32, b: &[u8]| {
            body.extend_from_slice(id);
            body.extend_from_slice(&len.to_le_bytes());
            body.extend_from_slice(b);
        };
        chunk(b"fmt ", fmt.len() as u32, fmt);
        for (id, b) in chunks {
            chunk(id, b.len() as u32, b);
        }
        chunk(b"data", data_len, samples);
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend(body);
        out
    }

    fn fmt(tag: u16, channels: u16, bits: u16) -> Vec<u8> {
        let align = channels * bits / 8;
        let mut f = Vec::new();
        f.extend_from_slice(&tag.to_le_bytes());
        f.extend_from_slice(&channels.to_le_bytes());
        f.extend_from_slice(&8000u32.to_le_bytes());
        f.extend_from_slice(&(8000 * u32::from(align)).to_le_bytes());
        f.extend_from_slice(&align.to_le_bytes());
        f.extend_from_slice(&bits.to_le_bytes());
        f
    }

    fn extensible(channels: u16, bits: u16, valid: u16, mask: u32, sub: u16) -> Vec<u8> {
        let mut f = fmt(0xfffe, channels, bits);
        f.extend_from_slice(&22u16.to_le_bytes());
        f.extend_from_slice(&valid.to_le_bytes());
        f.extend_from_slice(&mask.to_le_bytes());
        f.extend_from_slice(&sub.to_le_bytes());
        f.extend_from_slice(&GUID_TAIL);
        f
    }

    #[test]
    fn plain_layouts_are_taken() {
        let cases: &[(Vec<u8>, Encoding)] = &[
            (fmt(1, 2, 8), Encoding::U8),
            (fmt(1, 2, 16), Encoding::S16),
            (fmt(1, 2, 24), Encoding::S24),
            (fmt(1, 2, 32), Encoding::S32),
            (fmt(3, 2, 32), Encoding::F32),
            (fmt(3, 2, 64), Encoding::F64),
            (extensible(2, 24, 24, 3, 1), Encoding::S24),
            (extensible(6, 16, 16, 0x3f, 1), Encoding::S16),
            (extensible(2, 32, 32, 0, 3), Encoding::F32),
        ];
        for (f, enc) in cases {
            let channels = usize::from(u16::from_le_bytes([f[2], f[3]]));
            let frame = channels * enc.bytes();
            let samples = vec![0u8; 3 * frame];
            let list: &[u8] = b"INFOISFT\x06\0\0\0Lavf6\0";
            let b = wav(f, &[(b"LIST", list)], samples.len() as u32, &samples);
            let l = parse(&b).unwrap_or_else(|| panic!("{enc:?} not taken"));
            assert_eq!(
                (l.encoding, l.channels, l.sample_rate),
                (*enc, channels, 8000)
            );
            assert_eq!((l.frames(), l.data.len()), (3, samples.len()));
            assert_eq!(&b[l.data.end..], b"", "{enc:?}");
        }
    }

    #[test]
    fn other_layouts_are_handed_back() {
        let s = vec![0u8; 16];
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("odd mask", wav(&extensible(2, 16, 16, 4, 1), &[], 16, &s)),
            (
                "unknown speakers",
                wav(&extensible(2, 16, 16, 3 << 20, 1), &[], 16, &s),
            ),
            (
                "valid bits < bits",
                wav(&extensible(2, 24, 20, 3, 1), &[], 12, &s[..12]),
            ),
            ("a-law", wav(&fmt(6, 2, 8), &[], 16, &s)),
            ("12-bit", wav(&fmt(1, 2, 12), &[], 12, &s[..12])),
            (
                "data not whole frames",
                wav(&fmt(1, 2, 16), &[], 15, &s[..15]),
            ),
            ("truncated data", wav(&fmt(1, 2, 16), &[], 32, &s)),
            ("streamed", wav(&fmt(1, 2, 16), &[], u32::MAX, &s)),
            (
                "fact disagrees",
                wav(&fmt(3, 1, 32), &[(b"fact", &9u32.to_le_bytes())], 16, &s),
            ),
            (
                "odd chunk",
                wav(&fmt(1, 2, 16), &[(b"junk", b"abc")], 16, &s),
            ),
            ("no fmt before data", {
                let mut b = wav(&fmt(1, 2, 16), &[], 16, &s);
                b[12..16].copy_from_slice(b"junk");
                b
            }),
            ("9 channels", wav(&fmt(1, 9, 16), &[], 18, &[0; 18])),
        ];
        for (what, b) in cases {
            assert_eq!(parse(&b), None, "{what}");
        }
        // A RIFF size past the end (a truncated file), and RIFX.
        let mut b = wav(&fmt(1, 2, 16), &[], 16, &s);
        assert!(parse(&b).is_some());
        b[4] += 2;
        assert_eq!(parse(&b), None);
        assert_eq!(parse(b"RIFX\0\0\0\0WAVE"), None);
        assert_eq!(parse(b"RIFF"), None);
    }

    #[test]
    fn samples_convert_as_symphonia_does() {
        // s24: -1, 2^23 - 1 and -2^23 in two channels, then 1 and 0.
        let data = [
            0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00,
        ];
        let mut data2 = data.to_vec();
        data2.extend([0u8; 6]);
        let b = wav(&fmt(1, 2, 24), &[], 18, &data2);
        let l = parse(&b).unwrap();
        let a: Array2<i32> = decode(&b, &l, 0..3, 1);
        assert_eq!(a.row(0).to_vec(), [-1 << 8, i32::MIN, 0]);
        assert_eq!(a.row(1).to_vec(), [i32::MAX & !0xff, 1 << 8, 0]);
        let f: Array2<f32> = decode(&b, &l, 1..9, 1);
        assert_eq!(f.dim(), (2, 2));
        assert_eq!(f[[0, 0]], -1.0);
        let p: Array2<f32> = decode(&b, &l, 0..3, 3);
        assert_eq!(p, decode::<f32>(&b, &l, 0..3, 1));
        // Six channels (the channel-by-channel loop), in two parts.
        let six: Vec<u8> = (0..36u8).collect();
        let b = wav(&fmt(1, 6, 16), &[], 36, &six);
        let l = parse(&b).unwrap();
        let a: Array2<i16> = decode(&b, &l, 0..3, 2);
        assert_eq!(
            a.row(5).to_vec(),
            [
                i16::from_le_bytes([10, 11]),
                i16::from_le_bytes([22, 23]),
                i16::from_le_bytes([34, 35])
            ]
        );
        assert_eq!(a, decode::<i16>(&b, &l, 0..3, 1));
    }
}
