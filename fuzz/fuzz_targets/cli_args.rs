//! The CLI's argument parsing. The flag parsers live in the binary, not in the library
//! (src/bin/audiostream/args.rs), so this target compiles that file as it is (`#[path]`) and
//! fuzzes parse_time (--start/--duration), parse_rate (--rate), parse_bitrate (--bitrate),
//! parse_channels, parse_quality, parse_container (--to), container_of_path, parse_options
//! (-o KEY=VALUE) and parse_effect (--effect). What `audiostream convert` does with the values
//! (src/bin/audiostream/convert.rs) is not reachable; the target does its library half: seek to
//! --start on a short WAV, read --duration worth of frames, write them through a writer with
//! --rate/--channels/--bitrate/--quality/--compression-level/--to/--effect set as the CLI maps
//! them (README "Command line"), into a sink that only counts bytes.
//!
//! Invariants: an accepted time is finite and >= 0 and prints back to itself; an accepted rate
//! or bit rate is >= 1 and prints back to itself; channels are 1..=1024; a quality is finite;
//! a container is one the writer writes; seeking to an accepted --start succeeds; errors from
//! the writer are fine, panics are not.
#![no_main]

#[allow(dead_code)]
#[path = "../../src/bin/audiostream/args.rs"]
mod args;

use args::*;
use audiostream::ndarray::{concatenate, Array2, Axis};
use audiostream::{AudioEncodeOptions, CodecConfig, StreamReader, StreamWriter};
use libfuzzer_sys::fuzz_target;
use std::io::{Cursor, Write};
use std::sync::OnceLock;

const TIMES: &[&str] = &[
    "0",
    "1.5",
    "0:00.01",
    "1:30",
    "0:0:0.005",
    "2s",
    "0.0049",
    "1e3",
    "-1",
    "99999999999999999999",
];
const RATES: &[&str] = &[
    "48000",
    "44.1k",
    "8k",
    "16000Hz",
    "22050",
    "1",
    "4294967295",
    "0.5",
    "384k",
    "11025",
];
const BITRATES: &[&str] = &[
    "128k", "320000", "8k", "1.5M", "96kbps", "32k", "4294M", "1", "64000b/s", "0",
];
const CHANNELS: &[&str] = &["1", "2", "6", "8", "1024", "1025", "0", " 2 "];
const QUALITIES: &[&str] = &["0", "2", "9", "9.999", "-1", "10", "nan", "2.5"];
const CONTAINERS: &[&str] = &["wav", "flac", "mp3", "WAVE", "ogg", "Flac"];

/// A 64-frame stereo 44.1 kHz s16 WAV.
fn wav() -> &'static [u8] {
    static WAV: OnceLock<Vec<u8>> = OnceLock::new();
    WAV.get_or_init(|| {
        let sig = Array2::from_shape_fn((2, 64), |(c, t)| ((t * (c + 3)) as f32 * 0.1).sin() * 0.5);
        let out = audiostream_fuzz::Shared::default();
        let mut w = StreamWriter::from_seekable(out.clone(), "wav").expect("a WAV writer");
        w.add_audio_stream(44100, 2).expect("a stream");
        w.write_audio_chunk(0, sig.view(), None).expect("64 frames");
        w.close().expect("close");
        out.bytes()
    })
}

