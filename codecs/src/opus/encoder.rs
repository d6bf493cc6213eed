//! The Ogg Opus encoder: libopus packets framed in Ogg pages (RFC 7845), with the pre-skip and
//! the end trim that make the decode exactly as long as the input.

use super::libopus::{self, LibOpus, MAX_PACKET};
use super::settings::Settings;
use super::CODEC;
use crate::ogg::{comment_fields, comment_list, new_serial, OggStream, WAV_TO_VORBIS_ORDER};
use crate::{
    EncodeError, Encoder, EncoderDelay, EncoderRequest, Options, Planar, SampleFormat, Sink,
};
use std::io::Write;

/// Granule positions count 48 kHz samples whatever the coding rate (RFC 7845 §4).
const GRANULE_RATE: u32 = 48_000;

/// Largest magnitude handed to libopus (1024 × full scale); NaN becomes 0.
const INPUT_LIMIT: f32 = 1024.0;

/// Interleaved samples waiting for a whole frame, in the encoder's input type.
enum Pending {
    F32(Vec<f32>),
    S16(Vec<i16>),
}

impl Pending {
    fn len(&self) -> usize {
        match self {
            Pending::F32(v) => v.len(),
            Pending::S16(v) => v.len(),
        }
    }
}

/// The Ogg Opus encoder (see the module docs of [`crate::opus`]).
///
/// ```
/// use audiostream_codecs::{open_encoder, EncoderRequest, Planar, Sink, StreamSpec};
/// let req = EncoderRequest::new("opus", StreamSpec { sample_rate: 48000, channels: 1 });
/// let mut enc = open_encoder(&req, Sink::stream(std::io::sink()))?;
/// enc.encode(Planar::F32(&[vec![0.0; 4800]]))?;
/// enc.finish()?;
/// assert_eq!(enc.delay().delay, 312); // libopus's look-ahead at 48 kHz
/// # Ok::<(), audiostream_codecs::EncodeError>(())
/// ```
pub struct OpusEncoder {
    settings: Settings,
    lib: LibOpus,
    sink: Sink,
    ogg: OggStream,
    /// Vorbis comments, as (FIELD, value).
    tags: Vec<(String, String)>,
    started: bool,
    finished: bool,
    /// Frames per Opus frame, at the coding rate.
    frame: usize,
    /// libopus's look-ahead, at the coding rate.
    lookahead: u64,
    /// Granule ticks per frame at the coding rate (48000 / rate, exact for Opus rates).
    ticks: u64,
    /// Frames given to `encode` (the input's length at the coding rate).
    frames_in: u64,
    /// Frames handed to libopus, padding included.
    frames_coded: u64,
    pending: Pending,
    /// For 3 ..= 8 channels: where each input (WAV order) channel goes in Vorbis order.
    order: Option<&'static [usize]>,
    packet: Vec<u8>,
    /// Page bytes on their way to the sink.
    out: Vec<u8>,
    warned: bool,
    padding: u32,
}

impl OpusEncoder {
    /// Checks the request and makes the libopus encoder; nothing is written yet.
    pub fn new(request: &EncoderRequest<'_>, sink: Sink) -> Result<Self, EncodeError> {
        let settings = Settings::from_request(request)?;
        let mut lib = LibOpus::new(&settings)?;
        let lookahead = u64::from(lib.lookahead()?);
        let channels = usize::from(settings.channels);
        let pending = match settings.format {
            SampleFormat::S16 => Pending::S16(Vec::new()),
            _ => Pending::F32(Vec::new()),
        };
        Ok(OpusEncoder {
            frame: settings.frame_size(),
            ticks: u64::from(GRANULE_RATE / settings.sample_rate),
            ogg: OggStream::new(settings.serial.unwrap_or_else(new_serial)),
            order: (channels > 2)
                .then(|| WAV_TO_VORBIS_ORDER.get(channels - 1).copied())
                .flatten(),
            settings,
            lib,
            sink,
            tags: Vec::new(),
            started: false,
            finished: false,
            lookahead,
            frames_in: 0,
            frames_coded: 0,
            pending,
            packet: vec![0; MAX_PACKET],
            out: Vec::new(),
            warned: false,
            padding: 0,
        })
    }

    /// The pre-skip OpusHead carries: the look-ahead in 48 kHz samples.
    fn pre_skip(&self) -> u64 {
        self.lookahead * self.ticks
    }

