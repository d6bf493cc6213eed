// The demo's decoding, off the page's thread: metadata, then the file chunk by chunk (progress
// and waveform columns posted as it goes), then the samples for playback; and the 16 kHz mono
// WAV conversion. One worker per file: the page terminates it to cancel or start afresh.
import { init, info, chunks, decode } from '../index.js';

const ready = init();
/** The picked file, kept for the conversion. */
let file = null;

/** Samples kept for playback and the checksum, at most this many (256 MiB of float32). */
const KEEP_SAMPLES = 64 * 1024 * 1024;
/** Progress and waveform updates at most this often, ms. */
const UPDATE_MS = 50;

self.onmessage = async (e) => {
  const msg = e.data;
  try {
    await ready;
    if (msg.type === 'decode') await decodeFile(msg);
    else if (msg.type === 'convert') convert();
  } catch (err) {
    // Our errors carry the reader's message; a trap (a bug) is a RuntimeError.
    const message = err instanceof WebAssembly.RuntimeError ? `internal error: ${err.message}` : (err?.message ?? String(err));
    self.postMessage({ type: 'error', message });
  }
};

async function decodeFile({ buffer, name, columns }) {
  const started = performance.now();
  file = { bytes: new Uint8Array(buffer), name };
  const meta = info(file.bytes, { name });
  self.postMessage({ type: 'info', info: meta });

  const FRAMES = 8192;
  const reader = chunks(file.bytes, { name, framesPerChunk: FRAMES });
  const rate = reader.sampleRate;
  const nch = reader.numChannels;
  const estimated = meta.duration ? Math.round(meta.duration * rate) : undefined;
  const expected = reader.expectedFrames ?? estimated;
  // Waveform columns: the file's length over the canvas (a file of unknown length gets a
  // column per 0.1 s and is drawn as far as it fits).
  const perColumn = expected ? Math.max(1, expected / columns) : rate / 10;
  const mins = new Float32Array(columns).fill(Infinity);
  const maxs = new Float32Array(columns).fill(-Infinity);
  let sentColumn = 0;

  let keep = expected === undefined || expected * nch <= KEEP_SAMPLES;
  let capacity = keep ? Math.max(expected ?? rate * 60, 1) : 0;
  let store = keep ? Array.from({ length: nch }, () => new Float32Array(capacity)) : null;
  let frames = 0;
  let lastPost = 0;

  const post = (final) => {
    const done = Math.min(columns, Math.floor(frames / perColumn) + (final ? 1 : 0));
    self.postMessage({
      type: 'progress',
      frames,
      expected,
      from: sentColumn,
      mins: mins.slice(sentColumn, done),
      maxs: maxs.slice(sentColumn, done),
    });
    sentColumn = Math.max(sentColumn, Math.floor(frames / perColumn));
  };

  // Every chunk is decoded into these arrays, reused (readInto): no new Float32Array per chunk,
  // whose fresh memory was the largest cost of a WAV's decode in Chromium.
  const bufs = Array.from({ length: nch }, () => new Float32Array(FRAMES));
  for (let n; (n = reader.readInto(bufs)) > 0; ) {
    for (const ch of bufs) {
      for (let i = 0; i < n; i++) {
        const col = Math.floor((frames + i) / perColumn);
        if (col >= columns) break;
        const v = ch[i];
        if (v < mins[col]) mins[col] = v;
        if (v > maxs[col]) maxs[col] = v;
      }
    }
    if (keep) {
      if (frames + n > capacity) {
        capacity = Math.max(frames + n, capacity * 2);
        if (capacity * nch > KEEP_SAMPLES) {
          keep = false;
          store = null;
        } else {
          store = store.map((old) => {
            const bigger = new Float32Array(capacity);
            bigger.set(old.subarray(0, frames));
            return bigger;
          });
        }
      }
      if (keep) bufs.forEach((ch, c) => store[c].set(ch.subarray(0, n), frames));
    }
    frames += n;
    const now = performance.now();
    if (now - lastPost >= UPDATE_MS) {
      lastPost = now;
      post(false);
    }
  }
  post(true);

  let channels = null;
  let sha256 = null;
  if (keep) {
    channels = store.map((c) => (c.length === frames ? c : c.slice(0, frames)));
    // SHA-256 of the planar float32 samples (channel after channel): the tests compare it
    // with the native decode's.
    const all = new Uint8Array(frames * nch * 4);
    channels.forEach((c, i) => all.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), i * frames * 4));
    sha256 = hex(await crypto.subtle.digest('SHA-256', all));
  }
  self.postMessage(
    { type: 'done', sampleRate: rate, numChannels: nch, frames, channels, sha256, seconds: (performance.now() - started) / 1000 },
    channels ? channels.map((c) => c.buffer) : [],
  );
}

/** The picked file at 16 kHz mono, as a 16-bit WAV (audiostream's resampler and downmix). */
function convert() {
  const { sampleRate, channels } = decode(file.bytes, { sampleRate: 16000, channels: 1, name: file.name });
  const wav = wav16(channels[0], sampleRate);
  self.postMessage({ type: 'converted', wav, name: file.name }, [wav]);
}

/** A mono 16-bit PCM WAV; floats become integers as audiostream's WAV writer does it. */
function wav16(samples, rate) {
  const n = samples.length;
  const buf = new ArrayBuffer(44 + 2 * n);
  const v = new DataView(buf);
  const text = (o, s) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  v.setUint32(4, 36 + 2 * n, true);
  text(8, 'WAVEfmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  text(36, 'data');
  v.setUint32(40, 2 * n, true);
  for (let i = 0; i < n; i++) {
    // Scale, clip to [-32768, 32767], round half away from zero (NaN becomes 0).
    const x = Math.min(Math.max(samples[i] * 32768, -32768), 32767);
    v.setInt16(44 + 2 * i, Math.trunc(x + (x < 0 ? -0.5 : 0.5)) || 0, true);
  }
  return buf;
}

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
