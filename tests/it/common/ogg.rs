//! Helpers for the Ogg Opus / Ogg Vorbis writer tests: an independent Ogg page parser (checks
//! every CRC), the Xiph command-line tools (`opusinfo`, `ogginfo`, `opusenc`, `oggenc`,
//! `opusdec`, `oggdec`) and the real speech and music the quality comparisons use; and the
//! runs both writers' tests make alike (a failing sink, a refused write, an Icecast source).

use crate::common::oracle::ffmpeg_decode;
use crate::common::signals::SharedBuf;
use audiostream::ndarray::{s, Array2};
use audiostream::{AudioEncodeOptions, Error, StreamWriter};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A sink that fails every write once told to.
#[derive(Clone, Default)]
pub struct Failing {
    pub bytes: SharedBuf,
    pub fail: Arc<AtomicBool>,
}

impl Write for Failing {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(std::io::Error::other("disk gone"));
        }
        self.bytes.write(b)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes the first `split` frames of stereo `data` (at `rate`) as `format` into a sink,
/// flushes, then makes the sink fail: writing the rest must be an I/O error that adds no byte.
/// Returns the bytes the flush left, also written to `path` for the decoders.
pub fn flushed_prefix(
    format: &str,
    rate: u32,
    data: &Array2<f32>,
    split: usize,
    path: &Path,
) -> Vec<u8> {
    let sink = Failing::default();
    let mut w = StreamWriter::from_writer(sink.clone(), format).unwrap();
    w.add_audio_stream(rate, 2).unwrap();
    w.write_audio_chunk(0, data.slice(s![.., ..split]), None)
        .unwrap();
    w.flush().unwrap();
    let flushed = sink.bytes.bytes();
    sink.fail.store(true, Ordering::SeqCst);
    let e = w
        .write_audio_chunk(0, data.slice(s![.., split..]), None)
        .unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
    assert!(sink.bytes.bytes() == flushed, "nothing after the failure");
    std::fs::write(path, &flushed).unwrap();
    flushed
}

/// A write refused for bad input (a chunk of `bad_channels` channels into a stereo stream at
/// `rate`) changes nothing: the stream takes more after a flush and closes (on drop) into a
/// file `info_tool` accepts and FFmpeg decodes to the 2000 frames of `data` written.
pub fn refused_write_changes_nothing(
    path: &Path,
    rate: u32,
    data: &Array2<f32>,
    bad_channels: usize,
    info_tool: &str,
) {
    let mut w = StreamWriter::new(path.to_str().unwrap(), None, None).unwrap();
    w.add_audio_stream(rate, 2).unwrap();
    w.write_audio_chunk(0, data.slice(s![.., ..1000]), None)
        .unwrap();
    assert!(w
        .write_audio_chunk(0, Array2::<f32>::zeros((bad_channels, 100)).view(), None)
        .is_err());
    w.flush().unwrap();
    w.write_audio_chunk(0, data.slice(s![.., 1000..2000]), None)
        .unwrap();
    drop(w); // Drop finalizes.
    info_accepts(info_tool, path);
    assert_eq!(ffmpeg_decode(path, 0, &[]).num_frames(), 2000);
}

/// An Ogg source for Icecast (`format`, 3 s of stereo music at `rate` in 0.1 s chunks, paced by
/// `realtime`) at mount `mount`: the server announces it, a listener decodes codec `codec` from
/// it and hears more than a second, and the writer took between `min_paced` and 4.5 s.
#[cfg(feature = "net")]
pub fn icecast_round_trip(
    mount: &str,
    format: &'static str,
    rate: u32,
    codec: &str,
    min_paced: std::time::Duration,
) {
    use crate::common::servers::Icecast;
    use audiostream::{Options, StreamReader};
    use std::time::{Duration, Instant};
    let ice = Icecast::start();
    let source = ice.source_url(mount);
    let step = rate as usize / 10;
    let pcm = crate::common::signals::music(2, 30 * step, rate);
    let feeder = std::thread::spawn(move || {
        let opts = Options::from([("realtime".to_string(), "true".to_string())]);
        let mut w = StreamWriter::new(&source, Some(format), Some(&opts)).unwrap();
        w.add_audio_stream(rate, 2).unwrap();
        let start = Instant::now();
        for c in 0..30 {
            w.write_audio_chunk(0, pcm.slice(s![.., c * step..(c + 1) * step]), None)
                .unwrap();
        }
        w.close().unwrap();
        start.elapsed()
    });
    let start = Instant::now();
    while !ice.has_mount(mount) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{}",
            ice.error_log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let r = StreamReader::new(ice.listen_url(mount), None, None).unwrap();
    let meta = r.get_metadata();
    assert_eq!((meta.codec.as_str(), meta.format.as_str()), (codec, "ogg"));
    let heard = crate::common::ours::decode_reader(r, None);
    let took = feeder.join().unwrap();
    assert!(
        took > min_paced && took < Duration::from_millis(4500),
        "paced: {took:?}"
    );
    assert!(
        heard[0].len() > rate as usize,
        "heard {} frames",
        heard[0].len()
    );
}