    /// The length the final granule position declares, in frames at the coding rate: the
    /// frames given, except after upsampling from the rate OpusHead records (`rate_in`). Then
    /// the input had `n` frames and the resampler made `round(n × rate / rate_in)` of them;
    /// declaring `ceil(n × rate / rate_in)` instead (at most one frame more, of the padding)
    /// is what `opusenc` does, and what makes `opusdec`, which decodes back to `rate_in` and
    /// rounds down, give exactly `n` frames.
    fn coded_length(&self) -> u64 {
        let m = self.frames_in;
        let (rate, rate_in) = (
            u64::from(self.settings.sample_rate),
            u64::from(self.settings.input_sample_rate),
        );
        if rate_in == 0 || rate_in >= rate {
            return m;
        }
        // n = round(m × rate_in / rate), and the resampler's own length for it.
        let n = (2 * m * rate_in + rate) / (2 * rate);
        let resampled = (2 * n * rate + rate_in) / (2 * rate_in);
        if resampled == m {
            (n * rate).div_ceil(rate_in)
        } else {
            // Effects changed the length: nothing to reconstruct.
            m
        }
    }

    /// Writes OpusHead (alone on the first page) and OpusTags (ending its page), once.
    fn start(&mut self) -> Result<(), EncodeError> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        let s = &self.settings;
        let layout = self.lib.layout();
        let pre_skip = u16::try_from(self.pre_skip()).map_err(|_| {
            EncodeError::Failed("libopus look-ahead beyond OpusHead's range".into())
        })?;
        let mut head = Vec::with_capacity(21 + layout.mapping.len());
        head.extend_from_slice(b"OpusHead");
        head.push(1); // version
        head.push(s.channels as u8);
        head.extend_from_slice(&pre_skip.to_le_bytes());
        head.extend_from_slice(&s.input_sample_rate.to_le_bytes());
        head.extend_from_slice(&0i16.to_le_bytes()); // output gain
        head.push(layout.family);
        if layout.family != 0 {
            head.push(layout.streams);
            head.push(layout.coupled);
            head.extend_from_slice(&layout.mapping);
        }
        self.ogg.packet(&head, 0);
        self.ogg.flush(&mut self.out, false);
        let mut tags = b"OpusTags".to_vec();
        tags.extend(
            comment_list(&libopus::version(), &self.tags)
                .ok_or_else(|| invalid("tags for encoder opus exceed 4 GiB".into()))?,
        );
        self.ogg.packet(&tags, 0);
        self.ogg.flush(&mut self.out, false);
        self.write_out()
    }

    /// Passes finished pages on to the sink.
    fn write_out(&mut self) -> Result<(), EncodeError> {
        if self.out.is_empty() {
            return Ok(());
        }
        // Cleared whether or not the write worked: a failed write is not retried with the same
        // bytes in front of later pages.
        let result = self.sink.write_all(&self.out);
        self.out.clear();
        Ok(result?)
    }

    /// Appends `frames` frames of `samples` to the pending buffer, interleaved and reordered.
    fn append(&mut self, samples: &Planar<'_>, frames: usize) -> Result<(), EncodeError> {
        let ch = usize::from(self.settings.channels);
        let order = self.order;
        let pos = |c: usize| order.and_then(|o| o.get(c).copied()).unwrap_or(c);
        let mut tamed = false;
        match (&mut self.pending, samples) {
            (Pending::F32(buf), Planar::F32(planes)) => {
                let base = buf.len();
                buf.resize(base + frames * ch, 0.0);
                for (c, plane) in planes.iter().enumerate() {
                    let dst = buf.get_mut(base..).unwrap_or_default();
                    for (d, &x) in dst.iter_mut().skip(pos(c)).step_by(ch).zip(plane) {
                        *d = if x.abs() <= INPUT_LIMIT {
                            x
                        } else {
                            tamed = true;
                            if x.is_nan() {
                                0.0
                            } else {
                                x.clamp(-INPUT_LIMIT, INPUT_LIMIT)
                            }
                        };
                    }
                }
            }
            (Pending::S16(buf), Planar::I16(planes)) => {
                let base = buf.len();
                buf.resize(base + frames * ch, 0);
                for (c, plane) in planes.iter().enumerate() {
                    let dst = buf.get_mut(base..).unwrap_or_default();
                    for (d, &x) in dst.iter_mut().skip(pos(c)).step_by(ch).zip(plane) {
                        *d = x;
                    }
                }
            }
            _ => {
                return Err(invalid(format!(
                    "the opus encoder takes {} samples",
                    self.settings.format.name()
                )))
            }
        }
        if tamed && !self.warned {
            self.warned = true;
            log::warn!(
                "opus encoder: NaN samples replaced by 0 and samples beyond ±{INPUT_LIMIT} clipped"
            );
        }
        Ok(())
    }

    /// Encodes every whole frame pending; the last packet of the stream (`last`) gets the
    /// final granule position, which trims the padding.
    fn encode_pending(&mut self, last: Option<u64>) -> Result<(), EncodeError> {
        let ch = usize::from(self.settings.channels);
        let step = self.frame * ch;
        let whole = self.pending.len() / step;
        for i in 0..whole {
            let range = i * step..(i + 1) * step;
            let n = match &self.pending {
                Pending::F32(buf) => self.lib.encode_f32(
                    buf.get(range).unwrap_or_default(),
                    self.frame,
                    &mut self.packet,
                )?,
                Pending::S16(buf) => self.lib.encode_s16(
                    buf.get(range).unwrap_or_default(),
                    self.frame,
                    &mut self.packet,
                )?,
            };
            self.frames_coded += self.frame as u64;
            let granule = match last {
                Some(g) if i + 1 == whole => g,
                _ => self.frames_coded * self.ticks,
            };
            let granule = i64::try_from(granule)
                .map_err(|_| EncodeError::Failed("granule position beyond 2^63".into()))?;
            self.ogg
                .packet(self.packet.get(..n).unwrap_or_default(), granule);
            self.ogg.pageout(&mut self.out);
        }
        match &mut self.pending {
            Pending::F32(buf) => drop(buf.drain(..whole * step)),
            Pending::S16(buf) => drop(buf.drain(..whole * step)),
        }
        self.write_out()
    }

    fn check_input(&self, samples: &Planar<'_>) -> Result<usize, EncodeError> {
        if self.finished {
            return Err(invalid(
                "the opus encoder has finished; nothing more can be written".into(),
            ));
        }
        let ch = usize::from(self.settings.channels);
        if samples.channels() != ch {
            return Err(invalid(format!(
                "{} channels given to a {ch}-channel opus encoder",
                samples.channels()
            )));
        }
        let frames = samples.frames();
        let ragged = match samples {
            Planar::F32(p) => p.iter().any(|c| c.len() != frames),
            Planar::I16(p) => p.iter().any(|c| c.len() != frames),
            _ => false,
        };
        if ragged {
            return Err(invalid(format!(
                "channels of different lengths given to the opus encoder (channel 0 has {frames} \
                 frames)"
            )));
        }
        Ok(frames)
    }
}

