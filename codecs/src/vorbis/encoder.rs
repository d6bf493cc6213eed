//! The Ogg Vorbis encoder: libvorbis packets framed in Ogg pages.

use super::libvorbis::LibVorbis;
use super::settings::Settings;
use super::CODEC;
use crate::ogg::{comment_fields, new_serial, OggStream, WAV_TO_VORBIS_ORDER};
use crate::{
    EncodeError, Encoder, EncoderDelay, EncoderRequest, Options, Planar, SampleFormat, Sink,
};
use std::io::Write;

/// Frames handed to libvorbis per call, always (but at the end), as `oggenc` reads them
/// (READSIZE): libvorbis extrapolates the stream's start from whatever it holds when its first
/// long block fills, so how the input is split changes the first packets; fixed pieces make
/// the output independent of the `encode` calls, and the same as oggenc's. (libvorbis also
/// slows down badly on very long buffers.)
const CHUNK: usize = 1024;

/// Largest magnitude handed to libvorbis (1024 × full scale); NaN becomes 0.
const INPUT_LIMIT: f32 = 1024.0;

/// The Ogg Vorbis encoder (see the module docs of [`crate::vorbis`]).
///
/// ```
/// use audiostream_codecs::{open_encoder, CodecConfig, EncoderRequest, Planar, Sink, StreamSpec};
/// let mut req = EncoderRequest::new("vorbis", StreamSpec { sample_rate: 44100, channels: 2 });
/// req.config = CodecConfig { qscale: Some(5.0), ..Default::default() }; // oggenc -q 5
/// let mut enc = open_encoder(&req, Sink::stream(std::io::sink()))?;
/// enc.encode(Planar::F32(&[vec![0.0; 4410], vec![0.0; 4410]]))?;
/// enc.finish()?;
/// # Ok::<(), audiostream_codecs::EncodeError>(())
/// ```
pub struct VorbisEncoder {
    lib: LibVorbis,
    sink: Sink,
    ogg: OggStream,
    channels: usize,
    /// Vorbis comments, as (FIELD, value).
    tags: Vec<(String, String)>,
    started: bool,
    finished: bool,
    /// For 3 ..= 8 channels: where each input (WAV order) channel goes in Vorbis order.
    order: Option<&'static [usize]>,
    /// Page bytes on their way to the sink.
    out: Vec<u8>,
    /// Input waiting for a whole [`CHUNK`], per channel in Vorbis order.
    pending: Vec<Vec<f32>>,
    /// Audio packets put into pages so far.
    audio_packets: u64,
    warned: bool,
}

fn invalid(msg: String) -> EncodeError {
    EncodeError::InvalidArgument(msg)
}

impl VorbisEncoder {
    /// Checks the request and sets libvorbis up; nothing is written yet.
    pub fn new(request: &EncoderRequest<'_>, sink: Sink) -> Result<Self, EncodeError> {
        let settings = Settings::from_request(request)?;
        let lib = LibVorbis::new(&settings)?;
        let channels = usize::from(settings.channels);
        Ok(VorbisEncoder {
            lib,
            sink,
            ogg: OggStream::new(settings.serial.unwrap_or_else(new_serial)),
            channels,
            tags: Vec::new(),
            started: false,
            finished: false,
            order: (channels > 2)
                .then(|| WAV_TO_VORBIS_ORDER.get(channels - 1).copied())
                .flatten(),
            out: Vec::new(),
            pending: vec![Vec::with_capacity(CHUNK); channels],
            audio_packets: 0,
            warned: false,
        })
    }

    /// Writes the three headers: the identification header alone on the first page, the
    /// comment and setup headers ending the next (Vorbis I §A.2), once.
    fn start(&mut self) -> Result<(), EncodeError> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        let [id, comments, setup] = self.lib.headers(&self.tags)?;
        self.ogg.packet(&id, 0);
        self.ogg.flush(&mut self.out, false);
        self.ogg.packet(&comments, 0);
        self.ogg.packet(&setup, 0);
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

    /// Hands the pending input to libvorbis and pages what it makes of it.
    fn feed(&mut self) -> Result<(), EncodeError> {
        let frames = self.pending.first().map_or(0, Vec::len);
        if frames == 0 {
            return Ok(());
        }
        let pending = &mut self.pending;
        self.lib.write(frames, |buffers| {
            for (buf, src) in buffers.iter_mut().zip(pending.iter()) {
                for (d, &x) in buf.iter_mut().zip(src) {
                    *d = x;
                }
            }
        })?;
        for p in &mut self.pending {
            p.clear();
        }
        self.drain()
    }

