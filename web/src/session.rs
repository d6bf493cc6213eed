//! The decode logic behind the JavaScript API, in plain Rust (tested natively): what a request
//! asks for, a reader opened on bytes in memory, and its chunks cut to the asked duration. The
//! metadata `info` gives is `audiostream::info::describe`'s, as the CLI's `info --json`.

use audiostream::{AudioStreamOptions, Chunk, Error, Options, Result, StreamReader};
use std::io::{Read, Seek};

/// Frames per chunk when a request does not say.
pub const DEFAULT_FRAMES_PER_CHUNK: usize = 4096;

/// What a caller asks for: the output's shape, a cut, and how to read the input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    /// Output sample rate (resampled); `None`: the source's.
    pub sample_rate: Option<u32>,
    /// Output channels (remixed); `None`: the source's.
    pub channels: Option<usize>,
    /// Start here, seconds (exact to the sample).
    pub start: Option<f64>,
    /// At most this much, seconds: `round(duration * output rate)` frames.
    pub duration: Option<f64>,
    /// Forced demuxer (`wav`, `mp3`, ..., raw `s16le`, `f32le`, ...).
    pub format: Option<String>,
    /// Demuxer options (raw PCM: `sample_rate`, `channels`).
    pub format_options: Options,
    /// Frames per chunk (the chunked reader).
    pub frames_per_chunk: Option<usize>,
    /// The file's name: in messages, and its extension is the probe's hint (default `input`).
    pub name: Option<String>,
}

/// Opens a reader on `source` (the file's bytes: a `Cursor` over them natively, the caller's
/// `ArrayBuffer` read in place in WebAssembly, `input::JsBytes`) with the request's demuxer
/// choice.
pub fn open<R: Read + Seek + Send + 'static>(source: R, req: &Request) -> Result<StreamReader> {
    StreamReader::from_named_reader(
        source,
        req.name.as_deref().unwrap_or("input"),
        req.format.as_deref(),
        Some(&req.format_options),
    )
}

/// A reader giving the request's chunks: converted, from `start`, for `duration`.
pub struct Session {
    reader: StreamReader,
    /// Output rate and channels.
    pub sample_rate: u32,
    /// Output channels.
    pub channels: usize,
    /// Output frames the source says it holds from the start on (before `duration`), if it
    /// says.
    pub expected_frames: Option<u64>,
    /// Frames still to give (`duration`); `None`: to the end.
    remaining: Option<u64>,
    ended: bool,
    /// Frames given so far.
    pub frames: u64,
}

impl Session {
    /// Opens `source` (see [`open`]) and sets up the request's output.
    pub fn new<R: Read + Seek + Send + 'static>(source: R, req: &Request) -> Result<Session> {
        let mut reader = open(source, req)?;
        if reader.default_audio_stream().is_none() {
            return Err(Error::Unsupported("no audio stream in the input".into()));
        }
        let fpc = req.frames_per_chunk.unwrap_or(DEFAULT_FRAMES_PER_CHUNK);
        // Chunks are popped as soon as they are ready; none may be dropped.
        let mut opts = AudioStreamOptions::new(fpc).buffer_chunk_size(usize::MAX);
        if let Some(rate) = req.sample_rate {
            opts = opts.sample_rate(rate);
        }
        if let Some(n) = req.channels {
            opts = opts.num_channels(n);
        }
        let meta = reader.get_metadata();
        let out = reader.add_audio_stream(opts)?;
        let info = reader.get_out_stream_info(out)?;
        let (rate, channels) = (info.sample_rate, info.num_channels);
        if let Some(d) = req.duration {
            check_time("duration", d)?;
        }
        let mut start_frame = 0u64;
        if let Some(t) = req.start {
            check_time("start", t)?;
            if t > 0.0 {
                reader.seek(t)?;
                start_frame = (t * f64::from(rate)).round() as u64;
            }
        }
        let expected_frames = meta.num_frames.map(|n| {
            let n = if meta.sample_rate == rate || meta.sample_rate == 0 {
                n
            } else {
                audiostream::output_frames(meta.sample_rate, rate, n)
            };
            n.saturating_sub(start_frame)
        });
        let remaining = req.duration.map(|d| (d * f64::from(rate)).round() as u64);
        Ok(Session {
            reader,
            sample_rate: rate,
            channels,
            expected_frames: match (expected_frames, remaining) {
                (Some(n), Some(r)) => Some(n.min(r)),
                (n, _) => n,
            },
            remaining,
            ended: false,
            frames: 0,
        })
    }

    /// The reader (its metadata).
    pub fn reader(&self) -> &StreamReader {
        &self.reader
    }

    /// The next chunk, `None` at the end (of the stream, or of `duration`).
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>> {
        loop {
            if self.remaining == Some(0) {
                return Ok(None);
            }
            if let Some(mut chunk) = self.reader.pop_chunks().pop().flatten() {
                if let Some(left) = self.remaining {
                    if chunk.ncols() as u64 > left {
                        let keep = left as usize;
                        chunk.data = chunk
                            .data
                            .slice(audiostream::ndarray::s![.., ..keep])
                            .to_owned();
                    }
                    self.remaining = Some(left - chunk.ncols() as u64);
                }
                self.frames += chunk.ncols() as u64;
                return Ok(Some(chunk));
            }
            if self.ended {
                return Ok(None);
            }
            if self.reader.process_packet()? == 0 {
                self.ended = true;
            }
        }
    }
}

