//! Measurement harness behind the choice of encoders (run by `benches/codec_choice.sh`).
//!
//! ```text
//! codec-choice opus-pure IN.wav OUT.opus KBPS   opus-pure 0.2.2 (pure Rust)
//! codec-choice libopus   IN.wav OUT.opus KBPS   libopus 1.6.1 (C, opusic-sys), in process
//! codec-choice vorbis    IN.wav OUT.ogg  Q      aoTuV libvorbis (vorbis_rs), oggenc -q Q
//! codec-choice snr       IN.wav DECODED.f32     SNR of a decode (raw f32, interleaved)
//! ```
//!
//! Both Opus encoders get what `opusenc --bitrate KBPS` gives libopus: 48 kHz input (the
//! script resamples first, so opusenc does not), application audio, complexity 10,
//! unconstrained VBR, 20 ms frames, LSB depth 16 (16-bit WAV input). Both write Ogg through
//! opus-pure's `OggOpusWriter` with the encoder's look-ahead as pre-skip and the end trimmed by
//! the final granule, so the decodes line up with the input sample for sample. Encoders print
//! `encode_seconds=` (the encode loop only, WAV already in memory).

use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// A 16-bit PCM WAV: rate, channels, interleaved samples as f32 (`s / 32768`).
struct Wav {
    rate: u32,
    channels: usize,
    samples: Vec<f32>,
}

fn read_wav(path: &str) -> Res<Wav> {
    let b = std::fs::read(path)?;
    if b.len() < 12 || &b[..4] != b"RIFF" || &b[8..12] != b"WAVE" {
        return Err(format!("{path}: not a WAV").into());
    }
    let (mut pos, mut rate, mut channels, mut bits) = (12, 0, 0, 0);
    while pos + 8 <= b.len() {
        let id = &b[pos..pos + 4];
        let len = u32::from_le_bytes(b[pos + 4..pos + 8].try_into()?) as usize;
        let body = &b[pos + 8..(pos + 8 + len).min(b.len())];
        if id == b"fmt " {
            channels = u16::from_le_bytes(body[2..4].try_into()?) as usize;
            rate = u32::from_le_bytes(body[4..8].try_into()?);
            bits = u16::from_le_bytes(body[14..16].try_into()?);
        } else if id == b"data" {
            if bits != 16 {
                return Err(format!("{path}: {bits}-bit WAV; 16-bit expected").into());
            }
            let samples = body
                .chunks_exact(2)
                .map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0)
                .collect();
            return Ok(Wav {
                rate,
                channels,
                samples,
            });
        }
        pos += 8 + len + (len & 1);
    }
    Err(format!("{path}: no data chunk").into())
}

/// One Opus encoder behind a common face.
trait OpusEnc {
    fn encode(&mut self, pcm: &[f32], frame: usize, out: &mut [u8]) -> Res<usize>;
    fn lookahead(&self) -> usize;
}

struct Pure(opus_pure::OpusEncoder);

impl OpusEnc for Pure {
    fn encode(&mut self, pcm: &[f32], frame: usize, out: &mut [u8]) -> Res<usize> {
        Ok(self.0.encode(pcm, frame, out)?)
    }
    fn lookahead(&self) -> usize {
        self.0.lookahead()
    }
}

struct LibOpus(*mut opusic_sys::OpusEncoder);

impl LibOpus {
    fn new(channels: usize, bitrate: i32) -> Res<Self> {
        use opusic_sys::*;
        let mut err = 0;
        // SAFETY: plain constructor; checked below.
        let enc = unsafe {
            opus_encoder_create(48_000, channels as i32, OPUS_APPLICATION_AUDIO, &mut err)
        };
        if enc.is_null() || err != OPUS_OK {
            return Err(format!("opus_encoder_create: {err}").into());
        }
        for (req, v) in [
            (OPUS_SET_BITRATE_REQUEST, bitrate),
            (OPUS_SET_VBR_REQUEST, 1),
            (OPUS_SET_VBR_CONSTRAINT_REQUEST, 0),
            (OPUS_SET_COMPLEXITY_REQUEST, 10),
            (OPUS_SET_LSB_DEPTH_REQUEST, 16),
        ] {
            // SAFETY: valid encoder; these requests take one int.
            let rc = unsafe { opus_encoder_ctl(enc, req, v) };
            if rc != OPUS_OK {
                return Err(format!("opus_encoder_ctl({req}): {rc}").into());
            }
        }
        Ok(LibOpus(enc))
    }
}

impl OpusEnc for LibOpus {
    fn encode(&mut self, pcm: &[f32], frame: usize, out: &mut [u8]) -> Res<usize> {
        // SAFETY: valid encoder; `pcm` holds frame * channels samples; `out` is writable.
        let n = unsafe {
            opusic_sys::opus_encode_float(
                self.0,
                pcm.as_ptr(),
                frame as i32,
                out.as_mut_ptr(),
                out.len() as i32,
            )
        };
        if n < 0 {
            return Err(format!("opus_encode_float: {n}").into());
        }
        Ok(n as usize)
    }
    fn lookahead(&self) -> usize {
        let mut v: i32 = 0;
        // SAFETY: valid encoder; the request writes one int.
        unsafe {
            opusic_sys::opus_encoder_ctl(
                self.0,
                opusic_sys::OPUS_GET_LOOKAHEAD_REQUEST,
                &mut v as *mut i32,
            )
        };
        v as usize
    }
}