fn invalid(msg: String) -> EncodeError {
    EncodeError::InvalidArgument(msg)
}

impl Encoder for OpusEncoder {
    fn codec(&self) -> &'static str {
        CODEC
    }

    fn input_format(&self) -> SampleFormat {
        self.settings.format
    }

    fn set_tags(&mut self, tags: &Options) -> Result<(), EncodeError> {
        if self.started {
            return Err(invalid(
                "tags must be set before the first audio is written".into(),
            ));
        }
        self.tags = comment_fields(CODEC, tags)?;
        Ok(())
    }

    fn encode(&mut self, samples: Planar<'_>) -> Result<(), EncodeError> {
        let frames = self.check_input(&samples)?;
        self.start()?;
        if frames == 0 {
            return Ok(());
        }
        self.append(&samples, frames)?;
        self.frames_in += frames as u64;
        self.encode_pending(None)
    }

    fn flush(&mut self) -> Result<(), EncodeError> {
        if self.finished {
            return Ok(());
        }
        self.start()?;
        self.ogg.flush(&mut self.out, false);
        self.write_out()?;
        self.sink.flush()?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), EncodeError> {
        if self.finished {
            return Ok(());
        }
        self.start()?;
        self.finished = true;
        // Feed silence until the encoder has coded the input and its look-ahead, in whole
        // frames; the final granule position (pre-skip + input, at 48 kHz) trims the rest.
        let frame = self.frame as u64;
        let total = (self.coded_length() + self.lookahead)
            .div_ceil(frame)
            .max(self.frames_coded / frame + 1);
        let ch = usize::from(self.settings.channels);
        let needed = usize::try_from((total - self.frames_coded / frame) * frame)
            .map_err(|_| EncodeError::Failed("padding beyond memory".into()))?
            * ch;
        match &mut self.pending {
            Pending::F32(buf) => buf.resize(needed, 0.0),
            Pending::S16(buf) => buf.resize(needed, 0),
        }
        let end = self.pre_skip() + self.coded_length() * self.ticks;
        self.encode_pending(Some(end))?;
        self.padding =
            u32::try_from(total * frame - self.coded_length() - self.lookahead).unwrap_or(0);
        self.ogg.flush(&mut self.out, true);
        self.write_out()?;
        self.sink.flush()?;
        Ok(())
    }

    fn delay(&self) -> EncoderDelay {
        EncoderDelay {
            delay: u32::try_from(self.lookahead).unwrap_or(0),
            padding: self.padding,
        }
    }
}

impl Drop for OpusEncoder {
    fn drop(&mut self) {
        if self.started && !self.finished {
            if let Err(e) = self.finish() {
                log::warn!("finishing the Opus stream on drop failed: {e}");
            }
        }
    }
}
