//! The caller's bytes as a `Read + Seek` source that stays in JavaScript's memory: each read
//! copies only the piece the demuxer asks for out of the caller's `ArrayBuffer`, instead of
//! copying the whole file into the module's memory before the first byte is read.
//!
//! Why: wasm-bindgen's `Vec<u8>` parameter copied the file into the module's linear memory,
//! growing it to hold the file (13 % of a 105 MB WAV's decode in Node, BENCHMARKS.md
//! "WebAssembly"), and that memory never shrinks: a one-hour file read once kept the module
//! that large. The demuxers read the file front to back in blocks of at most 32 KiB
//! (symphonia's `MediaSourceStream`), so the bytes are still copied once, but a block at a time
//! into the stream's buffer, as a native reader reads a file.
//!
//! The caller keeps the bytes, and JavaScript may run between two calls of a `ChunkReader`.
//! What it can do to them, and what the reader does then:
//! - detach the `ArrayBuffer` (transfer it to a worker, `ArrayBuffer.prototype.transfer`) or
//!   shrink a resizable one under the file's end: the view's length reads 0 (or the view is out
//!   of bounds), checked before every read; the read fails with an `InvalidArgument` naming
//!   what happened, and the reader ends with that error. No audio is made from missing bytes.
//! - write into them: the reader decodes what the bytes hold when it reads them, as a native
//!   reader of a file being rewritten does (documented in web/README.md).
//! - a `SharedArrayBuffer`, which another thread may write to while a call runs: copied once
//!   into an `ArrayBuffer` of our own (in JavaScript's heap, freed with the reader), so one
//!   call never sees two versions of the file.
//!
//! Every call into JavaScript here goes through `catch` bindings (an exception comes back as an
//! `Err` instead of unwinding through the module, see lib.rs) to the typed-array intrinsics
//! (the getters of `intrinsics.rs`; a read is `readBytes` of `web/js/glue.js`, which makes
//! the piece's view and calls `set` with the built-ins as they were when it loaded), which the
//! caller's subclass or Proxy cannot redefine, and every length is checked before the copy:
//! nothing the caller does makes a read panic or copy a byte it did not ask for.

use audiostream::Error;
use js_sys::{ArrayBuffer, SharedArrayBuffer, Uint8Array};
use std::io::{Read, Seek, SeekFrom};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// symphonia's `MediaSource` (and so `StreamReader::from_named_reader`) takes only `Send`
// sources; a JavaScript value is not `Send` because it lives in one thread's JavaScript heap.
// WebAssembly without the `atomics` target feature has exactly one thread: nothing can send
// the value anywhere, and `Send` is vacuous. With `atomics` (wasm threads, a shared memory)
// it would be a real promise we cannot keep, so such a build is refused here.
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
compile_error!(
    "audiostream-web's JsBytes is Send only because wasm32 without `atomics` has one thread; \
     a threaded build (+atomics) must copy the bytes into the module instead"
);

#[wasm_bindgen]
extern "C" {
    /// `ArrayBuffer.isView(v)`: a typed array or a DataView (a Proxy of one is neither).
    #[wasm_bindgen(js_namespace = ArrayBuffer, js_name = isView)]
    fn is_view(v: &JsValue) -> bool;
}

/// The length of one of our views: 0 once the buffer is detached, or when the view is out of
/// bounds of a shrunk resizable buffer.
fn len_of(a: &Uint8Array) -> Result<u32, JsValue> {
    crate::intrinsics::length(a)
}

/// What `bytes` may be, for messages.
const ALLOWED: &str = "a Uint8Array (a Node Buffer), an ArrayBuffer, a SharedArrayBuffer, \
                       another typed array or a DataView, holding the whole file";

/// The caller's bytes, read in pieces (see the module's documentation).
pub struct JsBytes {
    /// Our own view of exactly the file's bytes (not the caller's object, whose prototype or
    /// properties the caller may have redefined).
    view: Uint8Array,
    /// The view's buffer and where it starts in it, by the intrinsic getters (fixed for the
    /// view's life).
    buffer: JsValue,
    offset: f64,
    len: u64,
    pos: u64,
}

// SAFETY: see the `compile_error!` above: without `atomics`, a wasm32 module runs on one
// thread, so the value is never used from another. Natively (unit tests, clippy) the bindings
// compile but never run, and `JsBytes` is not made at all (lib.rs copies there).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl Send for JsBytes {}

