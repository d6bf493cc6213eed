// The JavaScript API in Node against the native reader (the CLI): on every fixture, info()
// equals `audiostream info --json`; decode() and the chunked reader give the native decode's
// frames (bit for bit for PCM, FLAC and MP3; within float rounding for Vorbis, AAC, Opus);
// ChunkReader.readInto gives decode()'s frames bit for bit into reused arrays and rejects
// wrong arrays with our message, and what the caller's objects throw (getters, Proxies) comes
// back as it is with the reader still usable; bad input is an Error with the native message; options are
// checked.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { init, info, decode, chunks, ChunkReader } from '../index.js';
// The same module instance index.js loaded: its exports (the module's memory) once init() ran.
import initWasm from '../pkg/audiostream_web.js';
import {
  BAD_FIXTURES,
  FIXTURE_CASES,
  FIXTURES,
  checksum,
  cli,
  compare,
  meets,
  nativeDecode,
  nativeInfo,
  runner,
} from './common.mjs';

const t = runner('web/tests/api.mjs');
await init();

/** Concatenates a ChunkReader's chunks, checking sizes and times as it goes. */
async function readChunks(bytes, options, fpc) {
  const reader = chunks(bytes, { ...options, framesPerChunk: fpc });
  const parts = [];
  let sizesOk = true;
  let ptsOk = true;
  let i = 0;
  let last = null;
  for await (const c of reader) {
    if (last !== null && last !== fpc) sizesOk = false; // only the last chunk may be short
    const base = Math.round((options.start ?? 0) * reader.sampleRate);
    if (Math.abs(c.pts - (base + i * fpc) / reader.sampleRate) > 1e-9) ptsOk = false;
    if (c.channels.length !== reader.numChannels || c.channels.some((ch) => ch.length !== c.frames)) sizesOk = false;
    parts.push(c.channels);
    last = c.frames;
    i++;
  }
  const n = parts.reduce((s, p) => s + p[0].length, 0);
  const channels = Array.from({ length: reader.numChannels }, (_, ch) => {
    const out = new Float32Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p[ch], o);
      o += p[ch].length;
    }
    return out;
  });
  const expected = reader.expectedFrames;
  return { sampleRate: reader.sampleRate, channels, sizesOk, ptsOk, count: i, expected, framesRead: reader.framesRead };
}

/**
 * Concatenates what ChunkReader.readInto writes into the same arrays, reused: `spare` samples
 * longer than a chunk, filled with a sentinel that must survive after each chunk's frames.
 * Checks that every chunk but the last has `fpc` frames, the last between 1 and `fpc`, and that
 * readInto gives 0 at the end and after it.
 */
function readIntoAll(bytes, options, fpc, spare = 0) {
  const reader = chunks(bytes, { ...options, framesPerChunk: fpc });
  const SENTINEL = -1234.5;
  const bufs = Array.from({ length: reader.numChannels }, () => new Float32Array(fpc + spare).fill(SENTINEL));
  const parts = [];
  const sizes = [];
  let untouched = true;
  for (let n; (n = reader.readInto(bufs)) > 0; ) {
    sizes.push(n);
    parts.push(bufs.map((b) => b.slice(0, n)));
    for (const b of bufs) {
      for (let i = n; i < b.length; i++) if (b[i] !== SENTINEL) untouched = false;
      b.fill(SENTINEL);
    }
  }
  const endsAtZero = reader.readInto(bufs) === 0 && reader.next().done === true;
  const sizesOk = sizes.every((n, i) => (i < sizes.length - 1 ? n === fpc : n >= 1 && n <= fpc));
  const n = sizes.reduce((a, x) => a + x, 0);
  const channels = Array.from({ length: reader.numChannels }, (_, ch) => {
    const out = new Float32Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p[ch], o);
      o += p[ch].length;
    }
    return out;
  });
  const result = { sampleRate: reader.sampleRate, channels, sizes, sizesOk, untouched, endsAtZero, framesRead: reader.framesRead };
  reader.free();
  return result;
}

