//! Effects: a SoX chain, either arbitrary text, or generated from effect names and a vocabulary
//! of argument tokens (numbers of every magnitude, unit suffixes, flags, SoX times and
//! positions, NaN/inf), or built with AudioEffector::new(name, args) + param(name, value);
//! parsed with `str::parse` and, when it parses, applied to a short pseudo-random signal.
//!
//! Invariants (README "Streaming is exact"): apply() fails iff the stream fails (building,
//! processing or flushing); the bounded path (`pipeline::Stage`: drained a piece at a time)
//! gives what process()/flush() give; when both succeed, the outputs of process() over random chunk
//! sizes (including empty chunks) concatenated with flush() equal apply() bit for bit; a
//! stream flushed takes input again (flush ends the signal and restarts the stream).
#![no_main]

use audiostream::effects::list;
use audiostream::ndarray::{s, Array2, Axis};
use audiostream::AudioEffector;
use libfuzzer_sys::fuzz_target;

/// Outputs larger than this (samples) are not given to apply() for the comparison.
const MAX_COMPARED: u64 = 1 << 22;
/// The piece size the bounded (Stage) path asks for, as the reader does.
const PIECE: usize = 4096;

const NOT_YET: &[&str] = &["compand", "rate", "trim", "silence", "remix", "sinc"];
const FLAGS: &[&str] = &[
    "-1",
    "-2",
    "-c",
    "-e",
    "-B",
    "-b",
    "-r",
    "-n",
    "-l",
    "-h",
    "-s",
    "-t",
    "-q",
    "-m",
    "-w",
    "--wet-only",
    "-",
    "--",
];
const WORDS: &[&str] = &[
    "q",
    "h",
    "t",
    "l",
    "p",
    "amplitude",
    "power",
    "dB",
    "sine",
    "triangle",
    "sin",
    "tri",
    "lin",
    "quad",
    "k",
    "s",
    "o",
    "c",
];
const SUFFIXES: &[&str] = &[
    "k", "q", "o", "h", "s", "c", "dB", "%", "K", "Hz", "ms", "t",
];
const EDGES: &[&str] = &[
    "0",
    "-0",
    "1e30",
    "1e308",
    "-1e308",
    "4294967296",
    "18446744073709551616",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e-30",
    "0.0000001",
    "65536",
    "2147483647",
    "-2147483648",
    "1e-320",
    ".",
    "",
    "0x10",
    "1_000",
    "+5",
];

struct Bytes<'a>(&'a [u8]);
impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn f64(&mut self) -> f64 {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.u8();
        }
        f64::from_le_bytes(b)
    }
    fn pick<'s>(&mut self, from: &[&'s str]) -> &'s str {
        from[self.u8() as usize % from.len()]
    }
}

fn number(b: &mut Bytes) -> String {
    match b.u8() % 4 {
        0 => format!("{}", i32::from(b.u8()) - 20),
        1 => format!("{}", f64::from(b.u16()) / 100.0),
        2 => format!("{}", b.f64()),
        _ => format!("{:.3}", f64::from(b.u16() as i16) / 37.0),
    }
}

fn token(b: &mut Bytes) -> String {
    match b.u8() % 8 {
        0 | 1 => number(b),
        2 => format!("{}{}", number(b), b.pick(SUFFIXES)),
        3 => b.pick(FLAGS).to_string(),
        4 => b.pick(WORDS).to_string(),
        5 => match b.u8() % 4 {
            0 => format!("{}:{:02}", b.u8() % 5, b.u8() % 70),
            1 => format!("{}:{}:{}.{}", b.u8() % 3, b.u8() % 61, b.u8() % 61, b.u8()),
            2 => format!("{}@{}", number(b), number(b)),
            _ => format!("{}s", b.u16()),
        },
        6 => b.pick(EDGES).to_string(),
        _ => number(b),
    }
}

fn chain(b: &mut Bytes, names: &[&'static str]) -> String {
    let mut out = Vec::new();
    for _ in 0..1 + b.u8() % 4 {
        let name = if b.u8() % 16 == 0 {
            b.pick(NOT_YET)
        } else {
            b.pick(names)
        };
        out.push(name.to_string());
        for _ in 0..b.u8() % 8 {
            out.push(token(b));
        }
    }
    out.join(" ")
}

fn signal(b: &mut Bytes) -> (Array2<f32>, u32) {
    const RATES: [u32; 8] = [8000, 44100, 48000, 16000, 1, 96000, 192000, 22050];
    let rate = match b.u8() {
        r if r < 240 => RATES[r as usize % RATES.len()],
        _ => 1 + u32::from(b.u16()) * 7,
    };
    let channels = 1 + b.u8() as usize % 3;
    let frames = b.u16() as usize % 3000;
    let mut x = u32::from(b.u16()) | 1;
    let amp = [1.0f32, 0.01, 1.0, 4.0][b.u8() as usize % 4];
    let sig = Array2::from_shape_fn((channels, frames), |(c, t)| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        match (t + c) % 97 {
            0 => 1.0,
            1 => -1.0,
            _ => (x as f32 / u32::MAX as f32 * 2.0 - 1.0) * amp,
        }
    });
    (sig, rate)
}

