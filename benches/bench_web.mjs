// Section "web" of BENCHMARKS.md (run by benches/bench_web.sh, which builds what it needs):
// decode speed of the 10-minute music files in WebAssembly (audiostream-web's ChunkReader,
// chunks of 4096 frames, taken as new arrays by next() and into reused ones by readInto())
// under Node and in headless Chromium, without and with SIMD, against
// the same decode loop native (web/examples/decode_speed.rs); the .wasm's size raw, gzipped and
// brotli'd, and what each codec and crate weighs in it; the WASI CLI's and the static
// binary's sizes.
//
// Usage: node benches/bench_web.mjs --data DIR --reps N --native EXE --pkg DIR [--pkg-simd DIR]
//          [--names WASM --wasi WASM --static EXE] [--no-chromium] [--formats wav,flac,...]
// Without --pkg-simd, no +simd columns. With --formats (whatever it lists, every format too),
// only those files and no sizes, in a section of their own (web-formats), which a full run
// removes; the full section (web) is then left as it is.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { basename, extname, join, normalize, resolve } from 'node:path';
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib';

const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const DATA = resolve(opt('data', join(ROOT, 'benches', 'data')));
const REPS = Number(opt('reps', 5));
const NATIVE = opt('native');
const PKG = resolve(opt('pkg', join(ROOT, 'web', 'pkg')));
const PKG_SIMD = opt('pkg-simd') && resolve(opt('pkg-simd'));
const NAMES = opt('names');
const WASI = opt('wasi');
const STATIC = opt('static');
const CHROMIUM = !args.includes('--no-chromium');
// A directory with one wasm-bindgen output per decode-* feature (benches/bench_web.sh).
const FEATURE_SIZES = opt('feature-sizes');
const ALL_FORMATS = [
  ['wav', 'WAV (s16)'],
  ['flac', 'FLAC (-5)'],
  ['mp3', 'MP3 (192k CBR)'],
  ['ogg', 'Vorbis (q5)'],
  ['m4a', 'AAC (192k, .m4a)'],
  ['opus', 'Opus (96k, .opus)'],
];
// --formats wav,flac: only these (a quick run, without the sizes).
const ONLY = opt('formats')?.split(',').filter(Boolean);
for (const f of ONLY ?? []) {
  if (!ALL_FORMATS.some(([ext]) => ext === f)) throw new Error(`--formats: unknown ${f}; the formats are ${ALL_FORMATS.map(([e]) => e).join(', ')}`);
}
// Any --formats list, even one naming every format, is a quick run: it writes only its own
// section (web-formats), never the full one, whose sizes it does not measure.
const PARTIAL = ONLY !== undefined;
const FORMATS = ALL_FORMATS.filter(([ext]) => !ONLY || ONLY.includes(ext));
const files = FORMATS.map(([ext]) => join(DATA, `music10.${ext}`));
const load0 = loadavg()[0];
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const log = (...m) => console.error('bench_web:', ...m);

// --- the contenders, set up once ------------------------------------------------------------
const variants = [['wasm', PKG], ...(PKG_SIMD ? [['wasm+simd', PKG_SIMD]] : [])];
const bytes = Object.fromEntries(files.map((f) => [f, readFileSync(f)]));
async function loadPkg(dir) {
  const m = await import(join(dir, 'audiostream_web.js'));
  m.initSync({ module: readFileSync(join(dir, 'audiostream_web_bg.wasm')) });
  return m;
}
const mods = {};
for (const [v, dir] of variants) mods[v] = await loadPkg(dir);
/** One decode through a ChunkReader (Node); the page runs the same loop. */
function decodeAll(m, b) {
  const t0 = performance.now();
  const r = new m.ChunkReader(b, { framesPerChunk: 4096 });
  let frames = 0;
  for (let x = r.next(); !x.done; x = r.next()) frames += x.value.frames;
  r.free();
  return { frames, seconds: (performance.now() - t0) / 1000 };
}
/** The same into two arrays allocated once and reused (ChunkReader.readInto). */
function decodeInto(m, b) {
  const t0 = performance.now();
  const r = new m.ChunkReader(b, { framesPerChunk: 4096 });
  const bufs = Array.from({ length: r.numChannels }, () => new Float32Array(4096));
  let frames = 0;
  for (let n; (n = r.readInto(bufs)) > 0; ) frames += n;
  r.free();
  return { frames, seconds: (performance.now() - t0) / 1000 };
}

