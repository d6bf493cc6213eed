//! [`FlacEncoder`]: settings checks, buffering, header patching and the [`crate::Encoder`]
//! implementation.

use super::libflac::{failed, invalid, Live, Settings};
use super::tags::{le_u32, parse_header, vorbis_comment_block, vorbis_field};
use super::{
    CHUNK, DEFAULT_LEVEL, FRAME_SIZES_OFFSET, MAX_CHANNELS, MAX_FRAME_SIZE, MAX_LEVEL,
    MAX_SAMPLE_RATE, TOTAL_MASK,
};
use crate::{
    check_options, reject_config_fields, EncodeError, Encoder, EncoderDelay, EncoderRequest,
    Options, Planar, SampleFormat, Sink,
};
use std::io::{Seek, SeekFrom, Write};

/// The FLAC encoder.
pub struct FlacEncoder {
    pub(super) format: SampleFormat,
    pub(super) sample_rate: u32,
    pub(super) channels: usize,
    pub(super) level: u32,
    pub(super) verify: bool,
    /// Vorbis comments, as (FIELD, value).
    pub(super) tags: Vec<(String, String)>,
    pub(super) sink: Sink,
    /// The running libFLAC encoder: `Some` from the first write until `finish`.
    pub(super) live: Option<Live>,
    pub(super) finished: bool,
    /// Where the stream starts in a seekable sink.
    pub(super) base: u64,
    /// From libFLAC's STREAMINFO.
    pub(super) packed: u64,
    /// Frames given to libFLAC, and frames it has written out (in whole blocks until `finish`).
    pub(super) frames_in: u64,
    pub(super) frames_out: u64,
    /// The smallest and largest frame written, in bytes.
    pub(super) frame_sizes: (usize, usize),
    /// The MD5 of the audio, from libFLAC at `finish` (seekable sinks only).
    pub(super) md5: Option<[u8; 16]>,
    /// Reused buffers: widened 16-bit input, bytes on their way to the sink.
    pub(super) widened: Vec<Vec<i32>>,
    pub(super) pending: Vec<u8>,
}

impl FlacEncoder {
    /// Checks the request and makes the encoder; nothing is written yet.
    pub fn new(request: &EncoderRequest<'_>, sink: Sink) -> Result<Self, EncodeError> {
        let codec = "flac";
        let format = match request.format {
            None | Some(SampleFormat::S16) => SampleFormat::S16,
            Some(SampleFormat::S24) => SampleFormat::S24,
            Some(other) => {
                return Err(invalid(format!(
                    "encoder_format = {} for encoder {codec}; allowed: s16, s24",
                    other.name()
                )))
            }
        };
        let sample_rate = request.spec.sample_rate;
        if !(1..=MAX_SAMPLE_RATE).contains(&sample_rate) {
            return Err(invalid(format!(
                "sample_rate = {sample_rate} Hz for encoder {codec}; allowed: 1..{MAX_SAMPLE_RATE} Hz"
            )));
        }
        let channels = request.spec.channels;
        if !(1..=MAX_CHANNELS).contains(&channels) {
            return Err(invalid(format!(
                "num_channels = {channels} for encoder {codec}; allowed: 1..{MAX_CHANNELS}"
            )));
        }
        reject_config_fields(
            codec,
            &request.config,
            &["compression_level"],
            "FLAC is lossless",
        )?;
        let level = match request.config.compression_level {
            None => DEFAULT_LEVEL,
            Some(l) => u32::try_from(l)
                .ok()
                .filter(|_| l <= MAX_LEVEL)
                .ok_or_else(|| {
                    invalid(format!(
                        "CodecConfig.compression_level = {l} for encoder {codec}; allowed: \
                         0..{MAX_LEVEL}"
                    ))
                })?,
        };
        check_options(codec, &request.options, &["verify"])?;
        let verify = match request.options.get("verify").map(String::as_str) {
            None | Some("false") => false,
            Some("true") => true,
            Some(v) => {
                return Err(invalid(format!(
                    "encoder_option verify = \"{v}\" for encoder {codec}; allowed: true, false"
                )))
            }
        };
        Ok(FlacEncoder {
            format,
            sample_rate,
            channels: usize::from(channels),
            level,
            verify,
            tags: Vec::new(),
            sink,
            live: None,
            finished: false,
            base: 0,
            packed: 0,
            frames_in: 0,
            frames_out: 0,
            frame_sizes: (0, 0),
            md5: None,
            widened: Vec::new(),
            pending: Vec::new(),
        })
    }

    pub(super) fn bits(&self) -> u32 {
        self.format.bits()
    }