impl JsBytes {
    /// A source over `bytes`: a typed array or DataView (its range of its buffer), an
    /// `ArrayBuffer` or a `SharedArrayBuffer` (the whole of it). A shared buffer is copied into
    /// an `ArrayBuffer` of our own. What reading the caller's object throws (a getter of a
    /// subclass) comes back as the `Err`, as it is; anything else is refused with an
    /// `InvalidArgument` naming what is allowed.
    pub fn new(bytes: &JsValue) -> Result<JsBytes, JsValue> {
        let get = |key: &str| js_sys::Reflect::get(bytes, &JsValue::from_str(key));
        let (buffer, offset, len) = if is_view(bytes) {
            (get("buffer")?, get("byteOffset")?, get("byteLength")?)
        } else if bytes.is_instance_of::<ArrayBuffer>()
            || bytes.is_instance_of::<SharedArrayBuffer>()
        {
            (bytes.clone(), JsValue::from(0), get("byteLength")?)
        } else {
            return Err(refused(bytes, "not bytes"));
        };
        let whole = |v: &JsValue| v.as_f64().filter(|n| n.fract() == 0.0 && *n >= 0.0);
        let (Some(offset), Some(len)) = (whole(&offset), whole(&len)) else {
            return Err(refused(
                bytes,
                "its byteOffset or byteLength is not a whole number",
            ));
        };
        if !(buffer.is_instance_of::<ArrayBuffer>() || buffer.is_instance_of::<SharedArrayBuffer>())
        {
            return Err(refused(bytes, "its buffer is not an ArrayBuffer"));
        }
        // A 32-bit module addresses at most 4 GiB, and our reads take u32 offsets.
        if len > f64::from(u32::MAX) {
            return Err(js_error(Error::invalid_argument(
                "bytes",
                format!("{len} bytes"),
                "at most 4294967295 bytes (4 GiB)",
            )));
        }
        let view = crate::glue::new_bytes_view(&buffer, offset, len)?;
        if f64::from(len_of(&view)?) != len {
            return Err(refused(
                bytes,
                "its buffer is detached or shorter than it says",
            ));
        }
        let buffer = checked_buffer_of(&view)?;
        let (view, buffer) = if buffer.is_instance_of::<SharedArrayBuffer>() {
            let own = Uint8Array::new_with_length(len as u32);
            own.set(&view, 0);
            let own_buffer = checked_buffer_of(&own)?;
            (own, own_buffer)
        } else {
            (view, buffer)
        };
        let offset = crate::intrinsics::byte_offset(&view)?;
        Ok(JsBytes {
            view,
            buffer,
            offset,
            len: len as u64,
            pos: 0,
        })
    }

    /// Bytes in the file.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `ArrayBuffer` the bytes are read from (ours for a shared one): `readInto` refuses
    /// arrays that write into it.
    pub fn buffer(&self) -> JsValue {
        self.buffer.clone()
    }

    /// Where the file's bytes are in [`JsBytes::buffer`]: the byte range.
    pub fn byte_range(&self) -> std::ops::Range<f64> {
        // By the intrinsic getter (in `new`): a `byteOffset` the caller redefines cannot move
        // where the file is said to be (and so what `readInto` refuses).
        self.offset..self.offset + self.len as f64
    }
}

fn checked_buffer_of(view: &Uint8Array) -> Result<JsValue, JsValue> {
    crate::intrinsics::buffer(view)
}

fn js_error(e: Error) -> JsValue {
    JsError::new(&e.to_string()).into()
}

/// `bytes` refused: what it is (its constructor's name) and why.
fn refused(bytes: &JsValue, why: &str) -> JsValue {
    let what = if bytes.is_undefined() {
        "undefined".to_string()
    } else if bytes.is_null() {
        "null".to_string()
    } else if bytes.is_object() || bytes.is_function() {
        js_sys::Reflect::get(bytes, &JsValue::from_str("constructor"))
            .ok()
            .and_then(|c| js_sys::Reflect::get(&c, &JsValue::from_str("name")).ok())
            .and_then(|n| n.as_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "an object".to_string())
    } else {
        bytes.js_typeof().as_string().unwrap_or_default()
    };
    js_error(Error::invalid_argument(
        "bytes",
        format!("{what} ({why})"),
        ALLOWED,
    ))
}

/// The read error once the caller's buffer no longer holds the file: an `io::Error` carrying
/// our typed error, which the reader gives back as it is (`audiostream::Error::io`).
fn gone(len: u64, now: u32) -> std::io::Error {
    let what = if now == 0 {
        "detached (transferred, e.g. to a worker) or shrunk".to_string()
    } else {
        format!("shrunk to {now} bytes")
    };
    std::io::Error::other(Error::invalid_argument(
        "bytes",
        format!("an ArrayBuffer {what} while the reader read it"),
        format!("the file's {len} bytes left in place until the reader is done"),
    ))
}

impl Read for JsBytes {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() || self.pos >= self.len {
            return Ok(0);
        }
        let n = (buf.len() as u64).min(self.len - self.pos) as usize;
        // Both bounds are within `len`, which fits a u32 (checked in `new`).
        let (start, end) = (self.pos as u32, (self.pos + n as u64) as u32);
        // A detached buffer's views read 0 long, and a view past a shrunk resizable buffer's
        // end too: `readBytes` checks the length on every read (JavaScript runs between two
        // calls) and copies only into `buf[..n]`, whose place and length it is given.
        let copied = crate::glue::MEMORY.with(|memory| {
            crate::glue::read_bytes(
                &self.view,
                &self.buffer,
                self.offset,
                self.len as u32,
                start,
                end,
                memory,
                buf.as_mut_ptr() as usize as u32,
            )
        });
        match copied {
            c if c == n as f64 => {}
            c if c < 0.0 => return Err(gone(self.len, (-1.0 - c) as u32)),
            _ => return Err(gone(self.len, 0)),
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for JsBytes {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        // As `io::Cursor`: anywhere at or after 0, also past the end (reads there give 0).
        let target = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match target {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "invalid seek to a negative or overflowing position",
            )),
        }
    }
}
