//! Bindings to `web/js/glue.js`: the hot calls into JavaScript (a read of the file's bytes,
//! `readInto`'s check of the caller's arrays and its copy), written by hand as one JavaScript
//! function each instead of many calls through wasm-bindgen's generated bindings. glue.js says
//! why and how it keeps the caller's code out of them.
//!
//! Every binding is a `catch` binding: what JavaScript throws (a Proxy's trap, a getter of the
//! caller's) comes back as an `Err` instead of unwinding through the module (see lib.rs).

use js_sys::{Array, Uint8Array};
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
        out: &Array,
    ) -> Result<u32, JsValue>;

    /// Copies `rows` rows of `frames` samples, `stride` apart, from the module's memory at
    /// byte `ptr` into `out`'s arrays.
    #[wasm_bindgen(catch, js_name = copyRows)]
    pub fn copy_rows(
        out: &Array,
        memory: &JsValue,
        ptr: u32,
        rows: u32,
        frames: u32,
        stride: u32,
    ) -> Result<(), JsValue>;

    /// Copies bytes `start..end` of `view` into the module's memory at byte `ptr`, if `view`
    /// is still `length` bytes long: then `end - start`, else `-1 - ` its length now (0 once
    /// its buffer is detached).
    #[wasm_bindgen(catch, js_name = readBytes)]
    pub fn read_bytes(
        view: &Uint8Array,
        length: u32,
        start: u32,
        end: u32,
        memory: &JsValue,
        ptr: u32,
    ) -> Result<f64, JsValue>;
}

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    /// The length of a real `Float32Array` (its internal slots, not its prototype), -1 for
    /// anything else: a Proxy of one, another typed array with `Float32Array.prototype`.
    #[wasm_bindgen(catch, js_name = float32Length)]
    pub fn float32_length(v: &JsValue) -> Result<f64, JsValue>;
}

thread_local! {
    /// The module's `WebAssembly.Memory`, which glue.js views.
    pub static MEMORY: JsValue = wasm_bindgen::memory();
}