console.log('fixture | frames wasm / native | md5 (planar f32) wasm | native | max diff | expected');
for (const f of FIXTURE_CASES) {
  await t.step(f.name, async () => {
    const bytes = readFileSync(f.path);
    const rel = `fixtures/${f.name}`;
    const opts = { ...f.options, name: rel };

    const got = info(bytes, opts);
    const want = nativeInfo(rel, f.cliInput);
    t.check(`${f.name}: info() equals audiostream info --json`, isDeepStrictEqual(got, want),
      isDeepStrictEqual(got, want) ? '' : `${JSON.stringify(got)} != ${JSON.stringify(want)}`);

    const native = nativeDecode(rel, f.cliInput);
    const wasm = decode(bytes, opts);
    const cmp = compare(wasm, native);
    console.log(
      `${f.name} | ${cmp.framesA} / ${cmp.framesB} | ${checksum(wasm.channels)} | ${checksum(native.channels)} | ${cmp.identical ? 0 : cmp.maxDiff.toExponential(2)} | ${f.match}`,
    );
    t.check(`${f.name}: decode() = native (${f.match})`, meets(cmp, f.match),
      `rate ${wasm.sampleRate}/${native.sampleRate}, ch ${wasm.channels.length}/${native.channels.length}, frames ${cmp.framesA}/${cmp.framesB}, max diff ${cmp.maxDiff}`);

    for (const fpc of [1000, 4096]) {
      const r = await readChunks(bytes, opts, fpc);
      const c2 = compare(r, wasm);
      t.check(`${f.name}: chunks of ${fpc} = decode() bit for bit`, c2.identical, `frames ${c2.framesA}/${c2.framesB}`);
      t.check(`${f.name}: chunks of ${fpc}: sizes, pts, count`, r.sizesOk && r.ptsOk && r.count === Math.ceil(r.framesRead / fpc) && r.framesRead === c2.framesA);
      // A chained Ogg whose second link changes rate: the file's metadata (and info()) describe
      // its first link, as FFmpeg's do; the reader gives both links.
      const chained = f.name === 'vorbis_chained_rate_change.ogg';
      if (r.expected !== undefined) {
        t.check(`${f.name}: expectedFrames = ${chained ? "the first link's frames" : 'frames read'}`,
          chained ? r.expected === 11025 && r.framesRead === 22050 : r.expected === r.framesRead, `${r.expected} vs ${r.framesRead}`);
      }
    }

    // readInto: the same frames as decode(), bit for bit, into reused arrays; chunk sizes of
    // 1000 (several chunks and a partial last one on every fixture), 4096, and one larger than
    // most fixtures (a single partial chunk); arrays exactly a chunk long and longer.
    for (const [fpc, spare] of [[1000, 0], [1000, 7], [4096, 0], [1 << 20, 0]]) {
      const r = readIntoAll(bytes, opts, fpc, spare);
      const c3 = compare(r, wasm);
      const last = r.sizes.at(-1);
      t.check(`${f.name}: readInto, chunks of ${fpc} into arrays of ${fpc + spare} = decode() bit for bit`, c3.identical,
        `frames ${c3.framesA}/${c3.framesB}`);
      t.check(`${f.name}: readInto of ${fpc} into ${fpc + spare}: ${r.sizes.length} chunks, the last of ${last} frames; the arrays after them untouched; 0 at the end`,
        r.sizesOk && r.untouched && r.endsAtZero && r.framesRead === c3.framesA && last === c3.framesA - (r.sizes.length - 1) * fpc,
        `sizes ok ${r.sizesOk}, untouched ${r.untouched}, 0 at the end ${r.endsAtZero}, framesRead ${r.framesRead}`);
    }
  });
}

// Converted output: the reader's remix + resample in WASM against the native writer's
// (`convert --rate --channels`): the same DSP code, chunked differently.
for (const name of ['flac_16_stereo_44100.flac', 'mp3_cbr128_stereo_44100.mp3', 'wav_f32_stereo_22050.wav']) {
  await t.step(`${name} converted`, async () => {
    const rel = `fixtures/${name}`;
    const wasm = decode(readFileSync(`${FIXTURES}/${name}`), { sampleRate: 16000, channels: 1 });
    const native = nativeDecode(rel, [], ['--rate', '16000', '--channels', '1'], 'convert');
    const cmp = compare(wasm, native);
    t.check(`${name}: decode({sampleRate: 16000, channels: 1}) = native convert --rate 16000 --channels 1`,
      cmp.sameShape && (cmp.identical || cmp.maxDiff <= 1e-6),
      `frames ${cmp.framesA}/${cmp.framesB}, identical ${cmp.identical}, max diff ${cmp.maxDiff}`);
  });
}

