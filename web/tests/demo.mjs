// The demo page (web/demo/) in headless Chromium (Debian's, driven by playwright-core): every
// fixture picked in the page is decoded in its Web Worker to the native reader's frames
// (SHA-256 of the samples equal for PCM, FLAC and MP3; Vorbis, AAC and Opus within float
// rounding); ChunkReader.readInto in the page gives decode()'s frames bit for bit; files
// that are not audio show our error message on the page (no hang); the
// 16 kHz mono WAV download has the native CLI's samples; a screenshot after decoding is not
// empty.
//
// Usage: node web/tests/demo.mjs   (CHROMIUM=/path/to/chromium to use another browser)
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import {
  BAD_FIXTURES,
  FIXTURE_CASES,
  OUT,
  ROOT,
  cli,
  compare,
  meets,
  nativeDecode,
  readWav,
  runner,
} from './common.mjs';

const TIMEOUT_MS = 30000;
const t = runner('web/tests/demo.mjs');

// A static server for the repository, as `python3 -m http.server` would be.
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
};
const server = createServer((req, res) => {
  const path = normalize(join(ROOT, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
  let file = path;
  try {
    if (!path.startsWith(ROOT)) throw new Error('outside');
    if (statSync(file).isDirectory()) file = join(file, 'index.html');
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end('not found');
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/web/demo/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1100, height: 900 } });
const consoleErrors = [];
page.on('console', (m) => {
  if (m.type() === 'error') consoleErrors.push(m.text());
});
page.on('pageerror', (e) => consoleErrors.push(String(e)));
await page.goto(url);

/** Picks a file in the page and waits until it is decoded or has failed. */
async function pick(path) {
  await page.evaluate(() => {
    window.demo.state = 'picking';
  });
  await page.setInputFiles('#file', path);
  await page.waitForFunction(() => ['done', 'error'].includes(window.demo.state), null, {
    timeout: TIMEOUT_MS,
  });
  return page.evaluate(() => ({
    state: window.demo.state,
    result: window.demo.result,
    error: window.demo.error,
    errorText: document.getElementById('error').hidden ? null : document.getElementById('error').textContent,
    info: window.demo.info,
  }));
}

const sha256 = (channels) => {
  const h = createHash('sha256');
  for (const c of channels) h.update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  return h.digest('hex');
};

for (const f of FIXTURE_CASES.filter((f) => !f.options.format)) {
  await t.step(f.name, async () => {
    const s = await pick(f.path);
    const native = nativeDecode(`fixtures/${f.name}`, f.cliInput);
    if (s.state !== 'done') {
      t.check(`${f.name}: decoded in the page`, false, s.error);
      return;
    }
    const r = s.result;
    const frames = native.channels[0].length;
    const same = r.sha256 === sha256(native.channels);
    let detail = `frames ${r.frames}/${frames}, sha256 ${same ? 'equal' : 'differs'}`;
    let ok = r.frames === frames && r.sampleRate === native.sampleRate && r.numChannels === native.channels.length;
    if (f.match === 'exact') {
      ok &&= same;
    } else if (!same) {
      // Within float rounding: compare the samples themselves.
      const channels = await page.evaluate(() => window.demo.channels.map((c) => Array.from(c)));
      const cmp = compare({ sampleRate: r.sampleRate, channels: channels.map((c) => Float32Array.from(c)) }, native);
      ok &&= meets(cmp, f.match);
      detail += `, max diff ${cmp.maxDiff.toExponential(2)}`;
    }
    t.check(`${f.name}: the page decodes the native frames (${f.match})`, ok, detail);
    t.check(`${f.name}: metadata shown`, s.info?.codec && (await page.isVisible('#meta')));
  });
}

// The package's readInto in the page itself (Chromium's JavaScript engine, not Node's): on
// every fixture, the frames decode() gives, bit for bit, into arrays reused for every chunk;
// every chunk but the last has framesPerChunk frames, the last its rest, and the samples after
// it are untouched; wrong arrays are refused with our message.
await t.step('readInto in Chromium', async () => {
  const fixtures = FIXTURE_CASES.map((f) => ({ name: f.name, options: f.options }));
  const results = await page.evaluate(async (fixtures) => {
    const m = await import('/web/index.js');
    await m.init();
    const SENTINEL = -1234.5;
    const out = [];
    for (const f of fixtures) {
      const bytes = new Uint8Array(await (await fetch(`/fixtures/${f.name}`)).arrayBuffer());
      const whole = m.decode(bytes, f.options);
      for (const fpc of [1000, 4096]) {
        const r = m.chunks(bytes, { ...f.options, framesPerChunk: fpc });
        const bufs = Array.from({ length: r.numChannels }, () => new Float32Array(fpc + 5).fill(SENTINEL));
        const sizes = [];
        let same = r.numChannels === whole.channels.length;
        let untouched = true;
        let at = 0;
        for (let n; (n = r.readInto(bufs)) > 0; ) {
          sizes.push(n);
          bufs.forEach((b, c) => {
            // Bit for bit: the float32 patterns, so NaN and -0 count too.
            const got = new Uint32Array(b.buffer, b.byteOffset, n);
            const want = new Uint32Array(whole.channels[c].buffer, whole.channels[c].byteOffset + at * 4, Math.min(n, whole.channels[c].length - at));
            if (got.length !== want.length || got.some((x, i) => x !== want[i])) same = false;
            for (let i = n; i < b.length; i++) if (b[i] !== SENTINEL) untouched = false;
            b.fill(SENTINEL);
          });
          at += n;
        }
        const sizesOk = sizes.every((n, i) => (i < sizes.length - 1 ? n === fpc : n >= 1 && n <= fpc));
        out.push({ name: f.name, fpc, same: same && at === whole.channels[0].length, frames: at, want: whole.channels[0].length,
          sizes: sizes.length, last: sizes.at(-1), sizesOk, untouched, zero: r.readInto(bufs) === 0 });
        r.free();
      }
    }
    // Wrong arrays: our message.
    const wav = new Uint8Array(await (await fetch('/fixtures/wav_s16_stereo_44100.wav')).arrayBuffer());
    const r = m.chunks(wav, { framesPerChunk: 100 });
    const errors = [[new Float32Array(99), new Float32Array(100)], [new Float32Array(100)]].map((arg) => {
      try {
        r.readInto(arg);
        return 'no error';
      } catch (e) {
        return e.message;
      }
    });
    const after = r.readInto([new Float32Array(100), new Float32Array(100)]);
    r.free();
    return { out, errors, after };
  }, fixtures);
  for (const x of results.out) {
    t.check(`${x.name}: readInto in Chromium, chunks of ${x.fpc}: decode()'s ${x.want} frames bit for bit, ${x.sizes} chunks, the last of ${x.last}`,
      x.same && x.sizesOk && x.untouched && x.zero && x.last === x.frames - (x.sizes - 1) * x.fpc,
      `frames ${x.frames}/${x.want}, same ${x.same}, sizes ok ${x.sizesOk}, untouched ${x.untouched}, 0 at the end ${x.zero}`);
  }
  const allowed = 'allowed: an array of 2 Float32Arrays (numChannels) of at least 100 samples each (framesPerChunk)';
  t.check('readInto in Chromium: short arrays refused with our message',
    results.errors[0] === `invalid argument: channels = [Float32Array(99), Float32Array(100)]; ${allowed}`, results.errors[0]);
  t.check('readInto in Chromium: a missing channel refused with our message',
    results.errors[1] === `invalid argument: channels = [Float32Array(100)]; ${allowed}`, results.errors[1]);
  t.check('readInto in Chromium: the reader reads on after a refusal', results.after === 100, String(results.after));
});

// Not audio: our message on the page, the native CLI's, quickly.
for (const name of BAD_FIXTURES) {
  await t.step(name, async () => {
    const started = Date.now();
    const s = await pick(join(ROOT, 'fixtures', name));
    const native = cli(['info', `fixtures/${name}`]).stderr.trim();
    // The page names the file by its name, the CLI by its path.
    const expected = native.replace(`audiostream: fixtures/${name}: `, '').replaceAll(`fixtures/${name}`, name);
    t.check(`${name}: our error message on the page in ${Date.now() - started} ms`,
      s.state === 'error' && s.errorText === expected, `${s.errorText} | ${expected}`);
  });
}

// A damaged file: the middle of a FLAC overwritten with garbage decodes with a gap (or fails
// with our message), never hangs.
await t.step('damaged FLAC', async () => {
  const bytes = readFileSync(join(ROOT, 'fixtures', 'flac_16_stereo_44100.flac'));
  for (let i = 40000; i < 60000; i++) bytes[i] = (i * 7919) & 0xff;
  const path = join(OUT, 'damaged.flac');
  writeFileSync(path, bytes);
  const s = await pick(path);
  t.check('damaged FLAC: decoded to the end or our error, no hang', s.state === 'done' || (s.state === 'error' && s.errorText.length > 0),
    s.state === 'done' ? `${s.result.frames} frames` : s.errorText);
});

// A longer file (5 minutes, FLAC made by the native CLI): progress arrives while it decodes.
await t.step('progress', async () => {
  const rate = 44100;
  const n = 300 * rate;
  const wav = Buffer.alloc(44 + 2 * n);
  wav.write('RIFF', 0, 'latin1');
  wav.writeUInt32LE(36 + 2 * n, 4);
  wav.write('WAVEfmt ', 8, 'latin1');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'latin1');
  wav.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) {
    const env = 0.2 + 0.7 * Math.abs(Math.sin((Math.PI * i) / (60 * rate)));
    wav.writeInt16LE(Math.round(env * 20000 * Math.sin((2 * Math.PI * 220 * i) / rate)), 44 + 2 * i);
  }
  const wavPath = join(OUT, 'long.wav');
  const flacPath = join(OUT, 'long.flac');
  writeFileSync(wavPath, wav);
  const r = cli(['-q', 'convert', wavPath, flacPath]);
  if (r.status !== 0) throw new Error(r.stderr);
  const s = await pick(flacPath);
  const progress = await page.evaluate(() => window.demo.progress);
  const rising = progress.every((v, i) => i === 0 || v >= progress[i - 1]);
  t.check(`progress: ${progress.length} updates while 5 minutes of FLAC decoded, then all ${n} frames`,
    s.state === 'done' && s.result.frames === n && progress.length >= 3 && rising && progress[0] < n, `${progress.slice(0, 5).join(', ')} ... in ${s.result?.seconds?.toFixed(2)} s`);
});

