//! Capture through real ALSA (no sound card: ALSA `file` plugin PCMs whose `infile` is a FIFO
//! a test thread feeds, see `tests/device_alsa/mod.rs`): the captured samples are the fed
//! ones, chunked and resampled like a file's; a stalled device gives `Error::Timeout` on time;
//! overruns are counted; bad options and names are errors that say what is allowed.
#![cfg(all(target_os = "linux", feature = "device"))]

mod device_alsa;

use audiostream::ndarray::{s, Array2};
use audiostream::{device, AudioStreamOptions, Chunk, Error, Options, StreamReader};
use device_alsa::{bounded, capture_pcm, f32le_bytes, Alsa, Feeder, NULL_PCM};
use std::time::{Duration, Instant};

const RATE: u32 = 48000;
/// Bytes per second of 48 kHz stereo f32.
const BYTES_PER_SEC: f64 = 48000.0 * 8.0;

fn alsa() -> &'static Alsa {
    let mut config = String::from(NULL_PCM);
    for (name, fifo) in [
        ("as_cap", "cap.fifo"),
        ("as_stall", "stall.fifo"),
        ("as_over", "over.fifo"),
        ("as_bad", "bad.fifo"),
    ] {
        config += &capture_pcm(name, fifo, "fed by a test thread");
    }
    // No default device in this configuration.
    device_alsa::setup(
        "capture",
        &["cap.fifo", "stall.fifo", "over.fifo", "bad.fifo"],
        &config,
    )
}

fn stereo_opts(extra: &[(&str, &str)]) -> Options {
    let mut o = Options::from([
        ("sample_rate".to_string(), RATE.to_string()),
        ("channels".to_string(), "2".to_string()),
    ]);
    for (k, v) in extra {
        o.insert(k.to_string(), v.to_string());
    }
    o
}

/// A deterministic stereo test signal, `(2, frames)`.
fn signal(frames: usize) -> Array2<f32> {
    let mut seed = 0x2468_ace1u32;
    Array2::from_shape_fn((2, frames), |(c, t)| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
        let x = t as f32 / RATE as f32;
        0.6 * (std::f32::consts::TAU * (330.0 + 110.0 * c as f32) * x).sin() + 0.1 * noise
    })
}

/// Appends a chunk's frames to `acc` (channels-first).
fn append(acc: &mut Vec<Vec<f32>>, chunk: &Chunk) {
    if acc.is_empty() {
        acc.resize(chunk.nrows(), Vec::new());
    }
    for (c, row) in chunk.rows().into_iter().enumerate() {
        acc[c].extend(row.iter().copied());
    }
}

/// Every chunk ready, with its output index (`pop_chunks` gives one per output per call).
fn drain_chunks(reader: &mut StreamReader) -> Vec<(usize, Chunk)> {
    let mut out = Vec::new();
    loop {
        let popped: Vec<(usize, Chunk)> = reader
            .pop_chunks()
            .into_iter()
            .enumerate()
            .filter_map(|(i, c)| c.map(|c| (i, c)))
            .collect();
        if popped.is_empty() {
            return out;
        }
        out.extend(popped);
    }
}