// start/duration cut exactly: the cut equals the same frames of the whole decode.
for (const name of ['flac_16_stereo_44100.flac', 'mp3_cbr128_stereo_44100.mp3', 'wav_s16_stereo_44100.wav', 'vorbis_q5_stereo_44100.ogg']) {
  await t.step(`${name} cut`, async () => {
    const bytes = readFileSync(`${FIXTURES}/${name}`);
    const whole = decode(bytes);
    const rate = whole.sampleRate;
    const cut = decode(bytes, { start: 0.125, duration: 0.25 });
    const from = Math.round(0.125 * rate);
    const n = Math.round(0.25 * rate);
    const want = { sampleRate: rate, channels: whole.channels.map((c) => c.slice(from, from + n)) };
    t.check(`${name}: decode({start: 0.125, duration: 0.25}) = frames ${from}..${from + n} of the whole decode`,
      compare(cut, want).identical);
    const r = await readChunks(bytes, { start: 0.125, duration: 0.25 }, 1000);
    t.check(`${name}: chunks with start/duration = the same cut`, compare(r, want).identical);
  });
}

// Errors: JavaScript Errors carrying the native reader's message.
for (const name of BAD_FIXTURES) {
  await t.step(name, async () => {
    const rel = `fixtures/${name}`;
    const bytes = readFileSync(`${FIXTURES}/${name}`);
    const native = cli(['info', rel]).stderr.trim(); // "audiostream: fixtures/x: <message>"
    for (const [what, fn] of [
      ['info', () => info(bytes, { name: rel })],
      ['decode', () => decode(bytes, { name: rel })],
      ['chunks', () => [...chunks(bytes, { name: rel })]],
    ]) {
      let err = null;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      const ok = err instanceof Error && err.message.length > 0 && native === `audiostream: ${rel}: ${err.message}`;
      t.check(`${name}: ${what}() throws the native message`, ok, `${err?.message} | native: ${native}`);
    }
  });
}

await t.step('options', async () => {
  const bytes = readFileSync(`${FIXTURES}/wav_s16_stereo_44100.wav`);
  const cases = [
    [{ samplerate: 16000 }, /unknown option "samplerate"; the options are sampleRate, channels/],
    [{ sampleRate: 0 }, /sampleRate = 0; allowed: a whole number/],
    [{ sampleRate: 'x' }, /sampleRate = "x"/],
    [{ channels: 1.5 }, /channels = 1.5/],
    [{ start: -1 }, /start = -1; allowed: seconds/],
    [{ duration: NaN }, /duration = null/],
    [{ format: 'nope' }, /nope/],
    [{ framesPerChunk: 0 }, /unknown option "framesPerChunk"/],
    [{ formatOptions: { sample_rate: {} } }, /formatOptions.sample_rate/],
    [42, /options = 42; allowed: an object/],
  ];
  for (const [opts, re] of cases) {
    let msg = '';
    try {
      decode(bytes, opts);
    } catch (e) {
      msg = e.message;
    }
    t.check(`decode(bytes, ${JSON.stringify(opts)}) throws ${re}`, re.test(msg), msg);
  }
  let msg = '';
  try {
    chunks(bytes, { framesPerChunk: 0 });
  } catch (e) {
    msg = e.message;
  }
  t.check('chunks({framesPerChunk: 0}) throws', /framesPerChunk = 0/.test(msg), msg);
  // ArrayBuffer, DataView and a Uint8Array view into a bigger buffer are all bytes.
  const padded = new Uint8Array(bytes.length + 16);
  padded.set(bytes, 8);
  const ref = checksum(decode(bytes).channels);
  t.check('ArrayBuffer input', checksum(decode(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)).channels) === ref);
  t.check('Uint8Array view input', checksum(decode(padded.subarray(8, 8 + bytes.length)).channels) === ref);
  t.check('DataView input', checksum(decode(new DataView(padded.buffer, 8, bytes.length)).channels) === ref);
  // Leaving a loop early releases the decoder; the reader is done afterwards.
  const r = new ChunkReader(bytes, { framesPerChunk: 100 });
  for (const c of r) {
    void c;
    break;
  }
  t.check('break ends the reader (return())', r.next().done === true);
  r.free();
  const r2 = chunks(bytes, { framesPerChunk: 100 });
  t.check('ChunkReader.info() = info()', isDeepStrictEqual(r2.info(), info(bytes)));
  r2.free();
});