    /// Moves every packet libvorbis has ready into pages.
    fn drain(&mut self) -> Result<(), EncodeError> {
        let (ogg, out, count) = (&mut self.ogg, &mut self.out, &mut self.audio_packets);
        self.lib.drain(|p| {
            // The first two audio packets get a page of their own (once a third one shows
            // they are not the last): FFmpeg 5.1 finds where a Vorbis stream starts from its
            // first audio page, and when that page is also the last one (a stream of one
            // page: any stream under about 4 KiB, or one flushed early) it gets the length
            // wrong, for oggenc's files too. Not the first packet alone: its granule position
            // is 0, which ogginfo calls the mark of a buggy encoder.
            if *count == 2 {
                ogg.flush(out, false);
            }
            *count += 1;
            ogg.packet(p.data, p.granule);
            ogg.pageout(out);
            Ok(())
        })?;
        self.write_out()
    }
}

impl Encoder for VorbisEncoder {
    fn codec(&self) -> &'static str {
        CODEC
    }

    fn input_format(&self) -> SampleFormat {
        SampleFormat::F32
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
        if self.finished {
            return Err(invalid(
                "the vorbis encoder has finished; nothing more can be written".into(),
            ));
        }
        let Planar::F32(planes) = samples else {
            return Err(invalid("the vorbis encoder takes flt samples".into()));
        };
        if planes.len() != self.channels {
            return Err(invalid(format!(
                "{} channels given to a {}-channel vorbis encoder",
                planes.len(),
                self.channels
            )));
        }
        let frames = planes.first().map_or(0, Vec::len);
        if planes.iter().any(|p| p.len() != frames) {
            return Err(invalid(format!(
                "channels of different lengths given to the vorbis encoder (channel 0 has \
                 {frames} frames)"
            )));
        }
        self.start()?;
        let order = self.order;
        let mut tamed = false;
        let mut at = 0;
        while at < frames {
            let take = (CHUNK - self.pending.first().map_or(0, Vec::len)).min(frames - at);
            for (c, plane) in planes.iter().enumerate() {
                let dst = order.and_then(|o| o.get(c).copied()).unwrap_or(c);
                let (Some(buf), Some(src)) = (self.pending.get_mut(dst), plane.get(at..at + take))
                else {
                    continue;
                };
                buf.extend(src.iter().map(|&x| {
                    if x.abs() <= INPUT_LIMIT {
                        x
                    } else {
                        tamed = true;
                        if x.is_nan() {
                            0.0
                        } else {
                            x.clamp(-INPUT_LIMIT, INPUT_LIMIT)
                        }
                    }
                }));
            }
            at += take;
            if self.pending.first().map_or(0, Vec::len) == CHUNK {
                self.feed()?;
            }
        }
        if tamed && !self.warned {
            self.warned = true;
            log::warn!(
                "vorbis encoder: NaN samples replaced by 0 and samples beyond ±{INPUT_LIMIT} \
                 clipped"
            );
        }
        Ok(())
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
        self.feed()?;
        // Even for a stream without audio libvorbis makes a last packet (granule position 0,
        // which ogginfo, for oggenc's empty files too, calls the mark of a buggy encoder);
        // without it FFmpeg cannot open the stream at all.
        self.lib.end()?;
        self.drain()?;
        // libvorbis's last packet carries the total frame count as its granule position, which
        // trims the last block's padding (Vorbis I §A.2).
        self.ogg.flush(&mut self.out, true);
        self.write_out()?;
        self.sink.flush()?;
        Ok(())
    }

    fn delay(&self) -> EncoderDelay {
        // The decoder's first block overlaps nothing and the last is trimmed by the granule
        // position: a Vorbis stream decodes to exactly its input.
        EncoderDelay::default()
    }
}

impl Drop for VorbisEncoder {
    fn drop(&mut self) {
        if self.started && !self.finished {
            if let Err(e) = self.finish() {
                log::warn!("finishing the Vorbis stream on drop failed: {e}");
            }
        }
    }
}
