//! Inputs that once made the reader panic, hang, lose audio or take unbounded memory (found by
//! fuzzing, issue "no panic, no abort, no hang, bounded memory"), each with the clean outcome
//! asserted: the right frames, or a typed error naming the value and the limit, within a time
//! limit.

use crate::common;

use audiostream::{AudioEffector, AudioStreamOptions, Error, StreamReader};
use common::oracle::{ffmpeg_decode, fixture, snr_db};
use common::ours;
use std::io::Cursor;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const MIB: usize = 1 << 20;

/// Runs `f` on a thread of its own under a time limit and a memory limit (bytes that thread
/// holds at once); returns its result and the peak.
fn within_limits<R: Send + 'static>(
    what: &str,
    secs: u64,
    max_bytes: usize,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    count_panics();
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        let (r, peak) = common::alloc_count::peak_during(f);
        let _ = tx.send((r, peak, PANICS.with(|p| p.get())));
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok((r, peak, panics)) => {
            eprintln!(
                "{what}: {:?}, peak {:.1} MiB",
                started.elapsed(),
                peak as f64 / MIB as f64
            );
            assert_eq!(panics, 0, "{what}: a panic (even a contained one)");
            assert!(
                peak <= max_bytes,
                "{what}: peak {peak} bytes, over the limit of {max_bytes}"
            );
            r
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: no end within {secs} s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

/// How a decode of untrusted bytes ended.
#[derive(Debug)]
enum End {
    Frames(usize),
    Failed(Error),
}

thread_local! {
    /// Panics on this thread so far, counted by [`count_panics`]'s hook: the reader contains
    /// a panic in a demuxer or decoder (it becomes an error or the end of the stream), so a
    /// test that wants none must count them.
    static PANICS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Installs (once) a panic hook that counts panics per thread, then prints as usual.
fn count_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.with(|p| p.set(p.get() + 1));
            default(info);
        }));
    });
}

/// How to feed the bytes to the reader.
#[derive(Clone, Copy, Debug)]
enum Feed {
    /// `from_reader` (seekable), then the seeks of [`SEEKS`] (each read to the end).
    Seekable,
    /// `from_stream` (a pipe: forward seeks only).
    Pipe,
}

/// Seek targets tried on seekable inputs: the start, a little way in, and far past any end
/// (a header claiming an unknown length leaves that unchecked upstream).
const SEEKS: &[f64] = &[0.0, 0.37, 1e12];

/// Decodes `bytes` on a thread of its own; panics if that takes over 5 s or if any demuxer or
/// decoder panicked (even when the reader contained it).
fn decode_within_limit(name: &str, bytes: Vec<u8>) -> End {
    decode_fed(name, bytes, Feed::Seekable)
}

fn decode_fed(name: &str, bytes: Vec<u8>, feed: Feed) -> End {
    count_panics();
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        let read_all = |r: &mut StreamReader| -> Result<usize, Error> {
            let mut frames = 0;
            for chunks in r.stream() {
                frames += chunks?[0].as_ref().map_or(0, |c| c.ncols());
            }
            Ok(frames)
        };
        let end = (|| -> Result<usize, Error> {
            let mut r = match feed {
                Feed::Seekable => StreamReader::from_reader(Cursor::new(bytes), None)?,
                Feed::Pipe => StreamReader::from_stream(Cursor::new(bytes), None)?,
            };
            r.add_audio_stream(AudioStreamOptions::new(4096))?;
            let frames = read_all(&mut r)?;
            if let Feed::Seekable = feed {
                for &t in SEEKS {
                    // A seek may fail (out of range, unseekable): typed, and the reader
                    // stays usable.
                    if r.seek(t).is_ok() {
                        let _ = read_all(&mut r);
                    }
                }
            }
            Ok(frames)
        })();
        let panics = PANICS.with(|p| p.get());
        let _ = tx.send((
            match end {
                Ok(n) => End::Frames(n),
                Err(e) => End::Failed(e),
            },
            panics,
        ));
    });
    match rx.recv_timeout(Duration::from_secs(5)) {
        Ok((end, panics)) => {
            eprintln!("{name} ({feed:?}): {end:?} in {:?}", started.elapsed());
            assert_eq!(
                panics, 0,
                "{name} ({feed:?}): a demuxer or decoder panicked"
            );
            end
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: no end within 5 s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: the reader panicked"),
    }
}

fn regressions() -> Vec<PathBuf> {
    let dir = fixture("regressions/make_mp4_regressions.py")
        .parent()
        .unwrap()
        .to_path_buf();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "mp4"))
        .collect();
    files.sort();
    files
}

/// MP4s that made symphonia 0.6.1's MP4 demuxer panic (a `trun` data offset that underflows,
/// sample flags read as `trun` flags, offsets and counts that overflow) or hang (a `trun` of
/// 4.29e9 samples with no fields): each ends cleanly and quickly now.
#[test]
fn crafted_mp4s_end_cleanly_and_quickly() {
    let files = regressions();
    assert!(files.len() >= 10, "the regression inputs are there");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match decode_within_limit(&name, std::fs::read(&path).unwrap()) {
            End::Frames(n) => assert!(n < 1 << 20, "{name}: {n} frames from a few hundred bytes"),
            End::Failed(e) => assert!(!e.to_string().is_empty(), "{name}"),
        }
    }
}