await t.step('readInto arguments', async () => {
  const bytes = readFileSync(`${FIXTURES}/wav_s16_stereo_44100.wav`);
  const whole = decode(bytes);
  const r = chunks(bytes, { framesPerChunk: 100 });
  const allowed = 'allowed: an array of 2 Float32Arrays (numChannels) of at least 100 samples each (framesPerChunk)';
  const f32 = (n) => new Float32Array(n);
  const cases = [
    ['arrays one sample short', [f32(99), f32(100)], 'channels = [Float32Array(99), Float32Array(100)]'],
    ['one array too few', [f32(100)], 'channels = [Float32Array(100)]'],
    ['one array too many', [f32(100), f32(100), f32(100)], 'channels = [Float32Array(100), Float32Array(100), Float32Array(100)]'],
    ['no arrays', [], 'channels = []'],
    ['a Float32Array, not an array of them', f32(200), 'channels = Float32Array(200)'],
    ['Float64Arrays', [new Float64Array(100), new Float64Array(100)], 'channels = [Float64Array, Float64Array]'],
    // instanceof Float32Array, but its samples are 32-bit integers: set() would round ours.
    ['an Int32Array with Float32Array.prototype', [Object.setPrototypeOf(new Int32Array(100), Float32Array.prototype), f32(100)],
      'channels = [Float32Array, Float32Array(100)]'],
    ['numbers', [1, 2], 'channels = [1, 2]'],
    ['nothing', undefined, 'channels = undefined'],
  ];
  for (const [what, arg, shown] of cases) {
    let msg = '';
    try {
      r.readInto(arg);
    } catch (e) {
      msg = e.message;
    }
    t.check(`readInto(${what}) throws our message`, msg === `invalid argument: ${shown}; ${allowed}`, msg);
  }
  // A view of the module's own memory: writing there would overwrite the reader's buffers.
  const wasm = await initWasm();
  let moduleMsg = '';
  try {
    r.readInto([f32(100), new Float32Array(wasm.memory.buffer, 1024, 100)]);
  } catch (e) {
    moduleMsg = e.message;
  }
  t.check('readInto(a view of the module\'s memory) throws our message', moduleMsg ===
    'invalid argument: channels = [Float32Array(100), Float32Array(100)]; allowed: arrays of their own, not views of the module\'s memory (the reader\'s own buffers live there)', moduleMsg);
  // A rejected call leaves the reader as it was: the next call gives the first chunk.
  const bufs = [f32(100), f32(100)];
  const n = r.readInto(bufs);
  t.check('after the rejected calls, readInto gives the first chunk', n === 100 && r.framesRead === 100 &&
    compare({ sampleRate: 44100, channels: bufs }, { sampleRate: 44100, channels: whole.channels.map((c) => c.slice(0, 100)) }).identical);
  // next() and readInto() mixed: each takes the next chunk.
  const c = r.next().value;
  t.check('next() after readInto() gives the second chunk', c.frames === 100 && c.pts === 100 / 44100 &&
    compare({ sampleRate: 44100, channels: c.channels }, { sampleRate: 44100, channels: whole.channels.map((x) => x.slice(100, 200)) }).identical);
  t.check('readInto() after next() gives the third chunk', r.readInto(bufs) === 100 &&
    compare({ sampleRate: 44100, channels: bufs }, { sampleRate: 44100, channels: whole.channels.map((x) => x.slice(200, 300)) }).identical);
  // After return(), 0; the arguments are still checked.
  r.return();
  t.check('readInto() after return() gives 0', r.readInto(bufs) === 0);
  let msg = '';
  try {
    r.readInto([f32(1), f32(1)]);
  } catch (e) {
    msg = e.message;
  }
  t.check('readInto() after the end still checks its arrays', msg.startsWith('invalid argument: channels = [Float32Array(1), Float32Array(1)]'), msg);
  r.free();
  // A converted reader: its numChannels is the output's.
  const m = chunks(bytes, { channels: 1, sampleRate: 16000, framesPerChunk: 512 });
  const mono = [f32(512)];
  let total = 0;
  for (let k; (k = m.readInto(mono)) > 0; ) total += k;
  const want = decode(bytes, { channels: 1, sampleRate: 16000 }).channels[0].length;
  t.check(`readInto on a converted reader (1 channel, 16 kHz): ${total} frames = decode()'s ${want}`, total === want);
  m.free();
});

