// Runs the WASI build of the CLI under Node: node --no-warnings web/tests/wasi-run.mjs ARGS...
// The current directory is preopened (relative paths work); the exit code is the CLI's.
// AUDIOSTREAM_WASM overrides the module (default target/wasm32-wasip1/release/audiostream.wasm).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { ROOT } from './common.mjs';

const path =
  process.env.AUDIOSTREAM_WASM ?? join(ROOT, 'target', 'wasm32-wasip1', 'release', 'audiostream.wasm');
const wasi = new WASI({
  version: 'preview1',
  args: ['audiostream', ...process.argv.slice(2)],
  env: {},
  preopens: { '.': process.cwd() },
  returnOnExit: true,
});
const module = await WebAssembly.compile(readFileSync(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
