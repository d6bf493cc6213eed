//! # audiostream-web
//!
//! audiostream's decode path for JavaScript, through wasm-bindgen: `info(bytes)` (what
//! `audiostream info --json` prints), `decode(bytes, options)` (the whole file as one
//! `Float32Array` per channel) and `ChunkReader` (an iterator, sync and `for await`, over chunks
//! of N frames, so a long file is never decoded whole in memory). Every format and codec the
//! native reader takes (WAV, AIFF, CAF, FLAC, MP3, Ogg Vorbis/Opus/FLAC, MP4/M4A AAC/ALAC/Opus,
//! Matroska/WebM, ADTS AAC, raw PCM), pure Rust. Errors are JavaScript `Error`s carrying the
//! reader's message.
//!
//! The npm package (`web/build.sh` makes it in `web/pkg/`) wraps this module with an `init()`
//! that loads the `.wasm` in browsers, workers and Node; see `web/README.md`.
//!
//! The logic is in [`session`] (plain Rust, tested natively); this file converts between it
//! and JavaScript values.

mod glue;
pub mod input;
mod intrinsics;
pub mod session;

use audiostream::{Chunk, Error, Options};
use js_sys::{Array, Float32Array, Object, Reflect};
use session::{Request, Session};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** What to decode: the output's shape, a cut, and how to read the input. Every field is optional. */
export interface DecodeOptions {
  /** Output sample rate in Hz (resampled; default: the file's). */
  sampleRate?: number;
  /** Output channels (1 = mono downmix, 2 = stereo, ...; default: the file's). */
  channels?: number;
  /** Start here, in seconds, exact to the sample (default 0). */
  start?: number;
  /** Decode at most this many seconds: round(duration * sampleRate) frames (default: to the end). */
  duration?: number;
  /** Force the demuxer instead of probing: wav, mp3, flac, ogg, mp4, m4a, mkv, webm, aiff, caf, aac, or raw PCM s16le, s24le, s32le, f32le, f64le, u8. */
  format?: string;
  /** Demuxer options; raw PCM needs `{sample_rate: "16000"}` and takes `channels` (default 1). */
  formatOptions?: Record<string, string | number>;
  /** The file's name, e.g. `File.name`: shown in error messages, and its extension helps the probe (default "input"). */
  name?: string;
}

/** Options of a ChunkReader: DecodeOptions plus the chunk size. */
export interface ChunkOptions extends DecodeOptions {
  /** Frames in every chunk but the last (default 4096). */
  framesPerChunk?: number;
}

/** A whole decoded file. */
export interface DecodedAudio {
  /** Sample rate of `channels`, Hz. */
  sampleRate: number;
  /** One array per channel (WAV order), samples in [-1, 1]. */
  channels: Float32Array[];
}

/** One chunk from a ChunkReader. */
export interface AudioChunk {
  /** Time of the chunk's first frame, seconds (from the file's start, also after `start`). */
  pts: number;
  /** Frames in the chunk: framesPerChunk, except the last chunk. */
  frames: number;
  /** One array per channel, `frames` samples each, in [-1, 1]. */
  channels: Float32Array[];
}

/** One stream of a file (audio, video, subtitles). */
export interface StreamInfo {
  index: number;
  media_type: string;
  codec: string;
  codec_long_name: string;
  sample_rate: number | null;
  num_channels: number | null;
  num_frames: number | null;
  duration: number | null;
  duration_estimated: boolean;
  bit_rate: number | null;
  bits_per_sample: number | null;
  language: string | null;
  tags: Record<string, string>;
}

/** What `audiostream info --json` prints for a file (without `path`): the default audio stream and the container. */
export interface AudioInfo {
  /** Container, FFmpeg's name: wav, flac, mp3, ogg, mov,mp4,m4a,3gp,3g2,mj2, matroska,webm, ... */
  format: string;
  /** Codec of the default audio stream, FFmpeg's name: pcm_s16le, flac, mp3, vorbis, opus, aac, ... */
  codec: string;
  sample_rate: number;
  num_channels: number;
  /** Exact length in frames when the file says it (null otherwise). */
  num_frames: number | null;
  /** Seconds. */
  duration: number | null;
  /** True when nothing in the file gives the length (MP3 without a tag, ADTS AAC). */
  duration_estimated: boolean;
  /** Bits per second. */
  bit_rate: number | null;
  bits_per_sample: number | null;
  /** Index of the default audio stream in `streams`. */
  default_audio_stream: number | null;
  /** Tags under FFmpeg's keys: title, artist, album, date, genre, track, ... */
  tags: Record<string, string>;
  streams: StreamInfo[];
}
"#;

