//! `%TypedArray%.prototype`'s getters (`length`, `buffer`, `byteOffset`), taken once and called
//! on the caller's arrays as `getter.call(array)`.
//!
//! Why: wasm-bindgen's `final` getters look the property up along the prototype chain at every
//! call (its `GetOwnOrInheritedPropertyDescriptor`, which makes a descriptor object each time):
//! for every chunk of `readInto` and every read of the file, that lookup and its garbage were
//! 5 % of a WAV's decode in Node (`node --cpu-prof`, BENCHMARKS.md "WebAssembly"). The
//! functions called are the same: the intrinsic getters, which a subclass or a Proxy cannot
//! redefine and which throw a `TypeError` for anything but a real typed array (a Proxy of one
//! included). Every call is a `catch` binding: what it throws comes back as an `Err`.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// A getter function of `%TypedArray%.prototype`.
    type Getter;
    /// `getter.call(target)`, for the getters whose value is a number.
    #[wasm_bindgen(catch, method, js_name = call)]
    fn call_number(this: &Getter, target: &JsValue) -> Result<f64, JsValue>;
    /// `getter.call(target)`.
    #[wasm_bindgen(catch, method, js_name = call)]
    fn call_value(this: &Getter, target: &JsValue) -> Result<JsValue, JsValue>;
}

struct Getters {
    length: Getter,
    buffer: Getter,
    byte_offset: Getter,
}

thread_local! {
    static GETTERS: Getters = Getters {
        length: getter("length"),
        buffer: getter("buffer"),
        byte_offset: getter("byteOffset"),
    };
}

/// `Object.getOwnPropertyDescriptor(%TypedArray%.prototype, key).get`, where
/// `%TypedArray%.prototype` is the prototype of `Uint8Array.prototype`. Should an engine not
/// have it, `undefined`: calling it then throws, and every use fails with that `Err`.
fn getter(key: &str) -> Getter {
    Reflect::get_prototype_of(&Uint8Array::new_with_length(0))
        .and_then(|proto| Reflect::get_prototype_of(&proto))
        .and_then(|typed| Reflect::get_own_property_descriptor(&typed, &JsValue::from_str(key)))
        .and_then(|desc| Reflect::get(&desc, &JsValue::from_str("get")))
        .unwrap_or(JsValue::UNDEFINED)
        .unchecked_into()
}

/// The length of a real typed array, in elements (0 once its buffer is detached, or when it
/// is out of bounds of a shrunk resizable buffer).
pub fn length(a: &JsValue) -> Result<u32, JsValue> {
    // At most 2^53 by the language; no array this module is given comes near 2^32.
    GETTERS.with(|g| {
        g.length
            .call_number(a)
            .map(|n| n.min(f64::from(u32::MAX)) as u32)
    })
}

/// The `ArrayBuffer` (or `SharedArrayBuffer`) a real typed array views.
pub fn buffer(a: &JsValue) -> Result<JsValue, JsValue> {
    GETTERS.with(|g| g.buffer.call_value(a))
}

/// Where a real typed array starts in its buffer, in bytes.
pub fn byte_offset(a: &JsValue) -> Result<f64, JsValue> {
    GETTERS.with(|g| g.byte_offset.call_number(a))
}
