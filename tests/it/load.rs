//! The one-call helpers (`load`, `load_with`, `load_bytes`, `load_as`, `save`, `save_with`,
//! `encode`) against FFmpeg's decode of the same files, the parallel load against the
//! single-threaded one on long generated files of every codec, and their bad input.
#![cfg(all(feature = "encode-flac", feature = "encode-mp3"))]

use crate::common;
use audiostream::ndarray::{s, Array2};
use audiostream::{
    load, load_as, load_bytes, load_bytes_with, load_with, save, save_with, AudioStreamOptions,
    Error, LoadOptions, SaveOptions, StreamReader,
};
use common::oracle::{ffmpeg_decode, fixture, snr_db};
use common::signals::TempDir;
use std::path::Path;
use std::process::Command;

fn planar(a: &Array2<f32>) -> Vec<Vec<f32>> {
    a.rows().into_iter().map(|r| r.to_vec()).collect()
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// FFmpeg's raw decode of a file as the given sample format (e.g. `s32le`).
fn ffmpeg_raw(path: &Path, fmt: &str) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-nostdin", "-i"])
        .arg(path)
        .args(["-f", fmt, "pipe:1"])
        .output()
        .expect("ffmpeg");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn ffprobe_field(path: &Path, field: &str) -> String {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "a:0", "-show_entries"])
        .arg(format!("stream={field}"))
        .args(["-of", "default=nw=1:nk=1"])
        .arg(path)
        .output()
        .expect("ffprobe");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// (fixture, minimum SNR against FFmpeg in dB or `None` for bit for bit, FFmpeg's extra tail
/// frames): the thresholds of `reader_oracle`.
const FIXTURES: &[(&str, Option<f64>, usize)] = &[
    ("wav_s16_stereo_44100.wav", None, 0),
    ("wav_s24_mono_48000.wav", None, 0),
    ("wav_f32_stereo_22050.wav", None, 0),
    ("flac_16_stereo_44100.flac", None, 0),
    ("flac_24_mono_96000.flac", None, 0),
    ("aiff_s16_stereo_44100.aiff", None, 0),
    ("caf_s16_stereo_44100.caf", None, 0),
    ("mp3_cbr128_stereo_44100.mp3", Some(120.0), 0),
    ("mp3_vbr_v2_mono_44100.mp3", Some(120.0), 0),
    ("vorbis_q5_stereo_44100.ogg", Some(130.0), 0),
    // FFmpeg 5.1 decodes the 888 padding frames the edit list cuts (see reader_oracle).
    ("aac_stereo_44100.m4a", Some(130.0), 888),
];

#[test]
fn load_and_load_bytes_decode_like_ffmpeg() {
    for &(name, min_snr, extra) in FIXTURES {
        let path = fixture(name);
        let (audio, rate) = load(&path).unwrap();
        let theirs = ffmpeg_decode(&path, 0, &[]);
        assert_eq!(rate, theirs.sample_rate, "{name}");
        assert_eq!(audio.nrows(), theirs.num_channels(), "{name}");
        assert_eq!(audio.ncols() + extra, theirs.num_frames(), "{name}: frames");
        for (ch, (ours, theirs)) in planar(&audio).iter().zip(&theirs.channels).enumerate() {
            match min_snr {
                None => assert!(
                    ours == &theirs[..ours.len()],
                    "{name} ch{ch}: not bit for bit"
                ),
                Some(min) => {
                    let snr = snr_db(&theirs[..ours.len()], ours);
                    assert!(snr >= min, "{name} ch{ch}: SNR {snr:.1} dB < {min}");
                }
            }
        }
        let bytes = std::fs::read(&path).unwrap();
        let (from_bytes, rate2) = load_bytes(&bytes).unwrap();
        assert_eq!(rate2, rate, "{name}");
        assert!(from_bytes == audio, "{name}: load_bytes differs from load");
    }
}

#[test]
fn load_with_converts_as_the_reader_does() {
    // Rate and channels: bit for bit the reader's converted output (whose resampler and
    // remixer `reader_convert` checks against SoX and FFmpeg).
    for name in ["flac_16_stereo_44100.flac", "mp3_cbr128_stereo_44100.mp3"] {
        let path = fixture(name);
        let (audio, rate) = load_with(
            &path,
            LoadOptions::new().sample_rate(16_000).num_channels(1),
        )
        .unwrap();
        assert_eq!(rate, 16_000);
        let mut reader = StreamReader::new(path.to_str().unwrap(), None, None).unwrap();
        reader
            .add_audio_stream(
                AudioStreamOptions::new(4096)
                    .buffer_chunk_size(usize::MAX)
                    .sample_rate(16_000)
                    .num_channels(1),
            )
            .unwrap();
        reader.process_all_packets().unwrap();
        let expected = common::ours::concat(&common::ours::drain(&mut reader));
        assert_eq!(expected[0].len(), audio.ncols(), "{name}: frames");
        assert!(
            planar(&audio) == expected,
            "{name}: not the reader's samples"
        );
        // n frames at 44.1 kHz → round(n * 16000 / 44100) at 16 kHz.
        let n = load(&path).unwrap().0.ncols() as u64;
        assert_eq!(
            audio.ncols() as u64,
            (n * 32_000 + 44_100) / 88_200,
            "{name}"
        );
        // The mono downmix against FFmpeg's (`-ac 1` with `rematrix_maxval=1`, as `dsp_remix`) at the source rate.
        let (mono, _) = load_with(&path, LoadOptions::new().num_channels(1)).unwrap();
        let theirs = common::oracle::ffmpeg_decode_with(
            &path,
            &[],
            &["-af", "aresample=rematrix_maxval=1"],
            44_100,
            1,
        );
        let snr = snr_db(&theirs.channels[0], &mono.row(0).to_vec());
        assert!(snr >= 100.0, "{name}: mono SNR {snr:.1} dB against FFmpeg");
    }
}