#[wasm_bindgen]
extern "C" {
    // `catch`: the caller may have replaced `console.warn` by something that throws.
    #[wasm_bindgen(catch, js_namespace = console, js_name = error)]
    fn console_error(s: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = console, js_name = warn)]
    fn console_warn(s: &str) -> Result<(), JsValue>;
}

// What reaches into the caller's objects (options, `readInto`'s arrays) can run the caller's
// code: a getter, a Proxy's trap. An exception thrown there must not unwind through the module:
// on wasm32 it would skip every Rust frame between, leaving a `ChunkReader` borrowed for good
// (wasm-bindgen's borrow flag is released on return only) and the reader unusable. So such
// calls go through `catch` bindings (`Reflect`'s are too), whose exception comes back as an
// `Err` and is rethrown to the caller as it is. The typed-array calls are the intrinsics called
// on the object (`.call(this, ...)`): the getters of `%TypedArray%.prototype` (`intrinsics.rs`)
// and, for `readInto`, `set` and the getters as `web/js/glue.js` took them when it loaded
// (`glue.rs`), which a subclass or a Proxy cannot redefine.
#[wasm_bindgen]
extern "C" {
    /// `Array.isArray(v)`: throws for a revoked Proxy.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn checked_is_array(v: &JsValue) -> Result<bool, JsValue>;
    /// `Object.keys(o)`: a Proxy's `ownKeys` trap may throw.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn checked_keys(o: &JsValue) -> Result<Array, JsValue>;
}

/// The reader's warnings (a packet skipped, a damaged tag) on the console, the ones the native
/// CLI prints on stderr (audiostream's own and its symphonia copies', not symphonia's chatter).
#[cfg(target_arch = "wasm32")]
struct ConsoleLogger;

#[cfg(target_arch = "wasm32")]
impl log::Log for ConsoleLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn && metadata.target().starts_with("audiostream")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            // A warning the console refuses is dropped: it must not fail the decode.
            let _ = console_warn(&format!("audiostream: warning: {}", record.args()));
        }
    }

    fn flush(&self) {}
}

#[cfg(target_arch = "wasm32")]
static LOGGER: ConsoleLogger = ConsoleLogger;

/// Runs when the module is instantiated: warnings go to the console, and a panic (a bug: bad
/// media is an `Error`, never a panic) is printed there with its message before the module
/// traps.
#[wasm_bindgen(start)]
fn start() {
    #[cfg(target_arch = "wasm32")]
    {
        std::panic::set_hook(Box::new(|info| {
            let _ = console_error(&format!("audiostream-web: internal error (a bug): {info}"));
        }));
        if log::set_logger(&LOGGER).is_ok() {
            log::set_max_level(log::LevelFilter::Warn);
        }
    }
}

/// The file's bytes as the reader's source: read in place from the caller's buffer, a piece
/// at a time ([`input::JsBytes`]), not copied into the module's memory first.
#[cfg(target_arch = "wasm32")]
fn source(bytes: &JsValue) -> Result<input::JsBytes, JsValue> {
    input::JsBytes::new(bytes)
}

/// Natively the bindings compile (for `session`'s unit tests and clippy) but never run:
/// JavaScript values exist only in WebAssembly. `JsBytes` is `Send` only there.
#[cfg(not(target_arch = "wasm32"))]
fn source(bytes: &JsValue) -> Result<std::io::Cursor<Vec<u8>>, JsValue> {
    Ok(std::io::Cursor::new(
        js_sys::Uint8Array::new(bytes).to_vec(),
    ))
}

/// A JavaScript `Error` carrying our message.
fn js_error(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

fn invalid(name: &str, value: &JsValue, allowed: &str) -> JsError {
    let shown = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{value:?}"));
    js_error(Error::invalid_argument(name, shown, allowed))
}

/// A whole number in `min..=max`.
fn integer(name: &str, v: &JsValue, min: f64, max: f64) -> Result<f64, JsError> {
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && (min..=max).contains(&n) => Ok(n),
        _ => Err(invalid(
            name,
            v,
            &format!("a whole number from {min} to {max}"),
        )),
    }
}

