// audiostream-web: audiostream's decoders (pure Rust, WebAssembly) for browsers, Web Workers and
// Node. `await init()` once, then `info`, `decode` and `chunks` (see index.d.ts, README.md).
import initWasm, {
  initSync as initWasmSync,
  info as wasmInfo,
  decode as wasmDecode,
  ChunkReader,
} from './pkg/audiostream_web.js';

// A ChunkReader is its own iterator: `for (const c of r)` and `for await (const c of r)`.
ChunkReader.prototype[Symbol.iterator] = function () {
  return this;
};
ChunkReader.prototype[Symbol.asyncIterator] = function () {
  return this;
};

let ready = null;
let initialized = false;

const isNode =
  typeof process !== 'undefined' && process.versions != null && process.versions.node != null;

async function load(input) {
  if (input === undefined && isNode) {
    // Node has no fetch() for file URLs: read the module next to this file.
    const { readFile } = await import('node:fs/promises');
    input = await readFile(new URL('./pkg/audiostream_web_bg.wasm', import.meta.url));
  }
  await initWasm(input === undefined ? undefined : { module_or_path: input });
  initialized = true;
}

/**
 * Loads the WebAssembly module; call (and await) once before anything else. Browsers and
 * workers fetch `pkg/audiostream_web_bg.wasm` next to this file; Node reads it. `input`
 * overrides that: a URL, a Response, the bytes, or a compiled WebAssembly.Module.
 */
export function init(input) {
  if (ready === null) {
    ready = load(input).catch((e) => {
      ready = null;
      throw e;
    });
  }
  return ready;
}

/** Synchronous init from the module's bytes or a compiled WebAssembly.Module. */
export function initSync(module) {
  if (!initialized) {
    initWasmSync({ module });
    initialized = true;
    ready = Promise.resolve();
  }
}

function check() {
  if (!initialized) {
    throw new Error('audiostream-web: call `await init()` before using it');
  }
}

// `bytes` goes to the module as it is: it takes a Uint8Array (a Node Buffer), an ArrayBuffer, a
// SharedArrayBuffer, any other typed array or a DataView, reads the file's bytes where they are
// (web/src/input.rs) and refuses anything else with an Error naming what is allowed.

/** The metadata of a file: what `audiostream info --json` prints for it (without `path`). */
export function info(bytes, options) {
  check();
  return wasmInfo(bytes, options);
}

/** Decodes a whole file: `{sampleRate, channels: Float32Array[]}`. */
export function decode(bytes, options) {
  check();
  return wasmDecode(bytes, options);
}

/**
 * A ChunkReader over the file: `for await (const {pts, frames, channels} of chunks(bytes,
 * {framesPerChunk: 4096}))`. One chunk is decoded at a time.
 */
export function chunks(bytes, options) {
  check();
  return new ChunkReader(bytes, options);
}

export { ChunkReader };