let page = null;
let browser = null;
let server = null;
let chromeVersion = '';
if (CHROMIUM) {
  const { chromium } = await import(join(ROOT, 'web', 'node_modules', 'playwright-core', 'index.mjs'));
  const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
  server = createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = p.startsWith('/data/') ? join(DATA, basename(p)) : normalize(join(ROOT, p));
    try {
      if (!file.startsWith(ROOT) && !file.startsWith(DATA)) throw new Error();
      const body = p === '/' ? '<!doctype html><title>bench</title>' : readFileSync(file);
      res.writeHead(200, { 'content-type': p === '/' ? 'text/html' : (TYPES[extname(file)] ?? 'application/octet-stream') });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // --expose-gc: a full collection before each timed decode (see the runs below).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--js-flags=--expose-gc'],
  });
  chromeVersion = browser.version();
  page = await browser.newPage();
  page.setDefaultTimeout(0);
  await page.goto(`${base}/`);
  const rel = (d) => `/${d.slice(ROOT.length + 1)}`;
  await page.evaluate(
    async ({ pkgs, names }) => {
      window.mods = {};
      for (const [v, dir] of pkgs) {
        const m = await import(`${dir}/audiostream_web.js`);
        await m.default({ module_or_path: `${dir}/audiostream_web_bg.wasm` });
        window.mods[v] = m;
      }
      window.bytes = {};
      for (const n of names) window.bytes[n] = new Uint8Array(await (await fetch(`/data/${n}`)).arrayBuffer());
    },
    { pkgs: variants.map(([v, d]) => [v, rel(d)]), names: files.map((f) => basename(f)) },
  );
}

// --- the runs: every contender once per file per repetition, round-robin ----------------------
/** The readInto() contender's name for a build: `node readInto`, `chromium readInto+simd`. */
const intoName = (host, v) => `${host} readInto${v === 'wasm' ? '' : v.slice('wasm'.length)}`;
// times[contender][file] = [seconds per repetition]; frames[contender][file].
const times = {};
const frames = {};
const record = (c, f, r) => {
  ((times[c] ??= {})[f] ??= []).push(r.seconds);
  (frames[c] ??= {})[f] = r.frames;
};
// Before each timed decode, a full garbage collection (node --expose-gc, Chromium's
// --js-flags=--expose-gc) and a pause of SETTLE ms: a contender does not pay for the garbage of
// the one before it. next() leaves 6,460 chunk arrays (212 MB) behind; readInto, run right after
// it, was paying for their collection, and even after a forced collection the engine frees
// their memory on background threads for a while, which on this 2-core machine slowed a
// memory-bound decode (WAV readInto +simd: 0.022-0.027 s in one run). Chromium is another
// process, so its pages' garbage is collected and waited for too. Native runs in a process of
// its own, so it never pays for another's.
const SETTLE = 300;
const collect = globalThis.gc ?? (() => {});
const settle = () => new Promise((r) => setTimeout(r, SETTLE));
for (let rep = 0; rep < REPS; rep++) {
  for (const f of files) {
    const nat = JSON.parse(execFileSync(NATIVE, ['1', f]).toString());
    record('native', f, nat);
    // Each build with next() and with readInto(): the best combination is readInto +simd.
    for (const [v] of variants) {
      collect();
      await settle();
      record(`node ${v}`, f, decodeAll(mods[v], bytes[f]));
      collect();
      await settle();
      record(intoName('node', v), f, decodeInto(mods[v], bytes[f]));
    }
    if (page) {
      // [variant, into]: next() and readInto() with each build.
      const runs = variants.flatMap(([v]) => [[v, false], [v, true]]);
      const res = [];
      for (const [v, into] of runs) {
        res.push(
          await page.evaluate(
            async ({ n, v, into, pause }) => {
              const m = window.mods[v];
              window.gc?.();
              await new Promise((r) => setTimeout(r, pause));
              const t0 = performance.now();
              const r = new m.ChunkReader(window.bytes[n], { framesPerChunk: 4096 });
              let fr = 0;
              if (into) {
                const bufs = Array.from({ length: r.numChannels }, () => new Float32Array(4096));
                for (let k; (k = r.readInto(bufs)) > 0; ) fr += k;
              } else {
                for (let x = r.next(); !x.done; x = r.next()) fr += x.value.frames;
              }
              r.free();
              const seconds = (performance.now() - t0) / 1000;
              // Its garbage collected now, not while the next contender runs.
              window.gc?.();
              return { frames: fr, seconds };
            },
            { n: basename(f), v, into, pause: SETTLE },
          ),
        );
      }
      await settle();
      runs.forEach(([v, into], i) => record(into ? intoName('chromium', v) : `chromium ${v}`, f, res[i]));
    }
  }
  log(`rep ${rep + 1}/${REPS}:`, Object.entries(times).map(([c, t]) => `${c} ${files.map((f) => t[f]?.[rep]?.toFixed(4)).join('/')}`).join(', '));
}
if (browser) {
  await browser.close();
  server.close();
}