/// Counts bytes, keeps nothing.
struct Count(std::sync::Arc<std::sync::atomic::AtomicU64>);
impl Write for Count {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0
            .fetch_add(b.len() as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let (sel, text) = match data.split_first() {
        Some((s, t)) => (*s, String::from_utf8_lossy(t).into_owned()),
        None => return,
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let mut n = 0usize;
    // Field i: the i-th line, or (when its selector bit says so) a typical value.
    let mut field = |table: &[&'static str]| -> String {
        let i = n;
        n += 1;
        let line = lines.get(i).copied().unwrap_or("");
        if sel & (1 << (i % 8)) != 0 && !table.is_empty() {
            table[line.len() % table.len()].to_string()
        } else {
            line.to_string()
        }
    };
    let (start_s, dur_s, rate_s, br_s, ch_s, q_s, to_s, opt_s, level_s, fx_s) = (
        field(TIMES),
        field(TIMES),
        field(RATES),
        field(BITRATES),
        field(CHANNELS),
        field(QUALITIES),
        field(CONTAINERS),
        field(&[]),
        field(&[]),
        field(&[]),
    );

    let start = parse_time(&start_s).ok();
    let duration = parse_time(&dur_s).ok();
    for t in [start, duration].into_iter().flatten() {
        assert!(t.is_finite() && t >= 0.0, "parse_time gave {t}");
        assert_eq!(
            parse_time(&format!("{t}")),
            Ok(t),
            "{t} does not parse back"
        );
    }
    let rate = parse_rate(&rate_s).ok();
    if let Some(r) = rate {
        assert!(r >= 1, "parse_rate({rate_s:?}) = {r}");
        assert_eq!(parse_rate(&r.to_string()), Ok(r));
    }
    let bit_rate = parse_bitrate(&br_s).ok();
    if let Some(b) = bit_rate {
        assert!(b >= 1, "parse_bitrate({br_s:?}) = {b}");
        assert_eq!(parse_bitrate(&b.to_string()), Ok(b));
    }
    let channels = parse_channels(&ch_s).ok();
    if let Some(c) = channels {
        assert!((1..=1024).contains(&c), "parse_channels({ch_s:?}) = {c}");
    }
    let quality = parse_quality(&q_s).ok();
    if let Some(q) = quality {
        assert!(q.is_finite());
    }
    let to = parse_container(&to_s).ok();
    if let Some(t) = &to {
        // The containers the CLI writes (main added Ogg Vorbis and Ogg Opus); this crate has
        // no Ogg encoder, so their add_audio_stream below fails with Unsupported.
        assert!(
            ["wav", "flac", "mp3", "ogg", "opus"].contains(&t.as_str()),
            "container {t}"
        );
    }
    let _ = container_of_path(&to_s);
    let _ = parse_options(&opt_s.split(',').map(str::to_string).collect::<Vec<_>>());
    let level: Option<i32> = level_s.trim().parse().ok();
    let effect = parse_effect(&fx_s).ok();

    // The library half of `audiostream convert in.wav - --to T --start S --duration D ...`.
    let mut reader = StreamReader::from_reader(Cursor::new(wav().to_vec()), None).expect("our WAV");
    reader.add_basic_audio_stream(16, 4).expect("an output");
    if let Some(s) = start {
        reader
            .seek(s)
            .unwrap_or_else(|e| panic!("--start {start_s:?} parsed as {s} but seek failed: {e}"));
    }
    let mut parts = Vec::new();
    for item in reader.stream() {
        if let Some(c) = item.expect("our WAV decodes").remove(0) {
            parts.push(c.data);
        }
    }
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    let mut audio = if views.is_empty() {
        Array2::zeros((2, 0))
    } else {
        concatenate(Axis(1), &views).unwrap()
    };
    if let Some(d) = duration {
        let frames = (d * 44100.0).round();
        if frames < audio.ncols() as f64 {
            audio = audio
                .slice(audiostream::ndarray::s![.., ..frames as usize])
                .to_owned();
        }
    }
    let container = to.unwrap_or_else(|| "wav".into());
    let mut opts = AudioEncodeOptions::new(44100, 2);
    if let Some(r) = rate.filter(|r| *r != 44100) {
        opts = opts.encoder_sample_rate(r);
    }
    if let Some(c) = channels {
        opts = opts.encoder_num_channels(c);
    }
    if bit_rate.is_some() || quality.is_some() || level.is_some() {
        opts = opts.codec_config(CodecConfig {
            bit_rate,
            qscale: quality,
            compression_level: level,
            ..Default::default()
        });
    }
    if let Some(e) = effect {
        opts = opts.effect(e);
    }
    let bytes = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let Ok(mut w) = StreamWriter::from_writer(Count(bytes.clone()), &container) else {
        panic!("{container} was accepted by --to but the writer refuses it");
    };
    if w.add_audio_stream_with(opts).is_err() {
        return;
    }
    if w.write_audio_chunk(0, audio.view(), None).is_err() {
        return;
    }
    let _ = w.close();
});