impl Drop for LibOpus {
    fn drop(&mut self) {
        // SAFETY: created by opus_encoder_create, destroyed once.
        unsafe { opusic_sys::opus_encoder_destroy(self.0) }
    }
}

/// Encodes `wav` (48 kHz) with `enc` into a gapless Ogg Opus file.
fn encode_opus(enc: &mut dyn OpusEnc, wav: &Wav, out: &str) -> Res<()> {
    if wav.rate != 48_000 {
        return Err("resample to 48 kHz first".into());
    }
    let ch = wav.channels;
    let frame = 960;
    let total = wav.samples.len() / ch;
    let pre_skip = enc.lookahead();
    let mut head = opus_pure::OpusHead::new(ch as u8, 48_000)?;
    head.pre_skip = pre_skip as u16;
    let frames = (total + pre_skip).div_ceil(frame);
    let final_granule = (pre_skip + total) as u64;
    let file = std::io::BufWriter::new(std::fs::File::create(out)?);
    let mut writer = opus_pure::OggOpusWriter::new(file, head)?;
    let mut packet = vec![0u8; opus_pure::MAX_PACKET_BYTES];
    let mut block = vec![0.0f32; frame * ch];
    let mut packets = Vec::with_capacity(frames);
    let start = Instant::now();
    for i in 0..frames {
        let s = (i * frame * ch).min(wav.samples.len());
        let e = (s + frame * ch).min(wav.samples.len());
        block[..e - s].copy_from_slice(&wav.samples[s..e]);
        block[e - s..].fill(0.0);
        let n = enc.encode(&block, frame, &mut packet)?;
        packets.push(packet[..n].to_vec());
    }
    let secs = start.elapsed().as_secs_f64();
    let last = packets.len().saturating_sub(1);
    for (i, p) in packets.iter().enumerate() {
        if i == last {
            let d = final_granule - writer.granule() as u64;
            writer.write_packet_with_duration(p, d as u32)?;
        } else {
            writer.write_packet(p)?;
        }
    }
    writer.finish()?;
    println!("encode_seconds={secs:.3}");
    Ok(())
}

fn encode_vorbis(wav: &Wav, out: &str, q: f32) -> Res<()> {
    use std::num::{NonZeroU32, NonZeroU8};
    let file = std::io::BufWriter::new(std::fs::File::create(out)?);
    let mut builder = vorbis_rs::VorbisEncoderBuilder::new_with_serial(
        NonZeroU32::new(wav.rate).ok_or("rate 0")?,
        NonZeroU8::new(wav.channels as u8).ok_or("no channels")?,
        file,
        1,
    );
    builder.bitrate_management_strategy(
        vorbis_rs::VorbisBitrateManagementStrategy::QualityVbr {
            target_quality: q / 10.0,
        },
    );
    let mut enc = builder.build()?;
    let ch = wav.channels;
    let start = Instant::now();
    let mut planes = vec![Vec::with_capacity(1024); ch];
    for block in wav.samples.chunks(1024 * ch) {
        for (c, p) in planes.iter_mut().enumerate() {
            p.clear();
            p.extend(block.iter().skip(c).step_by(ch));
        }
        enc.encode_audio_block(&planes)?;
    }
    enc.finish()?;
    println!("encode_seconds={:.3}", start.elapsed().as_secs_f64());
    Ok(())
}

/// SNR (dB) of `decoded` (raw little-endian f32, interleaved) against `wav`; lengths must match.
fn snr(wav: &Wav, decoded: &str) -> Res<()> {
    let b = std::fs::read(decoded)?;
    let dec: Vec<f32> = b
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let (mut sig, mut err) = (0f64, 0f64);
    for (x, y) in wav.samples.iter().zip(&dec) {
        sig += f64::from(*x).powi(2);
        err += f64::from(x - y).powi(2);
    }
    println!(
        "frames_in={} frames_out={} snr_db={:.3}",
        wav.samples.len() / wav.channels,
        dec.len() / wav.channels,
        10.0 * (sig / err).log10()
    );
    Ok(())
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> Res<&str> {
        args.get(i)
            .map(String::as_str)
            .ok_or_else(|| format!("missing argument {i}; see the source's header").into())
    };
    let wav = read_wav(arg(1)?)?;
    match arg(0)? {
        "opus-pure" => {
            let mut e =
                opus_pure::OpusEncoder::new(48_000, wav.channels, opus_pure::Application::Audio)?;
            e.bitrate_bps = arg(3)?.parse::<i32>()? * 1000;
            e.complexity = 10;
            e.rate_control = opus_pure::RateControl::Vbr;
            e.lsb_depth = 16;
            encode_opus(&mut Pure(e), &wav, arg(2)?)
        }
        "libopus" => {
            let mut e = LibOpus::new(wav.channels, arg(3)?.parse::<i32>()? * 1000)?;
            encode_opus(&mut e, &wav, arg(2)?)
        }
        "vorbis" => encode_vorbis(&wav, arg(2)?, arg(3)?.parse()?),
        "snr" => snr(&wav, arg(2)?),
        other => Err(format!("unknown command {other}").into()),
    }
}
