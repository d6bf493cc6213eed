// The CLI built for wasm32-wasip1 (`cargo build --target wasm32-wasip1 --no-default-features
// --features decode,cli`) run under Node's node:wasi against the native CLI: `info`,
// `info --json` and `decode` (to WAV) on every fixture give the same bytes (decode: bit for
// bit for PCM, FLAC and MP3; Vorbis, AAC and Opus within one 16-bit step), and bad input the
// same message and exit code.
//
// Usage: node --no-warnings web/tests/wasi.mjs [path/to/audiostream.wasm]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BAD_FIXTURES, FIXTURE_CASES, OUT, ROOT, cli, runner } from './common.mjs';

const wasmPath =
  process.argv[2] ?? join(ROOT, 'target', 'wasm32-wasip1', 'release', 'audiostream.wasm');
if (!existsSync(wasmPath)) {
  console.error(`no ${wasmPath}: web/test-wasi.sh builds it`);
  process.exit(1);
}
const dir = join(OUT, 'wasi');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

/**
 * Runs the WASI CLI in its own Node process (web/tests/wasi-run.mjs: node:wasi, the repository
 * preopened as the current directory), as a user would: {status, stdout, stderr}.
 */
function wasi(args) {
  const r = spawnSync(
    process.execPath,
    ['--no-warnings', join(ROOT, 'web', 'tests', 'wasi-run.mjs'), ...args],
    { cwd: ROOT, env: { ...process.env, AUDIOSTREAM_WASM: wasmPath }, maxBuffer: 1 << 30 },
  );
  return { status: r.status ?? `signal ${r.signal}`, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

const t = runner('web/tests/wasi.mjs');
const rel = (p) => p.slice(ROOT.length + 1);

for (const f of FIXTURE_CASES) {
  await t.step(f.name, async () => {
    const input = `fixtures/${f.name}`;
    for (const args of [['info', ...f.cliInput, input], ['info', '--json', ...f.cliInput, input]]) {
      const a = wasi(args);
      const b = cli(args);
      t.check(`${f.name}: ${args.slice(0, -1).join(' ')}: same output`,
        a.status === 0 && b.status === 0 && a.stdout === b.stdout && a.stderr === b.stderr,
        a.stdout === b.stdout ? `status ${a.status}/${b.status} ${a.stderr}` : `${JSON.stringify(a.stdout)} != ${JSON.stringify(b.stdout)}`);
    }
    const outW = join(dir, `wasi-${f.name}.wav`);
    const outN = join(dir, `native-${f.name}.wav`);
    const a = wasi(['-q', 'decode', ...f.cliInput, input, rel(outW)]);
    const b = cli(['-q', 'decode', ...f.cliInput, input, outN]);
    if (a.status !== 0 || b.status !== 0) {
      t.check(`${f.name}: decode runs`, false, `${a.stderr} | ${b.stderr}`);
      return;
    }
    const x = readFileSync(outW);
    const y = readFileSync(outN);
    if (f.match === 'exact') {
      t.check(`${f.name}: decode: same bytes (${y.length})`, x.equals(y), `${x.length} vs ${y.length} bytes`);
    } else {
      // Lossy codecs are written as 16-bit: float rounding may move a sample by one step.
      const dataAt = y.indexOf('data') + 8;
      let maxStep = 0;
      if (x.length === y.length && x.subarray(0, dataAt).equals(y.subarray(0, dataAt))) {
        for (let i = dataAt; i + 1 < x.length; i += 2) {
          maxStep = Math.max(maxStep, Math.abs(x.readInt16LE(i) - y.readInt16LE(i)));
        }
      } else {
        maxStep = Infinity;
      }
      t.check(`${f.name}: decode: same header and length, samples within one 16-bit step`, maxStep <= 1,
        `${x.equals(y) ? 'identical' : `max difference ${maxStep} steps`}`);
    }
  });
}

for (const name of BAD_FIXTURES) {
  await t.step(name, async () => {
    const input = `fixtures/${name}`;
    for (const args of [['info', input], ['decode', input, 'web/tests/out/wasi/bad.wav']]) {
      const a = wasi(args);
      const b = cli(args);
      t.check(`${name}: ${args[0]}: same message and exit code`, a.status === b.status && a.stderr === b.stderr && a.status !== 0,
        `${a.status} ${a.stderr.trim()} | ${b.status} ${b.stderr.trim()}`);
    }
  });
}

t.done();