/// WAV, AIFF, CAF and ADPCM inputs (`fixtures/regressions/symphonia/`, from fuzzing
/// symphonia 0.6.1's riff, caf and adpcm crates and from reading them; `craft.py` makes the
/// hand-made ones) that overflowed, divided by zero, indexed out of bounds or allocated 16 GiB
/// upstream: with our copies (`symphonia-fixes/{riff,caf,adpcm}`) no panic, seekable or as a
/// pipe, and no more than a few frames.
#[test]
fn wav_aiff_caf_adpcm_regressions_end_without_a_panic() {
    let dir = fixture("regressions/symphonia/craft.py")
        .parent()
        .unwrap()
        .to_path_buf();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect();
    files.sort();
    assert!(files.len() >= 14, "the regression inputs are there");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for feed in [Feed::Seekable, Feed::Pipe] {
            match decode_fed(&name, std::fs::read(&path).unwrap(), feed) {
                End::Frames(n) => assert!(n < 1 << 20, "{name}: {n} frames from < 150 bytes"),
                End::Failed(e) => assert!(!e.to_string().is_empty(), "{name}"),
            }
        }
    }
}

/// An AIFF declaring 65,535 channels: refused naming the count and the limit before a decoder
/// sizes its buffers by it (symphonia's PCM decoder took 150 MB for it).
#[test]
fn a_65535_channel_aiff_is_refused_before_allocation() {
    let path = fixture("regressions/symphonia/aiff-65535-channels.bin");
    let mut r = StreamReader::new(path.to_str().unwrap(), None, None).unwrap();
    let e = r
        .add_audio_stream(AudioStreamOptions::new(4096))
        .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Decode(_)), "{e:?}");
    assert!(
        msg.contains("65535 channels") && msg.contains("64"),
        "{msg}"
    );
}

/// Seeking an ADPCM WAV (IMA and Microsoft, as FFmpeg writes them) lands where asked: the
/// frames from there are FFmpeg's decode of the whole file from there (symphonia 0.6.1 put the
/// byte offset `frames_per_block` times too far; our riff copy divides first).
#[test]
fn adpcm_wav_seeks_land_where_asked() {
    let dir = common::signals::TempDir::new("adpcm_seek");
    for codec in ["adpcm_ima_wav", "adpcm_ms"] {
        let wav = dir.path(&format!("{codec}.wav"));
        let status = Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
            .arg("sine=frequency=440:sample_rate=8000:duration=200")
            .args(["-c:a", codec, "-block_size", "256"])
            .arg(&wav)
            .status()
            .unwrap();
        assert!(status.success());
        let theirs = ffmpeg_decode(&wav, 0, &[]);
        // A block holds 505 (IMA) or 500 (MS) frames: upstream's offset for the first two lands
        // inside the file (wrong audio), for the third past its end (no audio).
        for (t, pipe) in [
            (0.2, false),
            (0.3, false),
            (10.0, false),
            (0.3, true),
            (10.0, true),
        ] {
            // Through a pipe the seek reads forward to the byte it computes.
            let mut r = if pipe {
                let file = std::fs::File::open(&wav).unwrap();
                StreamReader::from_stream(file, Some("wav")).unwrap()
            } else {
                ours::open(&wav, None, None)
            };
            r.add_audio_stream(AudioStreamOptions::new(4096).buffer_chunk_size(usize::MAX))
                .unwrap();
            r.seek(t).unwrap();
            r.process_all_packets().unwrap();
            let got = ours::concat(&ours::drain(&mut r));
            let from = (t * 8000.0) as usize;
            assert_eq!(got.len(), 1, "{codec} from {t} s (pipe: {pipe}): no audio");
            for (c, (g, want)) in got.iter().zip(&theirs.channels).enumerate() {
                let want = &want[from..];
                assert_eq!(
                    g.len(),
                    want.len(),
                    "{codec} from {t} s (pipe: {pipe}): frames"
                );
                let snr = snr_db(want, g);
                // ADPCM decodes in integers: the same samples.
                assert!(
                    snr > 120.0,
                    "{codec} from {t} s (pipe: {pipe}), channel {c}: SNR {snr:.1} dB"
                );
            }
        }
    }
}

/// Fragmented MP4 (`-movflags frag_keyframe+empty_moov`): every frame FFmpeg decodes, not 0.
#[test]
fn fragmented_mp4_decodes_fully() {
    let name = "aac_fragmented_stereo_44100.m4a";
    let theirs = ffmpeg_decode(&fixture(name), 0, &[]);
    let ours_planar = ours::decode(&fixture(name), None);
    assert_eq!(theirs.num_frames(), 19456);
    assert_eq!(ours_planar[0].len(), theirs.num_frames());
    for (a, b) in ours_planar.iter().zip(&theirs.channels) {
        // Measured 134 dB (the AAC decoders differ in float rounding).
        let snr = snr_db(b, a);
        assert!(snr > 120.0, "SNR {snr:.1} dB");
    }
    let meta = ours::open(&fixture(name), None, None).get_metadata();
    assert_eq!(
        meta.num_frames, None,
        "the moov holds no samples: unknown, not 0"
    );
}