fn same_bits(a: &Array2<f32>, b: &Array2<f32>) -> Option<(usize, usize)> {
    for ((i, x), y) in a.indexed_iter().zip(b.iter()) {
        if x.to_bits() != y.to_bits() && !(x.is_nan() && y.is_nan()) {
            return Some(i);
        }
    }
    None
}

fuzz_target!(|data: &[u8]| {
    let names: Vec<&'static str> = list().iter().map(|e| e.name).collect();
    let mut b = Bytes(data);
    let mode = b.u8();
    let effector = match mode % 4 {
        // Arbitrary text (up to a 0 byte).
        0 => {
            let end = b.0.iter().position(|&x| x == 0).unwrap_or(b.0.len());
            let text = String::from_utf8_lossy(&b.0[..end]).into_owned();
            b.0 = &b.0[(end + 1).min(b.0.len())..];
            if audiostream_fuzz::debug() {
                eprintln!("chain text: {text:?}");
            }
            text.parse::<AudioEffector>()
        }
        // AudioEffector::new + param, torchaudio style.
        1 => {
            let infos = list();
            let info = infos[b.u8() as usize % infos.len()];
            let args: Vec<f64> = (0..b.u8() % 7)
                .map(|_| match b.u8() % 3 {
                    0 => b.f64(),
                    1 => f64::from(b.u16()) / 100.0,
                    _ => f64::from(b.u8()) - 30.0,
                })
                .collect();
            if audiostream_fuzz::debug() {
                eprintln!("AudioEffector::new({:?}, {args:?})", info.name);
            }
            let mut e = AudioEffector::new(info.name, &args);
            for _ in 0..b.u8() % 3 {
                let name = if info.arguments.is_empty() || b.u8() % 8 == 0 {
                    "no_such_param"
                } else {
                    info.arguments[b.u8() as usize % info.arguments.len()].name
                };
                let v = b.f64();
                if audiostream_fuzz::debug() {
                    eprintln!("  .param({name:?}, {v:?})");
                }
                e = e.and_then(|e| e.param(name, v));
            }
            e
        }
        // A generated SoX chain.
        _ => {
            let text = chain(&mut b, &names);
            if audiostream_fuzz::debug() {
                eprintln!("chain: {text:?}");
            }
            text.parse::<AudioEffector>()
        }
    };
    let Ok(effector) = effector else { return };
    let (sig, rate) = signal(&mut b);
    let channels = sig.nrows();
    if audiostream_fuzz::debug() {
        eprintln!(
            "parsed: {effector:?}\nsignal: {channels} ch x {} frames at {rate} Hz",
            sig.ncols()
        );
    }

    // Stream first, in random chunk sizes, keeping only a hash per channel (and the chunks
    // themselves while the output is small), so that the harness's memory stays small and an
    // out-of-memory report points at one call of the library.
    let sizes: Vec<u8> = b.0.to_vec();
    let run = |keep: bool| -> (
        Result<(Vec<u64>, u64), audiostream::Error>,
        Vec<Array2<f32>>,
    ) {
        let mut sizes = sizes.iter().copied();
        let mut hashes = vec![0xcbf2_9ce4_8422_2325u64; channels];
        let mut frames = 0u64;
        let mut parts = Vec::new();
        let mut eat = |out: &Array2<f32>, parts: &mut Vec<Array2<f32>>| {
            assert_eq!(
                out.nrows(),
                channels,
                "{effector:?}: the stream changed the channel count"
            );
            for (c, row) in out.rows().into_iter().enumerate() {
                for v in row {
                    let bits = if v.is_nan() { 0x7fc0_0000 } else { v.to_bits() };
                    hashes[c] = (hashes[c] ^ u64::from(bits)).wrapping_mul(0x0000_0100_0000_01b3);
                }
            }
            frames += out.ncols() as u64;
            if keep {
                parts.push(out.clone());
            }
        };
        let mut st = match effector.stream(rate, channels) {
            Ok(st) => st,
            Err(e) => return (Err(e), parts),
        };
        let mut at = 0;
        while at < sig.ncols() {
            // Chunk sizes from the input; when it runs out, the rest in one chunk.
            let n = match sizes.next() {
                None => sig.ncols(),
                Some(0) => 0,
                Some(x) if x < 128 => x as usize,
                Some(x) => x as usize * 16,
            };
            let n = n.min(sig.ncols() - at);
            match st.process(sig.slice(s![.., at..at + n])) {
                Ok(out) => eat(&out, &mut parts),
                Err(e) => return (Err(e), parts),
            }
            at += n;
        }
        match st.flush() {
            Ok(out) => eat(&out, &mut parts),
            Err(e) => return (Err(e), parts),
        }
        // Flushed, the stream starts afresh (the Stage meaning of flush): it takes input again.
        assert!(
            st.process(sig.slice(s![.., 0..0])).is_ok(),
            "process() after flush() must work: the stream restarts"
        );
        (Ok((hashes, frames)), parts)
    };
    // First the bounded path, the one the reader, the writer and the CLI take (`Stage`): each
    // chunk in, then what the effects make beyond it (a long `pad`) drained a piece of about
    // PIECE frames at a time, then the end likewise. The consumer stops once the output passes
    // MAX_COMPARED samples: a pad of hours is the caller's to take, piece by piece, in bounded
    // memory; `process()`/`flush()` and `apply()` would return it whole, so they are compared
    // only below that.
    let staged = {
        use audiostream::pipeline::Stage;
        let mut sizes = sizes.iter().copied();
        let mut hashes = vec![0xcbf2_9ce4_8422_2325u64; channels];
        let mut frames = 0u64;
        let mut eat = |out: Array2<f32>| -> bool {
            assert_eq!(
                out.nrows(),
                channels,
                "{effector:?}: a stage changed the channel count"
            );
            for (c, row) in out.rows().into_iter().enumerate() {
                for v in row {
                    let bits = if v.is_nan() { 0x7fc0_0000 } else { v.to_bits() };
                    hashes[c] = (hashes[c] ^ u64::from(bits)).wrapping_mul(0x0000_0100_0000_01b3);
                }
            }
            frames += out.ncols() as u64;
            frames * channels as u64 > MAX_COMPARED
        };
        let end = (|| -> Result<bool, audiostream::Error> {
            let mut st = effector.stream(rate, channels)?;
            let mut at = 0;
            while at < sig.ncols() {
                let n = match sizes.next() {
                    None => sig.ncols(),
                    Some(0) => 0,
                    Some(x) if x < 128 => x as usize,
                    Some(x) => x as usize * 16,
                };
                let n = n.min(sig.ncols() - at);
                if eat(Stage::process(
                    &mut st,
                    sig.slice(s![.., at..at + n]).to_owned(),
                )?) {
                    return Ok(true);
                }
                at += n;
                while let Some(piece) = Stage::drain(&mut st, PIECE)? {
                    if eat(piece) {
                        return Ok(true);
                    }
                }
            }
            while let Some(piece) = Stage::flush(&mut st, PIECE)? {
                if eat(piece) {
                    return Ok(true);
                }
            }
            Ok(false)
        })();
        match end {
            Ok(true) => return,
            Ok(false) => Ok((hashes, frames)),
            Err(e) => Err(e),
        }
    };

    let (streamed, _) = run(false);
    match (&staged, &streamed) {
        (Ok(a), Ok(b)) => assert_eq!(
            a, b,
            "{effector:?}: Stage path != process()/flush() (hashes, frames)"
        ),
        (Err(_), Err(_)) => {}
        (Ok(_), Err(e)) => {
            panic!("{effector:?}: the Stage path succeeded but process()/flush() failed: {e}")
        }
        (Err(e), Ok(_)) => {
            panic!("{effector:?}: process()/flush() succeeded but the Stage path failed: {e}")
        }
    }
    if let Ok((_, frames)) = &streamed {
        if frames * channels as u64 > MAX_COMPARED {
            // apply() would return all of it at once: what the caller asked for, not checked.
            return;
        }
    }
    let whole = effector.apply(sig.view(), rate);
    match (whole, streamed) {
        (Ok(whole), Ok((hashes, frames))) => {
            assert_eq!(
                (channels, frames as usize),
                whole.dim(),
                "{effector:?}: streamed shape != apply() shape"
            );
            let want: Vec<u64> = whole
                .rows()
                .into_iter()
                .map(|row| {
                    row.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, v| {
                        let bits = if v.is_nan() { 0x7fc0_0000 } else { v.to_bits() };
                        (h ^ u64::from(bits)).wrapping_mul(0x0000_0100_0000_01b3)
                    })
                })
                .collect();
            if want != hashes {
                let (_, parts) = run(true);
                let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
                let streamed =
                    audiostream::ndarray::concatenate(Axis(1), &views).expect("same channels");
                let (c, t) = same_bits(&streamed, &whole).expect("hashes differ, so samples do");
                panic!(
                    "{effector:?}: streamed != apply() at channel {c} frame {t}: {} vs {}",
                    streamed[[c, t]],
                    whole[[c, t]]
                );
            }
        }
        (Err(_), Err(_)) => {}
        (Ok(_), Err(e)) => panic!("{effector:?}: apply() succeeded but the stream failed: {e}"),
        (Err(e), Ok(_)) => panic!("{effector:?}: the stream succeeded but apply() failed: {e}"),
    }
});