#[test]
fn capture_returns_the_fed_samples_chunked_and_resampled() {
    let alsa = alsa();
    // 0.512 s: whole 4096-byte blocks (512 frames). ALSA's file plugin does not wait for a
    // whole period from its infile: a FIFO holding part of one would give a short read, and
    // the plugin then hands out stale frames for the rest of the period (a property of the
    // test device, not of the code under test).
    let x = signal(48 * 512);
    // The signal first, then silence (the FIFO keeps what is written before the device
    // starts reading).
    let feeder = Feeder::start(&alsa.path("cap.fifo"), Some(4.0 * BYTES_PER_SEC), false);
    feeder.feed(&f32le_bytes(&x));
    feeder.set_silence(true);
    let opts = stereo_opts(&[("buffer_frames", "256")]);
    let (mut reader, monitor) = device::open_input("as_cap", Some(&opts)).unwrap();
    assert_eq!((monitor.sample_rate(), monitor.channels()), (RATE, 2));
    assert_eq!(monitor.sample_format(), "f32");
    let meta = reader.get_metadata();
    assert_eq!((meta.sample_rate, meta.num_channels), (RATE, 2));
    reader
        .add_audio_stream(AudioStreamOptions::new(1000).buffer_chunk_size(1000))
        .unwrap();
    reader
        .add_audio_stream(
            AudioStreamOptions::new(800)
                .buffer_chunk_size(1000)
                .sample_rate(16000)
                .num_channels(1),
        )
        .unwrap();
    // The signal, then 4000 frames of the feeder's silence.
    let want = x.ncols() + 4000;
    let (mut native, mut converted) = (Vec::new(), Vec::new());
    let mut native_chunks = 0;
    let deadline = Instant::now() + Duration::from_secs(20);
    while native.first().map_or(0, Vec::len) < want
        || converted.first().map_or(0, Vec::len) < want / 3
    {
        assert!(Instant::now() < deadline, "capture too slow");
        reader
            .process_packet_with(Some(Duration::from_secs(2)), Duration::from_millis(5))
            .unwrap();
        for (i, chunk) in drain_chunks(&mut reader) {
            if i == 0 {
                // Every chunk is whole, at its time.
                assert_eq!(chunk.ncols(), 1000);
                assert_eq!(chunk.pts, native_chunks as f64 * 1000.0 / f64::from(RATE));
                native_chunks += 1;
                append(&mut native, &chunk);
            } else {
                assert_eq!((chunk.nrows(), chunk.ncols()), (1, 800));
                append(&mut converted, &chunk);
            }
        }
    }
    assert_eq!(reader.stats().overruns, 0);
    bounded(Duration::from_secs(10), move || drop(reader));
    feeder.stop();

    // The samples of the file, exactly (f32 end to end), then silence.
    for (c, got) in native.iter().enumerate() {
        assert_eq!(got[..x.ncols()], x.row(c).to_vec()[..], "channel {c}");
        let after = &got[x.ncols()..want];
        let bad = after.iter().position(|&v| v != 0.0);
        assert!(
            bad.is_none(),
            "channel {c}: {:?} after the signal",
            bad.map(|i| (i, after[i]))
        );
    }
    // Resampled and remixed like any source: the same samples from a raw file give the same
    // 16 kHz mono output.
    let path = alsa.path("signal.raw");
    let mut padded = Array2::<f32>::zeros((2, want));
    padded.slice_mut(s![.., ..x.ncols()]).assign(&x);
    std::fs::write(&path, f32le_bytes(&padded)).unwrap();
    let file_opts = stereo_opts(&[]);
    let mut file =
        StreamReader::new(path.to_str().unwrap(), Some("f32le"), Some(&file_opts)).unwrap();
    file.add_audio_stream(
        AudioStreamOptions::new(800)
            .sample_rate(16000)
            .num_channels(1),
    )
    .unwrap();
    let mut expected = Vec::new();
    for chunks in file.stream() {
        if let Some(chunk) = &chunks.unwrap()[0] {
            append(&mut expected, chunk);
        }
    }
    // The file ends after the silence (its resampler tail is flushed with zeros, as the
    // device's continuing silence): compare everything the file gives.
    let n = expected[0].len();
    assert!(n >= want / 3 - 1, "{n}");
    let worst = expected[0]
        .iter()
        .zip(&converted[0][..n])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst <= 1e-6,
        "resampled capture differs from the file by {worst}"
    );
}

#[test]
fn a_stalled_capture_times_out_on_time() {
    let alsa = alsa();
    // No silence when the queue is empty: the device stalls once the fed audio is read.
    let feeder = Feeder::start(&alsa.path("stall.fifo"), None, false);
    let opts = stereo_opts(&[("buffer_frames", "256")]);
    let mut reader = StreamReader::new("as_stall", Some("device"), Some(&opts)).unwrap();
    reader.add_basic_audio_stream(256, 1000).unwrap();
    feeder.feed(&f32le_bytes(&signal(4800)));
    let mut frames = 0;
    let mut timeouts = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    for timeout_ms in [300u64, 100, 300] {
        loop {
            assert!(Instant::now() < deadline);
            let asked = Duration::from_millis(timeout_ms);
            let start = Instant::now();
            match reader.process_packet_with(Some(asked), Duration::from_millis(10)) {
                Ok(_) => {
                    for (_, c) in drain_chunks(&mut reader) {
                        frames += c.ncols();
                    }
                }
                Err(Error::Timeout(t)) => {
                    let waited = start.elapsed();
                    assert_eq!(t, asked);
                    timeouts.push((asked, waited));
                    break;
                }
                Err(e) => panic!("{e}"),
            }
        }
    }
    eprintln!("timeouts (asked, waited): {timeouts:?}");
    for (asked, waited) in &timeouts {
        assert!(
            *waited >= *asked && *waited <= *asked + Duration::from_millis(50),
            "asked {asked:?}, waited {waited:?}"
        );
    }
    // Every whole callback of the 4800 fed frames arrived (18 of 256; the rest of the last
    // period is still in the FIFO, waiting for more).
    assert!(frames >= 4608, "{frames}");
    // The device resumes: audio flows again.
    feeder.set_silence(true);
    assert!(reader
        .process_packet_with(Some(Duration::from_secs(5)), Duration::from_millis(10))
        .is_ok());
    bounded(Duration::from_secs(10), move || drop(reader));
    feeder.stop();
}

