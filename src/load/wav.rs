//! The direct PCM path of a load: a plain WAV file, in memory or read from its path block by
//! block, is converted straight from its `data` chunk into the output array, with no demuxer,
//! packets or chunk buffer.
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

use super::pread::PositionedFile;
use crate::Sample;
use audiostream_codecs::SampleFormat;
use ndarray::Array2;
use std::io;
use std::ops::Range;
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

/// Bytes a sample of `format` takes in a WAV file's `data` chunk (24-bit samples are packed in
/// 3 bytes there, unlike [`SampleFormat::S24`]'s `i32` in memory).
pub(crate) fn packed_bytes(format: SampleFormat) -> usize {
    format.bits() as usize / 8
}

/// A plain WAV file: where its samples are and how they are stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) encoding: SampleFormat,
    pub(crate) channels: usize,
    pub(crate) sample_rate: u32,
    /// Byte range of the `data` chunk's samples (a whole number of frames).
    pub(crate) data: Range<usize>,
}

impl Layout {
    /// Frames in the `data` chunk.
    pub(crate) fn frames(&self) -> usize {
        self.data.len() / (self.channels * packed_bytes(self.encoding))
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The `fmt ` chunk's body, when it is one the direct path takes.
fn parse_fmt(f: &[u8]) -> Option<(SampleFormat, u16, u32)> {
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
        (false, 8) => SampleFormat::U8,
        (false, 16) => SampleFormat::S16,
        (false, 24) => SampleFormat::S24,
        (false, 32) => SampleFormat::S32,
        (true, 32) => SampleFormat::F32,
        (true, 64) => SampleFormat::F64,
        _ => return None,
    };
    let ok = (1..=MAX_CHANNELS).contains(&channels)
        && (1..=crate::limits::MAX_SAMPLE_RATE).contains(&rate)
        && usize::from(block_align) == usize::from(channels) * packed_bytes(encoding);
    ok.then_some((encoding, channels, rate))
}

/// Parses a WAV file held in memory, when it is plain enough for the direct path (see the
/// module docs); `None` hands it to the general path. Reads only inside `bytes`.
pub(crate) fn parse(bytes: &[u8]) -> Option<Layout> {
    parse_with(bytes.len(), |at, buf| match bytes.get(at..at + buf.len()) {
        Some(b) => {
            buf.copy_from_slice(b);
            true
        }
        None => false,
    })
}

/// [`parse`] for a file of `len` bytes, read at offsets: only the chunk headers, `fmt ` and
/// `fact` (a few hundred bytes at most, whatever the chunks before `data` hold).
pub(crate) fn parse_file(file: &PositionedFile, len: u64) -> Option<Layout> {
    let len = usize::try_from(len).ok()?;
    parse_with(len, |at, buf| file.read_exact_at(buf, at as u64).is_ok())
}

/// The header walk of [`parse`] over a file of `len` bytes whose bytes `read(offset, buf)`
/// gives (false: not there). Every offset and size is checked before use; the reads are
/// bounded (at most 64 chunk headers, a `fmt ` body of at most 40 bytes).
fn parse_with(len: usize, mut read: impl FnMut(usize, &mut [u8]) -> bool) -> Option<Layout> {
    let mut head = [0u8; 12];
    if !read(0, &mut head) || &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return None;
    }
    // The RIFF chunk must hold what follows, and the file must hold the RIFF chunk (a
    // streamed file's 0xFFFFFFFF, or a truncated one, goes to the general path).
    let riff_end = usize::try_from(u32_at(&head, 4)?).ok()?.checked_add(8)?;
    if riff_end > len {
        return None;
    }
    let mut at = 12;
    let mut fmt = None;
    let mut fact = None;
    // A handful of chunks precede `data` in real files: bound the walk all the same.
    for _ in 0..64 {
        let mut header = [0u8; 8];
        if !read(at, &mut header) {
            return None;
        }
        let id = &header[0..4];
        let len = usize::try_from(u32_at(&header, 4)?).ok()?;
        let body = at + 8;
        let end = body.checked_add(len)?;
        if end > riff_end {
            return None;
        }
        match id {
            b"fmt " => {
                // The longest `fmt ` taken is WAVE_FORMAT_EXTENSIBLE's 40 bytes.
                let mut f = [0u8; 40];
                let f = f.get_mut(..len)?;
                if !read(body, f) {
                    return None;
                }
                fmt = Some(parse_fmt(f)?);
            }
            b"fact" => {
                let mut n = [0u8; 4];
                if len != 4 || !read(body, &mut n) {
                    return None;
                }
                fact = Some(u32::from_le_bytes(n));
            }
            b"data" => {
                let (encoding, channels, sample_rate) = fmt?;
                let frame = usize::from(channels) * packed_bytes(encoding);
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
/// every file, read fixed-size arrays (`as_chunks`: samples of `W` bytes, frames of
/// `W2 = 2 W`) with no index checks, which the compiler vectorizes (mono and stereo s16 to
/// f32: `pmovsx`/`cvtdq2ps`/`mulps` on 4-8 samples at a time); wider files go channel by
/// channel.
fn fill<T, S, const W: usize, const W2: usize>(
    data: &[u8],
    rows: &mut [&mut [T]],
    read: impl Fn([u8; W]) -> S,
) where
    T: FromSample<S>,
{
    const { assert!(W2 == 2 * W) };
    let sample = |b: [u8; W]| T::from_sample(read(b));
    match rows {
        [mono] => {
            let (samples, _) = data.as_chunks::<W>();
            for (o, b) in mono.iter_mut().zip(samples) {
                *o = sample(*b);
            }
        }
        [left, right] => {
            let (frames, _) = data.as_chunks::<W2>();
            for ((l, r), f) in left.iter_mut().zip(right.iter_mut()).zip(frames) {
                *l = sample(std::array::from_fn(|i| f[i]));
                *r = sample(std::array::from_fn(|i| f[W + i]));
            }
        }
        _ => {
            let frame = rows.len() * W;
            for (c, row) in rows.iter_mut().enumerate() {
                for (o, f) in row.iter_mut().zip(data.chunks_exact(frame)) {
                    let b = f[c * W..(c + 1) * W].try_into().unwrap_or([0; W]);
                    *o = sample(b);
                }
            }
        }
    }
}

/// Converts the frames `data` into `rows` as `T`, by the layout's encoding: the types and
/// reads of symphonia's PCM decoder.
fn convert<T: Sample + ConvertibleSample>(layout: &Layout, data: &[u8], rows: &mut [&mut [T]]) {
    match layout.encoding {
        SampleFormat::U8 => fill::<_, _, 1, 2>(data, rows, |[b]: [u8; 1]| b),
        SampleFormat::S16 => fill::<_, _, 2, 4>(data, rows, i16::from_le_bytes),
        // Sign-extended from the top byte, as symphonia's `read_i24`.
        SampleFormat::S24 => fill::<_, _, 3, 6>(data, rows, |[a, b, c]: [u8; 3]| {
            i24(i32::from_le_bytes([0, a, b, c]) >> 8)
        }),
        SampleFormat::S32 => fill::<_, _, 4, 8>(data, rows, i32::from_le_bytes),
        SampleFormat::F32 => fill::<_, _, 4, 8>(data, rows, f32::from_le_bytes),
        SampleFormat::F64 => fill::<_, _, 8, 16>(data, rows, f64::from_le_bytes),
    }
}

/// Bytes a thread reads from a file at a time (whole frames of it): small enough to stay in
/// a core's L2 cache between the read and the conversion, large enough that the system calls
/// cost nothing (about 400 for a 100 MB file).
pub(crate) const BLOCK_BYTES: usize = 1 << 18;

/// Frames `frames` (clamped to the data) of a plain WAV file held in memory, as a
/// `(channels, frames)` array converted on `parts` threads (see [`decode_parts`]).
pub(crate) fn decode<T: Sample + ConvertibleSample>(
    bytes: &[u8],
    layout: &Layout,
    frames: Range<usize>,
    parts: usize,
) -> io::Result<Array2<T>> {
    let frame = layout.channels * packed_bytes(layout.encoding);
    let data = &bytes[layout.data.clone()];
    decode_parts(layout, frames, parts, |r, rows| {
        convert(layout, &data[r.start * frame..r.end * frame], rows);
        Ok(())
    })
}

/// [`decode`] for a file, read at offsets block by block: each thread reads its frames
/// `block_frames` at a time into a buffer of its own and converts them straight into its slice
/// of the output, so no more of the file than one block per thread is ever in memory.
/// `ErrorKind::UnexpectedEof` when the file is shorter than `layout` says (it was cut after
/// its header was read).
pub(crate) fn decode_file<T: Sample + ConvertibleSample>(
    file: &PositionedFile,
    layout: &Layout,
    frames: Range<usize>,
    parts: usize,
    block_frames: usize,
) -> io::Result<Array2<T>> {
    let frame = layout.channels * packed_bytes(layout.encoding);
    let block_frames = block_frames.max(1);
    decode_parts(layout, frames, parts, |r, rows| {
        let mut buf = vec![0u8; block_frames.min(r.len()) * frame];
        let mut at = r.start;
        while at < r.end {
            let n = (r.end - at).min(block_frames);
            let bytes = &mut buf[..n * frame];
            let offset = layout.data.start + at * frame;
            file.read_exact_at(bytes, offset as u64)?;
            let done = at - r.start;
            let mut block: Vec<&mut [T]> = rows
                .iter_mut()
                .map(|row| &mut row[done..done + n])
                .collect();
            convert(layout, bytes, &mut block);
            at += n;
        }
        Ok(())
    })
}

/// Frames `frames` (clamped to the data) as a `(channels, frames)` array, allocated once and
/// cut into `parts` runs of frames; `part(frames, rows)` fills one run (its slice of every
/// row), each on its own thread (the first on the calling one). The output is written first by
/// those threads, so its pages are faulted in on every core at once.
fn decode_parts<T: Sample>(
    layout: &Layout,
    frames: Range<usize>,
    parts: usize,
    part: impl Fn(Range<usize>, &mut [&mut [T]]) -> io::Result<()> + Sync,
) -> io::Result<Array2<T>> {
    let end = frames.end.min(layout.frames());
    let start = frames.start.min(end);
    let n = end - start;
    let channels = layout.channels;
    let mut out = vec![T::SILENCE; channels * n];
    let parts = parts.clamp(1, n.max(1));
    let bound = |k: usize| n * k / parts;
    // Each part's slice of each row.
    let mut slots: Vec<Vec<&mut [T]>> = (0..parts).map(|_| Vec::with_capacity(channels)).collect();
    if n > 0 {
        for row in out.chunks_mut(n) {
            let mut rest = row;
            for (k, slot) in slots.iter_mut().enumerate() {
                let (mine, tail) = rest.split_at_mut(bound(k + 1) - bound(k));
                slot.push(mine);
                rest = tail;
            }
        }
    }
    let run = |k: usize| start + bound(k)..start + bound(k + 1);
    let mut slots = slots.into_iter().enumerate();
    if let Some((_, mut first)) = slots.next() {
        let part = &part;
        std::thread::scope(|scope| {
            let others: Vec<_> = slots
                .map(|(k, mut rows)| scope.spawn(move || part(run(k), &mut rows)))
                .collect();
            let mut result = part(run(0), &mut first);
            for h in others {
                let r = h.join().unwrap_or_else(|_| {
                    Err(io::Error::other("a converting thread of load panicked"))
                });
                result = result.and(r);
            }
            result
        })?;
    }
    Ok(Array2::from_shape_vec((channels, n), out)
        .unwrap_or_else(|_| Array2::from_elem((channels, 0), T::SILENCE)))
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
        let cases: &[(Vec<u8>, SampleFormat)] = &[
            (fmt(1, 2, 8), SampleFormat::U8),
            (fmt(1, 2, 16), SampleFormat::S16),
            (fmt(1, 2, 24), SampleFormat::S24),
            (fmt(1, 2, 32), SampleFormat::S32),
            (fmt(3, 2, 32), SampleFormat::F32),
            (fmt(3, 2, 64), SampleFormat::F64),
            (extensible(2, 24, 24, 3, 1), SampleFormat::S24),
            (extensible(6, 16, 16, 0x3f, 1), SampleFormat::S16),
            (extensible(2, 32, 32, 0, 3), SampleFormat::F32),
        ];
        for (f, enc) in cases {
            let channels = usize::from(u16::from_le_bytes([f[2], f[3]]));
            let frame = channels * packed_bytes(*enc);
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
        let a: Array2<i32> = decode(&b, &l, 0..3, 1).unwrap();
        assert_eq!(a.row(0).to_vec(), [-1 << 8, i32::MIN, 0]);
        assert_eq!(a.row(1).to_vec(), [i32::MAX & !0xff, 1 << 8, 0]);
        let f: Array2<f32> = decode(&b, &l, 1..9, 1).unwrap();
        assert_eq!(f.dim(), (2, 2));
        assert_eq!(f[[0, 0]], -1.0);
        let p: Array2<f32> = decode(&b, &l, 0..3, 3).unwrap();
        assert_eq!(p, decode::<f32>(&b, &l, 0..3, 1).unwrap());
        // Six channels (the channel-by-channel loop), in two parts.
        let six: Vec<u8> = (0..36u8).collect();
        let b = wav(&fmt(1, 6, 16), &[], 36, &six);
        let l = parse(&b).unwrap();
        let a: Array2<i16> = decode(&b, &l, 0..3, 2).unwrap();
        assert_eq!(
            a.row(5).to_vec(),
            [
                i16::from_le_bytes([10, 11]),
                i16::from_le_bytes([22, 23]),
                i16::from_le_bytes([34, 35])
            ]
        );
        assert_eq!(a, decode::<i16>(&b, &l, 0..3, 1).unwrap());
    }

    /// A file of its own in the temporary directory, removed when dropped.
    struct TempFile(std::path::PathBuf);

    impl TempFile {
        fn new(name: &str, bytes: &[u8]) -> Self {
            let p = std::env::temp_dir()
                .join(format!("audiostream-wav-{}-{name}.wav", std::process::id()));
            std::fs::write(&p, bytes).unwrap();
            TempFile(p)
        }

        fn open(&self) -> (PositionedFile, u64) {
            let f = std::fs::File::open(&self.0).unwrap();
            let len = f.metadata().unwrap().len();
            (PositionedFile::new(f), len)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn files_read_block_by_block_as_from_memory() {
        // Every encoding, 1, 2 and 6 channels; blocks of an odd number of frames that do not
        // divide the parts, the parts (1, 2, 3) not whole blocks, an excerpt that starts and
        // ends inside a block. From memory, `decode` is what FFmpeg gives (tests/it/load.rs).
        let encodings = [(1u16, 8u16), (1, 16), (1, 24), (1, 32), (3, 32), (3, 64)];
        for (tag, bits) in encodings {
            for channels in [1u16, 2, 6] {
                let frames = 1_001usize;
                let frame = usize::from(channels * bits / 8);
                // Bytes that are every value of every byte position, floats included (their
                // NaNs are compared by bits below).
                let samples: Vec<u8> = (0..frames * frame)
                    .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
                    .collect();
                let b = wav(
                    &fmt(tag, channels, bits),
                    &[(b"LIST", b"INFOISFT\x02\0\0\0a\0")],
                    samples.len() as u32,
                    &samples,
                );
                let name = format!("blocks-{tag}-{bits}-{channels}");
                let tmp = TempFile::new(&name, &b);
                let (file, len) = tmp.open();
                let l = parse_file(&file, len).expect("taken");
                assert_eq!(Some(&l), parse(&b).as_ref(), "{name}");
                for (range, block, parts) in [
                    (0..frames, 77, 1),
                    (0..frames, 77, 3),
                    (13..990, 1, 2),
                    (5..frames + 9, 1_000, 2),
                    (0..frames, BLOCK_BYTES / frame, 3),
                ] {
                    let want: Array2<i32> = decode(&b, &l, range.clone(), 1).unwrap();
                    let got: Array2<i32> =
                        decode_file(&file, &l, range.clone(), parts, block).unwrap();
                    assert_eq!(got, want, "{name} {range:?} {block} {parts}");
                    let want: Array2<f64> = decode(&b, &l, range.clone(), 1).unwrap();
                    let got: Array2<f64> =
                        decode_file(&file, &l, range.clone(), parts, block).unwrap();
                    let bits = |a: &Array2<f64>| a.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(got.dim(), want.dim(), "{name}");
                    assert_eq!(bits(&got), bits(&want), "{name} {range:?} {block} {parts}");
                }
            }
        }
    }

    #[test]
    fn a_file_cut_after_its_header_was_read_is_an_error() {
        let samples: Vec<u8> = (0..4_000u32).map(|i| i as u8).collect();
        let b = wav(&fmt(1, 2, 16), &[], samples.len() as u32, &samples);
        let tmp = TempFile::new("cut", &b);
        let (file, len) = tmp.open();
        let l = parse_file(&file, len).expect("taken");
        // Cut inside the data, after the parse: every part count and block size says so.
        std::fs::OpenOptions::new()
            .write(true)
            .open(&tmp.0)
            .unwrap()
            .set_len(len - 1_001)
            .unwrap();
        for (parts, block) in [(1, 100), (2, 1_000), (3, 1)] {
            let e = decode_file::<f32>(&file, &l, 0..l.frames(), parts, block).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "{parts} {block}");
        }
        // The frames before the cut still read.
        let head: Array2<f32> = decode_file(&file, &l, 0..100, 2, 7).unwrap();
        assert_eq!(head, decode::<f32>(&b, &l, 0..100, 1).unwrap());
        // Parsed again, the file is truncated: the general path's.
        let (file, len) = tmp.open();
        assert_eq!(parse_file(&file, len), None);
    }
}