    /// Starts libFLAC and writes the stream header (with the tags), once.
    pub(super) fn start(&mut self) -> Result<(), EncodeError> {
        if self.live.is_some() || self.finished {
            return Ok(());
        }
        let mut live = Live::start(&Settings {
            channels: self.channels as u32,
            bits: self.bits(),
            sample_rate: self.sample_rate,
            level: self.level,
            verify: self.verify,
            // Rates above 65535 Hz that are not a multiple of 10 cannot be coded in a frame
            // header ("see STREAMINFO" instead), which the streamable subset forbids.
            subset: self.sample_rate < 65_536 || self.sample_rate.is_multiple_of(10),
            // Only a seekable sink can take the MD5 (at `finish`).
            md5: self.sink.is_seekable(),
        })?;
        let head = std::mem::take(&mut live.output().bytes);
        let header = parse_header(&head)
            .ok_or_else(|| failed("libFLAC wrote an unexpected stream header"))?;
        let head = match (self.tags.is_empty(), header.vorbis_comment) {
            (true, _) => head,
            (false, Some((start, end, last))) => {
                let vendor = head
                    .get(start + 4..end)
                    .and_then(|body| Some((le_u32(body.get(..4)?)?, body.get(4..)?)))
                    .and_then(|(len, rest)| rest.get(..len))
                    .ok_or_else(|| failed("libFLAC wrote an unexpected VORBIS_COMMENT block"))?;
                let block = vorbis_comment_block(vendor, &self.tags, last).ok_or_else(|| {
                    invalid("tags for encoder flac exceed a FLAC metadata block (16 MiB)".into())
                })?;
                let mut new = Vec::with_capacity(head.len() + block.len());
                new.extend(head.get(..start).unwrap_or_default());
                new.extend(block);
                new.extend(head.get(end..).unwrap_or_default());
                new
            }
            (false, None) => return Err(failed("libFLAC wrote no VORBIS_COMMENT block")),
        };
        if let Sink::Seekable(w) = &mut self.sink {
            self.base = w.stream_position()?;
        }
        self.sink.write_all(&head)?;
        self.packed = header.packed;
        self.live = Some(live);
        Ok(())
    }

    /// Passes what libFLAC has written on to the sink.
    pub(super) fn drain(&mut self) -> Result<(), EncodeError> {
        let Some(live) = self.live.as_mut() else {
            return Ok(());
        };
        let out = live.output();
        std::mem::swap(&mut out.bytes, &mut self.pending);
        self.frames_out = out.samples;
        self.frame_sizes = (out.min_frame, out.max_frame);
        self.md5 = self.md5.or(out.md5);
        if !self.pending.is_empty() {
            self.sink.write_all(&self.pending)?;
            self.pending.clear();
        }
        Ok(())
    }

    /// Writes STREAMINFO's minimum and maximum frame size, total samples and (`Some`) MD5 into
    /// a seekable sink, then returns to the end. Totals beyond STREAMINFO's 36 bits are written
    /// as 0 (unknown).
    pub(super) fn patch(&mut self, total: u64, md5: Option<[u8; 16]>) -> Result<(), EncodeError> {
        let Sink::Seekable(w) = &mut self.sink else {
            return Ok(());
        };
        let (min_frame, max_frame) = self.frame_sizes;
        let total = if total <= TOTAL_MASK { total } else { 0 };
        let mut fields = Vec::with_capacity(30);
        for size in [min_frame, max_frame] {
            let size = u32::try_from(size.min(MAX_FRAME_SIZE)).unwrap_or_default();
            fields.extend(&size.to_be_bytes()[1..]);
        }
        fields.extend(((self.packed & !TOTAL_MASK) | total).to_be_bytes());
        if let Some(md5) = md5 {
            fields.extend(md5);
        }
        w.seek(SeekFrom::Start(self.base + FRAME_SIZES_OFFSET))?;
        w.write_all(&fields)?;
        w.seek(SeekFrom::End(0))?;
        Ok(())
    }

    pub(super) fn check_open(&self) -> Result<(), EncodeError> {
        if self.finished {
            return Err(invalid(
                "the flac encoder has finished; nothing more can be written".into(),
            ));
        }
        Ok(())
    }

    /// Checks channels, sample type, plane lengths and (24-bit) range; returns the frames.
    pub(super) fn check_input(&self, samples: &Planar<'_>) -> Result<usize, EncodeError> {
        if samples.channels() != self.channels {
            return Err(invalid(format!(
                "{} channels given to a {}-channel flac encoder",
                samples.channels(),
                self.channels
            )));
        }
        let frames = samples.frames();
        let ragged = || {
            invalid(format!(
                "channels of different lengths given to the flac encoder (channel 0 has {frames} \
                 frames)"
            ))
        };
        match (self.format, samples) {
            (SampleFormat::S16, Planar::I16(p)) => {
                if p.iter().any(|c| c.len() != frames) {
                    return Err(ragged());
                }
            }
            (SampleFormat::S24, Planar::I32(p)) => {
                if p.iter().any(|c| c.len() != frames) {
                    return Err(ragged());
                }
                const RANGE: std::ops::RangeInclusive<i32> = -(1 << 23)..=(1 << 23) - 1;
                if let Some(s) = p.iter().flatten().find(|s| !RANGE.contains(s)) {
                    return Err(invalid(format!(
                        "sample {s} given to the 24-bit flac encoder; s24 samples are in \
                         {}..{}",
                        RANGE.start(),
                        RANGE.end()
                    )));
                }
            }
            (format, _) => {
                return Err(invalid(format!(
                    "the {}-bit flac encoder takes {} samples ({})",
                    self.bits(),
                    format.name(),
                    if format == SampleFormat::S16 {
                        "Planar::I16"
                    } else {
                        "Planar::I32"
                    }
                )))
            }
        }
        Ok(frames)
    }