/// A number of seconds, not negative.
fn seconds(name: &str, v: &JsValue) -> Result<f64, JsError> {
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 => Ok(n),
        _ => Err(invalid(name, v, "seconds, a finite number not below 0")),
    }
}

/// The request an options object makes; unknown keys are an error naming the known ones. What
/// a getter of the object throws is thrown back (not taken for a missing option).
fn request(options: &JsValue, chunked: bool) -> Result<Request, JsValue> {
    let mut req = Request::default();
    if options.is_undefined() || options.is_null() {
        return Ok(req);
    }
    if !options.is_object() {
        return Err(invalid("options", options, "an object").into());
    }
    let known: &[&str] = if chunked {
        &[
            "sampleRate",
            "channels",
            "start",
            "duration",
            "format",
            "formatOptions",
            "name",
            "framesPerChunk",
        ]
    } else {
        &[
            "sampleRate",
            "channels",
            "start",
            "duration",
            "format",
            "formatOptions",
            "name",
        ]
    };
    for key in checked_keys(options)?.iter() {
        let name = key.as_string().unwrap_or_default();
        let value = Reflect::get(options, &key)?;
        if value.is_undefined() {
            continue;
        }
        match name.as_str() {
            "sampleRate" => {
                let max = f64::from(audiostream::limits::MAX_SAMPLE_RATE);
                req.sample_rate = Some(integer("sampleRate", &value, 1.0, max)? as u32);
            }
            "channels" => {
                let max = audiostream::dsp::MAX_CHANNELS as f64;
                req.channels = Some(integer("channels", &value, 1.0, max)? as usize);
            }
            "start" => req.start = Some(seconds("start", &value)?),
            "duration" => req.duration = Some(seconds("duration", &value)?),
            "format" => match value.as_string() {
                Some(s) => req.format = Some(s),
                None => return Err(invalid("format", &value, "a string, e.g. \"s16le\"").into()),
            },
            "formatOptions" => req.format_options = string_map("formatOptions", &value)?,
            "name" => match value.as_string() {
                Some(s) => req.name = Some(s),
                None => return Err(invalid("name", &value, "a string, e.g. \"song.mp3\"").into()),
            },
            "framesPerChunk" if chunked => {
                let max = audiostream::limits::MAX_FRAMES_PER_CHUNK as f64;
                req.frames_per_chunk = Some(integer("framesPerChunk", &value, 1.0, max)? as usize);
            }
            _ => {
                return Err(js_error(Error::InvalidArgument(format!(
                    "unknown option {name:?}; the options are {}",
                    known.join(", ")
                )))
                .into())
            }
        }
    }
    Ok(req)
}

/// `{key: "value" | number}` as string options.
fn string_map(name: &str, v: &JsValue) -> Result<Options, JsValue> {
    if !v.is_object() {
        return Err(invalid(
            name,
            v,
            "an object of strings, e.g. {sample_rate: \"16000\"}",
        )
        .into());
    }
    let mut out = Options::new();
    for key in checked_keys(v)?.iter() {
        let k = key.as_string().unwrap_or_default();
        let val = Reflect::get(v, &key)?;
        let s = match (val.as_string(), val.as_f64()) {
            (Some(s), _) => s,
            (None, Some(n)) => n.to_string(),
            _ => return Err(invalid(&format!("{name}.{k}"), &val, "a string or a number").into()),
        };
        out.insert(k, s);
    }
    Ok(out)
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a property on a plain object we made cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// `serde_json` to a JavaScript value, through `JSON.parse`.
fn to_js(v: &serde_json::Value) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(&v.to_string()).map_err(|_| JsError::new("metadata is not valid JSON"))
}