// What the caller's objects throw while readInto or the options are read (a getter, a Proxy's
// trap) comes back as that exception, and the reader stays usable: the next readInto with
// good arrays gives the first chunk (an exception that unwound through the module would leave
// the reader borrowed: "recursive use of an object detected").
// A caller who changes built-ins after the package loaded cannot make the reader read or
// write other memory than it means to (web/js/glue.js takes what it uses when it loads): with
// each change in place, readInto over a whole file still gives decode()'s samples bit for bit.
await t.step('readInto against built-ins changed after load', async () => {
  const bytes = readFileSync(`${FIXTURES}/flac_16_stereo_44100.flac`);
  const whole = decode(bytes);
  const RealU8 = Uint8Array;
  const RealF32 = Float32Array;
  // Each: [what, patch (returns the undo)]; the reader is made after the patch.
  const patches = [
    ['a species constructor on Uint8Array that makes 1 MiB views', () => {
      Object.defineProperty(RealU8, Symbol.species, { configurable: true, value: function () { return new RealU8(1 << 20); } });
      return () => delete RealU8[Symbol.species];
    }],
    ['global Uint8Array and Float32Array that shift views of a buffer by 4 KiB', () => {
      const shifted = (Real) => new Proxy(Real, {
        construct(target, args) {
          const [buffer, offset, length] = args;
          return args.length === 3 && offset + 4096 + target.BYTES_PER_ELEMENT * length <= buffer.byteLength
            ? new target(buffer, offset + 4096, length)
            : Reflect.construct(target, args);
        },
      });
      globalThis.Uint8Array = shifted(RealU8);
      globalThis.Float32Array = shifted(RealF32);
      return () => {
        globalThis.Uint8Array = RealU8;
        globalThis.Float32Array = RealF32;
      };
    }],
    ['indexed accessors on Array.prototype and Object.prototype', () => {
      const decoy = new RealF32(8192);
      const accessor = { configurable: true, get() { return decoy; }, set() {} };
      for (const proto of [Array.prototype, Object.prototype]) {
        for (const k of ['0', '1']) Object.defineProperty(proto, k, accessor);
      }
      return () => {
        for (const proto of [Array.prototype, Object.prototype]) {
          for (const k of ['0', '1']) delete proto[k];
        }
      };
    }],
  ];
  for (const [what, patch] of patches) {
    // Made before the patch: the package's generated bindings (wasm-bindgen's, not ours) pass
    // the options through the built-ins too. Our glue.js is what the loop below runs.
    const r = chunks(bytes, { framesPerChunk: 4096 });
    const bufs = [new RealF32(4096), new RealF32(4096)];
    // Typed arrays only: a patched Array.prototype would see a plain array's push().
    const got = whole.channels.map((c) => new RealF32(c.length + 4096));
    let at = 0;
    let err = null;
    const undo = patch();
    try {
      for (let n; (n = r.readInto(bufs)) > 0; at += n) {
        got[0].set(bufs[0].subarray(0, n), at);
        got[1].set(bufs[1].subarray(0, n), at);
      }
    } catch (e) {
      err = e;
    } finally {
      undo();
    }
    r.free();
    const out = got.map((c) => c.slice(0, at));
    t.check(`readInto with ${what}: decode()'s samples bit for bit`, err === null &&
      compare({ sampleRate: 44100, channels: out }, whole).identical, String(err).slice(0, 200));
  }
});