    /// Encodes checked input in chunks of at most [`CHUNK`] frames.
    pub(super) fn encode_chunks(
        &mut self,
        samples: Planar<'_>,
        frames: usize,
        widened: &mut Vec<Vec<i32>>,
    ) -> Result<(), EncodeError> {
        let mut start = 0;
        while start < frames {
            let end = frames.min(start + CHUNK);
            let mut planes: [&[i32]; MAX_CHANNELS as usize] = [&[]; MAX_CHANNELS as usize];
            match samples {
                Planar::I16(p) => {
                    widened.resize_with(p.len(), Vec::new);
                    for (w, c) in widened.iter_mut().zip(p) {
                        w.clear();
                        w.extend(
                            c.get(start..end)
                                .unwrap_or_default()
                                .iter()
                                .map(|&s| i32::from(s)),
                        );
                    }
                    for (plane, w) in planes.iter_mut().zip(widened.iter()) {
                        *plane = w;
                    }
                }
                Planar::I32(p) => {
                    for (plane, c) in planes.iter_mut().zip(p) {
                        *plane = c.get(start..end).unwrap_or_default();
                    }
                }
                _ => return Err(failed("unchecked sample type")),
            }
            self.feed(planes.get(..self.channels).unwrap_or_default())?;
            start = end;
        }
        Ok(())
    }

    /// Gives one chunk to libFLAC and passes the output on.
    pub(super) fn feed(&mut self, planes: &[&[i32]]) -> Result<(), EncodeError> {
        let frames = planes.first().map_or(0, |p| p.len());
        if frames == 0 {
            return Ok(());
        }
        self.live
            .as_mut()
            .ok_or_else(|| failed("libFLAC encoder not started"))?
            .process(planes)?;
        self.frames_in += frames as u64;
        self.drain()
    }
}

impl Encoder for FlacEncoder {
    fn codec(&self) -> &'static str {
        "flac"
    }

    fn input_format(&self) -> SampleFormat {
        self.format
    }

    fn set_tags(&mut self, tags: &Options) -> Result<(), EncodeError> {
        if self.live.is_some() || self.finished {
            return Err(invalid(
                "tags must be set before the first audio is written".into(),
            ));
        }
        let tags = tags
            .iter()
            .map(|(k, v)| Ok((vorbis_field(k)?, v.clone())))
            .collect::<Result<Vec<_>, EncodeError>>()?;
        if vorbis_comment_block(&[0; 64], &tags, true).is_none() {
            return Err(invalid(
                "tags for encoder flac exceed a FLAC metadata block (16 MiB)".into(),
            ));
        }
        self.tags = tags;
        Ok(())
    }

    fn encode(&mut self, samples: Planar<'_>) -> Result<(), EncodeError> {
        self.check_open()?;
        let frames = self.check_input(&samples)?;
        self.start()?;
        let mut widened = std::mem::take(&mut self.widened);
        let result = self.encode_chunks(samples, frames, &mut widened);
        self.widened = widened;
        result
    }

    fn flush(&mut self) -> Result<(), EncodeError> {
        if self.finished {
            return Ok(());
        }
        self.start()?;
        self.drain()?;
        self.patch(self.frames_out, None)?;
        self.sink.flush()?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), EncodeError> {
        if self.finished {
            return Ok(());
        }
        self.start()?;
        // libFLAC's encoder cannot be finished twice: whatever happens next, this was it.
        self.finished = true;
        let mut result = self.live.as_mut().map_or(Ok(()), Live::finish);
        if result.is_ok() {
            result = self.drain();
        }
        // Deletes libFLAC's encoder.
        self.live = None;
        result?;
        self.patch(self.frames_in, self.md5)?;
        self.sink.flush()?;
        Ok(())
    }

    fn delay(&self) -> EncoderDelay {
        EncoderDelay::default()
    }
}

impl Drop for FlacEncoder {
    fn drop(&mut self) {
        if self.live.is_some() && !self.finished {
            if let Err(e) = self.finish() {
                log::warn!("finishing the FLAC stream on drop failed: {e}");
            }
        }
    }
}