/// The metadata of a file: what `audiostream info --json` prints for it (without `path`).
///
/// `bytes` is the whole file (a `Uint8Array`, e.g. `new Uint8Array(await file.arrayBuffer())`
/// or Node's `fs.readFileSync(path)`; an `ArrayBuffer`, another typed array or a `DataView`),
/// read where it is: only the headers (and tags) are read. Only `format`, `formatOptions` (raw
/// PCM) and `name` of the options are used. Throws an `Error` with our message when the bytes
/// are not audio we read; what a getter of `options` throws is thrown as it is.
#[wasm_bindgen(unchecked_return_type = "AudioInfo")]
pub fn info(
    #[wasm_bindgen(
        unchecked_param_type = "Uint8Array | ArrayBuffer | SharedArrayBuffer | ArrayBufferView"
    )]
    bytes: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "DecodeOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let req = request(&options, false)?;
    let reader = session::open(source(bytes)?, &req).map_err(js_error)?;
    Ok(to_js(
        &audiostream::info::describe(&reader).map_err(js_error)?,
    )?)
}

/// One growing `Float32Array` per channel, allocated in JavaScript's heap (not in the
/// module's memory, which never shrinks): chunks are copied in as they come.
struct Planes {
    arrays: Vec<Float32Array>,
    capacity: u32,
    len: u32,
}

/// The most frames allocated ahead on a file's word: a header claiming more grows as
/// audio actually comes.
const MAX_PREALLOCATED_FRAMES: u64 = 1 << 24;

impl Planes {
    fn new(channels: usize, expected: Option<u64>) -> Planes {
        let capacity = expected
            .unwrap_or(1 << 16)
            .clamp(1, MAX_PREALLOCATED_FRAMES) as u32;
        Planes {
            arrays: (0..channels)
                .map(|_| Float32Array::new_with_length(capacity))
                .collect(),
            capacity,
            len: 0,
        }
    }

    fn push(&mut self, chunk: &Chunk) -> Result<(), JsError> {
        let n = chunk.ncols() as u64;
        let need = u64::from(self.len) + n;
        if need > u64::from(u32::MAX) {
            return Err(JsError::new(
                "the decoded audio is longer than a Float32Array holds (2^32 - 1 frames); \
                 use a ChunkReader or a duration",
            ));
        }
        if need > u64::from(self.capacity) {
            let capacity = need
                .max(u64::from(self.capacity) * 2)
                .min(u64::from(u32::MAX)) as u32;
            for a in &mut self.arrays {
                let bigger = Float32Array::new_with_length(capacity);
                bigger.set(&a.subarray(0, self.len), 0);
                *a = bigger;
            }
            self.capacity = capacity;
        }
        for (a, row) in self.arrays.iter().zip(chunk.rows()) {
            let dst = a.subarray(self.len, self.len + n as u32);
            match row.as_slice() {
                Some(s) => dst.copy_from(s),
                None => dst.copy_from(&row.to_vec()),
            }
        }
        self.len += n as u32;
        Ok(())
    }

    fn finish(self) -> Array {
        let len = self.len;
        let exact = len == self.capacity;
        self.arrays
            .into_iter()
            .map(|a| if exact { a } else { a.slice(0, len) })
            .collect()
    }
}

/// Decodes a whole file: `{sampleRate, channels: Float32Array[]}`.
///
/// Options: `sampleRate` and `channels` convert (remix, then resample, as the native reader);
/// `start` and `duration` (seconds) cut exactly; `format` and `formatOptions` choose the
/// demuxer (raw PCM). For long files, a `ChunkReader` never holds the whole decode. Throws an
/// `Error` with our message on bad input or options; what a getter of `options` throws is
/// thrown as it is.
#[wasm_bindgen(unchecked_return_type = "DecodedAudio")]
pub fn decode(
    #[wasm_bindgen(
        unchecked_param_type = "Uint8Array | ArrayBuffer | SharedArrayBuffer | ArrayBufferView"
    )]
    bytes: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "DecodeOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let req = request(&options, false)?;
    let mut s = Session::new(source(bytes)?, &req).map_err(js_error)?;
    let mut planes = Planes::new(s.channels, s.expected_frames);
    while let Some(chunk) = s.next_chunk().map_err(js_error)? {
        planes.push(&chunk)?;
    }
    let out = Object::new();
    set(&out, "sampleRate", &JsValue::from(s.sample_rate));
    set(&out, "channels", &planes.finish());
    Ok(out.into())
}