#[test]
fn an_excerpt_is_the_slice_of_the_whole() {
    let path = fixture("flac_16_stereo_44100.flac");
    let (whole, _) = load(&path).unwrap();
    let (part, _) = load_with(&path, LoadOptions::new().start(0.5).duration(0.25)).unwrap();
    assert!(part == whole.slice(s![.., 22_050..33_075]));
    let (tail, _) = load_with(&path, LoadOptions::new().start(1.0)).unwrap();
    assert_eq!(tail.ncols(), whole.ncols() - 44_100);
    assert!(tail == whole.slice(s![.., 44_100..]));
    let (none, _) = load_with(&path, LoadOptions::new().start(100.0)).unwrap();
    assert_eq!(none.dim(), (2, 0));
    // Effects run on the excerpt, as `AudioEffector::apply` does.
    let fx: audiostream::AudioEffector = "gain -6".parse().unwrap();
    let (quiet, _) = load_with(&path, LoadOptions::new().duration(0.5).effect(fx.clone())).unwrap();
    assert!(quiet == fx.apply(whole.slice(s![.., ..22_050]), 44_100).unwrap());
}

/// A long file in every codec, made by the reference encoders from one WAV.
fn long_files(dir: &TempDir) -> Vec<(&'static str, std::path::PathBuf)> {
    // 35.37 s (above PARALLEL_MIN_SECONDS, so split; short, as debug builds decode slowly):
    // parts of a parallel load end at frames no packet size divides.
    let rate = 44_100;
    let audio = common::signals::music(2, (35.37 * rate as f64) as usize, rate);
    let wav = dir.path("long.wav");
    common::ogg::write_wav16(&wav, &audio, rate);
    let p = |n: &str| dir.path(n).to_str().unwrap().to_string();
    let w = p("long.wav");
    run("flac", &["-s", "-f", "-o", &p("long.flac"), &w]);
    run("lame", &["--quiet", "-b", "128", &w, &p("long.mp3")]);
    run("oggenc", &["-Q", "-q", "4", "-o", &p("long.ogg"), &w]);
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-i",
            &w,
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            &p("long.m4a"),
        ],
    );
    run("opusenc", &["--quiet", &w, &p("long.opus")]);
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-i",
            &w,
            "-c:a",
            "pcm_s24le",
            &p("long24.wav"),
        ],
    );
    [
        "long.wav",
        "long24.wav",
        "long.flac",
        "long.mp3",
        "long.ogg",
        "long.m4a",
        "long.opus",
    ]
    .iter()
    .map(|n| (*n, dir.path(n)))
    .collect()
}

#[test]
fn parallel_load_is_bit_for_bit_the_single_threaded_one() {
    let dir = TempDir::new("load-parallel");
    for (name, path) in long_files(&dir) {
        let bytes = std::fs::read(&path).unwrap();
        let cases: &[(&str, LoadOptions)] = &[
            ("whole", LoadOptions::new()),
            (
                "16k mono",
                LoadOptions::new().sample_rate(16_000).num_channels(1),
            ),
            ("excerpt", LoadOptions::new().start(2.37).duration(31.3)),
        ];
        for (what, opts) in cases {
            let single = load_as::<f32>(&path, opts.clone().threads(1)).unwrap();
            assert_eq!(single.parts, 1);
            // Three parts (two boundaries inside the file), one parallel variant: debug
            // decodes are slow, and CI's time is bounded.
            {
                let threads = 3;
                let par = load_as::<f32>(&path, opts.clone().threads(threads)).unwrap();
                if name == "long.opus" && *what == "16k mono" {
                    // Opus parts are joined at a packet: not where the output resamples.
                    assert_eq!(par.parts, 1, "{name} {what}: not split");
                } else {
                    assert!(
                        par.parts > 1,
                        "{name} {what}: not split with {threads} threads"
                    );
                }
                assert_eq!(
                    par.audio.dim(),
                    single.audio.dim(),
                    "{name} {what} x{threads}"
                );
                let first_diff = par
                    .audio
                    .indexed_iter()
                    .find(|(i, v)| single.audio[*i].to_bits() != v.to_bits());
                assert!(
                    first_diff.is_none(),
                    "{name} {what} in {} parts: first difference at {:?}",
                    par.parts,
                    first_diff
                );
            }
            let from_bytes =
                audiostream::load_bytes_as::<f32>(&bytes, opts.clone().threads(2)).unwrap();
            assert!(
                from_bytes.audio == single.audio,
                "{name} {what}: load_bytes"
            );
        }
    }
}