#[test]
fn overruns_are_counted_and_reading_goes_on() {
    let alsa = alsa();
    // Silence as fast as the device reads it (ALSA's null PCM is not paced), into a queue of
    // 1024 frames that nobody reads for a while.
    let feeder = Feeder::start(&alsa.path("over.fifo"), None, true);
    let opts = stereo_opts(&[("buffer_frames", "256"), ("queue_frames", "1024")]);
    let (mut reader, monitor) = device::open_input("as_over", Some(&opts)).unwrap();
    reader.add_basic_audio_stream(512, 4).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    reader
        .process_packet_with(Some(Duration::from_secs(2)), Duration::from_millis(5))
        .unwrap();
    let overruns = reader.stats().overruns;
    assert!(overruns > 0, "no overrun counted");
    assert!(monitor.dropped_frames() > 0);
    assert_eq!(
        monitor.overruns(),
        reader.stats().overruns.max(monitor.overruns())
    );
    // Reading goes on.
    let mut chunks = 0;
    let deadline = Instant::now() + Duration::from_secs(10);
    while chunks < 10 {
        assert!(Instant::now() < deadline);
        reader
            .process_packet_with(Some(Duration::from_secs(2)), Duration::from_millis(5))
            .unwrap();
        chunks += drain_chunks(&mut reader).len();
    }
    bounded(Duration::from_secs(10), move || drop(reader));
    feeder.stop();
}

#[test]
fn bad_options_and_names_say_what_is_allowed() {
    let alsa = alsa();
    // Asking a device for its formats opens it (and its FIFO): keep a writer on the FIFO.
    let feeder = Feeder::start(&alsa.path("bad.fifo"), Some(BYTES_PER_SEC), true);
    let cases: Vec<(Options, &str)> = vec![
        (
            Options::from([("rate".into(), "48000".into())]),
            "sample_rate, channels, buffer_frames, queue_frames",
        ),
        (
            Options::from([("sample_rate".into(), "0".into())]),
            "option sample_rate = 0",
        ),
        (
            Options::from([("channels".into(), "two".into())]),
            "option channels = two",
        ),
        (
            Options::from([("channels".into(), "100".into())]),
            "channels = 100; allowed: for device \"as_bad\": 1-64 channels",
        ),
        (
            stereo_opts(&[("buffer_frames", "0")]),
            "option buffer_frames = 0",
        ),
        (
            stereo_opts(&[("queue_frames", "-5")]),
            "option queue_frames = -5",
        ),
    ];
    for (opts, needle) in cases {
        let e = StreamReader::new("as_bad", Some("device"), Some(&opts)).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{needle}: {e}");
        assert!(e.to_string().contains(needle), "{needle}: {e}");
    }
    // A name no device has lists the devices.
    let e = StreamReader::new("no_such_mic", Some("device"), None).unwrap_err();
    assert!(
        matches!(&e, Error::Device(d) if d.kind == audiostream::DeviceErrorKind::NotFound),
        "{e}"
    );
    let msg = e.to_string();
    for needle in [
        "no_such_mic",
        "ALSA",
        "\"as_cap\" (fed by a test thread)",
        "\"as_stall\"",
    ] {
        assert!(msg.contains(needle), "{needle}: {msg}");
    }
    // This configuration has no default device.
    let e = StreamReader::new("default", Some("device"), None).unwrap_err();
    assert!(
        matches!(&e, Error::Device(d) if d.kind == audiostream::DeviceErrorKind::NotFound),
        "{e}"
    );
    assert!(e.to_string().contains("\"as_cap\""), "{e}");
    // A live reader cannot seek.
    let mut r = StreamReader::new("as_bad", Some("device"), Some(&stereo_opts(&[]))).unwrap();
    r.add_basic_audio_stream(100, 2).unwrap();
    assert!(r.seek(1.0).is_err());
    bounded(Duration::from_secs(10), move || drop(r));
    feeder.stop();
}