/// The property names of the objects `next()` makes, made into
/// JavaScript strings once (each `JsValue::from_str` decodes UTF-8 into a new string: five per
/// chunk otherwise).
struct Keys {
    pts: JsValue,
    frames: JsValue,
    channels: JsValue,
    value: JsValue,
    done: JsValue,
}

thread_local! {
    static KEYS: Keys = Keys {
        pts: JsValue::from_str("pts"),
        frames: JsValue::from_str("frames"),
        channels: JsValue::from_str("channels"),
        value: JsValue::from_str("value"),
        done: JsValue::from_str("done"),
    };
}

fn set_key(obj: &Object, key: &JsValue, value: &JsValue) {
    // Setting a property on a plain object we made cannot fail.
    let _ = Reflect::set(obj, key, value);
}

/// A chunk as a JavaScript object `{pts, frames, channels}`. The channels are views of one
/// `Float32Array` (channel after channel), filled by one copy out of the module's memory: one
/// JavaScript allocation per chunk instead of one per channel (allocating the arrays was 10 %
/// of a WAV's decode in Node; BENCHMARKS.md, "WebAssembly").
fn chunk_to_js(chunk: &Chunk, keys: &Keys) -> JsValue {
    let (rows, n) = (chunk.nrows() as u32, chunk.ncols() as u32);
    // A chunk's data is a standard-layout (rows, frames) array: channel after channel.
    let all = match chunk.data.as_slice() {
        Some(s) => Float32Array::from(s),
        None => {
            let all = Float32Array::new_with_length(rows * n);
            for (c, row) in chunk.rows().into_iter().enumerate() {
                all.subarray(c as u32 * n, (c as u32 + 1) * n)
                    .copy_from(&row.to_vec());
            }
            all
        }
    };
    let channels: Array = (0..rows)
        .map(|c| all.subarray(c * n, (c + 1) * n))
        .collect();
    let out = Object::new();
    set_key(&out, &keys.pts, &JsValue::from(chunk.pts));
    set_key(&out, &keys.frames, &JsValue::from(n));
    set_key(&out, &keys.channels, &channels);
    out.into()
}

fn iterator_result(value: &JsValue, done: bool, keys: &Keys) -> JsValue {
    let out = Object::new();
    set_key(&out, &keys.value, value);
    set_key(&out, &keys.done, &JsValue::from(done));
    out.into()
}

/// Reads a file in chunks of `framesPerChunk` frames: an iterator (`next()` gives
/// `{value: AudioChunk, done}`), usable with `for (const c of reader)` and
/// `for await (const c of reader)` (the package's `init()` adds `Symbol.iterator` and
/// `Symbol.asyncIterator`). Only one chunk is decoded at a time, so memory stays flat whatever
/// the file's length. Leaving a loop early (`break`, an exception) calls `return()`, which
/// releases the decoder; `free()` releases the object itself. `readInto(arrays)` gives the same
/// chunks into arrays the caller allocates once, instead of new ones for every chunk.
///
/// ```js
/// for (const { pts, frames, channels } of new ChunkReader(bytes, { framesPerChunk: 4096 })) {
///   console.log(pts, frames, channels[0][0]);
/// }
/// ```
#[wasm_bindgen]
pub struct ChunkReader {
    session: Option<Session>,
    /// A chunk decoded but not delivered (`readInto` could not copy it out): the next call
    /// gives it, so a failed call loses no audio.
    pending: Option<Chunk>,
    sample_rate: u32,
    channels: usize,
    /// Frames of every chunk but the last: what `readInto`'s arrays must hold.
    frames_per_chunk: usize,
    /// The buffer the file's bytes are read from and their byte range in it: `readInto`
    /// refuses arrays that would write over them (the reader would then decode its own
    /// output). `None` natively.
    input: Option<(JsValue, std::ops::Range<f64>)>,
    /// `readInto`'s arrays once checked: a holder of ours (`glue::new_targets`), which the
    /// caller cannot change between the check and the copy.
    targets: JsValue,
    expected: Option<u64>,
    frames: u64,
    info: serde_json::Value,
}

