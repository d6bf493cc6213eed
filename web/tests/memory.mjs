// The chunked reader's memory stays flat on a long file: one hour of 16 kHz mono (57.6 M
// frames; decoded whole it would be 230 MB of float32) as WAV, made here, and as FLAC, made
// from it by the native CLI. While every chunk is read, the WebAssembly memory and the
// process's RSS (after a GC at every 10 %) must not grow by more than a few MiB.
//
// Usage: node --expose-gc web/tests/memory.mjs [minutes]
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import initWasm from '../pkg/audiostream_web.js';
import { init, chunks } from '../index.js';
import { OUT, cli, runner } from './common.mjs';

if (typeof gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const minutes = Number(process.argv[2] ?? 60);
const rate = 16000;
const frames = minutes * 60 * rate;
const MiB = 1024 * 1024;
/** Growth allowed after the first 10 % (RSS moves with V8's heap; a leak of chunks is 23 MB/min). */
const ALLOWED_GROWTH = 16 * MiB;

await init();
const wasm = await initWasm();
const t = runner('web/tests/memory.mjs');

/** A mono 16-bit WAV: a slow sweep with a little noise, so a codec has work to do. */
function makeWav(n) {
  const buf = Buffer.alloc(44 + 2 * n);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + 2 * n, 4);
  buf.write('WAVEfmt ', 8, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(2 * n, 40);
  let phase = 0;
  let seed = 1;
  for (let i = 0; i < n; i++) {
    phase += (2 * Math.PI * (200 + 600 * ((i / n) % 1))) / rate;
    seed = (seed * 1103515245 + 12345) >>> 0;
    const s = 0.5 * Math.sin(phase) + ((seed >>> 16) / 65536 - 0.5) * 0.01;
    buf.writeInt16LE(Math.round(s * 32767), 44 + 2 * i);
  }
  return buf;
}

function sample() {
  gc();
  return { rss: process.memoryUsage().rss, wasm: wasm.memory.buffer.byteLength };
}

async function measure(label, bytes) {
  const before = wasm.memory.buffer.byteLength;
  const started = performance.now();
  const reader = chunks(bytes, { framesPerChunk: 4096, name: label });
  const samples = [];
  let n = 0;
  let next = 0.1;
  let peakChunk = 0;
  for await (const c of reader) {
    n += c.frames;
    peakChunk = Math.max(peakChunk, c.frames);
    if (n / frames >= next) {
      samples.push(sample());
      next += 0.1;
    }
  }
  samples.push(sample());
  const secs = (performance.now() - started) / 1000;
  const first = samples[0];
  const growth = (k) => Math.max(...samples.map((s) => s[k])) - first[k];
  const fmt = (b) => `${(b / MiB).toFixed(1)} MiB`;
  console.log(
    `${label}: ${(bytes.length / MiB).toFixed(1)} MiB file, ${n} frames in ${secs.toFixed(1)} s; ` +
      `after 10 %: RSS ${fmt(first.rss)}, WebAssembly memory ${fmt(first.wasm)}; ` +
      `growth to the end: RSS ${fmt(growth('rss'))}, WebAssembly memory ${fmt(growth('wasm'))} ` +
      `(a whole decode: ${fmt(frames * 4)})`,
  );
  t.check(`${label}: every frame read`, n === frames, `${n} of ${frames}`);
  t.check(`${label}: chunks of at most 4096 frames`, peakChunk === 4096);
  t.check(`${label}: WebAssembly memory flat (growth ${fmt(growth('wasm'))} <= ${fmt(ALLOWED_GROWTH)})`, growth('wasm') <= ALLOWED_GROWTH);
  t.check(`${label}: RSS flat (growth ${fmt(growth('rss'))} <= ${fmt(ALLOWED_GROWTH)})`, growth('rss') <= ALLOWED_GROWTH);
  // The module's memory holds the decoder, never the file (read in place, a piece at a time:
  // web/src/input.rs) nor the audio; it never shrinks, so this is measured from `before`.
  const peak = Math.max(...samples.map((s) => s.wasm));
  t.check(`${label}: WebAssembly memory grew by at most 8 MiB, not by the file (${fmt(peak)}, was ${fmt(before)})`, peak <= before + 8 * MiB);
  reader.free();
}

const wavPath = join(OUT, `long-${minutes}min.wav`);
const flacPath = join(OUT, `long-${minutes}min.flac`);
writeFileSync(wavPath, makeWav(frames));
const r = cli(['-q', 'convert', wavPath, flacPath, '--compression-level', '0']);
if (r.status !== 0) throw new Error(r.stderr);

await t.step('wav', () => measure(`${minutes} min WAV`, readFileSync(wavPath)));
await t.step('flac', () => measure(`${minutes} min FLAC`, readFileSync(flacPath)));
rmSync(wavPath);
rmSync(flacPath);
t.done();