/// AAC with noise bands (perceptual noise substitution) in most packets: FFmpeg's encoder
/// codes noise as noise at a low rate. Its decoder's noise generator runs from the first
/// packet, so a part decoded from a seek draws other numbers; the parallel load sets the
/// generator of such parts where a decode from the start has it (src/load/pns.rs).
#[test]
fn aac_with_noise_bands_loads_in_parts_bit_for_bit() {
    let dir = TempDir::new("load-pns");
    let m4a = dir.path("pns.m4a");
    // 34.1 s of two independent pink noises and a tone (above PARALLEL_MIN_SECONDS).
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-filter_complex",
            "anoisesrc=d=34.1:c=pink:seed=1:a=0.2[a];anoisesrc=d=34.1:c=pink:seed=2:a=0.2[b];\
             sine=f=330:d=34.1,volume=0.2[t];[a][t]amix=normalize=0[l];[l][b]amerge=inputs=2",
            "-c:a",
            "aac",
            "-aac_pns",
            "1",
            "-b:a",
            "48k",
            m4a.to_str().unwrap(),
        ],
    );
    let single = load_as::<f32>(&m4a, LoadOptions::new().threads(1)).unwrap();
    assert_eq!(single.parts, 1);
    // The file exercises the generator: a reader that starts at 20 s (a seek, as a part
    // does) decodes other samples there than the decode from the start.
    let (seeked, rate) = load_with(
        &m4a,
        LoadOptions::new().start(20.0).duration(1.0).threads(1),
    )
    .unwrap();
    let at = 20 * rate as usize;
    let whole_there = single.audio.slice(s![.., at..at + seeked.ncols()]);
    assert_eq!(seeked.dim(), whole_there.dim());
    assert!(
        seeked != whole_there,
        "no noise bands: the test would prove nothing"
    );
    for threads in [2, 3] {
        let par = load_as::<f32>(&m4a, LoadOptions::new().threads(threads)).unwrap();
        assert_eq!(par.parts, threads, "split in {threads}");
        assert_eq!(par.audio.dim(), single.audio.dim());
        let first_diff = par
            .audio
            .indexed_iter()
            .find(|(i, v)| single.audio[*i].to_bits() != v.to_bits());
        assert!(
            first_diff.is_none(),
            "{threads} parts: first difference at {first_diff:?}"
        );
    }
    // An excerpt: the generator counts from the excerpt's own start (its pre-roll), as the
    // single-threaded load of the excerpt does.
    let opts = LoadOptions::new().start(1.5).duration(31.0);
    let single = load_as::<f32>(&m4a, opts.clone().threads(1)).unwrap();
    let par = load_as::<f32>(&m4a, opts.threads(2)).unwrap();
    assert_eq!(par.parts, 2);
    assert!(par.audio == single.audio, "excerpt in 2 parts");
}

/// AAC with noise bands in a few packets here and there (bursts of noise over tones), as in
/// music: the parallel load decodes again only the frames around those packets (their own
/// and the next packet's, which the MDCT overlap reaches). A range one packet short or one
/// packet late leaves wrong samples here (checked by hand: 20,706 and 22,422 of them in 2 parts).
/// With and without an edit list (the encoder's priming cut by the container, or decoded).
#[test]
fn aac_with_a_few_noise_bands_is_redone_around_them_bit_for_bit() {
    let dir = TempDir::new("load-pns-sparse");
    for edit_list in ["1", "0"] {
        let m4a = dir.path(&format!("sparse_{edit_list}.m4a"));
        // 34.1 s: a tone on each channel, white noise on the left for 0.12 s every 1.7 s
        // (noise bands in 73 of the 735 packets after 17 s).
        run(
            "ffmpeg",
            &[
                "-v",
                "error",
                "-y",
                "-filter_complex",
                "aevalsrc=exprs='0.2*sin(2*PI*330*t)+0.3*(2*random(0)-1)*lt(mod(t\\,1.7)\\,0.12)|\
                 0.2*sin(2*PI*440*t)':s=44100:d=34.1",
                "-c:a",
                "aac",
                "-aac_pns",
                "1",
                "-b:a",
                "96k",
                "-use_editlist",
                edit_list,
                m4a.to_str().unwrap(),
            ],
        );
        let cases: &[(&str, LoadOptions, bool)] = &[
            ("whole", LoadOptions::new(), true),
            // A remix keeps the frames where they are: redone around the noise too.
            ("mono", LoadOptions::new().num_channels(1), true),
            (
                "excerpt",
                LoadOptions::new().start(0.77).duration(32.0),
                true,
            ),
            // A resampled output: its parts are decoded again whole.
            ("16k", LoadOptions::new().sample_rate(16_000), false),
        ];
        for (what, opts, around) in cases {
            let what = format!("edit list {edit_list}, {what}");
            let single = load_as::<f32>(&m4a, opts.clone().threads(1)).unwrap();
            if what.ends_with("whole") {
                // The generator matters here: a decode from a seek differs from the whole
                // decode somewhere after 20 s (the first noise burst after it).
                let rate = single.sample_rate;
                let (seeked, _) = load_with(
                    &m4a,
                    LoadOptions::new().start(20.0).duration(2.0).threads(1),
                )
                .unwrap();
                let at = 20 * rate as usize;
                let whole_there = single.audio.slice(s![.., at..at + seeked.ncols()]);
                assert!(
                    seeked != whole_there,
                    "{what}: no noise bands after 20 s: the test would prove nothing"
                );
            }
            for threads in [2, 3] {
                let par = load_as::<f32>(&m4a, opts.clone().threads(threads)).unwrap();
                assert_eq!(par.parts, threads, "{what}: split in {threads}");
                assert_eq!(par.audio.dim(), single.audio.dim(), "{what}");
                let first_diff = par
                    .audio
                    .indexed_iter()
                    .find(|(i, v)| single.audio[*i].to_bits() != v.to_bits());
                assert!(
                    first_diff.is_none(),
                    "{what} in {threads} parts: first difference at {first_diff:?}"
                );
                // Which way it went: around the bursts (about a tenth of the frames after the
                // first part), or the parts after the first whole.
                let after_first = par.audio.ncols() as u64 * (threads as u64 - 1) / threads as u64;
                if *around {
                    assert!(
                        par.redecoded > 0 && par.redecoded < after_first / 4,
                        "{what} in {threads} parts: {} of {after_first} frames decoded again",
                        par.redecoded
                    );
                } else {
                    assert!(
                        par.redecoded + 1 >= after_first,
                        "{what} in {threads} parts: {} of {after_first} frames decoded again",
                        par.redecoded
                    );
                }
            }
        }
    }
}

