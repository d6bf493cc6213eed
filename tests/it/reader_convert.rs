//! Reader outputs with another `sample_rate` / `num_channels`: decoded frames → `dsp::Remixer`
//! → `dsp::Resampler` → chunks at the output's rate.
//!
//! Oracles:
//! - the unconverted decode of the same file, run through `dsp::Remixer` + `dsp::Resampler` in
//!   one piece: the reader must give the same samples bit for bit, whatever the chunking, with
//!   exactly `output_frames(src_rate, out_rate, n)` frames;
//! - SoX (`sox in.wav -e floating-point -b 32 out.wav rate -v 16000`), an independent
//!   resampler: same length, aligned (lag 0), SNR bound below;
//! - seeking: the full converted decode (bit for bit after every seek).

use crate::common;

use audiostream::dsp::{output_frames, Remixer, Resampler, MAX_CHANNELS};
use audiostream::ndarray::{Array2, Axis};
use audiostream::{AudioStreamOptions, Chunk, Error, StreamReader};
use common::oracle::{best_lag, ffmpeg_decode, fixture, snr_db};
use common::ours;
use rand::{Rng, SeedableRng};

/// A conversion to test: fixture, source stream (None: the default), output rate, channels.
#[derive(Clone, Copy, Debug)]
struct Case {
    name: &'static str,
    stream: Option<usize>,
    rate: Option<u32>,
    channels: Option<usize>,
}

const fn case(
    name: &'static str,
    stream: Option<usize>,
    rate: Option<u32>,
    channels: Option<usize>,
) -> Case {
    Case {
        name,
        stream,
        rate,
        channels,
    }
}

const WAV: &str = "wav_s16_stereo_44100.wav";
const FLAC96: &str = "flac_24_mono_96000.flac";
const MP3: &str = "mp3_cbr128_stereo_44100.mp3";
const MKV: &str = "mkv_video_2audio.mkv";

const CASES: &[Case] = &[
    // 44.1 kHz stereo WAV: down to 16 kHz mono, up to 48 kHz stereo, 22.05 kHz, remix only.
    case(WAV, None, Some(16000), Some(1)),
    case(WAV, None, Some(48000), None),
    case(WAV, None, Some(22050), Some(2)),
    case(WAV, None, None, Some(1)),
    // 96 kHz mono 24-bit FLAC: to 16 kHz, and to 44.1 kHz stereo.
    case(FLAC96, None, Some(16000), None),
    case(FLAC96, None, Some(44100), Some(2)),
    // MP3 44.1 kHz stereo.
    case(MP3, None, Some(16000), Some(1)),
    case(MP3, None, Some(48000), Some(2)),
    // The second audio stream of the MKV: 48 kHz mono.
    case(MKV, Some(2), Some(44100), Some(2)),
    case(MKV, Some(2), Some(16000), None),
];

/// The source's rate and channels.
fn source_format(c: &Case) -> (u32, usize) {
    let r = ours::open(&fixture(c.name), None, None);
    let info = r.get_src_stream_info(c.stream.unwrap_or(0)).unwrap();
    (info.sample_rate.unwrap(), info.num_channels.unwrap())
}

fn options(c: &Case, fpc: usize, buffered: usize) -> AudioStreamOptions {
    let mut o = AudioStreamOptions::new(fpc).buffer_chunk_size(buffered);
    if let Some(i) = c.stream {
        o = o.stream_index(i);
    }
    if let Some(r) = c.rate {
        o = o.sample_rate(r);
    }
    if let Some(n) = c.channels {
        o = o.num_channels(n);
    }
    o
}