/// A time in seconds must be finite and not negative.
fn check_time(name: &str, t: f64) -> Result<()> {
    if t.is_finite() && t >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            name,
            t,
            "seconds, a finite number not below 0",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::io::Cursor<Vec<u8>> {
        let path = format!("{}/../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        std::io::Cursor::new(std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
    }

    /// Every frame of a file read by path through `stream()`.
    fn by_path(name: &str, opts: AudioStreamOptions) -> Vec<Vec<f32>> {
        let path = format!("{}/../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let mut r = StreamReader::new(&path, None, None).unwrap();
        r.add_audio_stream(opts).unwrap();
        let mut out: Vec<Vec<f32>> = Vec::new();
        for chunks in r.stream() {
            let c = chunks.unwrap().remove(0).unwrap();
            out.resize(c.nrows(), Vec::new());
            for (ch, row) in c.rows().into_iter().enumerate() {
                out[ch].extend(row.iter());
            }
        }
        out
    }

    fn all(session: &mut Session) -> Vec<Vec<f32>> {
        let mut out = vec![Vec::new(); session.channels];
        while let Some(c) = session.next_chunk().unwrap() {
            for (ch, row) in c.rows().into_iter().enumerate() {
                out[ch].extend(row.iter());
            }
        }
        out
    }

    #[test]
    fn chunks_equal_the_readers_stream() {
        for name in ["flac_16_stereo_44100.flac", "mp3_cbr128_stereo_44100.mp3"] {
            for fpc in [1000, 4096, 100_000] {
                let req = Request {
                    frames_per_chunk: Some(fpc),
                    ..Default::default()
                };
                let mut s = Session::new(fixture(name), &req).unwrap();
                let got = all(&mut s);
                assert_eq!(got, by_path(name, AudioStreamOptions::new(4096)), "{name}");
                assert_eq!(Some(s.frames), s.expected_frames, "{name}");
            }
        }
    }

    #[test]
    fn converted_and_cut() {
        let name = "flac_16_stereo_44100.flac";
        let req = Request {
            sample_rate: Some(16000),
            channels: Some(1),
            start: Some(0.25),
            duration: Some(0.5),
            frames_per_chunk: Some(777),
            ..Default::default()
        };
        let mut s = Session::new(fixture(name), &req).unwrap();
        assert_eq!((s.sample_rate, s.channels), (16000, 1));
        let got = all(&mut s);
        assert_eq!(got[0].len(), 8000);
        let whole = by_path(
            name,
            AudioStreamOptions::new(4096)
                .sample_rate(16000)
                .num_channels(1),
        );
        assert_eq!(got[0], whole[0][4000..12000]);
    }

    #[test]
    fn errors_carry_our_messages() {
        let e = Session::new(fixture("random_bytes.bin"), &Request::default())
            .err()
            .unwrap();
        assert!(!e.to_string().is_empty());
        let req = Request {
            start: Some(-1.0),
            ..Default::default()
        };
        let e = Session::new(fixture("wav_s16_stereo_44100.wav"), &req)
            .err()
            .unwrap();
        assert!(e.to_string().contains("start = -1"), "{e}");
    }

    #[test]
    fn describes_as_the_cli() {
        let r = open(fixture("flac_16_stereo_44100.flac"), &Request::default()).unwrap();
        let v = audiostream::info::describe(&r).unwrap();
        assert_eq!(v["codec"], "flac");
        assert_eq!(v["sample_rate"], 44100);
        assert_eq!(v["streams"][0]["media_type"], "audio");
    }
}