/// One Ogg page.
#[derive(Debug, Clone)]
pub struct Page {
    pub flags: u8,
    pub granule: i64,
    pub serial: u32,
    pub sequence: u32,
    pub lacing: Vec<u8>,
    pub body: Vec<u8>,
}

/// Ogg's CRC-32 (polynomial 0x04C11DB7, no reflection, zero initial value), bit by bit: an
/// implementation independent of the encoder's table-driven one.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0u32;
    for &b in bytes {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// Splits `bytes` into pages, asserting the capture pattern, version and CRC of each; a
/// truncated last page is left out.
pub fn pages(bytes: &[u8]) -> Vec<Page> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + 27 <= bytes.len() {
        let p = &bytes[pos..];
        assert_eq!(&p[..4], b"OggS", "page at byte {pos}: no capture pattern");
        assert_eq!(p[4], 0, "page at byte {pos}: version");
        let n = usize::from(p[26]);
        if p.len() < 27 + n {
            break;
        }
        let lacing = p[27..27 + n].to_vec();
        let len: usize = lacing.iter().map(|&l| usize::from(l)).sum();
        if p.len() < 27 + n + len {
            break;
        }
        let total = 27 + n + len;
        let mut zeroed = p[..total].to_vec();
        zeroed[22..26].fill(0);
        assert_eq!(
            u32::from_le_bytes(p[22..26].try_into().unwrap()),
            crc32(&zeroed),
            "page at byte {pos}: CRC"
        );
        out.push(Page {
            flags: p[5],
            granule: i64::from_le_bytes(p[6..14].try_into().unwrap()),
            serial: u32::from_le_bytes(p[14..18].try_into().unwrap()),
            sequence: u32::from_le_bytes(p[18..22].try_into().unwrap()),
            lacing,
            body: p[27 + n..total].to_vec(),
        });
        pos += total;
    }
    out
}

