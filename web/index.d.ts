// Types of audiostream-web's entry point (index.js). The option, result and metadata types,
// and ChunkReader, are wasm-bindgen's (pkg/audiostream_web.d.ts, documented from the Rust
// source in web/src/lib.rs).
import type {
  AudioChunk,
  AudioInfo,
  ChunkOptions,
  DecodedAudio,
  DecodeOptions,
  StreamInfo,
  InitInput,
  SyncInitInput,
} from './pkg/audiostream_web.js';
import { ChunkReader } from './pkg/audiostream_web.js';

export type { AudioChunk, AudioInfo, ChunkOptions, DecodedAudio, DecodeOptions, StreamInfo };
export { ChunkReader };

declare module './pkg/audiostream_web.js' {
  interface ChunkReader {
    [Symbol.iterator](): ChunkReader;
    [Symbol.asyncIterator](): ChunkReader;
  }
}

/** The bytes of a whole file. */
export type Bytes = Uint8Array | ArrayBuffer | SharedArrayBuffer | ArrayBufferView;

/**
 * Loads the WebAssembly module; call (and await) once before anything else. Browsers and
 * workers fetch `pkg/audiostream_web_bg.wasm` next to index.js; Node reads it from disk.
 * `input` overrides that: a URL, a Response, the bytes, or a compiled WebAssembly.Module.
 */
export function init(input?: InitInput | Promise<InitInput>): Promise<void>;

/** Synchronous init from the module's bytes or a compiled WebAssembly.Module. */
export function initSync(module: SyncInitInput): void;

/**
 * The metadata of a file: what `audiostream info --json` prints for it (without `path`).
 * Only `format` and `formatOptions` are used (raw PCM). Throws an `Error` with our message
 * when the bytes are not audio we read.
 */
export function info(bytes: Bytes, options?: DecodeOptions): AudioInfo;

/**
 * Decodes a whole file: `{sampleRate, channels: Float32Array[]}`, converted and cut as the
 * options say. Throws an `Error` with our message on bad input or options.
 */
export function decode(bytes: Bytes, options?: DecodeOptions): DecodedAudio;

/**
 * A ChunkReader over the file (`framesPerChunk` frames a chunk, default 4096), for
 * `for await (const chunk of chunks(bytes))` or `for (const chunk of ...)`: one chunk is
 * decoded at a time, so memory stays flat whatever the file's length. Throws an `Error` with
 * our message on bad input or options (and from the loop, if decoding fails later).
 * `readInto(arrays)` gives the same chunks into arrays the caller reuses:
 *
 * ```js
 * const r = chunks(bytes, { framesPerChunk: 4096 });
 * const bufs = Array.from({ length: r.numChannels }, () => new Float32Array(4096));
 * for (let n; (n = r.readInto(bufs)) > 0; ) draw(bufs, n);
 * r.free();
 * ```
 */
export function chunks(bytes: Bytes, options?: ChunkOptions): ChunkReader;
