// audiostream-web's hand-written glue (bound in web/src/glue.rs): `ChunkReader.readInto`'s check
// of the caller's arrays and its copy of a chunk into them, one call each per chunk, and a read
// of the file's bytes, one call per read.
//
// Why: through wasm-bindgen's generated bindings, the check took a dozen calls into JavaScript
// per chunk (Array.isArray, the length, each element, its type, length, buffer and offset), and
// the copy one per channel, each through the `catch` wrapper and each making a fresh view of
// the module's memory, and a read of the file four (its length, a view of the piece, that
// view's length, the copy): together 15 % of a WAV's decode in Node (BENCHMARKS.md "web"). Here
// each is one JIT-compiled function, which makes no garbage in the steady state.
//
// What runs is fixed when this module loads: the intrinsics below are taken from the built-in
// prototypes and called as functions, so a caller's subclass, Proxy or later change to
// `Float32Array.prototype` cannot redefine them. The caller's own code can still run where the
// caller's objects are read (a Proxy's traps, an array's getters); the bindings are `catch`
// bindings, so what it throws comes back to Rust as an `Err`.

const uncurryThis = Function.prototype.bind.bind(Function.prototype.call);
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const getter = (key) => uncurryThis(Object.getOwnPropertyDescriptor(TypedArrayPrototype, key).get);
// [[TypedArrayName]] from the object's internal slot: 'Float32Array' for a real one, undefined
// for anything else (a Proxy of one, an object with Float32Array.prototype as its prototype).
const typedArrayName = getter(Symbol.toStringTag);
const lengthOf = getter('length');
const bufferOf = getter('buffer');
const byteOffsetOf = getter('byteOffset');
const set = uncurryThis(TypedArrayPrototype.set);
const subarray = uncurryThis(TypedArrayPrototype.subarray);
const isArray = Array.isArray;
const memoryBuffer = uncurryThis(Object.getOwnPropertyDescriptor(WebAssembly.Memory.prototype, 'buffer').get);

/**
 * Checks `channels` (the caller's argument to readInto) and puts its arrays into `out` (an
 * array of ours, so that the copy reads what was checked even if `channels` changes):
 * `count` real Float32Arrays of at least `min` samples each, none viewing the file's bytes
 * (`inputBuffer`, bytes `inputStart..inputEnd`, `undefined` when the file was copied) or the
 * module's memory. Returns 0 when they are, 1 for the wrong shape or type, 2 when one views
 * the file's bytes, 3 when one views the module's memory.
 */
export function collectTargets(channels, count, min, inputBuffer, inputStart, inputEnd, memory, out) {
  if (!isArray(channels) || channels.length !== count) return 1;
  const moduleBuffer = memoryBuffer(memory);
  for (let i = 0; i < count; i++) {
    const a = channels[i];
    if (typedArrayName(a) !== 'Float32Array' || lengthOf(a) < min) return 1;
    const buffer = bufferOf(a);
    if (buffer === moduleBuffer) return 3;
    if (buffer === inputBuffer) {
      const start = byteOffsetOf(a);
      if (start < inputEnd && inputStart < start + 4 * min) return 2;
    }
    out[i] = a;
  }
  return 0;
}

// The views of the module's memory the last calls used. The reader's buffers stay where they
// are from one call to the next (the allocator hands a freed chunk's memory to the next chunk),
// so the same views serve again, and no garbage is made per call; they are made again when the
// memory has grown (its old buffer is then detached) or the place or size differs.
/** The length of a real Float32Array, -1 for anything else (for messages). */
export function float32Length(v) {
  return typedArrayName(v) === 'Float32Array' ? lengthOf(v) : -1;
}

let rowsKey = { buffer: null, ptr: 0, rows: 0, frames: 0, stride: 0 };
let rowViews = [];
let bytesBuffer = null;
let bytesView = null;

/**
 * Copies `rows` rows of `frames` samples, `stride` samples apart, from the module's memory at
 * byte `ptr` into `out[0..rows]` (checked by collectTargets).
 */
export function copyRows(out, memory, ptr, rows, frames, stride) {
  const buffer = memoryBuffer(memory);
  const k = rowsKey;
  if (k.buffer !== buffer || k.ptr !== ptr || k.rows !== rows || k.frames !== frames || k.stride !== stride) {
    rowViews = [];
    for (let c = 0; c < rows; c++) rowViews.push(new Float32Array(buffer, ptr + 4 * c * stride, frames));
    rowsKey = { buffer, ptr, rows, frames, stride };
  }
  for (let c = 0; c < rows; c++) set(out[c], rowViews[c]);
}

/**
 * Copies bytes `start..end` of `view` (the reader's own view of the file's bytes) into the
 * module's memory at byte `ptr`, if `view` is still `length` bytes long (JavaScript may have
 * detached or shrunk its buffer since the last read). Returns `end - start`, or `-1 - ` the
 * view's length now.
 */
export function readBytes(view, length, start, end, memory, ptr) {
  const now = lengthOf(view);
  if (now !== length) return -1 - now;
  const buffer = memoryBuffer(memory);
  if (bytesBuffer !== buffer) {
    bytesView = new Uint8Array(buffer);
    bytesBuffer = buffer;
  }
  // The piece goes to wherever the demuxer's buffer is now: a view of it, set at `ptr`.
  set(bytesView, subarray(view, start, end), ptr);
  return end - start;
}