/// The packets of the pages, in order (a packet continued across pages joined).
pub fn packets(pages: &[Page]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for page in pages {
        let mut at = 0;
        for &l in &page.lacing {
            cur.extend_from_slice(&page.body[at..at + usize::from(l)]);
            at += usize::from(l);
            if l < 255 {
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    out
}

/// Checks the stream's framing: one serial, sequence numbers 0, 1, 2, ..., beginning of
/// stream on the first page only, end of stream on the last only, granule positions never
/// decreasing. Returns the last page's granule position.
pub fn check_framing(pages: &[Page]) -> i64 {
    assert!(!pages.is_empty(), "no pages");
    let serial = pages[0].serial;
    let mut granule = 0;
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(p.serial, serial, "page {i}: serial");
        assert_eq!(p.sequence, i as u32, "page {i}: sequence");
        assert_eq!(
            p.flags & 2 != 0,
            i == 0,
            "page {i}: beginning of stream flag"
        );
        assert_eq!(
            p.flags & 4 != 0,
            i + 1 == pages.len(),
            "page {i}: end of stream flag"
        );
        if p.granule >= 0 {
            assert!(p.granule >= granule, "page {i}: granule went back");
            granule = p.granule;
        }
    }
    granule
}

/// Runs a program; returns (success, stdout + stderr).
pub fn run(program: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (scripts/install-deps.sh installs it)"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `opusinfo` or `ogginfo` accepts the file: exit status 0 and no warning or error.
pub fn info_accepts(tool: &str, path: &Path) -> String {
    let (ok, text) = run(tool, &[path.to_str().unwrap()]);
    assert!(ok, "{tool} rejects {}:\n{text}", path.display());
    for bad in ["WARNING", "Warning", "ERROR", "Error", "error:"] {
        assert!(
            !text.contains(bad),
            "{tool} complains about {}:\n{text}",
            path.display()
        );
    }
    text
}

/// Frames of a WAV written by `opusdec` / `oggdec` (data size / block align), and its rate.
pub fn wav_frames(path: &Path) -> (usize, u32) {
    let b = std::fs::read(path).unwrap();
    let mut pos = 12;
    let (mut align, mut rate) = (0usize, 0u32);
    while pos + 8 <= b.len() {
        let id = &b[pos..pos + 4];
        let len = u32::from_le_bytes(b[pos + 4..pos + 8].try_into().unwrap()) as usize;
        if id == b"fmt " {
            rate = u32::from_le_bytes(b[pos + 12..pos + 16].try_into().unwrap());
            align = usize::from(u16::from_le_bytes(
                b[pos + 20..pos + 22].try_into().unwrap(),
            ));
        } else if id == b"data" {
            // Tools writing to a file fill the size in; take what is there either way.
            let len = len.min(b.len() - pos - 8);
            return (len / align.max(1), rate);
        }
        pos += 8 + len + (len & 1);
    }
    panic!("{}: no data chunk", path.display());
}

/// Decodes with `opusdec` (at the rate OpusHead records as the input's, as opusdec does) or
/// `oggdec`, to a WAV in `dir`; returns (frames, rate).
pub fn xiph_decode(tool: &str, path: &Path, dir: &Path) -> (usize, u32) {
    let out = dir.join(format!(
        "{}.{tool}.wav",
        path.file_name().unwrap().to_string_lossy()
    ));
    let (ok, text) = match tool {
        "opusdec" => run(
            "opusdec",
            &["--quiet", path.to_str().unwrap(), out.to_str().unwrap()],
        ),
        _ => run(
            "oggdec",
            &["-Q", "-o", out.to_str().unwrap(), path.to_str().unwrap()],
        ),
    };
    assert!(ok, "{tool} fails on {}: {text}", path.display());
    wav_frames(&out)
}

/// Writes a 16-bit WAV of `data` (what opusenc / oggenc get in the comparisons).
pub fn write_wav16(path: &Path, data: &Array2<f32>, rate: u32) {
    let mut w = StreamWriter::new(path.to_str().unwrap(), None, None).unwrap();
    w.add_audio_stream_with(AudioEncodeOptions::new(rate, data.nrows()))
        .unwrap();
    w.write_audio_chunk(0, data.view(), None).unwrap();
    w.close().unwrap();
}

/// Reads a WAV with our reader into `(channels, frames)`.
pub fn read_wav(path: &Path) -> Array2<f32> {
    let planes = super::ours::decode(path, None);
    Array2::from_shape_fn((planes.len(), planes[0].len()), |(c, i)| planes[c][i])
}

/// The music of Debian's wesnoth-1.16-music (CC BY-SA / GPL; `scripts/install-deps.sh`
/// installs it): `seconds` from `start` of a track, 16-bit, at `rate`, stereo, made by FFmpeg.
pub fn music_wav(dir: &Path, start: f64, seconds: f64, rate: u32) -> PathBuf {
    let src = Path::new("/usr/share/games/wesnoth/1.16/data/core/music/breaking_the_chains.ogg");
    assert!(
        src.exists(),
        "{} is missing: scripts/install-deps.sh installs wesnoth-1.16-music",
        src.display()
    );
    let out = dir.join(format!("music-{start}-{seconds}-{rate}.wav"));
    let (ok, text) = run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-nostdin",
            "-y",
            "-ss",
            &start.to_string(),
            "-t",
            &seconds.to_string(),
            "-i",
            src.to_str().unwrap(),
            "-ar",
            &rate.to_string(),
            "-ac",
            "2",
            "-c:a",
            "pcm_s16le",
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            out.to_str().unwrap(),
        ],
    );
    assert!(ok, "ffmpeg: {text}");
    out
}

/// Speech by espeak-ng (two voices), 16-bit mono at `rate` (resampled by SoX).
pub fn speech_wav(dir: &Path, rate: u32) -> PathBuf {
    let raw1 = dir.join("speech1.wav");
    let raw2 = dir.join("speech2.wav");
    for (path, voice, text) in [
        (
            &raw1,
            ["-v", "en-us", "-s", "155"],
            "The quick brown fox jumps over the lazy dog. Speech corpora are increasingly \
             stored as Opus: a user who reads them should be able to write them too.",
        ),
        (
            &raw2,
            ["-v", "en+f3", "-s", "170"],
            "Silk handles speech at low bit rates, Celt handles music, and the hybrid mode \
             glues them together above eight kilohertz. Thank you for listening.",
        ),
    ] {
        let mut args = voice.to_vec();
        args.extend(["-w", path.to_str().unwrap(), text]);
        let (ok, out) = run("espeak-ng", &args);
        assert!(ok, "espeak-ng: {out}");
    }
    let out = dir.join(format!("speech-{rate}.wav"));
    let (ok, text) = run(
        "sox",
        &[
            raw1.to_str().unwrap(),
            raw2.to_str().unwrap(),
            "-r",
            &rate.to_string(),
            "-b",
            "16",
            out.to_str().unwrap(),
            "rate",
            "-v",
            "norm",
            "-3",
        ],
    );
    assert!(ok, "sox: {text}");
    out
}

/// Interleaves `(channels, frames)`.
pub fn interleave(a: &Array2<f32>) -> Vec<f32> {
    let mut v = Vec::with_capacity(a.len());
    for i in 0..a.ncols() {
        for c in 0..a.nrows() {
            v.push(a[[c, i]]);
        }
    }
    v
}