/// A damaged file loads in parts as it loads on one thread: a packet that fails to decode
/// leaves its decoder's state half-updated (AAC: the next packet takes a stale MDCT overlap),
/// which a seek cannot rebuild, so a part or range whose reader met one is not joined. Byte
/// flips in the second half of the sparse-noise AAC file (the parts and ranges decoded again);
/// before the check, 1024-frame stretches came out differently.
#[test]
fn a_damaged_aac_file_loads_in_parts_as_on_one_thread() {
    let dir = TempDir::new("load-damaged");
    let m4a = dir.path("sparse.m4a");
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-filter_complex",
            "aevalsrc=exprs='0.2*sin(2*PI*330*t)+0.3*(2*random(0)-1)*lt(mod(t\\,1.7)\\,0.12)|\
             0.2*sin(2*PI*440*t)':s=44100:d=34.1",
            "-c:a",
            "aac",
            "-aac_pns",
            "1",
            "-b:a",
            "96k",
            m4a.to_str().unwrap(),
        ],
    );
    let clean = std::fs::read(&m4a).unwrap();
    let mut damaged_any = false;
    for k in 0..12u64 {
        let mut bytes = clean.clone();
        // The media data comes first (FFmpeg writes the index at the end): flip a few bits
        // between 50 % and 85 % of the file.
        let n = bytes.len() as u64;
        for j in 0..3u64 {
            let at = (n / 2 + (n * 35 / 100) * (k * 3 + j) / 36) as usize;
            bytes[at] ^= 0x5a;
        }
        let one = audiostream::load_bytes_as::<f32>(&bytes, LoadOptions::new().threads(1));
        let par = audiostream::load_bytes_as::<f32>(&bytes, LoadOptions::new().threads(2));
        match (one, par) {
            (Ok(one), Ok(par)) => {
                damaged_any |= one.audio != load_as::<f32>(&m4a, LoadOptions::new()).unwrap().audio;
                assert_eq!(par.audio.dim(), one.audio.dim(), "flips {k}");
                let first_diff = par
                    .audio
                    .indexed_iter()
                    .find(|(i, v)| one.audio[*i].to_bits() != v.to_bits());
                assert!(
                    first_diff.is_none(),
                    "flips {k}: first difference at {first_diff:?}"
                );
            }
            (Err(_), Err(_)) => {}
            (one, par) => panic!(
                "flips {k}: {:?} on one thread, {:?} in parts",
                one.err(),
                par.err()
            ),
        }
    }
    assert!(
        damaged_any,
        "no flip changed the audio: the test would prove nothing"
    );
}

/// Joins the Opus packets of `files` (same channel count; opusenc made them) into one Ogg
/// Opus stream at `out`: a stream whose coding mode changes where one file ends.
#[cfg(feature = "decode-ogg")]
fn splice_opus(files: &[&Path], out: &Path) -> Vec<bool> {
    use opus_pure::ogg::{OggOpusReader, OggOpusWriter};
    let open = |p: &Path| OggOpusReader::new(std::fs::File::open(p).unwrap()).unwrap();
    let head = open(files[0]).head().clone();
    let mut writer = OggOpusWriter::new(std::fs::File::create(out).unwrap(), head).unwrap();
    // Per packet: whether it is CELT-only (its TOC's configuration 16 to 31, RFC 6716 §3.1).
    let mut celt = Vec::new();
    for f in files {
        let mut reader = open(f);
        while let Some(p) = reader.read_packet().unwrap() {
            celt.push(p.data[0] >> 3 >= 16);
            writer.write_packet(&p.data).unwrap();
        }
    }
    writer.finish().unwrap();
    celt
}

/// Opus in parts: joined where the decoders of two parts come to the same state (CELT, the
/// music of `long_files`, is covered by `parallel_load_is_bit_for_bit_the_single_threaded_one`);
/// a stream with SILK where a part would start is decoded by the first part alone, whether the
/// SILK is at its start (no other part is started) or further on (the other parts stop).
/// Always bit for bit the single-threaded decode.
#[cfg(feature = "decode-ogg")]
#[test]
fn opus_with_silk_where_a_part_starts_is_decoded_by_the_first_part_bit_for_bit() {
    let dir = TempDir::new("load-opus-modes");
    let p = |n: &str| dir.path(n);
    // 21 s of music (CELT at 64 kb/s) and 21 s of a voice-like tone (SILK at 12 kb/s).
    let rate = 48_000;
    let music = common::signals::music(1, 21 * rate as usize, rate);
    common::ogg::write_wav16(&p("music.wav"), &music, rate);
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-filter_complex",
            "aevalsrc=exprs='(0.3*sin(2*PI*(150+30*sin(2*PI*0.7*t))*t)+0.1*sin(2*PI*450*t)\
             +0.05*(2*random(0)-1))*(0.5+0.5*sin(2*PI*3*t))':s=16000:d=21",
            p("voice.wav").to_str().unwrap(),
        ],
    );
    let s = |x: &std::path::PathBuf| x.to_str().unwrap().to_string();
    run(
        "opusenc",
        &[
            "--quiet",
            "--bitrate",
            "64",
            &s(&p("music.wav")),
            &s(&p("music.opus")),
        ],
    );
    run(
        "opusenc",
        &[
            "--quiet",
            "--bitrate",
            "12",
            &s(&p("voice.wav")),
            &s(&p("voice.opus")),
        ],
    );
    let cases = [
        ("voice.opus", vec![p("voice.opus"), p("voice.opus")]),
        ("music then voice", vec![p("music.opus"), p("voice.opus")]),
        ("voice then music", vec![p("voice.opus"), p("music.opus")]),
    ];
    for (what, files) in cases {
        let out = p(&format!("{}.opus", what.replace(' ', "_")));
        let files: Vec<&Path> = files.iter().map(|f| f.as_path()).collect();
        let celt = splice_opus(&files, &out);
        let half = celt.len() / 2;
        // The encoder chose the modes the case is about.
        let (first, second) = (&celt[..half - 50], &celt[half + 50..]);
        match what {
            "voice.opus" => assert!(!celt.iter().any(|&c| c), "{what}: a CELT packet"),
            "music then voice" => assert!(
                first.iter().all(|&c| c) && !second.iter().any(|&c| c),
                "{what}: modes"
            ),
            _ => assert!(
                !first.iter().any(|&c| c) && second.iter().all(|&c| c),
                "{what}: modes"
            ),
        }
        let single = load_as::<f32>(&out, LoadOptions::new().threads(1)).unwrap();
        for threads in [2, 3] {
            let par = load_as::<f32>(&out, LoadOptions::new().threads(threads)).unwrap();
            assert_eq!(par.audio.dim(), single.audio.dim(), "{what} x{threads}");
            let first_diff = par
                .audio
                .indexed_iter()
                .find(|(i, v)| single.audio[*i].to_bits() != v.to_bits());
            assert!(
                first_diff.is_none(),
                "{what} x{threads}: first difference at {first_diff:?}"
            );
            // Every case has SILK where some part would start (at half, or at two thirds).
            assert_eq!(
                par.parts, 1,
                "{what} x{threads}: decoded by the first part alone"
            );
        }
    }
}

