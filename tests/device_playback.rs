//! Playback through real ALSA (no sound card: ALSA `file` plugin PCMs, see
//! `tests/device_alsa/mod.rs`): `play_audio`, the `StreamWriter` device sink and
//! `audiostream play`, compared sample by sample with what the ALSA plugin wrote.
#![cfg(all(target_os = "linux", feature = "device"))]

mod device_alsa;

use audiostream::device::{self, play_audio_on};
use audiostream::ndarray::{Array2, Axis};
use audiostream::{play_audio, Error, Options, StreamWriter};
use device_alsa::{f32_samples, playback_pcm, Alsa, Drain, NULL_PCM};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// FIFOs of the paced playback devices.
const FIFOS: &[&str] = &[
    "sink.fifo",
    "slow.fifo",
    "under.fifo",
    "cli.fifo",
    "cli_default.fifo",
];

fn alsa() -> &'static Alsa {
    let mut config = String::from(NULL_PCM);
    // The default device: f32 passes through untouched into default.raw.
    config += &playback_pcm("!default", "default.raw", "test default playback");
    // A device that only takes integers and stores 16-bit samples.
    config += &playback_pcm("as_s16_file", "s16.raw", "-");
    config += "pcm.as_s16 { type linear; slave { pcm \"as_s16_file\"; format S16_LE } \
               hint { show on; description \"16-bit only\" } }\n";
    for (name, fifo) in [
        ("as_sink", "sink.fifo"),
        ("as_slow", "slow.fifo"),
        ("as_under", "under.fifo"),
        ("as_cli", "cli.fifo"),
    ] {
        config += &playback_pcm(name, fifo, "paced by a FIFO reader");
    }
    device_alsa::setup("playback", FIFOS, &config)
}

/// A test signal with a peak of `peak`: two sines per channel, `(channels, frames)`.
fn signal(channels: usize, frames: usize, rate: u32, peak: f32) -> Array2<f32> {
    Array2::from_shape_fn((channels, frames), |(c, t)| {
        let x = t as f32 / rate as f32;
        let f = 220.0 * (c as f32 + 1.0);
        peak * (0.7 * (std::f32::consts::TAU * f * x).sin()
            + 0.3 * (std::f32::consts::TAU * 1760.0 * x).sin())
    })
}

fn read_f32(path: &Path) -> Vec<f32> {
    f32_samples(&std::fs::read(path).expect("the plugin's file"))
}

/// Compares interleaved device output with `(channels, frames)` audio: the audio first,
/// then only silence (the last device period is padded).
fn assert_played(out: &[f32], expected: &Array2<f32>, tolerance: f32, what: &str) {
    let ch = expected.nrows();
    assert_eq!(out.len() % ch, 0, "{what}: whole frames");
    let frames = out.len() / ch;
    assert!(
        frames >= expected.ncols(),
        "{what}: {frames} frames played, {} written",
        expected.ncols()
    );
    let mut worst = 0.0f32;
    for t in 0..expected.ncols() {
        for c in 0..ch {
            let d = (out[t * ch + c] - expected[[c, t]]).abs();
            worst = worst.max(d);
            assert!(
                d <= tolerance,
                "{what}: frame {t} channel {c}: played {} expected {} (tolerance {tolerance})",
                out[t * ch + c],
                expected[[c, t]]
            );
        }
    }
    let tail = &out[expected.ncols() * ch..];
    assert!(
        tail.iter().all(|&v| v == 0.0),
        "{what}: non-silence after the audio"
    );
    eprintln!("{what}: {} frames, max error {worst:e}", expected.ncols());
}

#[test]
fn play_audio_writes_the_signal_for_every_layout_and_normalization() {
    let alsa = alsa();
    let out = alsa.path("default.raw");
    for channels in [1usize, 2] {
        for channels_first in [true, false] {
            for normalize in [false, true] {
                // Peak 1.6: normalize scales by 1/1.6; without it the samples pass as they are
                // (the device takes f32, so nothing clips).
                let x = signal(channels, 4000, 16000, 1.6);
                let arg = if channels_first {
                    x.clone()
                } else {
                    x.t().to_owned()
                };
                let start = Instant::now();
                play_audio(arg.view(), 16000, normalize, channels_first).expect("play_audio");
                assert!(start.elapsed() < Duration::from_secs(10));
                let peak = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
                assert!(peak > 1.0);
                let expected = if normalize {
                    let gain = 1.0 / peak;
                    x.mapv(|v| v * gain)
                } else {
                    x.clone()
                };
                // f32 end to end: exact.
                assert_played(
                    &read_f32(&out),
                    &expected,
                    0.0,
                    &format!(
                        "{channels} ch, channels_first {channels_first}, normalize {normalize}"
                    ),
                );
            }
        }
    }
    // A signal within [-1, 1] is never made louder by normalize.
    let quiet = signal(1, 1000, 8000, 0.5);
    play_audio(quiet.view(), 8000, true, true).unwrap();
    assert_played(
        &read_f32(&alsa.path("default.raw")),
        &quiet,
        0.0,
        "quiet, normalize",
    );
}