impl ChunkReader {
    /// The next chunk (a pending one first), `None` at the end; a decode error ends the
    /// reader. `framesRead` counts it when it is delivered ([`ChunkReader::delivered`]).
    fn advance(&mut self) -> Result<Option<Chunk>, JsError> {
        if let Some(chunk) = self.pending.take() {
            return Ok(Some(chunk));
        }
        let Some(s) = self.session.as_mut() else {
            return Ok(None);
        };
        match s.next_chunk() {
            Ok(Some(chunk)) => Ok(Some(chunk)),
            Ok(None) => {
                self.session = None;
                Ok(None)
            }
            Err(e) => {
                self.session = None;
                Err(js_error(e))
            }
        }
    }

    fn delivered(&mut self, chunk: &Chunk) {
        self.frames += chunk.ncols() as u64;
    }

    /// `readInto`'s arrays, checked and put into `self.targets`: an array of `numChannels`
    /// `Float32Array`s of at least `framesPerChunk` samples each, viewing neither the file's
    /// bytes nor the module's memory, checked before a chunk is decoded. Reading the array's
    /// length and elements may run the caller's code (getters, a Proxy): what it throws comes
    /// back as the `Err`, through `catch` bindings (see `checked_is_array`). The check itself
    /// is `collectTargets` of `web/js/glue.js`, one call into JavaScript.
    fn check_targets(&self, channels: &JsValue) -> Result<(), JsValue> {
        let (buffer, range) = match &self.input {
            Some((buffer, range)) => (buffer.clone(), range.clone()),
            None => (JsValue::UNDEFINED, 0.0..0.0),
        };
        let verdict = glue::MEMORY.with(|memory| {
            glue::collect_targets(
                channels,
                self.channels as u32,
                self.frames_per_chunk as u32,
                &buffer,
                range.start,
                range.end,
                memory,
                &self.targets,
            )
        })?;
        let allowed = match verdict {
            0 => return Ok(()),
            2 => "arrays that do not share memory with the file's bytes (the reader reads them \
                  as it goes: writing over them would change the file)"
                .to_string(),
            3 => "arrays of their own, not views of the module's memory (the reader's own \
                  buffers live there)"
                .to_string(),
            _ => format!(
                "an array of {} Float32Arrays (numChannels) of at least {} samples each \
                 (framesPerChunk)",
                self.channels, self.frames_per_chunk
            ),
        };
        let shown = describe(channels)?;
        Err(js_error(Error::invalid_argument("channels", shown, allowed)).into())
    }
}

/// Copies each channel of `chunk` into the arrays `check_targets` put into `targets`, with one
/// call into JavaScript (`copyRows` of `web/js/glue.js`).
fn copy_out(chunk: &Chunk, targets: &JsValue) -> Result<(), JsValue> {
    let rows = chunk.as_standard_layout();
    let Some(samples) = rows.as_slice() else {
        // A standard-layout array is one slice; reported rather than half-copied.
        return Err(JsError::new("internal error: a chunk not in one piece").into());
    };
    let failed = glue::MEMORY.with(|memory| {
        glue::copy_rows(
            targets,
            memory,
            samples.as_ptr() as usize as u32,
            rows.nrows() as u32,
            rows.ncols() as u32,
            rows.ncols() as u32,
        )
    });
    match failed {
        0 => Ok(()),
        _ => Err(glue::take_error()),
    }
}

/// A short description of a JavaScript value for a message: `Float32Array(100)` rather than
/// its samples, an array element by element (the first 8), strings and numbers as JSON. What
/// reading the value throws (a getter, a Proxy) comes back as the `Err`.
fn describe(v: &JsValue) -> Result<String, JsValue> {
    const SHOWN: f64 = 8.0;
    if let Some(n) = typed_length(v) {
        return Ok(format!("Float32Array({n})"));
    }
    if checked_is_array(v)? {
        // An array's length is a whole number below 2^32; a Proxy's trap may say anything.
        let len = Reflect::get(v, &JsValue::from_str("length"))?
            .as_f64()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .unwrap_or(0.0)
            .min(f64::from(u32::MAX))
            .floor();
        let mut parts = Vec::new();
        for i in 0..len.min(SHOWN) as u32 {
            parts.push(describe_leaf(&Reflect::get_u32(v, i)?)?);
        }
        if len > SHOWN {
            parts.push(format!("... {} more", len - SHOWN));
        }
        return Ok(format!("[{}]", parts.join(", ")));
    }
    describe_leaf(v)
}