/// The oracle: the whole unconverted decode through `Remixer` + `Resampler` in one piece.
/// Returns (converted planar channels, source frames, output rate).
fn converted_whole(c: &Case) -> (Vec<Vec<f32>>, usize, u32) {
    let whole = ours::decode(&fixture(c.name), c.stream);
    let (src_rate, src_channels) = source_format(c);
    let (out_rate, out_channels) = (
        c.rate.unwrap_or(src_rate),
        c.channels.unwrap_or(src_channels),
    );
    let n = whole[0].len();
    let mut x = Array2::<f32>::zeros((src_channels, n));
    for (ch, samples) in whole.iter().enumerate() {
        x.row_mut(ch)
            .assign(&audiostream::ndarray::ArrayView1::from(samples.as_slice()));
    }
    let x = Remixer::new(src_channels, out_channels)
        .unwrap()
        .process(x.view())
        .unwrap();
    let mut rs = Resampler::new(src_rate, out_rate, out_channels).unwrap();
    let mut y = rs.process(x.view()).unwrap();
    y.append(Axis(1), rs.flush().unwrap().view()).unwrap();
    let planar = y.rows().into_iter().map(|r| r.to_vec()).collect();
    (planar, n, out_rate)
}

/// Every chunk of output 0 of a reader, via `stream()` (never drops).
fn read_all(reader: &mut StreamReader) -> Vec<Chunk> {
    reader
        .stream()
        .map(|popped| popped.unwrap().remove(0))
        .collect::<Option<Vec<_>>>()
        .expect("one output: a chunk each time")
}

/// For every chunk size: ceil(N_out / fpc) chunks, all full but the last, chunk i at pts
/// i * fpc / out_rate, N_out = output_frames(src_rate, out_rate, n), and the samples of the
/// converted whole decode bit for bit.
#[test]
fn converted_output_equals_the_converted_whole_decode() {
    for c in CASES {
        let (expected, n_src, out_rate) = converted_whole(c);
        let (src_rate, _) = source_format(c);
        let n_out = output_frames(src_rate, out_rate, n_src as u64) as usize;
        assert_eq!(expected[0].len(), n_out, "{c:?}: oracle length");
        for fpc in [1usize, 37, 1024, 4096, 44100] {
            let mut reader = ours::open(&fixture(c.name), None, None);
            let i = reader.add_audio_stream(options(c, fpc, 3)).unwrap();
            let info = reader.get_out_stream_info(i).unwrap();
            assert_eq!(
                (info.sample_rate, info.num_channels, info.frames_per_chunk),
                (out_rate, expected.len(), fpc),
                "{c:?}: output stream info"
            );
            let chunks = read_all(&mut reader);
            assert_eq!(chunks.len(), n_out.div_ceil(fpc), "{c:?} fpc={fpc}: count");
            for (k, chunk) in chunks.iter().enumerate() {
                if k + 1 < chunks.len() {
                    assert_eq!(chunk.ncols(), fpc, "{c:?} fpc={fpc}: chunk {k} is full");
                }
                assert_eq!(
                    chunk.pts,
                    (k * fpc) as f64 / f64::from(out_rate),
                    "{c:?} fpc={fpc}: pts of chunk {k}"
                );
            }
            let got = ours::concat(&chunks);
            assert_eq!(got.len(), expected.len(), "{c:?}: channels");
            assert_eq!(got[0].len(), n_out, "{c:?} fpc={fpc}: total length");
            assert!(got == expected, "{c:?} fpc={fpc}: samples differ");
        }
    }
}

/// Runs `sox IN -e floating-point -b 32 OUT EFFECT...`.
fn sox(input: &std::path::Path, output: &std::path::Path, effect: &[&str]) {
    let status = std::process::Command::new("sox")
        .arg(input)
        .args(["-e", "floating-point", "-b", "32"])
        .arg(output)
        .args(effect)
        .status()
        .expect("running sox (SoX is a test oracle: apt-get install sox)");
    assert!(status.success(), "sox {effect:?} failed");
}