#[test]
fn play_audio_converts_to_an_integer_device_within_one_lsb() {
    let alsa = alsa();
    let x = signal(2, 3000, 22050, 0.9);
    play_audio_on("as_s16", x.view(), 22050, false, true).unwrap();
    let bytes = std::fs::read(alsa.path("s16.raw")).unwrap();
    let out: Vec<f32> = bytes
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect();
    // f32 -> the device's 32-bit integers -> ALSA's 16-bit conversion (it keeps the top 16
    // bits): within one 16-bit step.
    assert_played(&out, &x, 1.0 / 32768.0 + 1e-7, "s16 device");
}

#[test]
fn play_audio_refuses_more_channels_than_the_device_without_a_rule() {
    alsa();
    // ALSA's file plugin takes any channel count, and cpal offers 1 to 64 of them: 100
    // channels are more than the device takes, and only stereo, 5.1 and 7.1 have down-mix
    // rules. (Mono to stereo, 5.1 to stereo and the others are unit-tested on configuration
    // lists in src/device/host.rs, and the mixes themselves in tests/it/dsp_remix.rs.)
    let many = signal(100, 50, 8000, 0.5);
    let e = play_audio(many.view(), 8000, false, true).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("channels = 100") && msg.contains("at most 64"),
        "{msg}"
    );
    // A (time, channels) array passed as channels-first reads as 50 frames of... 100
    // channels here too: the same error.
    let e = play_audio(many.t(), 8000, false, false).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
}

#[test]
fn play_audio_rejects_bad_input() {
    alsa();
    let ok = signal(1, 100, 8000, 0.5);
    let cases: Vec<(Array2<f32>, u32, &str)> = vec![
        (Array2::zeros((1, 0)), 8000, "empty"),
        (Array2::zeros((0, 100)), 8000, "empty"),
        (ok.clone(), 0, "sample_rate = 0"),
        (
            {
                let mut a = ok.clone();
                a[[0, 17]] = f32::NAN;
                a
            },
            8000,
            "NaN at channel 0, frame 17",
        ),
        (
            {
                let mut a = ok.clone();
                a[[0, 3]] = f32::INFINITY;
                a
            },
            8000,
            "inf at channel 0, frame 3",
        ),
    ];
    for (a, rate, needle) in cases {
        let e = play_audio(a.view(), rate, true, true).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{needle}: {e}");
        assert!(e.to_string().contains(needle), "{needle}: {e}");
    }
}

#[test]
fn a_missing_device_name_lists_the_devices() {
    alsa();
    let x = signal(1, 100, 8000, 0.5);
    let e = play_audio_on("no_such_device", x.view(), 8000, true, true).unwrap_err();
    assert!(
        matches!(&e, Error::Device(d) if d.kind == audiostream::DeviceErrorKind::NotFound),
        "{e}"
    );
    let msg = e.to_string();
    for name in [
        "no_such_device",
        "ALSA",
        "\"default\"",
        "\"as_s16\" (16-bit only)",
        "\"as_sink\"",
    ] {
        assert!(msg.contains(name), "{name} missing from: {msg}");
    }
    let e = StreamWriter::new("no_such_device", Some("device"), None).unwrap_err();
    assert!(
        matches!(&e, Error::Device(d) if d.kind == audiostream::DeviceErrorKind::NotFound)
            && e.to_string().contains("\"as_sink\""),
        "{e}"
    );
}

/// Child side of `no_default_device_is_a_device_error`: only runs in the subprocess.
#[test]
fn child_play_without_a_default_device() {
    if std::env::var_os("AUDIOSTREAM_TEST_NO_DEFAULT").is_none() {
        return;
    }
    let mut config = String::from(NULL_PCM);
    config += &playback_pcm("as_only", "only.raw", "the only device");
    device_alsa::setup("nodefault", &[], &config);
    let x = signal(1, 100, 8000, 0.5);
    let e = play_audio(x.view(), 8000, true, true).unwrap_err();
    println!("ERROR: {e}");
    assert!(matches!(e, Error::Device(_)), "{e}");
}

#[test]
fn no_default_device_is_a_device_error_naming_the_host_and_devices() {
    // ALSA reads its configuration once per process: run this in a child process with a
    // configuration that has no default device.
    let o = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_play_without_a_default_device",
            "--nocapture",
        ])
        .env("AUDIOSTREAM_TEST_NO_DEFAULT", "1")
        .env_remove("ALSA_CONFIG_PATH")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{o:?}");
    let line = text
        .lines()
        .find(|l| l.starts_with("ERROR: "))
        .expect(&text);
    for needle in [
        "device error",
        "ALSA",
        "default",
        "\"as_only\" (the only device)",
    ] {
        assert!(line.contains(needle), "{needle} missing: {line}");
    }
}