/// The length of a real `Float32Array` (not a Proxy of one, nor another typed array given
/// `Float32Array.prototype`), as `check_targets` tells them apart.
fn typed_length(v: &JsValue) -> Option<u32> {
    glue::float32_length(v)
        .ok()
        .filter(|n| *n >= 0.0)
        .map(|n| n.min(f64::from(u32::MAX)) as u32)
}

fn describe_leaf(v: &JsValue) -> Result<String, JsValue> {
    if let Some(n) = typed_length(v) {
        return Ok(format!("Float32Array({n})"));
    }
    if v.is_string() || v.as_f64().is_some() || v.is_null() || v.as_bool().is_some() {
        if let Some(s) = js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()) {
            return Ok(s);
        }
    }
    if v.is_undefined() {
        return Ok("undefined".into());
    }
    if checked_is_array(v)? {
        return Ok("an array".into());
    }
    // Other objects by their constructor's name (Float64Array, Object, ...); other
    // primitives (a symbol, a bigint), which have no properties to read, by their type.
    let typeof_ = || v.js_typeof().as_string().unwrap_or_default();
    if !v.is_object() && !v.is_function() {
        return Ok(typeof_());
    }
    let constructor = Reflect::get(v, &JsValue::from_str("constructor"))?;
    let name = if constructor.is_object() || constructor.is_function() {
        Reflect::get(&constructor, &JsValue::from_str("name"))?.as_string()
    } else {
        None
    };
    Ok(name.filter(|n| !n.is_empty()).unwrap_or_else(typeof_))
}