#[test]
fn a_24_bit_flac_through_load_and_save_stays_24_bit_and_exact() {
    let dir = TempDir::new("load-24");
    let src = fixture("flac_24_mono_96000.flac");
    let (audio, rate) = load(&src).unwrap();
    let out = dir.path("copy.flac");
    save(&out, audio.view(), rate).unwrap();
    assert_eq!(ffprobe_field(&out, "bits_per_raw_sample"), "24");
    assert_eq!(ffmpeg_raw(&out, "s32le"), ffmpeg_raw(&src, "s32le"));
    // The same through the exact integers.
    let ints = load_as::<i32>(&src, LoadOptions::new()).unwrap();
    assert_eq!(ints.metadata.bits_per_sample, Some(24));
    let out2 = dir.path("copy_i32.flac");
    save_with(&out2, ints.audio.view(), rate, SaveOptions::new()).unwrap();
    assert_eq!(ffprobe_field(&out2, "bits_per_raw_sample"), "24");
    assert_eq!(ffmpeg_raw(&out2, "s32le"), ffmpeg_raw(&src, "s32le"));
    // 24-bit WAV too, and 16-bit audio stays 16-bit.
    let wav = dir.path("copy.wav");
    save(&wav, audio.view(), rate).unwrap();
    assert_eq!(ffprobe_field(&wav, "codec_name"), "pcm_s24le");
    assert_eq!(ffmpeg_raw(&wav, "s32le"), ffmpeg_raw(&src, "s32le"));
    let (a16, r16) = load(fixture("flac_16_stereo_44100.flac")).unwrap();
    let f16 = dir.path("copy16.flac");
    save(&f16, a16.view(), r16).unwrap();
    assert_eq!(ffprobe_field(&f16, "bits_per_raw_sample"), "16");
    // Audio that no integer depth holds: float WAV, exact.
    let odd = Array2::from_shape_fn((1, 1000), |(_, i)| (i as f32 * 0.001).sin() * 0.3);
    let fw = dir.path("float.wav");
    save(&fw, odd.view(), 8000).unwrap();
    assert_eq!(ffprobe_field(&fw, "codec_name"), "pcm_f32le");
    assert_eq!(ffmpeg_decode(&fw, 0, &[]).channels[0], odd.row(0).to_vec());
}

#[test]
fn encode_gives_files_ffmpeg_decodes_to_the_input() {
    let dir = TempDir::new("load-encode");
    let rate = 44_100;
    // 16-bit values: WAV and FLAC hold them exactly.
    let audio = common::signals::music(2, 3 * rate as usize, rate)
        .mapv(|x| (x * 32768.0).round() / 32768.0);
    for (format, min_snr) in [
        ("wav", None),
        ("flac", None),
        ("mp3", Some(22.0)),
        ("ogg", Some(15.0)),
    ] {
        let bytes = audiostream::encode(audio.view(), rate, format, None).unwrap();
        let path = dir.path(&format!("enc.{format}"));
        std::fs::write(&path, &bytes).unwrap();
        let theirs = ffmpeg_decode(&path, 0, &[]);
        assert_eq!(theirs.sample_rate, rate, "{format}");
        assert_eq!(theirs.num_frames(), audio.ncols(), "{format}: frames");
        for (ch, t) in theirs.channels.iter().enumerate() {
            let ours = audio.row(ch).to_vec();
            match min_snr {
                None => assert!(t == &ours, "{format} ch{ch}: not bit for bit"),
                Some(min) => {
                    let snr = snr_db(&ours, t);
                    assert!(snr >= min, "{format} ch{ch}: SNR {snr:.1} dB < {min}");
                }
            }
        }
    }
    let cfg = audiostream::CodecConfig {
        bit_rate: Some(64_000),
        ..Default::default()
    };
    let small = audiostream::encode(audio.view(), rate, "mp3", Some(cfg)).unwrap();
    let big = audiostream::encode(audio.view(), rate, "mp3", None).unwrap();
    assert!(
        small.len() * 3 < big.len() * 2,
        "64k: {} bytes, default: {}",
        small.len(),
        big.len()
    );
}