/// A chained Ogg whose second link has another rate and channel count: both links, the second
/// converted to the first's shape (0.5 s each at 22050 Hz), nothing lost at the link.
#[test]
fn chained_ogg_keeps_both_links() {
    let name = "vorbis_chained_rate_change.ogg";
    let ours_planar = ours::decode(&fixture(name), None);
    assert_eq!(ours_planar.len(), 1);
    assert_eq!(ours_planar[0].len(), 22050);
    let rms = |s: &[f32]| (s.iter().map(|x| x * x).sum::<f32>() / s.len() as f32).sqrt();
    // Both links are -6 dB sines: about 0.35 RMS each (the second averaged from stereo).
    for (what, part) in [
        ("first", &ours_planar[0][..11025]),
        ("second", &ours_planar[0][11025..]),
    ] {
        let level = rms(&part[1000..part.len() - 1000]);
        assert!((0.3..0.4).contains(&level), "{what} link: RMS {level}");
    }
}

/// A WAV header claiming 2e9 Hz (the rate sized the gap silence, the resampler, ...): refused
/// before anything is sized by it, naming the value and the limit.
#[test]
fn impossible_rates_are_refused_naming_the_limit() {
    let mut wav = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0".to_vec();
    wav.extend(2_000_000_000u32.to_le_bytes());
    wav.extend(4_000_000_000u32.to_le_bytes());
    wav.extend(b"\x02\0\x10\0data\x08\0\0\0");
    wav.extend([0u8; 8]);
    let riff_len = (wav.len() - 8) as u32;
    wav[4..8].copy_from_slice(&riff_len.to_le_bytes());
    let mut r = StreamReader::from_reader(Cursor::new(wav), None).unwrap();
    let e = r.add_basic_audio_stream(1024, 3).unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("2000000000") && text.contains("1048576"),
        "{text}"
    );
}

#[test]
fn huge_chunks_are_refused_before_allocation() {
    let mut r = ours::open(&fixture("wav_s16_stereo_44100.wav"), None, None);
    let e = r
        .add_audio_stream(AudioStreamOptions::new(usize::MAX / 2))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    assert!(e.to_string().contains("16777216"), "{e}");
}

/// The resampler's blocks over all channels are bounded: 24 channels at 500,009 Hz took 791 MB.
#[test]
fn resampler_memory_is_bounded() {
    let e = audiostream::Resampler::new(500_009, 48_000, 24).unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)), "{e}");
    assert!(e.to_string().contains("524288"), "{e}");
    // A usual case is untouched.
    assert!(audiostream::Resampler::new(44_100, 48_000, 8).is_ok());
}

/// Effect arguments that once panicked ("capacity overflow") or aborted (an allocation of
/// 757 TB): refused, naming the limit.
#[test]
fn effect_times_beyond_the_limit_are_refused() {
    for chain in [
        "pad 0 1e30",
        "fade 0 1e308",
        "fade q 1 4294967296",
        "pad 90596966401s",
    ] {
        let e = chain.parse::<AudioEffector>().unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{chain}: {e}");
        assert!(e.to_string().contains("86400 s"), "{chain}: {e}");
    }
    // At the limit it is accepted (and made a piece at a time: see below).
    assert!("pad 0 86400".parse::<AudioEffector>().is_ok());
}