#[wasm_bindgen]
impl ChunkReader {
    /// Opens `bytes` (the whole file: a `Uint8Array`, an `ArrayBuffer`, another typed array or
    /// a `DataView`) with `options` (`framesPerChunk`, default 4096, and the options of
    /// `decode`). Throws an `Error` with our message on bad input or options.
    ///
    /// The bytes are read where they are, a piece at a time as the reader goes, not copied into
    /// the module: leave them as they are until the reader is done. Detaching their buffer
    /// (transferring it) or shrinking it ends the reader with an `Error`; writing into them
    /// changes what is decoded from there on, as rewriting a file being read does. A
    /// `SharedArrayBuffer`'s bytes are copied once here, out of reach of other threads.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(
            unchecked_param_type = "Uint8Array | ArrayBuffer | SharedArrayBuffer | ArrayBufferView"
        )]
        bytes: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ChunkOptions")] options: JsValue,
    ) -> Result<ChunkReader, JsValue> {
        let req = request(&options, true)?;
        let source = source(bytes)?;
        #[cfg(target_arch = "wasm32")]
        let input = Some((source.buffer(), source.byte_range()));
        #[cfg(not(target_arch = "wasm32"))]
        let input = None;
        let s = Session::new(source, &req).map_err(js_error)?;
        let info = audiostream::info::describe(s.reader()).map_err(js_error)?;
        Ok(ChunkReader {
            pending: None,
            sample_rate: s.sample_rate,
            channels: s.channels,
            frames_per_chunk: req
                .frames_per_chunk
                .unwrap_or(session::DEFAULT_FRAMES_PER_CHUNK),
            input,
            targets: glue::new_targets(),
            expected: s.expected_frames,
            frames: 0,
            info,
            session: Some(s),
        })
    }

    /// Sample rate of the chunks, Hz.
    #[wasm_bindgen(getter, js_name = sampleRate)]
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Channels of the chunks.
    #[wasm_bindgen(getter, js_name = numChannels)]
    pub fn num_channels(&self) -> u32 {
        self.channels as u32
    }

    /// Frames the reader will give, when the file says (`undefined` otherwise, e.g. an MP3
    /// without a LAME tag): for a progress bar. A chained Ogg whose later links change rate
    /// says its first link's length (as `info()` does), and gives more.
    #[wasm_bindgen(getter, js_name = expectedFrames)]
    pub fn expected_frames(&self) -> Option<f64> {
        self.expected.map(|n| n as f64)
    }

    /// Frames given so far.
    #[wasm_bindgen(getter, js_name = framesRead)]
    pub fn frames_read(&self) -> f64 {
        self.frames as f64
    }

    /// The file's metadata, as `info(bytes)` gives it.
    #[wasm_bindgen(unchecked_return_type = "AudioInfo")]
    pub fn info(&self) -> Result<JsValue, JsError> {
        to_js(&self.info)
    }

    /// The next chunk as an iterator result: `{value: AudioChunk, done: false}`, then
    /// `{value: undefined, done: true}` at the end. Throws an `Error` with our message when the
    /// file cannot be decoded further (the reader is then finished).
    // JavaScript's iterator protocol names it `next`; this is not Rust's Iterator.
    #[allow(clippy::should_implement_trait)]
    #[wasm_bindgen(unchecked_return_type = "IteratorResult<AudioChunk, undefined>")]
    pub fn next(&mut self) -> Result<JsValue, JsError> {
        KEYS.with(|keys| match self.advance()? {
            Some(chunk) => {
                self.delivered(&chunk);
                Ok(iterator_result(&chunk_to_js(&chunk, keys), false, keys))
            }
            None => Ok(iterator_result(&JsValue::UNDEFINED, true, keys)),
        })
    }

    /// Decodes the next chunk into arrays the caller owns and reuses: `channels` holds one
    /// `Float32Array` per channel (`numChannels` of them, in the order of `next()`'s
    /// `channels`), each at least `framesPerChunk` samples long. Returns the frames written
    /// to the start of every array: `framesPerChunk`, fewer for the last chunk (the samples
    /// after them are left as they were), and 0 at the end (then always 0).
    ///
    /// The same frames as `next()` (the two may be mixed; each call takes the next chunk), but
    /// without a new `Float32Array` for every chunk: fresh memory per chunk was 40 % of a WAV's
    /// decode time in Chromium (BENCHMARKS.md, "WebAssembly"). The samples are copied out of
    /// the module, so the arrays stay valid whatever the module does later (views into its
    /// memory would be detached when it grows).
    ///
    /// Throws an `Error` with our message when `channels` is not such an array (checked on
    /// every call, also after the end), when an array views the file's bytes or the module's
    /// own memory, or when the file cannot be decoded further (the reader is then finished).
    /// What reading `channels` throws (a getter, a Proxy's trap) is thrown as it is, and so is
    /// the engine's error when an array was detached after the check; the reader stays as it
    /// was: the next call gives the same chunk.
    ///
    /// ```js
    /// const reader = chunks(bytes, { framesPerChunk: 4096 });
    /// const bufs = Array.from({ length: reader.numChannels }, () => new Float32Array(4096));
    /// for (let n; (n = reader.readInto(bufs)) > 0; ) {
    ///   draw(bufs[0].subarray(0, n)); // samples 0..n of each array are this chunk's
    /// }
    /// reader.free();
    /// ```
    #[wasm_bindgen(js_name = readInto)]
    pub fn read_into(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Float32Array[]")] channels: &JsValue,
    ) -> Result<u32, JsValue> {
        self.check_targets(channels)?;
        let Some(chunk) = self.advance()? else {
            return Ok(0);
        };
        if chunk.nrows() != self.channels {
            // The output stream's layout is fixed when it is set up; a chunk of another shape
            // would be a bug in the reader, reported rather than half-copied.
            self.session = None;
            return Err(JsError::new(&format!(
                "internal error: a chunk of {} channels from a reader of {}",
                chunk.nrows(),
                self.channels
            ))
            .into());
        }
        // `check_targets` checked every array against `frames_per_chunk`, which no chunk exceeds,
        // by the prototype's `length`: the copy into a real Float32Array that long cannot
        // throw. Should it, the chunk waits for the next call rather than being lost.
        if let Err(e) = copy_out(&chunk, &self.targets) {
            self.pending = Some(chunk);
            return Err(e);
        }
        self.delivered(&chunk);
        Ok(chunk.ncols() as u32)
    }

    /// Ends the iteration early and releases the decoder (a loop left by `break` calls it).
    ///
    /// ```js
    /// const reader = chunks(bytes);
    /// const first = reader.next().value; // only the first chunk
    /// reader.return(); // the decoder is released; next() is done, readInto() gives 0
    /// ```
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "IteratorResult<AudioChunk, undefined>"
    )]
    pub fn finish(&mut self) -> JsValue {
        self.session = None;
        self.pending = None;
        KEYS.with(|keys| iterator_result(&JsValue::UNDEFINED, true, keys))
    }
}