#[test]
fn the_device_sink_plays_every_sample_in_order() {
    let alsa = alsa();
    // Read the device at 2x real time: the writer has to wait for room.
    let rate = 48000u32;
    let drain = Drain::start(
        &alsa.path("sink.fifo"),
        Some(2.0 * f64::from(rate) * 2.0 * 4.0),
    );
    // A 1 s queue: the device's first burst (the FIFO's 64 KiB and ALSA's buffer, read
    // faster than real time) must not empty it, nor may the writer's thread being held up
    // for a while on a loaded machine (0.5 s at this pace), or the test would see an
    // underrun.
    let opts = Options::from([
        ("queue_frames".into(), "48000".into()),
        ("buffer_frames".into(), "1024".into()),
    ]);
    let (mut writer, monitor) = device::open_output("as_sink", Some(&opts)).unwrap();
    writer.add_audio_stream(rate, 2).unwrap();
    let x = signal(2, 2 * rate as usize, rate, 0.8); // 2 s
    let start = Instant::now();
    let mut pts = 0i64;
    for chunk in x.axis_chunks_iter(Axis(1), 1000) {
        writer.write_audio_chunk(0, chunk, Some(pts)).unwrap();
        pts += chunk.ncols() as i64;
    }
    let writing = start.elapsed();
    writer.close().unwrap();
    let out = f32_samples(&drain.finish());
    assert_played(&out, &x, 0.0, "device sink");
    assert_eq!(monitor.frames_played(), 2 * rate as u64);
    assert_eq!(monitor.underruns(), 0);
    assert_eq!(monitor.config(), Some((rate, 2, "f32".into())));
    // Bounded buffering: 2 s of audio through a 1 s queue read at 2x real time cannot be
    // written faster than about (2 - 1 - 0.25 (the first burst)) / 2 s.
    assert!(
        writing >= Duration::from_millis(250),
        "writing took {writing:?}: the writer ran ahead of the device"
    );
}

#[test]
fn the_device_sink_converts_rate_and_channels_and_counts_underruns() {
    let alsa = alsa();
    // Real time: 48 kHz stereo f32.
    let drain = Drain::start(&alsa.path("under.fifo"), Some(48000.0 * 8.0));
    let opts = Options::from([("queue_frames".into(), "2400".into())]);
    let (mut writer, monitor) = device::open_output("as_under", Some(&opts)).unwrap();
    // Mono 16 kHz in; the device is asked for 48 kHz stereo.
    writer
        .add_audio_stream_with(
            audiostream::AudioEncodeOptions::new(16000, 1)
                .encoder_sample_rate(48000)
                .encoder_num_channels(2),
        )
        .unwrap();
    let x = signal(1, 1600, 16000, 0.5);
    // Two writes of 0.1 s with a pause of 0.3 s between: the device runs dry.
    writer.write_audio_chunk(0, x.view(), None).unwrap();
    writer.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    writer.write_audio_chunk(0, x.view(), None).unwrap();
    writer.close().unwrap();
    let out = f32_samples(&drain.finish());
    assert!(monitor.underruns() > 0, "no underrun counted");
    // 3200 frames at 16 kHz -> 9600 at 48 kHz, all played.
    assert_eq!(monitor.frames_played(), 9600);
    // Both channels equal (mono copied); the audio is there (silence in the gap).
    let left: Vec<f32> = out.iter().step_by(2).copied().collect();
    let right: Vec<f32> = out.iter().skip(1).step_by(2).copied().collect();
    assert_eq!(left, right);
    let loud = left.iter().filter(|v| v.abs() > 0.05).count();
    assert!(loud > 5000, "{loud} loud samples");
}

#[test]
fn the_device_sink_rejects_bad_options() {
    alsa();
    let bad = [
        (
            Options::from([("rate".into(), "1".into())]),
            "buffer_frames, queue_frames",
        ),
        (
            Options::from([("queue_frames".into(), "0".into())]),
            "option queue_frames = 0",
        ),
        (
            Options::from([("buffer_frames".into(), "x".into())]),
            "option buffer_frames = x",
        ),
    ];
    for (opts, needle) in bad {
        let e = StreamWriter::new("as_sink", Some("device"), Some(&opts)).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
        assert!(e.to_string().contains(needle), "{needle}: {e}");
    }
    let mut w = StreamWriter::new("as_s16", Some("device"), None).unwrap();
    let e = w
        .add_audio_stream_with(audiostream::AudioEncodeOptions::new(8000, 2).encoder("mp3"))
        .unwrap_err();
    assert!(e.to_string().contains("takes f32 audio"), "{e}");
    let e = w
        .add_audio_stream_with(
            audiostream::AudioEncodeOptions::new(8000, 2).encoder_num_channels(100),
        )
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidArgument(_)) && e.to_string().contains("channels = 100"),
        "{e}"
    );
}