fn invalid(r: audiostream::Result<impl std::fmt::Debug>, needles: &[&str]) {
    let e = r.expect_err("an error");
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    let m = e.to_string();
    for n in needles {
        assert!(m.contains(n), "{m:?} lacks {n:?}");
    }
}

#[test]
fn bad_input_is_a_typed_error_and_writes_nothing() {
    let dir = TempDir::new("load-bad");
    let audio = Array2::<f32>::zeros((2, 100));
    let out = dir.path("x.wav");
    invalid(
        save(&out, Array2::<f32>::zeros((2, 0)).view(), 8000),
        &["audio", "(2, 0)"],
    );
    invalid(
        save(&out, Array2::<f32>::zeros((0, 5)).view(), 8000),
        &["audio", "(0, 5)"],
    );
    invalid(save(&out, audio.view(), 0), &["sample_rate = 0"]);
    invalid(
        save(&out, audio.view(), 2_000_000),
        &["sample_rate = 2000000", "1048576"],
    );
    invalid(
        save_with(
            dir.path("x.flac"),
            audio.view(),
            8000,
            SaveOptions::new().bits_per_sample(12),
        ),
        &["bits_per_sample = 12", "16, 24"],
    );
    invalid(
        save_with(
            dir.path("x.mp3"),
            audio.view(),
            8000,
            SaveOptions::new().bits_per_sample(24),
        ),
        &["bits_per_sample", "mp3"],
    );
    invalid(
        save(dir.path("noext"), audio.view(), 8000),
        &["noext", ".wav"],
    );
    let e = save(dir.path("x.xyz"), audio.view(), 8000).unwrap_err();
    assert!(
        matches!(e, Error::Unsupported(ref m) if m.contains("xyz") && m.contains("flac")),
        "{e:?}"
    );
    let e = save(dir.path("missing/x.wav"), audio.view(), 8000).unwrap_err();
    assert!(
        matches!(e, Error::Io { .. }) && e.to_string().contains("missing"),
        "{e:?}"
    );
    // An encoder setting no codec takes: refused before the file exists.
    let cfg = audiostream::CodecConfig {
        qscale: Some(3.0),
        ..Default::default()
    };
    assert!(save_with(
        dir.path("q.flac"),
        audio.view(),
        8000,
        SaveOptions::new().codec_config(cfg)
    )
    .is_err());
    let left: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
    assert!(audiostream::encode(audio.view(), 8000, "aiff", None).is_err());

    let wav = fixture("wav_s16_stereo_44100.wav");
    invalid(
        load_with(&wav, LoadOptions::new().start(-1.0)),
        &["start = -1"],
    );
    invalid(
        load_with(&wav, LoadOptions::new().duration(f64::NAN)),
        &["duration = NaN"],
    );
    invalid(
        load_with(&wav, LoadOptions::new().sample_rate(0)),
        &["sample_rate = 0"],
    );
    invalid(
        load_with(&wav, LoadOptions::new().num_channels(0)),
        &["num_channels = 0"],
    );
    invalid(
        load_with(&wav, LoadOptions::new().threads(0)),
        &["threads = 0"],
    );
    invalid(load_bytes(&[]), &["bytes"]);
    assert!(matches!(load(dir.path("nope.wav")), Err(Error::Io { .. })));
    let noise = std::fs::read(fixture("random_bytes.bin")).unwrap();
    assert!(matches!(
        load_bytes(&noise),
        Err(Error::Unsupported(_) | Error::Decode(_))
    ));
}

/// Interleaved little-endian samples of FFmpeg's raw output, as `T`.
fn raw_samples<T>(bytes: &[u8], width: usize, read: impl Fn(&[u8]) -> T) -> Vec<T> {
    bytes.chunks_exact(width).map(read).collect()
}

/// `(channels, frames)` row-major samples interleaved back, frame by frame.
fn interleave<T: Copy>(a: &Array2<T>) -> Vec<T> {
    a.t().iter().copied().collect()
}

/// The general path's decode of `bytes` in sample type `T`: a reader with one output (the
/// direct path of `load_bytes` must give exactly this).
/// `load_bytes_as::<T>` gives the reader's samples of `bytes` in `T`, bit for bit.
fn same_as_reader<T: audiostream::Sample + PartialEq + std::fmt::Debug>(bytes: &[u8], what: &str) {
    let loaded = audiostream::load_bytes_as::<T>(bytes, LoadOptions::new())
        .unwrap()
        .audio;
    assert!(
        loaded == reader_decode::<T>(bytes),
        "{what} {}",
        std::any::type_name::<T>()
    );
}

fn reader_decode<T: audiostream::Sample>(bytes: &[u8]) -> Array2<T> {
    let mut r = StreamReader::from_slice(bytes, None).unwrap();
    let frames = r.get_metadata().num_frames.unwrap_or(1 << 20) as usize;
    r.add_audio_stream(
        AudioStreamOptions::new(frames.max(1))
            .buffer_chunk_size(usize::MAX)
            .format(<T as audiostream::Sample>::FORMAT.name()),
    )
    .unwrap();
    r.process_all_packets().unwrap();
    let chunks: Vec<Array2<T>> = r
        .pop_chunks_as::<T>()
        .into_iter()
        .flatten()
        .map(|c| c.data)
        .collect();
    match chunks.len() {
        1 => chunks.into_iter().next().unwrap(),
        _ => panic!("one chunk expected"),
    }
}