// --- sizes ------------------------------------------------------------------------------------
const KiB = 1024;
const MiB = 1024 * 1024;
const sizeOf = (path) => {
  const b = readFileSync(path);
  return {
    raw: b.length,
    gzip: gzipSync(b, { level: 9 }).length,
    brotli: brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};
const wasmSizes = {
  wasm: sizeOf(join(PKG, 'audiostream_web_bg.wasm')),
  'wasm+simd': PKG_SIMD ? sizeOf(join(PKG_SIMD, 'audiostream_web_bg.wasm')) : null,
};
const jsSize = sizeOf(join(PKG, 'audiostream_web.js'));

/** Code bytes per crate, from a module with a name section (wasm-bindgen demangles names). */
function weights(path) {
  const b = readFileSync(path);
  let p = 8;
  const leb = () => {
    let r = 0;
    let s = 0;
    let x;
    do {
      x = b[p++];
      r += (x & 0x7f) * 2 ** s;
      s += 7;
    } while (x & 0x80);
    return r;
  };
  let imported = 0;
  const bodies = [];
  const names = new Map();
  let dataBytes = 0;
  while (p < b.length) {
    const id = b[p++];
    const size = leb();
    const start = p;
    if (id === 2) {
      for (let n = leb(), i = 0; i < n; i++) {
        p += leb(); // module
        p += leb(); // field
        const kind = b[p++];
        if (kind === 0) {
          leb();
          imported++;
        } else if (kind === 1) {
          p++;
          const f = b[p++];
          leb();
          if (f & 1) leb();
        } else if (kind === 2) {
          const f = b[p++];
          leb();
          if (f & 1) leb();
        } else {
          p += 2;
        }
      }
    } else if (id === 10) {
      for (let n = leb(), i = 0; i < n; i++) {
        const s = leb();
        bodies.push(s);
        p += s;
      }
    } else if (id === 11) {
      dataBytes = size;
    } else if (id === 0) {
      const nl = leb();
      const nm = b.toString('utf8', p, p + nl);
      p += nl;
      if (nm === 'name') {
        while (p < start + size) {
          const sid = b[p++];
          const ss = leb();
          const s0 = p;
          if (sid === 1) {
            for (let n = leb(), i = 0; i < n; i++) {
              const idx = leb();
              const l = leb();
              names.set(idx, b.toString('utf8', p, p + l));
              p += l;
            }
          }
          p = s0 + ss;
        }
      }
    }
    p = start + size;
  }
  const STD = new Set(['core', 'alloc', 'std', 'compiler_builtins', 'dlmalloc', 'hashbrown', 'std_detect', 'rustc_demangle', 'adler2', 'miniz_oxide', 'gimli', 'addr2line']);
  // The crates of the absolute paths in a demangled name (a path starts the name or follows
  // '<', ' ', '(', ',', '&', '*' or '['): `<alloc::vec::Vec<audiostream::X> as core::Drop>::drop`
  // names alloc, audiostream and core; the first that is not the standard library wins.
  const crateOf = (name) => {
    const all = [...name.replace(/\[[0-9a-f]+\]/g, '').matchAll(/(?:^|[<\s(,&*\[])([A-Za-z_][A-Za-z0-9_]*)::/g)].map((m) => m[1]);
    return all.find((c) => !STD.has(c)) ?? (all.length ? 'std' : 'other');
  };
  const byCrate = {};
  bodies.forEach((s, i) => {
    const c = crateOf(names.get(i + imported) ?? '');
    byCrate[c] = (byCrate[c] ?? 0) + s;
  });
  return { byCrate, code: bodies.reduce((a, x) => a + x, 0), dataBytes };
}
const GROUPS = [
  ['Opus (opus-pure)', ['opus_pure']],
  ['AAC (symphonia-codec-aac)', ['symphonia_codec_aac']],
  ['Vorbis (symphonia-codec-vorbis)', ['symphonia_codec_vorbis']],
  ['ALAC (symphonia-codec-alac)', ['symphonia_codec_alac']],
  ['MP3, layers I-III (our copy)', ['audiostream_symphonia_mp3']],
  ['FLAC (our copy)', ['audiostream_symphonia_flac']],
  ['MP4 demuxer (our copy)', ['audiostream_symphonia_isomp4']],
  ['Matroska/WebM demuxer (our copy)', ['audiostream_symphonia_mkv']],
  ['WAV/AIFF demuxers (our copy)', ['audiostream_symphonia_riff']],
  ['CAF demuxer (our copy)', ['audiostream_symphonia_caf']],
  ['ADPCM (our copy)', ['audiostream_symphonia_adpcm']],
  ['Ogg demuxer', ['symphonia_format_ogg']],
  ['PCM', ['symphonia_codec_pcm']],
  ['tags (ID3, APE, Vorbis comments)', ['symphonia_metadata']],
  ['symphonia-core, -common', ['symphonia_core', 'symphonia_common', 'symphonia']],
  ['resampler (rubato, realfft, rustfft)', ['rubato', 'realfft', 'rustfft', 'audioadapter', 'audioadapter_buffers', 'primal_check', 'transpose', 'strength_reduce', 'num_complex', 'num_integer', 'num_traits']],
  ['audiostream (reader, DSP, effects) and audiostream-codecs', ['audiostream', 'audiostream_codecs']],
  ['JavaScript bindings (wasm-bindgen, js-sys, audiostream-web)', ['wasm_bindgen', 'js_sys', 'audiostream_web', 'serde_json', 'serde', 'serde_core', 'itoa', 'ryu', 'memchr', 'zmij']],
];
const w = NAMES ? weights(NAMES) : null;
let attribution = [];
if (w) {
  const used = new Set();
  attribution = GROUPS.map(([label, crates]) => {
    crates.forEach((c) => used.add(c));
    return [label, crates.reduce((a, c) => a + (w.byCrate[c] ?? 0), 0)];
  });
  const rest = Object.entries(w.byCrate).filter(([c]) => !used.has(c) && c !== 'std').reduce((a, [, s]) => a + s, 0);
  attribution.push(['Rust standard library', w.byCrate.std ?? 0], ['other crates (ndarray, log, thiserror, ...)', rest]);
  log('unattributed crates:', Object.entries(w.byCrate).filter(([c]) => !used.has(c)).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([c, s]) => `${c} ${s}`).join(', '));
}

// --- the section --------------------------------------------------------------------------
const fmtS = (x) => `${x.toFixed(3)} s`;
const kib = (x) => `${(x / KiB).toFixed(0)} KiB`;
const mib = (x) => `${(x / MiB).toFixed(2)} MiB`;
const commit = (() => {
  try {
    const c = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT }).toString().trim();
    return dirty ? `${c} (+ uncommitted changes)` : c;
  } catch {
    return 'unknown';
  }
})();
const now = new Date().toISOString().slice(0, 16).replace('T', ' ');
const cmd = `benches/bench_web.sh --reps ${REPS}${PARTIAL ? ` --formats ${ONLY.join(',')}` : ''}${PKG_SIMD ? '' : ' --no-simd'}`;
const MARK = PARTIAL ? 'web-formats' : 'web';
const L = [];
L.push(`<!-- BEGIN ${MARK} -->`);
L.push(PARTIAL
  ? `### WebAssembly decode speed, ${FORMATS.length === ALL_FORMATS.length ? 'every format' : `${FORMATS.map(([, l]) => l).join(' and ')} only`} (a quick run without the sizes; the full section is above)`
  : '## WebAssembly: decode speed in Node and Chromium, sizes; the static binary');