/// Our 44.1 kHz -> 16 kHz of `input` against SoX's `rate -v 16000`: same length, aligned
/// (best lag 0); returns per channel the SNR over the whole signal and over its middle (the
/// first and last 0.05 s left out).
fn snr_against_sox(input: &std::path::Path, dir: &common::signals::TempDir) -> Vec<(f64, f64)> {
    let out = dir.path("sox16k.wav");
    sox(input, &out, &["rate", "-v", "16000"]);
    let sox = ffmpeg_decode(&out, 0, &[]);
    assert_eq!(sox.sample_rate, 16000);
    let mut reader = ours::open(input, None, None);
    reader
        .add_audio_stream(AudioStreamOptions::new(4096).sample_rate(16000))
        .unwrap();
    let ours = ours::concat(&read_all(&mut reader));
    assert_eq!(ours.len(), sox.num_channels());
    let edge = 800;
    let mut snrs = Vec::new();
    for (ch, (a, b)) in ours.iter().zip(&sox.channels).enumerate() {
        let n = b.len();
        assert_eq!(a.len(), n, "ch{ch}: length against sox");
        assert_eq!(best_lag(b, a, 50), 0, "ch{ch}: lag against sox");
        snrs.push((snr_db(b, a), snr_db(&b[edge..n - edge], &a[edge..n - edge])));
    }
    snrs
}

/// SoX as an independent resampler: our 44.1 kHz -> 16 kHz of the WAV fixture against
/// `sox in.wav -e floating-point -b 32 out.wav rate -v 16000`: same length, aligned (best lag
/// 0), SNR >= 60 dB per channel (measured 67.8 and 64.4 dB; 77 dB leaving out the first and
/// last 0.05 s). The difference is where the two filters differ, not an error: the fixture
/// has pink noise and triangle harmonics up to 22 kHz and starts and ends abruptly, and
/// SoX's `rate -v` pass band ends at 95 % of the new Nyquist frequency (7.6 kHz), ours at
/// 98 %: the error is all above 7.4 kHz. With the fixture first low-passed to 6.8 kHz (SoX
/// `sinc -a 150 -t 400 -6800`), where both filters are flat, the two agree to >= 135 dB
/// (measured 142.7 and 143.7 dB) away from the ends.
#[test]
fn resampling_matches_sox() {
    let dir = common::signals::TempDir::new("convert-sox");
    let snr = snr_against_sox(&fixture(WAV), &dir);
    eprintln!("SNR against sox rate -v (whole, middle): {snr:.1?} dB");
    assert!(snr.iter().all(|&(whole, _)| whole >= 60.0), "{snr:?}");

    let band_limited = dir.path("lowpassed.wav");
    sox(
        &fixture(WAV),
        &band_limited,
        &["sinc", "-a", "150", "-t", "400", "-6800"],
    );
    let snr = snr_against_sox(&band_limited, &dir);
    eprintln!("SNR against sox rate -v below 6.8 kHz (whole, middle): {snr:.1?} dB");
    assert!(snr.iter().all(|&(_, middle)| middle >= 135.0), "{snr:?}");
}

/// Outputs on the same source with different rates and channels at once (and a plain one):
/// each gives what it gives alone.
#[test]
fn several_converted_outputs_on_one_source() {
    let cases = [
        case(WAV, None, Some(16000), Some(1)),
        case(WAV, None, Some(48000), Some(2)),
        case(WAV, None, None, None),
        case(WAV, None, Some(8000), Some(3)),
    ];
    let fpcs = [1000usize, 777, 512, 64];
    let path = fixture(WAV);
    let mut reader = ours::open(&path, None, None);
    for (c, fpc) in cases.iter().zip(fpcs) {
        reader.add_audio_stream(options(c, fpc, 3)).unwrap();
    }
    let mut got: Vec<Vec<Chunk>> = vec![Vec::new(); cases.len()];
    for popped in reader.stream() {
        for (k, chunk) in popped.unwrap().into_iter().enumerate() {
            got[k].extend(chunk);
        }
    }
    for ((c, fpc), chunks) in cases.iter().zip(fpcs).zip(&got) {
        let mut alone = ours::open(&path, None, None);
        alone.add_audio_stream(options(c, fpc, 3)).unwrap();
        let expected = read_all(&mut alone);
        assert_eq!(chunks, &expected, "{c:?}: with other outputs vs alone");
    }
    // And each converted one is the converted whole decode.
    for (c, chunks) in cases.iter().zip(&got) {
        assert!(
            ours::concat(chunks) == converted_whole(c).0,
            "{c:?}: samples"
        );
    }
}