/// WAV files of every sample layout the direct path of `load` takes (FFmpeg writes them; the
/// 24-bit, 32-bit and 6-channel ones as WAVE_FORMAT_EXTENSIBLE), then checked against FFmpeg's
/// decode, bit for bit, in the sample type that keeps them exact, and against the general
/// path in every sample type.
#[test]
fn plain_wav_of_every_sample_format_loads_like_ffmpeg() {
    let dir = TempDir::new("load-wav-direct");
    let src = dir.path("src.wav");
    common::ogg::write_wav16(&src, &common::signals::music(6, 9_000, 44_100), 44_100);
    let s = src.to_str().unwrap();
    let cases: &[(&str, &str, &[&str])] = &[
        ("u8", "pcm_u8", &["-ac", "2"]),
        ("s16", "pcm_s16le", &["-ac", "2"]),
        ("s16 mono", "pcm_s16le", &["-ac", "1"]),
        ("s16 6ch", "pcm_s16le", &[]),
        ("s24", "pcm_s24le", &["-ac", "2"]),
        ("s32", "pcm_s32le", &["-ac", "2"]),
        ("f32", "pcm_f32le", &["-ac", "2"]),
        ("f64", "pcm_f64le", &["-ac", "2"]),
    ];
    for (what, codec, args) in cases {
        let out = dir.path(&format!("{codec}{}.wav", args.len()));
        let o = out.to_str().unwrap();
        let mut a = vec!["-v", "error", "-y", "-i", s];
        a.extend_from_slice(args);
        a.extend(["-c:a", codec, o]);
        run("ffmpeg", &a);
        let bytes = std::fs::read(&out).unwrap();
        // f32 against FFmpeg's f32 decode (exact for every integer width and for floats).
        let (audio, rate) = load_bytes(&bytes).unwrap();
        let theirs = ffmpeg_decode(&out, 0, &[]);
        assert_eq!(rate, 44_100, "{what}");
        assert!(
            planar(&audio) == theirs.channels,
            "{what}: f32 not FFmpeg's"
        );
        assert!(
            load(&out).unwrap().0 == audio,
            "{what}: load differs from load_bytes"
        );
        // The exact integers / doubles against FFmpeg's raw output of the same type.
        match *codec {
            "pcm_u8" => {
                let ours = audiostream::load_bytes_as::<u8>(&bytes, LoadOptions::new()).unwrap();
                assert_eq!(interleave(&ours.audio), ffmpeg_raw(&out, "u8"), "{what}");
            }
            "pcm_s16le" => {
                let ours = audiostream::load_bytes_as::<i16>(&bytes, LoadOptions::new()).unwrap();
                let raw = raw_samples(&ffmpeg_raw(&out, "s16le"), 2, |b| {
                    i16::from_le_bytes([b[0], b[1]])
                });
                assert_eq!(interleave(&ours.audio), raw, "{what}");
            }
            "pcm_s24le" | "pcm_s32le" => {
                let ours = load_as::<i32>(&out, LoadOptions::new()).unwrap();
                let raw = raw_samples(&ffmpeg_raw(&out, "s32le"), 4, |b| {
                    i32::from_le_bytes([b[0], b[1], b[2], b[3]])
                });
                assert_eq!(interleave(&ours.audio), raw, "{what}");
                let bits = if *codec == "pcm_s24le" { 24 } else { 32 };
                assert_eq!(ours.metadata.bits_per_sample, Some(bits), "{what}");
            }
            "pcm_f64le" => {
                let ours = load_as::<f64>(&out, LoadOptions::new()).unwrap();
                let raw = raw_samples(&ffmpeg_raw(&out, "f64le"), 8, |b| {
                    f64::from_le_bytes(b.try_into().unwrap())
                });
                assert!(interleave(&ours.audio) == raw, "{what}: f64 not FFmpeg's");
            }
            _ => {}
        }
        // Every sample type: the general path's samples, bit for bit.
        same_as_reader::<f32>(&bytes, what);
        same_as_reader::<f64>(&bytes, what);
        same_as_reader::<i16>(&bytes, what);
        same_as_reader::<i32>(&bytes, what);
        same_as_reader::<u8>(&bytes, what);
        // An excerpt, and the parallel conversion, are slices of the whole.
        let part = load_bytes_with(&bytes, LoadOptions::new().start(0.01).duration(0.1))
            .unwrap()
            .0;
        let from = (0.01f64 * 44_100.0).round() as usize;
        assert_eq!(
            part.view(),
            audio.slice(s![.., from..from + 4_410]),
            "{what} excerpt"
        );
    }
}