// An array detached after readInto checked it (the getter of the next element transfers its
// buffer): the copy fails with the engine's TypeError, and the chunk is not lost: the next call
// gives it.
await t.step('readInto: an array detached after its check', async () => {
  const bytes = readFileSync(`${FIXTURES}/wav_s16_stereo_44100.wav`);
  const whole = decode(bytes);
  const r = chunks(bytes, { framesPerChunk: 100 });
  const victim = new Float32Array(100);
  const arg = [victim];
  Object.defineProperty(arg, 1, {
    get() {
      structuredClone(victim.buffer, { transfer: [victim.buffer] });
      return new Float32Array(100);
    },
  });
  let err = null;
  try {
    r.readInto(arg);
  } catch (e) {
    err = e;
  }
  t.check('readInto(an array detached after its check) throws the engine\'s error', err instanceof TypeError, String(err));
  const bufs = [new Float32Array(100), new Float32Array(100)];
  const n = r.readInto(bufs);
  t.check('the next readInto gives the first chunk', n === 100 && r.framesRead === 100 &&
    compare({ sampleRate: 44100, channels: bufs }, { sampleRate: 44100, channels: whole.channels.map((c) => c.slice(0, 100)) }).identical);
  r.free();
});

/** A 16-bit stereo 44.1 kHz WAV of `frames` frames of silence. */
function silentWav(frames) {
  const data = 4 * frames;
  const b = new Uint8Array(44 + data);
  const v = new DataView(b.buffer);
  const ascii = (at, text) => [...text].forEach((ch, i) => (b[at + i] = ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + data, true);
  ascii(8, 'WAVEfmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 2, true);
  v.setUint32(24, 44100, true);
  v.setUint32(28, 4 * 44100, true);
  v.setUint16(32, 4, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, data, true);
  return b;
}

// The module's memory grows between two readInto calls (a whole decode() in between): the
// views of it are made again, and the chunks go on bit for bit.
await t.step('readInto across a growth of the module\'s memory', async () => {
  const bytes = readFileSync(`${FIXTURES}/wav_s16_stereo_44100.wav`);
  const whole = decode(bytes);
  const r = chunks(bytes, { framesPerChunk: 1000 });
  const bufs = [new Float32Array(1000), new Float32Array(1000)];
  const wasm = await initWasm();
  const parts = [[], []];
  let grew = false;
  let sizes = '';
  for (let n, i = 0; (n = r.readInto(bufs)) > 0; i++) {
    for (let c = 0; c < 2; c++) parts[c].push(...bufs[c].subarray(0, n));
    if (i === 0) {
      const before = wasm.memory.buffer.byteLength;
      // An allocation in the module beyond what it has: a stereo chunk (8 bytes a frame)
      // larger than its whole memory now.
      const frames = Math.min(1 << 24, Math.ceil(before / 8) + (1 << 20));
      const big = chunks(silentWav(frames), { framesPerChunk: frames });
      big.next();
      big.free();
      grew = wasm.memory.buffer.byteLength > before;
      sizes = `${before} -> ${wasm.memory.buffer.byteLength} bytes`;
    }
  }
  r.free();
  t.check('the module\'s memory grew during the read', grew, sizes);
  t.check('readInto across the growth: decode()\'s samples bit for bit',
    compare({ sampleRate: 44100, channels: parts.map((p) => Float32Array.from(p)) }, whole).identical);
});

await t.step('readInto and options: exceptions from the caller\'s objects', async () => {
  const bytes = readFileSync(`${FIXTURES}/wav_s16_stereo_44100.wav`);
  const whole = decode(bytes);
  const f32 = (n) => new Float32Array(n);
  const boom = new Error('boom from the caller');
  const throws = (f) => {
    try {
      f();
    } catch (e) {
      return e;
    }
    return null;
  };
  const r = chunks(bytes, { framesPerChunk: 100 });
  const elementGetter = [f32(100)];
  Object.defineProperty(elementGetter, 1, { get() { throw boom; }, enumerable: true });
  const lengthGetter = new Proxy([f32(100), f32(100)], { get(o, k) { if (k === 'length') throw boom; return o[k]; } });
  const anyTrap = new Proxy([f32(100), f32(100)], { get() { throw boom; } });
  const { proxy: revoked, revoke } = Proxy.revocable([f32(100), f32(100)], {});
  revoke();
  const cases = [
    ['an array whose element 1 is a getter that throws', elementGetter, (e) => e === boom],
    ['a Proxy whose length throws', lengthGetter, (e) => e === boom],
    ['a Proxy whose every property throws', anyTrap, (e) => e === boom],
    ['a revoked Proxy', revoked, (e) => e instanceof TypeError],
  ];
  for (const [what, arg, ok] of cases) {
    const e = throws(() => r.readInto(arg));
    t.check(`readInto(${what}) throws that exception`, e !== null && ok(e), String(e));
  }
  // A Proxy of a Float32Array is not one: refused with our message, not passed to the copy.
  const proxied = [new Proxy(f32(100), {}), f32(100)];
  const e = throws(() => r.readInto(proxied));
  t.check('readInto([Proxy of a Float32Array, ...]) throws our message', e?.message?.startsWith('invalid argument: channels = [Float32Array, Float32Array(100)]'), String(e));
  t.check('after the exceptions, nothing was read', r.framesRead === 0);
  const bufs = [f32(100), f32(100)];
  const n = r.readInto(bufs);
  t.check('after the exceptions, readInto on the same reader gives the first chunk', n === 100 && r.framesRead === 100 &&
    compare({ sampleRate: 44100, channels: bufs }, { sampleRate: 44100, channels: whole.channels.map((c) => c.slice(0, 100)) }).identical);
  t.check('and next() the second', r.next().value?.pts === 100 / 44100);
  r.free();
  // The options: a getter that throws is thrown back, not taken for a missing option.
  const bad = { get framesPerChunk() { throw boom; } };
  t.check('new ChunkReader(bytes, {get framesPerChunk() {throw}}) throws that exception', throws(() => new ChunkReader(bytes, bad)) === boom);
  t.check('decode(bytes, {get sampleRate() {throw}}) throws that exception', throws(() => decode(bytes, { get sampleRate() { throw boom; } })) === boom);
  t.check('info(bytes, Proxy whose ownKeys throws) throws that exception', throws(() => info(bytes, new Proxy({}, { ownKeys() { throw boom; } }))) === boom);
  t.check('decode() after them works', decode(bytes).channels[0].length === whole.channels[0].length);
});

// The bytes are read where they are, a piece at a time (web/src/input.rs), not copied into
// the module first: what the caller does to them while a reader is open ends that reader with
// our Error or cannot reach it, and never turns into other audio.
await t.step('bytes read in place: detached, shrunk, shared, overlapped by readInto', async () => {
  const frames = 44100 * 5; // 882 KB: more than the reader buffers ahead (64 KiB)
  const wav = Buffer.alloc(44 + 4 * frames);
  wav.write('RIFF', 0, 'latin1');
  wav.writeUInt32LE(36 + 4 * frames, 4);
  wav.write('WAVEfmt ', 8, 'latin1');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(2, 22); // stereo
  wav.writeUInt32LE(44100, 24);
  wav.writeUInt32LE(44100 * 4, 28);
  wav.writeUInt16LE(4, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'latin1');
  wav.writeUInt32LE(4 * frames, 40);
  let seed = 1;
  for (let i = 0; i < 2 * frames; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    wav.writeInt16LE((seed >>> 16) - 32768, 44 + 2 * i);
  }
  const whole = decode(wav);
  t.check('the test file decodes whole', whole.channels[0].length === frames);
  const fpc = 4096;
  const bufs = [new Float32Array(fpc), new Float32Array(fpc)];
  // Reads with readInto until the end or an error, calling `act` after the first chunk; the
  // frames delivered must be the file's, in order.
  const readAll = (reader, act, into = bufs) => {
    let n = 0;
    let good = true;
    let err = null;
    try {
      for (let k; (k = reader.readInto(into)) > 0; ) {
        for (let c = 0; c < 2; c++) {
          for (let i = 0; i < k; i++) if (!Object.is(into[c][i], whole.channels[c][n + i])) good = false;
        }
        if (n === 0) act();
        n += k;
      }
    } catch (e) {
      err = e;
    }
    return { n, good, err };
  };
  const gone = /^invalid argument: bytes = an ArrayBuffer detached \(transferred, e\.g\. to a worker\) or shrunk while the reader read it; allowed: the file's 882044 bytes left in place until the reader is done$/;

  // Detached: the buffer transferred (as to a worker) after the first chunk.
  const copy = new Uint8Array(wav);
  let r = chunks(copy, { framesPerChunk: fpc });
  let res = readAll(r, () => structuredClone(copy.buffer, { transfer: [copy.buffer] }));
  t.check('detached while reading: our Error', gone.test(res.err?.message), String(res.err));
  t.check(`detached: the ${res.n} frames before the Error are the file's`, res.good && res.n > 0 && res.n < frames);
  t.check('detached: the reader is finished (readInto gives 0)', r.readInto(bufs) === 0);
  r.free();

  // Shrunk: a resizable ArrayBuffer resized below the file's end.
  const ab = new ArrayBuffer(wav.length, { maxByteLength: wav.length });
  new Uint8Array(ab).set(wav);
  r = chunks(ab, { framesPerChunk: fpc });
  res = readAll(r, () => ab.resize(1000));
  t.check('resizable ArrayBuffer shrunk while reading: our Error', gone.test(res.err?.message), String(res.err));
  t.check(`shrunk: the ${res.n} frames before the Error are the file's`, res.good && res.n > 0 && res.n < frames);
  r.free();

  // Shared: copied when the reader opens, so what another thread writes later cannot reach it.
  const shared = new Uint8Array(new SharedArrayBuffer(wav.length));
  shared.set(wav);
  r = chunks(shared, { framesPerChunk: fpc });
  res = readAll(r, () => shared.fill(0));
  t.check('SharedArrayBuffer overwritten while reading: every frame the file\'s', res.err === null && res.good && res.n === frames, String(res.err));
  r.free();
  shared.set(wav);
  t.check('decode(a SharedArrayBuffer\'s view) = decode(bytes)', compare(decode(shared), whole).identical);
  t.check('info(SharedArrayBuffer) = info(bytes)', isDeepStrictEqual(info(shared.buffer), info(wav)));

  // readInto's arrays may not overlap the file's bytes (the reader would read its own output);
  // arrays elsewhere in the same buffer are fine.
  const at = Math.ceil(wav.length / 4) * 4;
  const pool = new ArrayBuffer(at + 8 * fpc);
  const file = new Uint8Array(pool, 0, wav.length);
  file.set(wav);
  r = chunks(file, { framesPerChunk: fpc });
  let msg = '';
  try {
    r.readInto([new Float32Array(fpc), new Float32Array(pool, at - 4 * fpc, fpc)]);
  } catch (e) {
    msg = e.message;
  }
  t.check('readInto(arrays over the file\'s bytes) throws our message', msg.startsWith(
    'invalid argument: channels = [Float32Array(4096), Float32Array(4096)]; allowed: arrays that do not share memory with the file\'s bytes'), msg);
  res = readAll(r, () => {}, [new Float32Array(pool, at, fpc), new Float32Array(pool, at + 4 * fpc, fpc)]);
  t.check('readInto(arrays in the same buffer after the file) gives the file', res.err === null && res.good && res.n === frames, String(res.err));
  r.free();

  // Not bytes: our message (ChunkReader is exported as it is, without index.js's check).
  for (const [what, arg, shown] of [
    ['a plain object', {}, 'Object (not bytes)'],
    ['undefined', undefined, 'undefined (not bytes)'],
    ['a number', 5, 'number (not bytes)'],
  ]) {
    let m = '';
    try {
      new ChunkReader(arg);
    } catch (e) {
      m = e.message;
    }
    t.check(`new ChunkReader(${what}) throws our message`, m.startsWith(`invalid argument: bytes = ${shown}; allowed: a Uint8Array`), m);
  }
});

t.done();