fn run_cli(args: &[&str]) -> (std::process::Output, u64) {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "maxrss=%M"])
        .arg(env!("CARGO_BIN_EXE_audiostream"))
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("GNU time and the audiostream binary run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rss = stderr
        .lines()
        .find_map(|l| l.strip_prefix("maxrss="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(u64::MAX);
    (out, rss)
}

/// `pad 0 600` (ten minutes of silence at the end) streams in bounded memory, and the summary
/// says how long the output really is.
#[test]
fn ten_minutes_of_pad_stream_in_bounded_memory() {
    let dir = std::env::temp_dir().join(format!("audiostream-pad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("padded.flac");
    let input = fixture("wav_s16_stereo_44100.wav");
    let (o, rss_kib) = run_cli(&[
        "convert",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "--effect",
        "pad 0 600",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    // 22050 input frames + 600 s of silence.
    let frames = 22050 + 600 * 44100;
    assert!(
        stderr.contains(&format!("{frames} frames, 600.500 s")),
        "{stderr}"
    );
    assert!(rss_kib < 64 * 1024, "peak RSS {rss_kib} KiB");
    std::fs::remove_dir_all(&dir).ok();
}

/// A URL's password never reaches the command line's output, whatever the error.
#[test]
fn credentials_never_reach_stderr() {
    let url = "http://user:s3cret@127.0.0.1:9/a.mp3";
    for args in [
        vec!["info", url],
        vec!["convert", url, "/tmp/audiostream-never-written.wav"],
    ] {
        let (o, _) = run_cli(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success());
        assert!(!stderr.contains("s3cret"), "{stderr}");
        assert!(stderr.contains("user:***@"), "{stderr}");
    }
}

// Findings of the fuzzing campaign (fuzz/FINDINGS.md, one test per finding; inputs in
// fixtures/regressions/fuzz, cut from fuzz/regressions by its extract.sh, or made here).

/// Finding 1 and 2: `fade` and `pad` lengths from the fuzzer's inputs are refused naming the
/// limit (they panicked "capacity overflow", aborted on a 757 TB allocation, or, for `pad 4e199
/// 2`, wrapped to 15999 frames), and `pad 84` at 192 kHz x 3 channels (84 s in one 387 MB
/// chunk) comes out a piece at a time through the path the reader, the writer and the CLI
/// take, in a few MiB.
#[test]
fn fuzz_1_2_fade_and_pad_lengths_refused_or_streamed_in_pieces() {
    for chain in [
        "fade 0 1e308",
        "fade q 1 4294967296",
        "pad 1e30",
        "pad 0 1e30",
        "pad 4e199 2",
    ] {
        let e = chain.parse::<AudioEffector>().unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{chain}: {e}");
        assert!(e.to_string().contains("86400 s"), "{chain}: {e}");
    }
    let frames = within_limits("pad 84 at 192 kHz", 60, 16 * MIB, || {
        use audiostream::pipeline::Stage;
        let mut st = "pad 84"
            .parse::<AudioEffector>()
            .unwrap()
            .stream(192_000, 3)
            .unwrap();
        let mut frames = 0;
        let mut largest = 0;
        let mut take = |piece: ndarray::Array2<f32>| {
            assert_eq!(piece.nrows(), 3);
            largest = largest.max(piece.ncols());
            frames += piece.ncols();
        };
        take(Stage::process(&mut st, ndarray::Array2::zeros((3, 100))).unwrap());
        while let Some(piece) = Stage::drain(&mut st, 4096).unwrap() {
            take(piece);
        }
        while let Some(piece) = Stage::flush(&mut st, 4096).unwrap() {
            take(piece);
        }
        assert!(largest <= 65536, "a piece of {largest} frames");
        frames
    });
    assert_eq!(frames, 84 * 192_000 + 100);
}

/// Finding 3: the resampler cases the fuzzer found (`--rate 1601 --channels 1024` of a 44.1 kHz
/// input: 2.2 GB; `--rate 384000 --channels 1024`: 359 MB; `speed 803.784`: 159 MB and 1.9 s
/// for 460 frames; a damaged FLAC whose frames change rate: 9 s per MB) are refused naming the
/// limit or done in bounded memory and time.
#[test]
fn fuzz_3_resampler_cases_refused_or_bounded() {
    use audiostream::{AudioEncodeOptions, StreamWriter};
    for rate in [1601, 384_000] {
        let e = within_limits("--rate R --channels 1024", 10, 16 * MIB, move || {
            let mut w = StreamWriter::from_writer(Vec::new(), "wav").unwrap();
            w.add_audio_stream_with(
                AudioEncodeOptions::new(44_100, 2)
                    .encoder_sample_rate(rate)
                    .encoder_num_channels(1024),
            )
            .err()
        });
        let e = e.expect("refused");
        assert!(matches!(e, Error::Unsupported(_)), "{rate}: {e}");
        assert!(e.to_string().contains("524288"), "{rate}: {e}");
    }
    let out = within_limits("speed 803.784", 10, 32 * MIB, || {
        let fx: AudioEffector = "speed 803.784".parse().unwrap();
        fx.apply(ndarray::Array2::<f32>::zeros((3, 460)).view(), 8000)
            .map(|o| o.dim())
    });
    // Either refused or 460 / 803.784 frames (rounded); never seconds and 100s of MB.
    if let Ok((c, n)) = out {
        assert_eq!(c, 3);
        assert!(n <= 2, "{n} frames");
    }
    let path = fixture("regressions/fuzz/flac-rate-change-reshape.flac");
    let bytes = std::fs::read(&path).unwrap();
    // The resampler's blocks for 67073 Hz and the frames' rates are large (the reduced
    // ratio's terms): 44100 -> 67073 Hz on 5 channels needs 670,730 samples of blocks (it
    // took 53 MiB while the budget was 2^20): refused now, naming the limit, in no memory.
    let end = within_limits("FLAC changing rate", 60, 8 * MIB, move || {
        let mut r = StreamReader::from_reader(Cursor::new(bytes), None)?;
        r.add_audio_stream(AudioStreamOptions::new(1025))?;
        let mut frames = 0;
        for chunks in r.stream() {
            frames += chunks?[0].as_ref().map_or(0, |c| c.ncols());
        }
        Ok::<_, Error>(frames)
    });
    let e = end.unwrap_err().to_string();
    assert!(e.contains("67073 Hz") && e.contains("524288"), "{e}");
}

/// Finding 4: a 175-byte FLAC at 655,350 Hz x 8 channels whose frame numbers jump by 1500
/// blocks: each jump is a gap under 10 s, filled with silence, which `stream()` queued whole
/// (168 MB). Now the silence is made a step at a time: the same frames, in a few MiB.
#[test]
fn fuzz_4_gap_silence_in_bounded_memory() {
    let bytes = std::fs::read(fixture(
        "regressions/fuzz/flac-655350hz-frame-number-gaps.flac",
    ))
    .unwrap();
    let (frames, gaps) = within_limits("FLAC frame-number gaps", 60, 24 * MIB, move || {
        let mut r = StreamReader::from_reader(Cursor::new(bytes), None).unwrap();
        r.add_audio_stream(AudioStreamOptions::new(65536)).unwrap();
        let mut frames = 0;
        for chunks in r.stream() {
            frames += chunks.unwrap()[0].as_ref().map_or(0, |c| c.ncols());
        }
        (frames, r.stats().gaps)
    });
    assert_eq!(gaps, 3);
    // Four blocks of 4096 frames numbered 0, 1500, 3000 and 4500: 1499 blocks of silence
    // between each two.
    assert_eq!(frames, 4 * 4096 + 3 * 1499 * 4096);
}

/// Finding 5: `stream()` with two outputs that make chunks at different paces (here 1024 and
/// 4096 frames, and 1-frame chunks at 4x the rate) kept the faster output's surplus for the
/// whole file: memory linear in the duration (173 MB for 10 minutes). Now an output holding
/// `buffer_chunk_size` chunks is popped (with `None` for the other) before more is read; every
/// chunk still arrives, in order.
#[test]
fn fuzz_5_two_outputs_at_different_paces_stay_bounded() {
    // Stereo 44.1 kHz s16. Before, the surplus of the 1024-frame output next to a 4096-frame
    // one (20 s) was 15 s x 2 channels of f32, 5 MiB; of 16-frame chunks at 4x the rate and 4
    // channels next to 1024-frame ones (5 s), nearly all of them: 14 MiB.
    let wav_of = |seconds: usize| {
        let frames = seconds * 44_100;
        let mut wav = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x02\0".to_vec();
        wav.extend(44_100u32.to_le_bytes());
        wav.extend((44_100u32 * 4).to_le_bytes());
        wav.extend(b"\x04\0\x10\0data");
        wav.extend((frames as u32 * 4).to_le_bytes());
        wav.extend((0..frames * 2).flat_map(|i| ((i % 2000) as i16 * 16).to_le_bytes()));
        let riff_len = (wav.len() - 8) as u32;
        wav[4..8].copy_from_slice(&riff_len.to_le_bytes());
        (wav, frames)
    };
    for (seconds, second, fpc2) in [(20, None, 4096), (5, Some(176_400), 16)] {
        let (wav, frames) = wav_of(seconds);
        let got = within_limits("two outputs", 60, 4 * MIB, move || {
            let mut r = StreamReader::from_reader(Cursor::new(wav), None).unwrap();
            r.add_audio_stream(AudioStreamOptions::new(1024)).unwrap();
            let mut opts = AudioStreamOptions::new(fpc2);
            if let Some(rate) = second {
                opts = opts.sample_rate(rate).num_channels(4);
            }
            r.add_audio_stream(opts).unwrap();
            let mut frames = [0usize; 2];
            let mut pts = [0.0f64; 2];
            for chunks in r.stream() {
                for (i, c) in chunks.unwrap().into_iter().enumerate() {
                    if let Some(c) = c {
                        assert!(c.pts >= pts[i], "output {i}: pts going back");
                        pts[i] = c.pts;
                        frames[i] += c.ncols();
                    }
                }
            }
            frames
        });
        let want2 = second.map_or(frames, |r| frames * (r as usize / 44_100));
        assert_eq!(got, [frames, want2], "second output {second:?}");
    }
}

/// Finding 6: a WAV written to a pipe keeps its sizes open-ended (0xFFFFFFFF), so a RIFF pad
/// byte after odd-sized data was read back as one more sample (-1.0 for u8) by our reader and
/// by FFmpeg. Now a stream gets no pad byte, as FFmpeg's muxer writes it: both read back
/// exactly the frames written.
#[test]
fn fuzz_6_wav_to_a_pipe_has_no_pad_byte() {
    use audiostream::{AudioEncodeOptions, StreamWriter};
    let dir = common::signals::TempDir::new("wav_pipe_pad");
    for frames in [1usize, 19, 2315] {
        let path = dir.path(&format!("u8-{frames}.wav"));
        let file = std::fs::File::create(&path).unwrap();
        let mut w = StreamWriter::from_writer(file, "wav").unwrap();
        w.add_audio_stream_with(AudioEncodeOptions::new(8000, 1).encoder_format("u8"))
            .unwrap();
        let x = ndarray::Array2::from_shape_fn((1, frames), |(_, t)| (t % 50) as f32 / 100.0);
        w.write_audio_chunk(0, x.view(), None).unwrap();
        w.close().unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 44 + frames as u64);
        let bytes = std::fs::read(&path).unwrap();
        let ours_frames = within_limits("u8 WAV from a pipe", 10, 16 * MIB, move || {
            let mut r = StreamReader::from_stream(Cursor::new(bytes), Some("wav")).unwrap();
            r.add_audio_stream(AudioStreamOptions::new(4096)).unwrap();
            let mut n = 0;
            for chunks in r.stream() {
                n += chunks.unwrap()[0].as_ref().map_or(0, |c| c.ncols());
            }
            n
        });
        assert_eq!(ours_frames, frames, "our reader");
        assert_eq!(ffmpeg_decode(&path, 0, &[]).num_frames(), frames, "FFmpeg");
    }
}

/// Finding 7: a WAV rate whose byte rate (rate x bytes per frame) does not fit the header's
/// 32 bits wrapped (a wrong field, or an overflow panic in debug builds); refused now, naming
/// the rate and the highest one allowed.
#[test]
fn fuzz_7_wav_byte_rate_beyond_32_bits_is_refused() {
    use audiostream::{AudioEncodeOptions, StreamWriter};
    let e = within_limits("WAV at 2080472188 Hz", 10, 16 * MIB, || {
        let mut w = StreamWriter::from_seekable(Cursor::new(Vec::new()), "WAV").unwrap();
        w.add_audio_stream_with(AudioEncodeOptions::new(2_080_472_188, 2))
            .err()
    });
    let e = e.expect("refused");
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("2080472188") && text.contains("1073741823"),
        "{text}"
    );
}

/// Findings 8 and 9: the fuzzer's WAVE_FORMAT_EXTENSIBLE header of 65,281 channels with a
/// one-bit mask (channel-mask repair shifted by >= 32) and its damaged MS ADPCM WAV (delta
/// multiplication overflow, garbage samples in release builds), both in symphonia 0.6.1:
/// through our riff and adpcm copies no panic (debug builds check overflows), seekable and as
/// a pipe, and a typed refusal for the channel count.
#[test]
fn fuzz_8_9_riff_channel_mask_and_ms_adpcm_delta() {
    let wav = std::fs::read(fixture(
        "regressions/symphonia/riff-wav-channel-mask-65281.bin",
    ))
    .unwrap();
    for feed in [Feed::Seekable, Feed::Pipe] {
        match decode_fed("riff-wav-channel-mask-65281.bin", wav.clone(), feed) {
            End::Failed(e) => assert!(
                matches!(e, Error::Decode(_) | Error::Unsupported(_)),
                "{e:?}"
            ),
            End::Frames(n) => panic!("65281 channels decoded to {n} frames"),
        }
    }
    let adpcm = std::fs::read(fixture(
        "regressions/symphonia/adpcm-ms-delta-fuzz-seek.bin",
    ))
    .unwrap();
    for feed in [Feed::Seekable, Feed::Pipe] {
        match decode_fed("adpcm-ms-delta-fuzz-seek.bin", adpcm.clone(), feed) {
            End::Frames(n) => assert!(n < 4096, "{n} frames from 144 bytes"),
            End::Failed(e) => assert!(!e.to_string().is_empty()),
        }
    }
}

/// Finding 10: the writer took any rate the codec's header could hold (WAV: 1,482,184,711 Hz
/// s16 mono to a pipe, 50,659,839 Hz x 8 channels u8 to a file), and our own reader then
/// refused the file (`limits::MAX_SAMPLE_RATE`, 2^20 Hz, the bound behind finding 4). Input and
/// encoder rates above it are refused now, naming the value and the limit, before the output
/// is touched: the writer stays usable, and a stream at the limit reads back.
#[test]
fn fuzz_10_writer_rates_beyond_the_readers_limit_are_refused() {
    use audiostream::limits::MAX_SAMPLE_RATE;
    use audiostream::{AudioEncodeOptions, StreamWriter};
    let over = MAX_SAMPLE_RATE + 1;
    let cases = [
        (
            AudioEncodeOptions::new(1_482_184_711, 1).format("s16"),
            "sample_rate",
            1_482_184_711,
        ),
        (
            AudioEncodeOptions::new(50_659_839, 8).encoder_format("u8"),
            "sample_rate",
            50_659_839,
        ),
        (AudioEncodeOptions::new(over, 2), "sample_rate", over),
        (
            AudioEncodeOptions::new(48_000, 2).encoder_sample_rate(over),
            "encoder_sample_rate",
            over,
        ),
    ];
    let dir = common::signals::TempDir::new("writer_rate_limit");
    for (i, (opts, name, rate)) in cases.into_iter().enumerate() {
        for seekable in [false, true] {
            let what = format!("{opts:?} seekable {seekable}");
            let path = dir.path(&format!("{i}-{seekable}.wav"));
            let file = std::fs::File::create(&path).unwrap();
            let opts = opts.clone();
            within_limits(&what, 10, 16 * MIB, move || {
                let mut w = if seekable {
                    StreamWriter::from_seekable(file, "wav").unwrap()
                } else {
                    StreamWriter::from_writer(file, "wav").unwrap()
                };
                let e = w.add_audio_stream_with(opts).expect_err("refused");
                let text = e.to_string();
                assert!(matches!(e, Error::InvalidArgument(_)), "{text}");
                assert!(
                    text.starts_with(&format!("invalid argument: {name} = {rate};"))
                        && text.contains(&format!("1 to {MAX_SAMPLE_RATE} Hz")),
                    "{text}"
                );
                // Still usable: a stream at the limit is written and read back whole.
                w.add_audio_stream(MAX_SAMPLE_RATE, 1).unwrap();
                let x = ndarray::Array2::<f32>::zeros((1, 1000));
                w.write_audio_chunk(0, x.view(), None).unwrap();
                w.close().unwrap();
            });
            let bytes = std::fs::read(&path).unwrap();
            let mut r = StreamReader::from_stream(Cursor::new(bytes), Some("wav")).unwrap();
            r.add_audio_stream(AudioStreamOptions::new(4096)).unwrap();
            let mut n = 0;
            for chunks in r.stream() {
                n += chunks.unwrap()[0].as_ref().map_or(0, |c| c.ncols());
            }
            assert_eq!(n, 1000, "{what}: frames read back at {MAX_SAMPLE_RATE} Hz");
        }
    }
}

/// Finding 11: `norm` (and the other scanning forms of `gain`) held the whole stream in memory
/// (`pad 473.92 gain 98 norm` grew one channel's buffer past 64 MiB). Beyond
/// `limits::SPOOL_AFTER_SAMPLES` the stream now goes to a temporary file, as in SoX, and comes
/// back a piece at a time. 21 minutes (126 repeats of 10 s of music, stereo at 8 kHz: 20 M
/// samples, 81 MB as `f32`) stream in a few MiB; the peak is the period's, so each period of
/// the output equals, bit for bit, `apply()` on one period (the in-memory path), which matches
/// `sox norm` on it.
#[test]
fn fuzz_11_norm_over_21_minutes_streams_in_bounded_memory() {
    use audiostream::limits::SPOOL_AFTER_SAMPLES;
    const RATE: u32 = 8000;
    const PERIOD: usize = 10 * RATE as usize;
    const PERIODS: usize = 126;
    let period = common::signals::music(2, PERIOD, RATE) * 0.5;
    assert!(
        period.len() <= SPOOL_AFTER_SAMPLES,
        "one period stays in memory"
    );
    let fx: AudioEffector = "norm -1".parse().unwrap();
    let short = fx.apply(period.view(), RATE).unwrap();
    let theirs = common::sox::sox_effect(&period, RATE, "norm -1");
    for (c, t) in theirs.iter().enumerate() {
        let snr = snr_db(t, &short.row(c).to_vec());
        assert!(snr >= 60.0, "norm -1 vs sox, channel {c}: {snr:.1} dB");
    }
    let (frames, largest) = within_limits("norm over 21 minutes", 300, 16 * MIB, move || {
        use audiostream::pipeline::Stage;
        let mut st = fx.stream(RATE, 2).unwrap();
        for _ in 0..PERIODS {
            for start in (0..PERIOD).step_by(4000) {
                let chunk = period
                    .slice(ndarray::s![.., start..start + 4000])
                    .to_owned();
                let out = Stage::process(&mut st, chunk).unwrap();
                assert_eq!(out.ncols(), 0, "norm holds everything until the end");
                assert!(Stage::drain(&mut st, 4096).unwrap().is_none());
            }
        }
        let (mut frames, mut largest) = (0usize, 0usize);
        while let Some(piece) = Stage::flush(&mut st, 4096).unwrap() {
            largest = largest.max(piece.ncols());
            for (i, col) in piece.columns().into_iter().enumerate() {
                let at = (frames + i) % PERIOD;
                for c in 0..2 {
                    assert_eq!(
                        col[c].to_bits(),
                        short[[c, at]].to_bits(),
                        "frame {}, channel {c}: spooled != in memory",
                        frames + i
                    );
                }
            }
            frames += piece.ncols();
        }
        (frames, largest)
    });
    assert_eq!(frames, PERIOD * PERIODS);
    assert!(largest <= 4096, "a piece of {largest} frames");
}

/// Finding 11, against SoX on a stream that goes to the temporary file (30 s of stereo and
/// 3-channel audio at 44.1 kHz, 2.6-4 M samples): `norm`, `gain -n -3` and the RMS-balancing
/// `gain -b` (statistics gathered on the way in) match `sox` as on short streams, and
/// `process()` + `flush()` equal `apply()` bit for bit.
#[test]
fn fuzz_11_spooled_gain_matches_sox() {
    const RATE: u32 = 44100;
    for (effect, channels) in [("norm", 2), ("gain -n -3", 2), ("gain -b 6", 3)] {
        let mut data = common::signals::music(channels, 30 * RATE as usize, RATE) * 0.7;
        for (c, level) in [(1, 0.3f32), (2, 0.6)] {
            if c < channels {
                data.row_mut(c).mapv_inplace(|x| x * level);
            }
        }
        assert!(data.len() > audiostream::limits::SPOOL_AFTER_SAMPLES);
        let fx: AudioEffector = effect.parse().unwrap();
        let whole = fx.apply(data.view(), RATE).unwrap();
        let joined = common::effects::streamed(&fx, &data, RATE, 10_000);
        assert!(joined == whole, "{effect}: streamed != apply()");
        let theirs = common::sox::sox_effect(&data, RATE, effect);
        for (c, t) in theirs.iter().enumerate() {
            assert_eq!(t.len(), whole.ncols(), "{effect}: length");
            let snr = snr_db(t, &whole.row(c).to_vec());
            eprintln!("{effect} (spooled), channel {c}: {snr:.1} dB vs sox");
            assert!(snr >= 60.0, "{effect}, channel {c}: {snr:.1} dB vs sox");
        }
    }
}

/// Finding 11 through the command line: `convert --effect "pad 0 300 norm"` (5 minutes of
/// stereo at 44.1 kHz held by `norm`: 106 MB as `f32`) stays under 64 MiB of RSS; where the
/// temporary file cannot be made (TMPDIR names no directory) the conversion fails with a
/// message naming the effect, the directory and the limit, not a panic.
#[test]
fn fuzz_11_cli_norm_of_a_long_stream_is_bounded() {
    let dir = common::signals::TempDir::new("norm-cli");
    let input = fixture("wav_s16_stereo_44100.wav");
    let out = dir.path("norm.flac");
    let (o, rss_kib) = run_cli(&[
        "convert",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "--effect",
        "pad 0 300 norm",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    let frames = 22050 + 300 * 44100;
    assert!(
        stderr.contains(&format!("{frames} frames, 300.500 s")),
        "{stderr}"
    );
    assert!(rss_kib < 64 * 1024, "peak RSS {rss_kib} KiB");
    // The fixture's peak raised to full scale: the output's peak is 0 dBFS.
    let got = ours::decode(&out, None);
    let peak = got
        .iter()
        .flat_map(|c| c.iter())
        .fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak > 0.999, "peak {peak}");

    let missing = dir.path("no-such-dir");
    let o = Command::new(env!("CARGO_BIN_EXE_audiostream"))
        .args(["convert", input.to_str().unwrap()])
        .arg(dir.path("never.wav"))
        .args(["--effect", "pad 0 60 norm"])
        .env("TMPDIR", &missing)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in ["norm", "temporary file", "no-such-dir", "1048576 samples"] {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
}

/// Finding 12: `fundsp.reverb 56 56 0.5 0.2` on 3 channels at 458,746 Hz took 118 MiB in the
/// fuzz target: fundsp's `reverb_stereo` has 32 delay lines of 1.99 s x room / 10 m in all
/// (19.5 MiB at that rate and room), one reverb per channel, and a flushed stream built its
/// next set of effects while the old one was still alive. Now rates above 192 kHz are
/// refused for `fundsp.*`, and so are reverbs whose delay lines pass 64 MiB for all channels,
/// naming the value and the limit; the restart drops the old effects first, so `apply` at the
/// limit holds one set.
#[test]
fn fuzz_12_fundsp_reverb_rate_and_size_are_bounded() {
    let fx: AudioEffector = "fundsp.reverb 56 56 0.5 0.2".parse().unwrap();
    let x = ndarray::Array2::<f32>::zeros((3, 2000));
    for e in [
        fx.stream(458_746, 3).unwrap_err(),
        fx.apply(x.view(), 458_746).unwrap_err(),
    ] {
        let text = e.to_string();
        assert!(matches!(e, Error::InvalidArgument(_)), "{text}");
        assert!(
            text.contains("fundsp.reverb sample rate")
                && text.contains("458746 Hz")
                && text.contains("192000 Hz"),
            "{text}"
        );
    }
    // 8 reverbs (8 channels) of a 100 m room at 192 kHz: 122 MiB of delay lines.
    let big: AudioEffector = "fundsp.reverb 100".parse().unwrap();
    let e = big.stream(192_000, 8).unwrap_err().to_string();
    assert!(
        e.contains("16777216 samples") && e.contains("64 MiB"),
        "{e}"
    );
    // At the rate limit, 3 channels: 3 x 8.2 MiB of delay lines, held once.
    let out = within_limits(
        "fundsp.reverb 56 at 192 kHz x 3",
        120,
        32 * MIB,
        move || {
            let mut x = ndarray::Array2::<f32>::zeros((3, 2000));
            x[[0, 0]] = 1.0;
            let whole = fx.apply(x.view(), 192_000).unwrap();
            let mut st = fx.stream(192_000, 3).unwrap();
            let mut streamed = st.process(x.view()).unwrap();
            let tail = st.flush().unwrap();
            streamed.append(ndarray::Axis(1), tail.view()).unwrap();
            assert_eq!(streamed, whole, "streamed != apply()");
            whole
        },
    );
    assert_eq!(out.dim(), (3, 2000));
    // The impulse is heard (the dry path) and the other channels stay silent.
    assert_eq!(out[[0, 0]], 1.0);
    assert!(out.row(1).iter().all(|&v| v == 0.0));
}

/// Finding 3, the `metadata` target's input: a damaged 41 KB FLAC whose STREAMINFO says
/// 1,048,564 Hz (= 4 x 262141) with frames at 44.1 kHz and other rates, converted to the first
/// rate ("streams that change shape"): 262141:11025 needs blocks of 524,282 frames, and the
/// resampler's buffers for them took 66 MiB above the fuzz binary's baseline. It now ends
/// in 40 MiB (the resampler refuses blocks over 2^19 samples for all channels, naming the
/// limit) and in bounded time.
#[test]
fn fuzz_3_flac_at_1048564_hz_changing_rate_is_bounded() {
    let bytes = std::fs::read(fixture("regressions/fuzz/flac-1048564hz-rate-change.flac")).unwrap();
    let end = within_limits(
        "FLAC at 1048564 Hz changing rate",
        60,
        40 * MIB,
        move || {
            let mut r = StreamReader::from_reader(Cursor::new(bytes), None)?;
            r.add_audio_stream(AudioStreamOptions::new(256))?;
            let mut frames = 0;
            for chunks in r.stream() {
                frames += chunks?[0].as_ref().map_or(0, |c| c.ncols());
            }
            Ok::<_, Error>(frames)
        },
    );
    eprintln!("FLAC at 1048564 Hz: {end:?}");
    if let Err(e) = &end {
        assert!(e.to_string().contains("resampl"), "{e}");
    }
}
