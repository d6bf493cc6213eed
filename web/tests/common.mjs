// Shared by the Node tests: the fixtures and what to expect of each, the native CLI as the
// oracle, a WAV reader, checksums and comparisons.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(WEB, '..');
export const FIXTURES = join(ROOT, 'fixtures');
export const OUT = join(WEB, 'tests', 'out');
mkdirSync(OUT, { recursive: true });

/** The native CLI: $AUDIOSTREAM_BIN, else target/{release,debug}/audiostream (web/ci.sh builds it). */
export function nativeBin() {
  const candidates = [
    process.env.AUDIOSTREAM_BIN,
    join(ROOT, 'target', 'debug', 'audiostream'),
    join(ROOT, 'target', 'release', 'audiostream'),
  ].filter(Boolean);
  const bin = candidates.find((p) => existsSync(p));
  if (!bin) {
    throw new Error(
      `no native audiostream binary (tried ${candidates.join(', ')}); cargo build --bin audiostream`,
    );
  }
  return bin;
}

/**
 * Every fixture of fixtures/ that is audio: its decode options (raw PCM), the CLI's input
 * flags, and how close the WASM decode must be to the native one: 'exact' (bit for bit:
 * PCM, FLAC, MP3) or 'close' (float rounding: the transform codecs, whose math runs through
 * libm functions that differ between the targets).
 */
export const FIXTURE_CASES = [
  ['wav_s16_stereo_44100.wav', 'exact'],
  ['wav_s24_mono_48000.wav', 'exact'],
  ['wav_f32_stereo_22050.wav', 'exact'],
  ['wav_s24in32_alsa_stereo_48000.wav', 'exact'],
  ['wav_s24in32_alsa_stereo_48000.ref.flac', 'exact'],
  ['aiff_s16_stereo_44100.aiff', 'exact'],
  ['caf_s16_stereo_44100.caf', 'exact'],
  ['flac_16_stereo_44100.flac', 'exact'],
  ['flac_24_mono_96000.flac', 'exact'],
  ['flac_bad_comment_16_stereo_44100.flac', 'exact'],
  ['flac_channels_change_44100.flac', 'exact'],
  ['mkv_video_2audio.mkv', 'exact'],
  ['mp3_cbr128_stereo_44100.mp3', 'exact'],
  ['mp3_mode_change_44100.mp3', 'exact'],
  ['mp3_notag_cbr128_stereo_44100.mp3', 'exact'],
  ['mp3_vbr_v2_mono_44100.mp3', 'exact'],
  ['vorbis_q5_stereo_44100.ogg', 'close'],
  ['vorbis_chained_rate_change.ogg', 'close'],
  ['aac_stereo_44100.m4a', 'close'],
  ['aac_fragmented_stereo_44100.m4a', 'close'],
  ['opus_96k_stereo_48000.opus', 'close'],
  ['opus_51_48000.opus', 'close'],
  ['opus_96k_stereo_48000.mp4', 'close'],
  ['opus_96k_stereo_48000.webm', 'close'],
  [
    'raw_s16le_stereo_44100.raw',
    'exact',
    { format: 's16le', formatOptions: { sample_rate: '44100', channels: '2' } },
  ],
  ['raw_f32le_mono_16000.raw', 'exact', { format: 'f32le', formatOptions: { sample_rate: 16000 } }],
].map(([name, match, options = {}]) => ({
  name,
  match,
  options,
  path: join(FIXTURES, name),
  cliInput: cliInputFlags(options),
}));

/** Fixtures that are not audio: each must be an error with the native reader's message. */
export const BAD_FIXTURES = ['empty.wav', 'random_bytes.bin', 'text_named.mp3'];

/** Tolerance of 'close' fixtures: the largest sample difference allowed (full scale 1.0). */
export const CLOSE_MAX_DIFF = 1e-5;

function cliInputFlags(options) {
  const flags = [];
  if (options.format) flags.push('-f', options.format);
  for (const [k, v] of Object.entries(options.formatOptions ?? {})) flags.push('-o', `${k}=${v}`);
  return flags;
}

/** Runs the native CLI; returns {status, stdout, stderr}. */
export function cli(args, opts = {}) {
  const r = spawnSync(nativeBin(), args, { cwd: ROOT, maxBuffer: 1 << 30, ...opts });
  return { status: r.status, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '' };
}