/// Asserts the chunk after a seek to `t` is the full converted decode from
/// `round(t * out_rate)`, with that pts.
fn check_seek(what: &str, chunk: Option<Chunk>, whole: &[Vec<f32>], rate: u32, t: f64) {
    let n = whole[0].len();
    let target = (t * f64::from(rate)).round() as usize;
    let Some(chunk) = chunk else {
        assert!(
            target >= n,
            "{what}: no chunk after seek to {t} ({target} of {n})"
        );
        return;
    };
    assert_eq!(
        chunk.pts,
        target as f64 / f64::from(rate),
        "{what}: pts after seek to {t}"
    );
    let len = chunk.ncols();
    assert_eq!(
        len,
        2048.min(n - target),
        "{what}: length after seek to {t}"
    );
    for (ch, row) in chunk.rows().into_iter().enumerate() {
        let expected = &whole[ch][target..target + len];
        assert!(
            row.to_vec() == expected,
            "{what} ch{ch}: samples after seek to {t} (frame {target} of {n}), SNR {:.1} dB",
            snr_db(expected, &row.to_vec())
        );
    }
}

/// 50 random seeks (forward and backward, on one reader) per converted output, with a plain
/// output on the same source alongside: position, pts and samples of both, bit for bit.
#[test]
fn fifty_random_seeks_per_converted_output() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261125);
    for c in CASES {
        let (whole, n_src, out_rate) = converted_whole(c);
        let plain = ours::decode(&fixture(c.name), c.stream);
        let (src_rate, _) = source_format(c);
        let mut reader = ours::open(&fixture(c.name), None, None);
        reader
            .add_audio_stream(options(c, 2048, usize::MAX))
            .unwrap();
        let mut plain_opts = AudioStreamOptions::new(2048).buffer_chunk_size(usize::MAX);
        if let Some(i) = c.stream {
            plain_opts = plain_opts.stream_index(i);
        }
        reader.add_audio_stream(plain_opts).unwrap();
        for _ in 0..50 {
            let t: f64 = rng.random_range(0.0..(n_src as f64 / f64::from(src_rate)));
            reader.seek(t).unwrap();
            reader.fill_buffer().unwrap();
            let mut chunks = reader.pop_chunks();
            check_seek(&format!("{c:?}"), chunks.remove(0), &whole, out_rate, t);
            check_seek(
                &format!("{} plain", c.name),
                chunks.remove(0),
                &plain,
                src_rate,
                t,
            );
        }
    }
}

/// After a seek, reading to the end gives the tail of the full converted decode, to its
/// exact length (the resampler's flush after a restart).
#[test]
fn seek_then_read_to_end_gives_the_converted_tail() {
    for c in CASES {
        let (whole, _, out_rate) = converted_whole(c);
        for t in [0.0, 0.01, 0.3141] {
            let mut reader = ours::open(&fixture(c.name), None, None);
            reader.add_audio_stream(options(c, 1000, 3)).unwrap();
            reader.seek(t).unwrap();
            let tail = ours::concat(&read_all(&mut reader));
            let target = (t * f64::from(out_rate)).round() as usize;
            let expected: Vec<Vec<f32>> = whole.iter().map(|ch| ch[target..].to_vec()).collect();
            assert!(tail == expected, "{c:?}: tail after seek to {t}");
        }
    }
}

fn invalid_argument_naming<T: std::fmt::Debug>(r: audiostream::Result<T>, name: &str) {
    match r {
        Err(Error::InvalidArgument(m)) => assert!(m.contains(name), "{name}: {m}"),
        other => panic!("{name}: expected InvalidArgument, got {other:?}"),
    }
}

