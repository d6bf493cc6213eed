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
// What runs is fixed when this module loads: every built-in used below is taken then (the
// constructors too: `new Uint8Array` would look the global up at each call) and called as a
// function, never looked up on an object the caller can reach: a caller's subclass, Proxy,
// species constructor or later change to a prototype or a global cannot redefine it. The
// arrays of ours that hold the checked targets and the views have no prototype, so no indexed
// accessor on `Array.prototype` or `Object.prototype` sees them. The caller's own code can
// still run where the caller's objects are read (a Proxy's traps, an array's getters) and
// through `console`; the bindings are `catch` bindings, so what it throws comes back to Rust as
// an `Err`.

const uncurryThis = Function.prototype.bind.bind(Function.prototype.call);
const U8 = Uint8Array;
const F32 = Float32Array;
const TypedArrayPrototype = Object.getPrototypeOf(U8.prototype);
const getter = (key) => uncurryThis(Object.getOwnPropertyDescriptor(TypedArrayPrototype, key).get);
// [[TypedArrayName]] from the object's internal slot: 'Float32Array' for a real one, undefined
// for anything else (a Proxy of one, another typed array given Float32Array.prototype).
const typedArrayName = getter(Symbol.toStringTag);
const lengthOf = getter('length');
const bufferOf = getter('buffer');
const byteOffsetOf = getter('byteOffset');
const set = uncurryThis(TypedArrayPrototype.set);
const isArray = Array.isArray;
const createObject = Object.create;
const memoryBuffer = uncurryThis(Object.getOwnPropertyDescriptor(WebAssembly.Memory.prototype, 'buffer').get);

/** A holder for readInto's checked arrays (collectTargets): an object without a prototype. */
export function newTargets() {
  return createObject(null);
}

/**
 * `new Uint8Array(buffer, offset, length)` with the constructor as it was when this module
 * loaded: the reader's own view of the file's bytes.
 */
export function newBytesView(buffer, offset, length) {
  return new U8(buffer, offset, length);
}

/** The length of a real Float32Array, -1 for anything else (for messages). */
export function float32Length(v) {
  return typedArrayName(v) === 'Float32Array' ? lengthOf(v) : -1;
}

/**
 * Checks `channels` (the caller's argument to readInto) and puts its arrays into `out` (from
 * newTargets, so that the copy reads what was checked even if `channels` changes): `count`
 * real Float32Arrays of at least `min` samples each, none viewing the file's bytes
 * (`inputBuffer`, bytes `inputStart..inputEnd`, `undefined` when the file was copied) or the
 * module's memory. Returns 0 when they are, 1 for the wrong shape or type, 2 when one views
 * the file's bytes, 3 when one views the module's memory (in that order: a call with
 * several faults gets the first).
 */
export function collectTargets(channels, count, min, inputBuffer, inputStart, inputEnd, memory, out) {
  if (!isArray(channels) || channels.length !== count) return 1;
  for (let i = 0; i < count; i++) {
    // Each element is read once: a getter may give another object at each read.
    const a = channels[i];
    if (typedArrayName(a) !== 'Float32Array' || lengthOf(a) < min) return 1;
    out[i] = a;
  }
  const moduleBuffer = memoryBuffer(memory);
  let viewsModule = false;
  for (let i = 0; i < count; i++) {
    const a = out[i];
    const buffer = bufferOf(a);
    if (buffer === inputBuffer) {
      const start = byteOffsetOf(a);
      if (start < inputEnd && inputStart < start + 4 * min) return 2;
    }
    if (buffer === moduleBuffer) viewsModule = true;
  }
  if (viewsModule) return 3;
  return 0;
}

// The views of the module's memory the last calls used. The reader's chunks come from a few
// places that the allocator hands out again and again (two, alternating, for a WAV read in
// chunks of 4096 frames), so the views of the last ROW_CACHE places serve again and no garbage
// is made per call; an entry is made again when the memory has grown (its old buffer is then
// detached) or the place or shape differs.
const ROW_CACHE = 4;
const rowCache = createObject(null);
let rowCacheNext = 0;
let bytesBuffer = null;
let bytesView = null;

// What copyRows caught, for takeError. copyRows and readBytes catch what they throw themselves
// rather than through wasm-bindgen's `catch` wrapper, which makes a closure and an `arguments`
// object at every call (they are called 10,000 times a file; collectTargets, which runs the
// caller's code and must throw what it throws as it is, keeps the wrapper).
let caught;

/** What the last copyRows that returned 1 threw (once). */
export function takeError() {
  const e = caught;
  caught = undefined;
  return e;
}

/**
 * Copies `rows` rows of `frames` samples, `stride` samples apart, from the module's memory at
 * byte `ptr` into `out[0..rows]` (checked by collectTargets). Returns 0, or 1 when it threw
 * (takeError gives what).
 */
export function copyRows(out, memory, ptr, rows, frames, stride) {
  try {
    copy(out, memory, ptr, rows, frames, stride);
    return 0;
  } catch (e) {
    caught = e;
    return 1;
  }
}

function copy(out, memory, ptr, rows, frames, stride) {
  const buffer = memoryBuffer(memory);
  let views = null;
  for (let i = 0; i < ROW_CACHE; i++) {
    const e = rowCache[i];
    if (e !== undefined && e.buffer === buffer && e.ptr === ptr && e.rows === rows && e.frames === frames && e.stride === stride) {
      views = e.views;
      break;
    }
  }
  if (views === null) {
    views = createObject(null);
    for (let c = 0; c < rows; c++) views[c] = new F32(buffer, ptr + 4 * c * stride, frames);
    const e = createObject(null);
    e.buffer = buffer;
    e.ptr = ptr;
    e.rows = rows;
    e.frames = frames;
    e.stride = stride;
    e.views = views;
    rowCache[rowCacheNext] = e;
    rowCacheNext = (rowCacheNext + 1) % ROW_CACHE;
  }
  // What collectTargets checked cannot have changed: an array's type and buffer are fixed for
  // its life, and `out` is ours. A detached or shrunk one makes `set` throw.
  for (let c = 0; c < rows; c++) set(out[c], views[c]);
}

/**
 * Copies bytes `start..end` of `view` (the reader's own view of the file's bytes, from
 * newBytesView: `length` bytes of `buffer` from byte `offset`, as the intrinsic getters said
 * when it was made; they are fixed for the view's life) into the module's memory at byte
 * `ptr`, if `view` is still `length` bytes long (JavaScript may have detached or shrunk its
 * buffer since the last read). Returns the bytes copied, `end - start`, or `-1 - ` the view's
 * length now.
 */
export function readBytes(view, buffer, offset, length, start, end, memory, ptr) {
  try {
    return read(view, buffer, offset, length, start, end, memory, ptr);
  } catch {
    // Nothing here throws for a view that still has its length; should anything, the read
    // fails as for a detached buffer.
    return -1;
  }
}

function read(view, buffer, offset, length, start, end, memory, ptr) {
  const now = lengthOf(view);
  if (now !== length) return -1 - now;
  const moduleBuffer = memoryBuffer(memory);
  if (bytesBuffer !== moduleBuffer) {
    bytesView = new U8(moduleBuffer);
    bytesBuffer = moduleBuffer;
  }
  // The piece as a view made here, with the constructor taken at load (`subarray` would make
  // it through the caller's species constructor, of any length), set at `ptr`, wherever the
  // demuxer's buffer is now.
  const piece = new U8(buffer, offset + start, end - start);
  set(bytesView, piece, ptr);
  return lengthOf(piece);
}
