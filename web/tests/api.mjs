// The JavaScript API in Node against the native reader (the CLI): on every fixture, info()
// equals `audiostream info --json`; decode() and the chunked reader give the native decode's
// frames (bit for bit for PCM, FLAC and MP3; within float rounding for Vorbis, AAC, Opus);
// bad input is an Error with the native message; options are checked.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { init, info, decode, chunks, ChunkReader } from '../index.js';
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

t.done();