#[test]
fn bad_values_are_invalid_arguments() {
    let mut reader = ours::open(&fixture(WAV), None, None);
    invalid_argument_naming(
        reader.add_audio_stream(AudioStreamOptions::new(1024).sample_rate(0)),
        "sample_rate",
    );
    invalid_argument_naming(
        reader.add_audio_stream(AudioStreamOptions::new(1024).num_channels(0)),
        "num_channels",
    );
    invalid_argument_naming(
        reader.add_audio_stream(AudioStreamOptions::new(1024).num_channels(MAX_CHANNELS + 1)),
        "num_channels",
    );
    invalid_argument_naming(reader.get_out_stream_info(0), "output stream index");
    // A ratio the resampler cannot do (coprime rates needing blocks over 2^20 frames) is
    // Unsupported, and leaves no half-made output or decoder behind.
    match reader.add_audio_stream(AudioStreamOptions::new(1024).sample_rate(1_000_003)) {
        Err(Error::Unsupported(m)) => assert!(m.contains("sample_rate"), "{m}"),
        other => panic!("unsupported ratio gave {other:?}"),
    }
    assert_eq!(reader.num_out_streams(), 0);
    // Nothing was added: the reader still works.
    reader.add_basic_audio_stream(4096, 100).unwrap();
    reader.process_all_packets().unwrap();
    assert_eq!(
        ours::concat(&ours::drain(&mut reader)),
        ours::decode(&fixture(WAV), None)
    );
}

/// Rate and channels equal to the source's are no conversion: the plain output, and the
/// output stream info says so.
#[test]
fn same_rate_and_channels_is_the_plain_output() {
    let path = fixture(WAV);
    let mut reader = ours::open(&path, None, None);
    reader
        .add_audio_stream(
            AudioStreamOptions::new(4096)
                .buffer_chunk_size(100)
                .sample_rate(44100)
                .num_channels(2),
        )
        .unwrap();
    let info = reader.get_out_stream_info(0).unwrap();
    assert_eq!(
        (
            info.source_index,
            info.sample_rate,
            info.num_channels,
            info.converted
        ),
        (0, 44100, 2, false)
    );
    reader.process_all_packets().unwrap();
    assert_eq!(
        ours::concat(&ours::drain(&mut reader)),
        ours::decode(&path, None)
    );
}

/// A non-seekable stream: a forward seek far enough ahead is exact; one so short that the
/// frames the resampler needs before the target were already read still lands at the exact
/// position and pts with the exact length, and is exact again from three resampler blocks on
/// (before that, measured: SNR 80 dB against the full converted decode).
#[test]
fn non_seekable_stream_seeks_forward() {
    let name = "flac_16_stereo_44100.flac";
    let c = case(name, None, Some(16000), Some(1));
    let (whole, _, out_rate) = converted_whole(&c);
    let block_out = Resampler::new(44100, 16000, 1).unwrap().block_frames().1;
    let bytes = std::fs::read(fixture(name)).unwrap();
    let mut reader = StreamReader::from_stream(std::io::Cursor::new(bytes), None).unwrap();
    reader.add_audio_stream(options(&c, 2048, 100)).unwrap();
    reader.fill_buffer().unwrap();
    // Far ahead: exact.
    reader.seek(1.0).unwrap();
    reader.fill_buffer().unwrap();
    check_seek(
        "pipe, 1.0 s",
        reader.pop_chunks().remove(0),
        &whole,
        out_rate,
        1.0,
    );
    // Reading has gone past 1.0 s by the resampler's latency and more: the first forward
    // seek that works (the smallest time not read yet) is one whose resampler start was read.
    let t = (1..50)
        .map(|k| 1.0 + f64::from(k) * 0.01)
        .find(|&t| reader.seek(t).is_ok())
        .expect("a forward seek works");
    let tail = ours::concat(&read_all(&mut reader));
    let target = (t * f64::from(out_rate)).round() as usize;
    assert_eq!(
        tail[0].len(),
        whole[0].len() - target,
        "pipe, {t} s: length"
    );
    let exact_from = 3 * block_out;
    assert!(
        tail[0][exact_from..] == whole[0][target + exact_from..],
        "pipe, {t} s: exact from three blocks after the target"
    );
    eprintln!(
        "pipe, short forward seek: SNR of the first {exact_from} frames {:.1} dB",
        snr_db(
            &whole[0][target..target + exact_from],
            &tail[0][..exact_from]
        )
    );
}