/// Long WAV files of every sample layout loaded from their path: the direct path reads them
/// block by block (256 KiB) at offsets on several threads. 30.5 s + 1 frame at 8 kHz (longer
/// than `PARALLEL_MIN_SECONDS`, so split; many blocks per part; an odd frame count, so the
/// parts are not whole blocks), 6-channel s16 and s24 with an odd number of frames per block
/// (21845 and 14563). Checked against FFmpeg bit for bit, in `f32` and in the type that keeps
/// the samples exact.
#[test]
fn long_plain_wav_files_load_block_by_block_like_ffmpeg() {
    let dir = TempDir::new("load-wav-blocks");
    let src = dir.path("src.wav");
    let rate = 8_000;
    let frames = 244_001;
    common::ogg::write_wav16(&src, &common::signals::music(6, frames, rate), rate);
    let s = src.to_str().unwrap();
    let cases: &[(&str, &str, &[&str])] = &[
        ("u8", "pcm_u8", &["-ac", "2"]),
        ("s16 mono", "pcm_s16le", &["-ac", "1"]),
        ("s16 6ch", "pcm_s16le", &[]),
        ("s24 6ch", "pcm_s24le", &[]),
        ("s32", "pcm_s32le", &["-ac", "2"]),
        ("f32", "pcm_f32le", &["-ac", "2"]),
        ("f64", "pcm_f64le", &["-ac", "2"]),
    ];
    for (what, codec, args) in cases {
        let out = dir.path(&format!("{codec}{}.wav", args.len()));
        let o = out.to_str().unwrap();
        let mut a = vec!["-v", "error", "-y", "-i", s];
        a.extend_from_slice(args);
        a.extend(["-c:a", codec, o]);
        run("ffmpeg", &a);
        // More than one block of 256 KiB (u8 stereo: 1.9 blocks; f64: 15).
        assert!(
            std::fs::metadata(&out).unwrap().len() > 256 * 1024,
            "{what}"
        );
        let theirs = ffmpeg_decode(&out, 0, &[]);
        for threads in [1, 2, 3] {
            let ours = load_as::<f32>(&out, LoadOptions::new().threads(threads)).unwrap();
            assert_eq!(ours.parts, threads, "{what}: split in {threads}");
            assert_eq!(ours.audio.ncols(), frames, "{what}");
            assert!(
                planar(&ours.audio) == theirs.channels,
                "{what}, {threads} threads: f32 not FFmpeg's"
            );
        }
        let opts = LoadOptions::new().threads(2);
        match *codec {
            "pcm_u8" => {
                let ours = load_as::<u8>(&out, opts).unwrap();
                assert_eq!(interleave(&ours.audio), ffmpeg_raw(&out, "u8"), "{what}");
            }
            "pcm_s16le" => {
                let ours = load_as::<i16>(&out, opts).unwrap();
                let raw = raw_samples(&ffmpeg_raw(&out, "s16le"), 2, |b| {
                    i16::from_le_bytes([b[0], b[1]])
                });
                assert_eq!(interleave(&ours.audio), raw, "{what}");
            }
            "pcm_s24le" | "pcm_s32le" => {
                let ours = load_as::<i32>(&out, opts).unwrap();
                let raw = raw_samples(&ffmpeg_raw(&out, "s32le"), 4, |b| {
                    i32::from_le_bytes([b[0], b[1], b[2], b[3]])
                });
                assert_eq!(interleave(&ours.audio), raw, "{what}");
            }
            _ => {
                let ours = load_as::<f64>(&out, opts).unwrap();
                let raw = raw_samples(&ffmpeg_raw(&out, "f64le"), 8, |b| {
                    f64::from_le_bytes(b.try_into().unwrap())
                });
                assert!(interleave(&ours.audio) == raw, "{what}: f64 not FFmpeg's");
            }
        }
        // An excerpt that starts and ends inside blocks, split in two.
        let part = load_with(
            &out,
            LoadOptions::new().start(0.3).duration(30.1).threads(2),
        )
        .unwrap()
        .0;
        let (from, n) = (2_400, 240_800);
        let whole: Vec<Vec<f32>> = theirs
            .channels
            .iter()
            .map(|c| c[from..from + n].to_vec())
            .collect();
        assert!(planar(&part) == whole, "{what}: excerpt");
    }
}

/// WAV files the direct path must hand back to the general path, which reads them as FFmpeg
/// does: an extensible header whose channel mask names fewer speakers than channels, a `data`
/// chunk cut short (a truncated file), and the 0xFFFFFFFF sizes of a WAV written to a pipe.
#[test]
fn odd_wav_files_still_load_like_ffmpeg() {
    let dir = TempDir::new("load-wav-odd");
    let src = dir.path("src.wav");
    common::ogg::write_wav16(&src, &common::signals::music(2, 8_000, 44_100), 44_100);
    let s = src.to_str().unwrap();
    let ext = dir.path("ext.wav");
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-i",
            s,
            "-c:a",
            "pcm_s24le",
            ext.to_str().unwrap(),
        ],
    );
    let base = std::fs::read(&ext).unwrap();
    let find = |b: &[u8], id: &[u8]| b.windows(4).position(|w| w == id).unwrap();
    let fmt = find(&base, b"fmt ");
    assert_eq!(
        &base[fmt + 8..fmt + 10],
        &[0xfe, 0xff],
        "FFmpeg wrote WAVE_FORMAT_EXTENSIBLE"
    );
    let data = find(&base, b"data");
    let mut variants: Vec<(&str, Vec<u8>)> = Vec::new();
    // Channel mask: one speaker for two channels.
    let mut odd_mask = base.clone();
    odd_mask[fmt + 28..fmt + 32].copy_from_slice(&4u32.to_le_bytes());
    variants.push(("odd mask", odd_mask));
    // Truncated: the data chunk says more than there is (and not a whole frame at the end).
    variants.push(("truncated", base[..base.len() - 1_003].to_vec()));
    // Streamed: RIFF and data sizes 0xFFFFFFFF.
    let mut streamed = base.clone();
    streamed[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    streamed[data + 4..data + 8].copy_from_slice(&u32::MAX.to_le_bytes());
    variants.push(("0xFFFFFFFF sizes", streamed));
    for (what, bytes) in variants {
        let path = dir.path("variant.wav");
        std::fs::write(&path, &bytes).unwrap();
        let theirs = ffmpeg_decode(&path, 0, &[]);
        let (audio, _) = load_bytes(&bytes).unwrap();
        assert_eq!(audio.ncols(), theirs.num_frames(), "{what}: frames");
        assert!(planar(&audio) == theirs.channels, "{what}: not FFmpeg's");
        assert!(
            load(&path).unwrap().0 == audio,
            "{what}: load differs from load_bytes"
        );
    }
}