// Convert to 16 kHz mono WAV: the download has the native converter's samples.
await t.step('convert', async () => {
  const name = 'flac_16_stereo_44100.flac';
  const s = await pick(join(ROOT, 'fixtures', name));
  if (s.state !== 'done') throw new Error(s.error);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT_MS }), page.click('#convert')]);
  const saved = join(OUT, 'demo-16k-mono.wav');
  await download.saveAs(saved);
  const got = readWav(readFileSync(saved));
  const nativeOut = join(OUT, 'native-16k-mono.wav');
  const r = cli(['-q', 'convert', `fixtures/${name}`, nativeOut, '--rate', '16000', '--channels', '1', '--sample-format', 's16']);
  if (r.status !== 0) throw new Error(r.stderr);
  const want = readWav(readFileSync(nativeOut));
  const cmp = compare(got, want);
  t.check(`convert: ${download.suggestedFilename()} = audiostream convert --rate 16000 --channels 1 (16-bit samples)`,
    cmp.identical, `frames ${cmp.framesA}/${cmp.framesB}, max diff ${cmp.maxDiff}`);

  // A screenshot of the page after decoding: not empty, and the waveform is drawn.
  const png = await page.screenshot({ path: join(OUT, 'demo.png'), fullPage: true });
  const drawn = await page.evaluate(() => {
    const c = document.getElementById('wave');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] === 0x2b && d[i + 1] === 0x6c && d[i + 2] === 0xb0) n++;
    return n / (c.width * c.height);
  });
  t.check(`screenshot: ${png.length} bytes, PNG, waveform covers ${(drawn * 100).toFixed(1)} % of the canvas`,
    png.length > 10000 && png.subarray(1, 4).toString() === 'PNG' && drawn > 0.05);
});

// Playback: WebAudio plays the decoded buffer (headless Chromium has an audio sink).
await t.step('play', async () => {
  await page.click('#play');
  await page.waitForFunction(() => window.demo.playing === true, null, { timeout: 5000 });
  t.check('play: an AudioBufferSourceNode started', await page.isEnabled('#stop'));
  await page.click('#stop');
});

t.check('no errors on the console', consoleErrors.length === 0, consoleErrors.join(' | '));
await browser.close();
server.close();
t.done();
