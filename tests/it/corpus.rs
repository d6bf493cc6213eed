//! `audiostream convert --manifest`: a 50-file corpus (small WAVs made here, plus a few
//! fixtures) converted to FLAC. Shards together equal one run (files, bytes, manifest lines);
//! a run restarted after outputs were lost, or after it was killed, converts only what is
//! missing and leaves no temporary files; a corrupt file is reported and the rest converted
//! (exit code 3); outputs decode bit for bit as FFmpeg decodes the inputs; the manifest's
//! SHA-256 is `sha256sum`'s and its frames and rates ffprobe's; bad arguments are one-line
//! errors.

use crate::common;

use common::oracle::fixture;
use common::signals::{ffmpeg_raw, ffprobe_value, TempDir};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

const FILES: usize = 50;

/// Fixtures in the corpus besides the generated WAVs: a 16-bit FLAC and a 24-bit WAV.
const FIXTURES: &[&str] = &["flac_16_stereo_44100.flac", "wav_s24_mono_48000.wav"];

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_audiostream"));
    c.env_remove("RUST_LOG").stdin(Stdio::null());
    c
}

fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .output()
        .expect("run the audiostream binary")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A 16-bit PCM WAV of `frames` frames, a different signal for each `seed`.
fn write_wav(path: &Path, rate: u32, channels: u16, frames: u32, seed: u32) {
    let data_len = frames * u32::from(channels) * 2;
    let mut b = Vec::with_capacity(44 + data_len as usize);
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data_len).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * u32::from(channels) * 2).to_le_bytes());
    b.extend_from_slice(&(channels * 2).to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data_len.to_le_bytes());
    // A sine per file plus a little noise from an LCG: every file's bytes differ.
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let freq = 200.0 + 37.0 * seed as f64;
    for n in 0..frames {
        for c in 0..channels {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = f64::from((x >> 16) as u16) / 65536.0 - 0.5;
            let t = f64::from(n) / f64::from(rate);
            let v =
                0.4 * (2.0 * std::f64::consts::PI * freq * t + f64::from(c)).sin() + 0.05 * noise;
            b.extend_from_slice(&((v * 32767.0).round() as i16).to_le_bytes());
        }
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b).unwrap();
}

/// A corpus of [`FILES`] inputs under `dir/in` (in three subdirectories, at three rates, mono
/// and stereo, 0.1 to 0.3 s), and its plain list `dir/in/list.txt` (with a comment and a blank
/// line). Returns the list's path and the inputs' relative paths in list order.
fn corpus(dir: &TempDir) -> (PathBuf, Vec<String>) {
    let root = dir.path("in");
    let mut names = Vec::new();
    for k in 0..FILES - FIXTURES.len() {
        let name = format!("set{}/clip{k:02}.wav", k % 3);
        let rate = [16_000, 22_050, 44_100][k % 3];
        let frames = rate / 10 * (1 + (k as u32 % 3));
        write_wav(
            &root.join(&name),
            rate,
            1 + (k % 2) as u16,
            frames,
            k as u32,
        );
        names.push(name);
    }
    for f in FIXTURES {
        let name = format!("fixtures/{f}");
        std::fs::create_dir_all(root.join("fixtures")).unwrap();
        std::fs::copy(fixture(f), root.join(&name)).unwrap();
        names.push(name);
    }
    let mut text = String::from("# the test corpus\n\n");
    for n in &names {
        text.push_str(n);
        text.push('\n');
    }
    let list = root.join("list.txt");
    std::fs::write(&list, text).unwrap();
    (list, names)
}

/// The output of an input's relative path.
fn out_name(input: &str) -> String {
    Path::new(input)
        .with_extension("flac")
        .to_str()
        .unwrap()
        .to_string()
}

/// `convert --manifest LIST --out-dir OUT --to flac` with `extra`.
fn convert_list(list: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "convert",
        "--manifest",
        s(list),
        "--out-dir",
        s(out),
        "--to",
        "flac",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn assert_ok(o: &Output, what: &str) {
    assert!(o.status.success(), "{what}: {}", stderr(o));
}

/// Every file under `dir` (relative path → bytes).
fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_str().unwrap().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The audio outputs under `dir` (the report and manifests aside).
fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .filter(|(k, _)| !k.ends_with(".jsonl"))
        .collect()
}

fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn lines(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// `status` of each input in a report.
fn statuses(report: &Path) -> BTreeMap<String, String> {
    jsonl(report)
        .into_iter()
        .map(|v| {
            (
                v["input"].as_str().unwrap().to_string(),
                v["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn sha256sum(path: &Path) -> String {
    let o = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn two_shards_equal_one_run() {
    let dir = TempDir::new("corpus-shards");
    let (list, names) = corpus(&dir);
    let whole = dir.path("whole");
    let sharded = dir.path("sharded");
    assert_ok(&convert_list(&list, &whole, &["--jobs", "2"]), "unsharded");
    for shard in ["0/2", "1/2"] {
        assert_ok(&convert_list(&list, &sharded, &["--shard", shard]), shard);
    }

    let a = outputs(&whole);
    let b = outputs(&sharded);
    let expected: BTreeSet<String> = names.iter().map(|n| out_name(n)).collect();
    assert_eq!(a.keys().cloned().collect::<BTreeSet<_>>(), expected);
    assert_eq!(a, b, "the shards' outputs differ from one run's");

    // Each shard took every other entry, in list order.
    for i in 0..2 {
        let report = sharded.join(format!("report.shard-{i}-of-2.jsonl"));
        let inputs: Vec<String> = jsonl(&report)
            .iter()
            .map(|v| v["input"].as_str().unwrap().to_string())
            .collect();
        let want: Vec<String> = names.iter().skip(i).step_by(2).cloned().collect();
        assert_eq!(
            inputs.iter().collect::<BTreeSet<_>>(),
            want.iter().collect(),
            "shard {i}"
        );
    }

    let whole_manifest = lines(&whole.join("manifest.jsonl"));
    let mut union = lines(&sharded.join("manifest.shard-0-of-2.jsonl"));
    union.extend(lines(&sharded.join("manifest.shard-1-of-2.jsonl")));
    assert_eq!(whole_manifest.len(), FILES);
    assert_eq!(union, whole_manifest);

    // The manifest against independent tools: sha256sum, and ffprobe's rate, channels and
    // sample count (of every fifth output: ffprobe takes ~50 ms a call).
    for (k, v) in jsonl(&whole.join("manifest.jsonl")).into_iter().enumerate() {
        let out = whole.join(v["output"].as_str().unwrap());
        assert_eq!(v["sha256"].as_str().unwrap(), sha256sum(&out), "{v}");

        assert_eq!(
            v["bytes"].as_u64().unwrap(),
            a[v["output"].as_str().unwrap()].len() as u64
        );
        if k % 5 != 0 {
            continue;
        }
        let probe = |k: &str| ffprobe_value(&out, &format!("stream={k}"));
        assert_eq!(v["sample_rate"].to_string(), probe("sample_rate"), "{v}");
        assert_eq!(v["channels"].to_string(), probe("channels"), "{v}");
        assert_eq!(v["frames"].to_string(), probe("duration_ts"), "{v}");
        let rate = v["sample_rate"].as_f64().unwrap();
        let duration = v["duration"].as_f64().unwrap();
        assert!(
            (duration - v["frames"].as_f64().unwrap() / rate).abs() < 1e-9,
            "{v}"
        );
    }
}

#[test]
fn a_restart_converts_only_what_is_missing() {
    let dir = TempDir::new("corpus-resume");
    let (list, names) = corpus(&dir);
    let out = dir.path("out");
    assert_ok(&convert_list(&list, &out, &[]), "first run");
    let first_manifest = lines(&out.join("manifest.jsonl"));
    let first = outputs(&out);

    // Lose ten outputs (one of them half-written by a "killed" run: a .part beside nothing).
    let lost: Vec<&String> = names.iter().step_by(5).collect();
    for n in &lost {
        std::fs::remove_file(out.join(out_name(n))).unwrap();
    }
    std::fs::write(out.join(format!("{}.part", out_name(lost[0]))), b"half").unwrap();
    let mtimes = |names: &[String]| -> BTreeMap<String, SystemTime> {
        names
            .iter()
            .filter_map(|n| {
                let m = std::fs::metadata(out.join(out_name(n))).ok()?;
                Some((n.clone(), m.modified().unwrap()))
            })
            .collect()
    };
    let before = mtimes(&names);
    assert_eq!(before.len(), FILES - lost.len());
    std::thread::sleep(Duration::from_millis(20));

    let o = convert_list(&list, &out, &[]);
    assert_ok(&o, "restart");
    assert!(
        stderr(&o).contains(&format!("{FILES} files: {} converted", lost.len()))
            && stderr(&o).contains(&format!("{} skipped", FILES - lost.len())),
        "{}",
        stderr(&o)
    );
    let status = statuses(&out.join("report.jsonl"));
    for n in &names {
        let want = if lost.contains(&n) { "ok" } else { "skipped" };
        assert_eq!(status[n], want, "{n}");
    }
    let after = mtimes(&names);
    for (n, t) in &before {
        assert_eq!(after[n], *t, "{n} was written again");
    }
    assert_eq!(outputs(&out), first, "the restart's outputs differ");
    assert!(
        files_under(&out).keys().all(|k| !k.ends_with(".part")),
        "temporary files left"
    );
    assert_eq!(lines(&out.join("manifest.jsonl")), first_manifest);

    // Without its manifest, a run rebuilds the lines of what it skips by reading the outputs
    // back: the same lines.
    std::fs::remove_file(out.join("manifest.jsonl")).unwrap();
    assert_ok(&convert_list(&list, &out, &[]), "run without a manifest");
    assert!(statuses(&out.join("report.jsonl"))
        .values()
        .all(|s| s == "skipped"));
    assert_eq!(lines(&out.join("manifest.jsonl")), first_manifest);

    // --overwrite converts everything again.
    assert_ok(&convert_list(&list, &out, &["--overwrite"]), "overwrite");
    assert!(statuses(&out.join("report.jsonl"))
        .values()
        .all(|s| s == "ok"));
    assert_eq!(lines(&out.join("manifest.jsonl")), first_manifest);
}

#[test]
fn a_killed_run_resumes_where_it_stopped() {
    let dir = TempDir::new("corpus-kill");
    let (list, names) = corpus(&dir);
    let out = dir.path("out");
    let mut child = bin()
        .args([
            "convert",
            "--manifest",
            s(&list),
            "--out-dir",
            s(&out),
            "--to",
            "flac",
            "--jobs",
            "1",
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once a few files are done (the rest take ~0.5 s more).
    let manifest = out.join("manifest.jsonl");
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let done = std::fs::read_to_string(&manifest).map_or(0, |t| t.lines().count());
        if done >= 5 || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let finished_first = child.try_wait().unwrap().is_some();
    let _ = child.kill();
    let _ = child.wait();
    assert!(!finished_first, "the run ended before it could be killed");

    // What finished: the manifest's lines, each with its output.
    let finished: BTreeSet<String> = jsonl(&manifest)
        .iter()
        .map(|v| v["input"].as_str().unwrap().to_string())
        .collect();
    let existing: BTreeSet<String> = names
        .iter()
        .filter(|n| out.join(out_name(n)).exists())
        .cloned()
        .collect();
    // A kill between the rename and the manifest line leaves one output the manifest lacks.
    assert!(finished.is_subset(&existing) && existing.len() - finished.len() <= 1);
    assert!(existing.len() >= 5);
    let before: BTreeMap<String, SystemTime> = existing
        .iter()
        .map(|n| {
            let m = std::fs::metadata(out.join(out_name(n))).unwrap();
            (n.clone(), m.modified().unwrap())
        })
        .collect();

    assert_ok(&convert_list(&list, &out, &["--jobs", "1"]), "restart");
    let status = statuses(&out.join("report.jsonl"));
    for n in &names {
        let want = if existing.contains(n) {
            "skipped"
        } else {
            "ok"
        };
        assert_eq!(status[n], want, "{n}");
    }
    for (n, t) in &before {
        let m = std::fs::metadata(out.join(out_name(n))).unwrap();
        assert_eq!(m.modified().unwrap(), *t, "{n} was written again");
    }
    assert!(files_under(&out).keys().all(|k| !k.ends_with(".part")));
    assert_eq!(jsonl(&manifest).len(), FILES);
}

#[test]
fn a_corrupt_file_is_reported_and_the_rest_converted() {
    let dir = TempDir::new("corpus-corrupt");
    let (list, names) = corpus(&dir);
    // The corpus's FLAC fixture cut short inside its metadata: no audio frame survives.
    let bad = &names[FILES - 2];
    let bad_path = list.parent().unwrap().join(bad);
    let bytes = std::fs::read(&bad_path).unwrap();
    std::fs::write(&bad_path, &bytes[..3000]).unwrap();
    let alone = run(&["convert", s(&bad_path), s(&dir.path("alone.flac"))]);
    assert_eq!(alone.status.code(), Some(1));
    // Its error line (a warning about the cut metadata comes before it).
    let alone_msg = stderr(&alone)
        .lines()
        .find_map(|l| l.strip_prefix("audiostream: error: "))
        .unwrap_or_else(|| panic!("no error line in {}", stderr(&alone)))
        .to_string();

    let out = dir.path("out");
    let o = convert_list(&list, &out, &["--jobs", "2"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("1 failed"), "{}", stderr(&o));
    let report = jsonl(&out.join("report.jsonl"));
    assert_eq!(report.len(), FILES);
    let failed: Vec<_> = report.iter().filter(|v| v["status"] == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["input"], bad.as_str());
    assert_eq!(
        failed[0]["error"],
        alone_msg.as_str(),
        "the message convert prints"
    );
    let kind = failed[0]["error_kind"].as_str().unwrap();
    assert!(kind.starts_with("decode."), "{kind}: {alone_msg}");
    assert!(alone_msg.starts_with("decode error: "), "{alone_msg}");
    let outs = outputs(&out);
    assert_eq!(outs.len(), FILES - 1);
    assert!(!outs.contains_key(&out_name(bad)));
    assert!(outs.keys().all(|k| !k.ends_with(".part")));
    assert_eq!(jsonl(&out.join("manifest.jsonl")).len(), FILES - 1);
}

#[test]
fn outputs_decode_as_ffmpeg_decodes_the_inputs() {
    let dir = TempDir::new("corpus-oracle");
    let (list, names) = corpus(&dir);
    let out = dir.path("out");
    assert_ok(&convert_list(&list, &out, &[]), "run");
    let root = list.parent().unwrap();
    // Three generated 16-bit WAVs (mono and stereo, three rates), the 16-bit FLAC and the
    // 24-bit WAV: lossless to FLAC at the input's depth, so bit for bit.
    let picks = [
        &names[0],
        &names[1],
        &names[2],
        &names[FILES - 2],
        &names[FILES - 1],
    ];
    for n in picks {
        let input = root.join(n);
        let output = out.join(out_name(n));
        assert_eq!(
            ffmpeg_raw(&output, None, "s32le"),
            ffmpeg_raw(&input, None, "s32le"),
            "{n}"
        );
        assert_eq!(
            ffprobe_value(&output, "stream=sample_rate"),
            ffprobe_value(&input, "stream=sample_rate")
        );
    }

    // Per-file options (JSONL) override the command line's: rate, channels, format, out.
    let jl = root.join("list.jsonl");
    std::fs::write(
        &jl,
        format!(
            "{{\"path\": \"{}\", \"rate\": 8000, \"channels\": 1, \"out\": \"x/a.wav\"}}\n\
             {{\"path\": \"{}\", \"to\": \"mp3\", \"bitrate\": \"64k\"}}\n\
             {{\"path\": \"{}\"}}\n",
            names[1], names[2], names[3]
        ),
    )
    .unwrap();
    let out2 = dir.path("out2");
    assert_ok(&convert_list(&jl, &out2, &["--rate", "22050"]), "jsonl");
    let probe = |p: &Path, k: &str| ffprobe_value(p, &format!("stream={k}"));
    let a = out2.join("x/a.wav");
    assert_eq!(
        (
            probe(&a, "codec_name"),
            probe(&a, "sample_rate"),
            probe(&a, "channels")
        ),
        ("pcm_s16le".into(), "8000".into(), "1".into())
    );
    let b = out2.join(Path::new(&names[2]).with_extension("mp3"));
    assert_eq!(
        (
            probe(&b, "codec_name"),
            probe(&b, "sample_rate"),
            probe(&b, "bit_rate")
        ),
        ("mp3".into(), "22050".into(), "64000".into())
    );
    let c = out2.join(out_name(&names[3]));
    assert_eq!(probe(&c, "sample_rate"), "22050");
}

#[test]
fn bad_arguments_are_one_line_errors() {
    let dir = TempDir::new("corpus-args");
    let list = dir.path("list.txt");
    std::fs::write(&list, "a.wav\nsub/b.wav\nsub/b.mp3\n").unwrap();
    let out = dir.path("out");
    let one_line = |o: &Output, code: i32, says: &[&str]| {
        let e = stderr(o);
        assert_eq!(o.status.code(), Some(code), "{e}");
        assert_eq!(e.trim().lines().count(), 1, "{e}");
        for s in says {
            assert!(e.contains(s), "{s:?} not in {e}");
        }
    };
    for (shard, says) in [
        ("2/2", "below the count"),
        ("0/0", "from 1 to"),
        ("1", "not a shard"),
        ("x/4", "not a shard"),
    ] {
        one_line(
            &convert_list(&list, &out, &["--shard", shard]),
            2,
            &[shard, says],
        );
    }
    one_line(&convert_list(&list, &out, &["--jobs", "0"]), 2, &["jobs"]);
    let missing = dir.path("nope.txt");
    one_line(
        &convert_list(&missing, &out, &[]),
        1,
        &[s(&missing), "No such file"],
    );
    // Two inputs with one output: both named, nothing converted, not even the output
    // directory made.
    one_line(
        &convert_list(&list, &out, &[]),
        2,
        &["line 2 (sub/b.wav)", "line 3 (sub/b.mp3)", "sub/b.flac"],
    );
    assert!(!out.exists());
    let o = run(&["convert", "--manifest", s(&list), "--to", "flac"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--out-dir"), "{}", stderr(&o));
    let o = run(&[
        "convert",
        "a.wav",
        "b.flac",
        "--manifest",
        s(&list),
        "--out-dir",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    std::fs::write(&list, "path\trate\na.wav\tfast\n").unwrap();
    one_line(
        &convert_list(&list, &out, &[]),
        2,
        &["line 2 (a.wav)", "rate", "\"fast\""],
    );
}
