//! Bindings to `web/js/glue.js`: the hot calls into JavaScript (a read of the file's bytes,
//! `readInto`'s check of the caller's arrays and its copy), written by hand as one JavaScript
//! function each instead of many calls through wasm-bindgen's generated bindings. glue.js says
//! why and how it keeps the caller's code out of them.
//!
//! What JavaScript throws (a Proxy's trap, a getter of the caller's) comes back as an `Err`
//! instead of unwinding through the module (see lib.rs): through `catch` bindings, or, for the
//! two called at every chunk and read, caught in glue.js and returned as a code.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    /// Checks the caller's `channels` and puts them into `out`: 0 when they are fine, 1 for
    /// the wrong shape or type, 2 when one views the file's bytes, 3 the module's memory.
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(catch, js_name = collectTargets)]
    pub fn collect_targets(
        channels: &JsValue,
        count: u32,
        min: u32,
        input_buffer: &JsValue,
        input_start: f64,
        input_end: f64,
        memory: &JsValue,
        out: &JsValue,
    ) -> Result<u32, JsValue>;

    /// Copies `rows` rows of `frames` samples, `stride` apart, from the module's memory at
    /// byte `ptr` into `out`'s arrays: 0, or 1 when that threw ([`take_error`] gives what).
    /// Not a `catch` binding: it catches what it throws itself (glue.js says why).
    #[wasm_bindgen(js_name = copyRows)]
    pub fn copy_rows(
        out: &JsValue,
        memory: &JsValue,
        ptr: u32,
        rows: u32,
        frames: u32,
        stride: u32,
    ) -> u32;

    /// What the last failed `copy_rows` threw.
    #[wasm_bindgen(js_name = takeError)]
    pub fn take_error() -> JsValue;

    /// Copies bytes `start..end` of `view` (`length` bytes of `buffer` from byte `offset`) into
    /// the module's memory at byte `ptr`, if `view` is still `length` bytes long: then
    /// `end - start`, else `-1 - ` its length now (0 once its buffer is detached; also when
    /// anything threw: not a `catch` binding, it catches what it throws itself).
    #[wasm_bindgen(js_name = readBytes)]
    #[allow(clippy::too_many_arguments)]
    pub fn read_bytes(
        view: &Uint8Array,
        buffer: &JsValue,
        offset: f64,
        length: u32,
        start: u32,
        end: u32,
        memory: &JsValue,
        ptr: u32,
    ) -> f64;

    /// A holder for `readInto`'s checked arrays: an object without a prototype, which no
    /// accessor the caller defines on `Array.prototype` or `Object.prototype` reaches.
    #[wasm_bindgen(js_name = newTargets)]
    pub fn new_targets() -> JsValue;

    /// `new Uint8Array(buffer, offset, length)`, the constructor as it was when glue.js loaded:
    /// throws (a `TypeError`, a `RangeError`) for a detached buffer or a range outside it.
    #[wasm_bindgen(catch, js_name = newBytesView)]
    pub fn new_bytes_view(
        buffer: &JsValue,
        offset: f64,
        length: f64,
    ) -> Result<Uint8Array, JsValue>;

    /// The length of a real `Float32Array` (its internal slots, not its prototype), -1 for
    /// anything else: a Proxy of one, another typed array with `Float32Array.prototype`.
    #[wasm_bindgen(catch, js_name = float32Length)]
    pub fn float32_length(v: &JsValue) -> Result<f64, JsValue>;
}

thread_local! {
    /// The module's `WebAssembly.Memory`, which glue.js views.
    pub static MEMORY: JsValue = wasm_bindgen::memory();
}