L.push('');
L.push(`Measured ${now} UTC at commit ${commit} on ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), Linux ${release()}, Node ${process.version}${chromeVersion ? `, Chromium ${chromeVersion}` : ''}; regenerate with \`${cmd}\`. 1-minute load average: ${load0.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after.`);
L.push('');
L.push("Decode all of each 10-minute stereo 44.1 kHz music file (`benches/prepare_data.sh`) in chunks of 4096 frames: **native** is `web/examples/decode_speed.rs` (the package's decode loop, `session::Session`), built with the same profile as the .wasm (`web`: release with fat LTO), **wasm** (columns Node, Chromium) is audiostream-web's `ChunkReader` iterated to the end with `next()` (each chunk copied out to a new `Float32Array`, as a JavaScript caller gets it) under Node and in headless Chromium (page thread), **readInto** the same reader and build with `readInto()` into two `Float32Array`s allocated once and reused for every chunk, **+simd** the same two ways (`next()`, then `readInto()`) with the package built with `-C target-feature=+simd128`. In-process time from opening to the last chunk (after a full garbage collection, so that no contender pays for the garbage of the one before it), median of " + REPS + ' repetitions, every contender once per file in each, round-robin; ratio = median over the repetitions of contender / native in the same repetition (target: ≤ 2). The machine is shared: the load averages in the line above say how much else ran.');
L.push('');
const CONTENDERS = ['node wasm', 'node readInto', 'node wasm+simd', 'node readInto+simd', 'chromium wasm', 'chromium readInto', 'chromium wasm+simd', 'chromium readInto+simd'].filter((c) => times[c]);
const head = {
  'node wasm': 'Node',
  'node readInto': 'Node readInto',
  'node wasm+simd': 'Node +simd',
  'node readInto+simd': 'Node readInto +simd',
  'chromium wasm': 'Chromium',
  'chromium readInto': 'Chromium readInto',
  'chromium wasm+simd': 'Chromium +simd',
  'chromium readInto+simd': 'Chromium readInto +simd',
};
L.push(`| format | native | ${CONTENDERS.map((c) => head[c]).join(' | ')} | ${CONTENDERS.map((c) => `${head[c]} / native`).join(' | ')} | best within 2x |`);
L.push(`|---|--:|${CONTENDERS.map(() => '--:|').join('')}${CONTENDERS.map(() => '--:|').join('')}:-:|`);
const frameMismatch = [];
for (const [ext, label] of FORMATS) {
  const f = join(DATA, `music10.${ext}`);
  const nat = times.native[f];
  // Ratio: median over repetitions of (contender / native) in the same repetition.
  const ratio = (c) => median(times[c][f].map((x, i) => x / nat[i]));
  const rs = CONTENDERS.map(ratio);
  for (const c of CONTENDERS) if (frames[c][f] !== frames.native[f]) frameMismatch.push(`${c} ${ext}: ${frames[c][f]} vs ${frames.native[f]}`);
  L.push(`| ${label} | ${fmtS(median(nat))} | ${CONTENDERS.map((c) => fmtS(median(times[c][f]))).join(' | ')} | ${rs.map((x) => x.toFixed(2)).join(' | ')} | ${Math.min(...rs) <= 2 ? 'yes' : '**no**'} |`);
}
if (frameMismatch.length) log('frame counts differ:', frameMismatch.join('; '));
L.push('');
L.push(frameMismatch.length ? `Frame counts differ: ${frameMismatch.join('; ')}.` : `Every contender decoded the same number of frames as native (26,460,000${FORMATS.some(([e]) => e === 'opus') ? '; Opus 28,800,000 at 48 kHz' : ''}).`);
if (!PARTIAL) {
  L.push('');
  L.push("Notes: the WebAssembly time includes reading the file out of the caller's `ArrayBuffer` into the module, a piece of at most 32 KiB at a time as the demuxer asks (`web/src/input.rs`; until December 2026 the whole file was copied into the module's memory first, 13 % of a WAV's decode), and copying every chunk out: into a new `Float32Array` with `next()` (one per chunk, the channels are views of it), into the caller's arrays with `readInto()`. What changed since the previous run (WAV 5.2-8.8x, FLAC 2.3-2.4x, Vorbis 2.6-3.5x, AAC 2.9-3.3x): PCM is deinterleaved a plane at a time by our decoder (`src/reader/pcm.rs`) instead of symphonia's, which renders a frame at a time through a closure with a fallible read per sample (47 % of a WAV's time in Node by `node --cpu-prof`; 11 % now); a chunk's channels share one `Float32Array` (one allocation per chunk instead of one per channel) and the result objects' property names are made once; the +simd build turns on rustfft's WebAssembly SIMD butterflies (rustfft leaves them out by default, so `+simd128` alone only auto-vectorized loops), which the IMDCTs of Vorbis, AAC and Opus use. SIMD is not the package's default because Safari before 16.4 cannot load it, and it costs 570 KiB (146 KiB gzipped).\n\nWhere the time goes in the formats above 2x (self time by `node --cpu-prof` in the .wasm with its name section; natively by `perf record` of `decode_speed`):\n\n- **WAV** (with `next()`; `readInto` is within 2x since December 2026, the paragraph after this section says how): natively little more than copying the samples. In Node (with `next()`, before the changes of section \"web-formats\"), making the chunks' `Float32Array`s took 22 %, the s16-to-f32 conversion into the chunk (audiostream's `ChunkBuffer::push_decoded`) 16 %, copying the file into the module 13 %, our deinterleave 11 %; the file is now read in place, and stereo 16-bit is converted in one vectorized pass (`src/reader/pcm.rs`, `stereo_s16le`). In Chromium, 40 % is in `new Float32Array` for the chunks: fresh memory for every chunk (6460 chunks of 32 KB). Made any other way it costs the same: 6460 arrays of 32 KB by copying a view, by `new` and `set`, by `slice`, or as views of 1 MB pools take 0.37-0.51 s in headless Chromium (0.19-0.45 s in Node). So the cost is the fresh memory, not the call. Only handing the caller the same memory again removes it: `ChunkReader.readInto(arrays)` fills arrays the caller allocates once (the readInto columns). It copies out of the module rather than handing out views of the module's memory, which the next growth of that memory would detach under the caller.\n- **Vorbis** (symphonia-codec-vorbis): `decode_inner` (residue decode and inverse coupling, inlined) 48 % of the time in WebAssembly and 50 % natively, floor synthesis 11 % (20 % natively), symphonia-core's IMDCT 9 % (13 %), rustfft's scalar butterflies 10 % (natively its AVX butterflies, 3 %). The time is spread over symphonia's code as it is natively, so the ratio is V8's code for symphonia's scalar loops, not the JavaScript boundary. SIMD (rustfft's SIMD butterflies) and `readInto` together bring it within 2x; section \"web-vorbis\" below has the profile of that build against native, function by function.\n- **AAC** (symphonia-codec-aac): spectrum and Huffman decoding 31 % (57 % natively), synthesis 10 %, IMDCT 11 %, rustfft's scalar butterflies 17 % (AVX natively: 5 %). The FFT is about 3x slower than native without SIMD, and SIMD brings AAC to 2.1-2.2x. The rest is symphonia's decoder.\n- **FLAC**, now within 2x: our copy's Rice decoder 26 % (35 % natively) and LPC predictor 28 % (36 %), symphonia-core's bit reader 12 % (inlined natively), CRC-16 5 %. This is the native distribution, and SIMD gains 5-10 %. What would help it and the others: an LPC predictor with 32-bit accumulation when the coefficients allow it (libFLAC's `FLAC__lpc_restore_signal`), which `+simd128` could vectorize, and a bit reader that refills 64 bits at a time inlined into the Rice loop.");
  L.push('');
  L.push('### Sizes');
  L.push('');
  L.push('| artifact | raw | gzip -9 | brotli -11 |');
  L.push('|---|--:|--:|--:|');
  L.push(`| \`web/pkg/audiostream_web_bg.wasm\` (every format and codec) | ${kib(wasmSizes.wasm.raw)} | ${kib(wasmSizes.wasm.gzip)} | ${kib(wasmSizes.wasm.brotli)} |`);
  if (wasmSizes['wasm+simd']) L.push(`| the same with \`+simd128\` | ${kib(wasmSizes['wasm+simd'].raw)} | ${kib(wasmSizes['wasm+simd'].gzip)} | ${kib(wasmSizes['wasm+simd'].brotli)} |`);
  L.push(`| \`web/pkg/audiostream_web.js\` (wasm-bindgen's glue) | ${kib(jsSize.raw)} | ${kib(jsSize.gzip)} | ${kib(jsSize.brotli)} |`);
  if (WASI) {
    const s = sizeOf(WASI);
    L.push(`| WASI CLI \`audiostream.wasm\` (\`--no-default-features --features decode,cli\`, wasm32-wasip1) | ${kib(s.raw)} | ${kib(s.gzip)} | ${kib(s.brotli)} |`);
  }
  if (STATIC) {
    const s = sizeOf(STATIC);
    L.push(`| static CLI (\`scripts/build-static.sh\`: x86_64 musl, stripped, encoders and network, no devices) | ${mib(s.raw)} | ${mib(s.gzip)} | ${mib(s.brotli)} |`);
  }
  if (FEATURE_SIZES) {
    const FEATURES = [
      ['decode-wav', 'WAV (PCM, float, A-law/µ-law, ADPCM)'],
      ['decode-aiff', 'AIFF/AIFC (PCM)'],
      ['decode-flac', 'FLAC'],
      ['decode-mp3', 'MP3 (MPEG audio layers I-III)'],
      ['decode-ogg', 'Ogg Vorbis and Ogg Opus'],
      ['decode-mp4', 'MP4/M4A (AAC-LC, ALAC)'],
      ['decode-aac', 'ADTS AAC (.aac)'],
      ['decode-mkv', 'Matroska/WebM (Vorbis, Opus)'],
      ['decode-caf', 'CAF (PCM, ALAC, IMA ADPCM)'],
    ];
    L.push('');
    L.push("The .wasm with one format only (`web/build.sh --features decode-flac`, any comma-separated list of these; the crate's default is `decode`, every one). Each build has the reader, the resampler (rubato), the tag readers, raw PCM and the JavaScript bindings, which are most of the smallest builds:");
    L.push('');
    L.push('| features | reads | raw | gzip -9 | brotli -11 |');
    L.push('|---|---|--:|--:|--:|');
    for (const [f, what] of FEATURES) {
      const path = join(FEATURE_SIZES, f, 'audiostream_web_bg.wasm');
      if (!existsSync(path)) continue;
      const s = sizeOf(path);
      L.push(`| \`${f}\` | ${what} | ${kib(s.raw)} | ${kib(s.gzip)} | ${kib(s.brotli)} |`);
    }
    const all = wasmSizes.wasm;
    L.push(`| \`decode\` (the default) | every format and codec | ${kib(all.raw)} | ${kib(all.gzip)} | ${kib(all.brotli)} |`);
  }
  if (w) {
    L.push('');
    L.push(`What each codec and crate weighs in the .wasm: function bodies attributed to the crate their name names (from the name section of the same build). Code: ${kib(w.code)}; data (tables): ${kib(w.dataBytes)}, not attributed.`);
    L.push('');
    L.push('| part | code |');
    L.push('|---|--:|');
    for (const [label, s] of attribution) L.push(`| ${label} | ${kib(s)} |`);
    L.push('');
    L.push("Inlining (fat LTO) moves code into its callers: a codec's code that is inlined into the reader loop or into the exported functions counts there, so the JavaScript bindings' share includes the decode loop inlined into `ChunkReader.next`. symphonia's own MP3, FLAC, MP4, Matroska, WAV/AIFF, CAF and ADPCM crates are not compiled in (our copies replace them).");
  }
}
L.push(`<!-- END ${MARK} -->`);
const section = L.join('\n');

const path = join(ROOT, 'BENCHMARKS.md');
let md = readFileSync(path, 'utf8');
const markers = (m) => [`<!-- BEGIN ${m} -->`, `<!-- END ${m} -->`];
const [begin, end] = markers(MARK);
if (md.includes(begin)) md = md.slice(0, md.indexOf(begin)) + section + md.slice(md.indexOf(end) + end.length);
else if (PARTIAL && md.includes(markers('web')[1])) {
  // Right after the full section.
  const at = md.indexOf(markers('web')[1]) + markers('web')[1].length;
  md = `${md.slice(0, at)}\n\n${section}${md.slice(at)}`;
} else md = `${md.trimEnd()}\n\n${section}\n`;
if (!PARTIAL) {
  // A full run supersedes a quick one.
  const [b, e] = markers('web-formats');
  if (md.includes(b)) md = md.slice(0, md.indexOf(b)).trimEnd() + '\n' + md.slice(md.indexOf(e) + e.length);
}
writeFileSync(path, md);
console.log(section);