/** `audiostream info --json` of a fixture (path relative to the repository), without `path`. */
export function nativeInfo(relPath, inputFlags = []) {
  const out = execFileSync(nativeBin(), ['info', '--json', ...inputFlags, relPath], {
    cwd: ROOT,
  }).toString();
  const [v] = JSON.parse(out);
  delete v.path;
  return v;
}

/**
 * The native reader's decode of a file: `audiostream decode IN OUT.wav --sample-format f32`
 * (or `convert` with `extra` flags), read back as one Float32Array per channel.
 */
export function nativeDecode(path, inputFlags = [], extra = [], command = 'decode') {
  const out = join(OUT, `native-${Math.random().toString(36).slice(2)}.wav`);
  const r = cli(['-q', command, ...inputFlags, path, out, '--sample-format', 'f32', ...extra]);
  if (r.status !== 0) throw new Error(`native decode of ${path} failed: ${r.stderr}`);
  const wav = readWav(readFileSync(out));
  execFileSync('rm', ['-f', out]);
  return wav;
}

/** A float32 or 16-bit WAV as {sampleRate, channels: Float32Array[] (planar)}. */
export function readWav(buf) {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (o) => buf.toString('latin1', o, o + 4);
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV');
  let pos = 12;
  let fmt = null;
  while (pos + 8 <= buf.length) {
    const id = tag(pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      fmt = {
        format: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
      if (fmt.format === 0xfffe) fmt.format = view.getUint16(body + 24, true);
    } else if (id === 'data') {
      const n = Math.floor(size / ((fmt.bits / 8) * fmt.channels));
      const channels = Array.from({ length: fmt.channels }, () => new Float32Array(n));
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < fmt.channels; c++) {
          const o = body + (i * fmt.channels + c) * (fmt.bits / 8);
          if (fmt.format === 3 && fmt.bits === 32) channels[c][i] = view.getFloat32(o, true);
          else if (fmt.format === 1 && fmt.bits === 16) channels[c][i] = view.getInt16(o, true) / 32768;
          else throw new Error(`WAV format ${fmt.format}/${fmt.bits} not read here`);
        }
      }
      return { sampleRate: fmt.sampleRate, channels };
    }
    pos = body + size + (size & 1);
  }
  throw new Error('no data chunk');
}

/** MD5 of the planar float32 samples (channel after channel), hex. */
export function checksum(channels) {
  const h = createHash('md5');
  for (const c of channels) h.update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  return h.digest('hex');
}

/** Compares two decodes: {frames, identical, maxDiff}. */
export function compare(a, b) {
  const out = { framesA: a.channels[0]?.length ?? 0, framesB: b.channels[0]?.length ?? 0, maxDiff: 0 };
  out.sameShape =
    a.sampleRate === b.sampleRate &&
    a.channels.length === b.channels.length &&
    out.framesA === out.framesB;
  out.identical = out.sameShape && checksum(a.channels) === checksum(b.channels);
  if (out.sameShape && !out.identical) {
    for (let c = 0; c < a.channels.length; c++) {
      const x = a.channels[c];
      const y = b.channels[c];
      for (let i = 0; i < x.length; i++) {
        const d = Math.abs(x[i] - y[i]);
        if (!(d <= out.maxDiff)) out.maxDiff = Number.isNaN(d) ? Infinity : d;
      }
    }
  }
  return out;
}

/** Whether a comparison meets a fixture's expectation. */
export function meets(cmp, match) {
  if (!cmp.sameShape) return false;
  return match === 'exact' ? cmp.identical : cmp.identical || cmp.maxDiff <= CLOSE_MAX_DIFF;
}

/** A tiny test runner: named checks, a summary, exit code 1 on any failure. */
export function runner(title) {
  let failed = 0;
  let passed = 0;
  return {
    check(name, ok, detail = '') {
      if (ok) passed++;
      else failed++;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `  (${detail})` : ''}`);
    },
    async step(name, fn) {
      try {
        await fn();
      } catch (e) {
        failed++;
        console.log(`FAIL ${name}: ${e?.stack ?? e}`);
      }
    },
    done() {
      console.log(`${title}: ${passed} passed, ${failed} failed`);
      if (failed) process.exitCode = 1;
      return failed === 0;
    },
  };
}
