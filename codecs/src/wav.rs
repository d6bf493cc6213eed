//! WAV (RIFF/WAVE) with PCM: `pcm_u8`, `pcm_s16le`, `pcm_s24le`, `pcm_s32le`, `pcm_f32le`,
//! `pcm_f64le`.
//!
//! Written here rather than with hound: hound's writer needs `Seek` (no open-ended header for
//! pipes) and cannot write RIFF INFO tags, both of which the writer needs; the format itself
//! is a few fixed headers.
//!
//! - Header: `WAVE_FORMAT_PCM` / `WAVE_FORMAT_IEEE_FLOAT` for up to 2 channels and up to 16-bit
//!   integers or floats, `WAVE_FORMAT_EXTENSIBLE` (with the default channel mask) otherwise,
//!   as FFmpeg does.
//! - Tags: a `LIST`/`INFO` chunk before the data (`title` → `INAM`, `artist` → `IART`, ...).
//! - Seekable sinks: the RIFF and data sizes are patched on every flush and at finish, so the
//!   file is valid up to the last flush. Streams: sizes are `0xFFFFFFFF` ("until the end").
//! - `CodecConfig`: WAV takes none of its fields; `encoder_option`: none.

use crate::{
    check_options, reject_config_fields, EncodeError, Encoder, EncoderDelay, EncoderRequest,
    Options, Planar, SampleFormat, Sink,
};
use std::io::{Seek, SeekFrom, Write};

/// The PCM codecs, `pcm_s16le` (FFmpeg's default for `.wav`) first.
pub const CODECS: &[&str] = &[
    "pcm_s16le",
    "pcm_s24le",
    "pcm_s32le",
    "pcm_f32le",
    "pcm_f64le",
    "pcm_u8",
];

/// The sample format of a PCM codec.
///
/// ```
/// use audiostream_codecs::{wav::codec_format, SampleFormat};
/// assert_eq!(codec_format("pcm_s24le"), Some(SampleFormat::S24));
/// ```
pub fn codec_format(codec: &str) -> Option<SampleFormat> {
    Some(match codec {
        "pcm_u8" => SampleFormat::U8,
        "pcm_s16le" => SampleFormat::S16,
        "pcm_s24le" => SampleFormat::S24,
        "pcm_s32le" => SampleFormat::S32,
        "pcm_f32le" => SampleFormat::F32,
        "pcm_f64le" => SampleFormat::F64,
        _ => return None,
    })
}

/// The PCM codec for an `encoder_format`.
///
/// ```
/// use audiostream_codecs::{wav::codec_for_format, SampleFormat};
/// assert_eq!(codec_for_format(SampleFormat::F32), "pcm_f32le");
/// ```
pub fn codec_for_format(format: SampleFormat) -> &'static str {
    match format {
        SampleFormat::U8 => "pcm_u8",
        SampleFormat::S16 => "pcm_s16le",
        SampleFormat::S24 => "pcm_s24le",
        SampleFormat::S32 => "pcm_s32le",
        SampleFormat::F32 => "pcm_f32le",
        SampleFormat::F64 => "pcm_f64le",
    }
}

/// Bytes buffered before they are written to the sink.
const WRITE_BUFFER: usize = 1 << 16;

/// RIFF INFO field for a tag key (FFmpeg's mapping).
fn info_id(key: &str) -> Option<&'static [u8; 4]> {
    Some(match key {
        "title" => b"INAM",
        "artist" => b"IART",
        "album" => b"IPRD",
        "comment" => b"ICMT",
        "date" => b"ICRD",
        "genre" => b"IGNR",
        "encoder" => b"ISFT",
        "copyright" => b"ICOP",
        "track" => b"IPRT",
        "engineer" => b"IENG",
        "language" => b"ILNG",
        _ => return None,
    })
}

/// Default WAVE_FORMAT_EXTENSIBLE channel masks by channel count (FFmpeg's default layouts).
fn channel_mask(channels: u16) -> u32 {
    match channels {
        1 => 0x4,
        2 => 0x3,
        3 => 0x7,
        4 => 0x33,
        5 => 0x37,
        6 => 0x3F,
        7 => 0x13F,
        8 => 0x63F,
        _ => 0,
    }
}

/// The WAV encoder.
pub struct WavEncoder {
    codec: &'static str,
    format: SampleFormat,
    sample_rate: u32,
    channels: u16,
    sink: Sink,
    tags: Options,
    header_written: bool,
    finished: bool,
    /// Byte offset of the data chunk's size field, and of the first data byte.
    data_size_pos: u64,
    data_start: u64,
    data_bytes: u64,
    buffer: Vec<u8>,
}

impl WavEncoder {
    /// Checks the request and makes the encoder; nothing is written yet.
    pub fn new(request: &EncoderRequest<'_>, sink: Sink) -> Result<Self, EncodeError> {
        let codec = CODECS
            .iter()
            .copied()
            .find(|c| *c == request.codec)
            .ok_or_else(|| {
                EncodeError::Unsupported(format!(
                    "WAV encoder \"{}\"; WAV takes: {}",
                    request.codec,
                    CODECS.join(", ")
                ))
            })?;
        let format = codec_format(codec).unwrap_or(SampleFormat::S16);
        if let Some(asked) = request.format {
            if asked != format {
                return Err(EncodeError::InvalidArgument(format!(
                    "encoder_format = {} with encoder {codec} (which writes {}); for {} use \
                     encoder {}",
                    asked.name(),
                    format.name(),
                    asked.name(),
                    codec_for_format(asked)
                )));
            }
        }
        reject_config_fields(codec, &request.config, &[], "PCM has no settings")?;
        check_options(codec, &request.options, &[])?;
        // The header's block align (bytes per frame) is 16 bits, its byte rate 32.
        let (rate, channels) = (request.spec.sample_rate, request.spec.channels);
        let bytes = (format.bits() / 8) as u16;
        let Some(block_align) = bytes.checked_mul(channels) else {
            return Err(EncodeError::InvalidArgument(format!(
                "num_channels = {channels} for encoder {codec}: a WAV frame of {channels} x                  {bytes} bytes does not fit the header's 16-bit block align; allowed: 1..{}                  channels",
                u16::MAX / bytes
            )));
        };
        let max_rate = u32::MAX / u32::from(block_align.max(1));
        if rate > max_rate {
            return Err(EncodeError::InvalidArgument(format!(
                "sample_rate = {rate} Hz for encoder {codec} with {channels} channel(s): the WAV                  header's byte rate (sample_rate x {block_align} bytes per frame) must fit 32                  bits; allowed: 1..{max_rate} Hz"
            )));
        }
        Ok(WavEncoder {
            codec,
            format,
            sample_rate: request.spec.sample_rate,
            channels: request.spec.channels,
            sink,
            tags: Options::new(),
            header_written: false,
            finished: false,
            data_size_pos: 0,
            data_start: 0,
            data_bytes: 0,
            buffer: Vec::with_capacity(WRITE_BUFFER),
        })
    }

    fn bytes_per_sample(&self) -> u16 {
        (self.format.bits() / 8) as u16
    }

    fn header(&self) -> Vec<u8> {
        let bits = self.format.bits() as u16;
        let block_align = self.bytes_per_sample() * self.channels;
        let is_float = matches!(self.format, SampleFormat::F32 | SampleFormat::F64);
        let extensible = self.channels > 2 || (!is_float && bits > 16);
        let mut h = Vec::with_capacity(128);
        h.extend(b"RIFF");
        h.extend(u32::MAX.to_le_bytes()); // patched when the size is known
        h.extend(b"WAVE");
        h.extend(b"fmt ");
        h.extend((if extensible { 40u32 } else { 16 }).to_le_bytes());
        let tag: u16 = if extensible {
            0xFFFE
        } else if is_float {
            3
        } else {
            1
        };
        h.extend(tag.to_le_bytes());
        h.extend(self.channels.to_le_bytes());
        h.extend(self.sample_rate.to_le_bytes());
        // Checked in `new`: fits 32 bits.
        h.extend(
            self.sample_rate
                .saturating_mul(u32::from(block_align))
                .to_le_bytes(),
        );
        h.extend(block_align.to_le_bytes());
        h.extend(bits.to_le_bytes());
        if extensible {
            h.extend(22u16.to_le_bytes());
            h.extend(bits.to_le_bytes()); // valid bits
            h.extend(channel_mask(self.channels).to_le_bytes());
            // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: {0000000X-0000-0010-8000-00aa00389b71}
            h.extend((if is_float { 3u32 } else { 1 }).to_le_bytes());
            h.extend([
                0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
            ]);
        }
        let info: Vec<(&[u8; 4], &String)> = self
            .tags
            .iter()
            .filter_map(|(k, v)| info_id(k).map(|id| (id, v)))
            .collect();
        if !info.is_empty() {
            let mut body = Vec::from(*b"INFO");
            for (id, value) in info {
                let mut text = value.as_bytes().to_vec();
                text.push(0);
                body.extend(id);
                body.extend((text.len() as u32).to_le_bytes());
                body.extend(&text);
                if text.len() % 2 == 1 {
                    body.push(0);
                }
            }
            h.extend(b"LIST");
            h.extend((body.len() as u32).to_le_bytes());
            h.extend(body);
        }
        h.extend(b"data");
        h.extend(u32::MAX.to_le_bytes());
        h
    }

    fn write_header(&mut self) -> Result<(), EncodeError> {
        if self.header_written {
            return Ok(());
        }
        let header = self.header();
        self.data_size_pos = header.len() as u64 - 4;
        self.data_start = header.len() as u64;
        self.sink.write_all(&header)?;
        self.header_written = true;
        Ok(())
    }

    fn write_buffer(&mut self) -> Result<(), EncodeError> {
        if !self.buffer.is_empty() {
            self.sink.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// Writes the RIFF and data sizes (seekable sinks), then returns to the end.
    fn patch_sizes(&mut self) -> Result<(), EncodeError> {
        let Sink::Seekable(w) = &mut self.sink else {
            return Ok(());
        };
        let riff = self.data_start + self.data_bytes + (self.data_bytes & 1) - 8;
        let (Ok(riff), Ok(data)) = (u32::try_from(riff), u32::try_from(self.data_bytes)) else {
            return Err(EncodeError::Unsupported(format!(
                "a WAV file holds at most 4 GiB of audio ({} bytes written); use FLAC for longer \
                 recordings",
                self.data_bytes
            )));
        };
        w.seek(SeekFrom::Start(4))?;
        w.write_all(&riff.to_le_bytes())?;
        w.seek(SeekFrom::Start(self.data_size_pos))?;
        w.write_all(&data.to_le_bytes())?;
        w.seek(SeekFrom::End(0))?;
        Ok(())
    }

    fn check_open(&self) -> Result<(), EncodeError> {
        if self.finished {
            return Err(EncodeError::InvalidArgument(format!(
                "the {} encoder has finished; nothing more can be written",
                self.codec
            )));
        }
        Ok(())
    }
}

/// Appends interleaved little-endian bytes of `planes` to `out`.
fn interleave<T: Copy, const N: usize>(
    planes: &[Vec<T>],
    out: &mut Vec<u8>,
    to_bytes: impl Fn(T) -> [u8; N],
) {
    let frames = planes.first().map_or(0, Vec::len);
    let frame_bytes = planes.len() * N;
    let start = out.len();
    out.resize(start + frames * frame_bytes, 0);
    let dst = &mut out[start..];
    for (c, plane) in planes.iter().enumerate() {
        // Channel c sits at byte c * N of every frame.
        let slots = dst
            .chunks_exact_mut(frame_bytes)
            .map(|f| &mut f[c * N..c * N + N]);
        for (slot, &s) in slots.zip(plane) {
            slot.copy_from_slice(&to_bytes(s));
        }
    }
}

impl Encoder for WavEncoder {
    fn codec(&self) -> &'static str {
        self.codec
    }

    fn input_format(&self) -> SampleFormat {
        self.format
    }

    fn set_tags(&mut self, tags: &Options) -> Result<(), EncodeError> {
        if self.header_written {
            return Err(EncodeError::InvalidArgument(
                "tags must be set before the first audio is written".into(),
            ));
        }
        self.tags = tags.clone();
        Ok(())
    }

    fn encode(&mut self, samples: Planar<'_>) -> Result<(), EncodeError> {
        self.check_open()?;
        if samples.channels() != usize::from(self.channels) {
            return Err(EncodeError::InvalidArgument(format!(
                "{} channels given to a {}-channel {} encoder",
                samples.channels(),
                self.channels,
                self.codec
            )));
        }
        self.write_header()?;
        let before = self.buffer.len();
        match (self.format, samples) {
            (SampleFormat::U8, Planar::U8(p)) => interleave(p, &mut self.buffer, |s| [s]),
            (SampleFormat::S16, Planar::I16(p)) => {
                interleave(p, &mut self.buffer, i16::to_le_bytes)
            }
            (SampleFormat::S24, Planar::I32(p)) => interleave(p, &mut self.buffer, |s: i32| {
                let b = s.to_le_bytes();
                [b[0], b[1], b[2]]
            }),
            (SampleFormat::S32, Planar::I32(p)) => {
                interleave(p, &mut self.buffer, i32::to_le_bytes)
            }
            (SampleFormat::F32, Planar::F32(p)) => {
                interleave(p, &mut self.buffer, f32::to_le_bytes)
            }
            (SampleFormat::F64, Planar::F64(p)) => {
                interleave(p, &mut self.buffer, f64::to_le_bytes)
            }
            (format, _) => {
                return Err(EncodeError::InvalidArgument(format!(
                    "the {} encoder takes {} samples",
                    self.codec,
                    format.name()
                )))
            }
        }
        self.data_bytes += (self.buffer.len() - before) as u64;
        if self.buffer.len() >= WRITE_BUFFER {
            self.write_buffer()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), EncodeError> {
        if self.finished {
            return Ok(());
        }
        self.write_header()?;
        self.write_buffer()?;
        self.patch_sizes()?;
        self.sink.flush()?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), EncodeError> {
        if self.finished {
            return Ok(());
        }
        self.write_header()?;
        self.write_buffer()?;
        if self.data_bytes % 2 == 1 && self.sink.is_seekable() {
            // RIFF chunks are padded to an even size. Not on a stream: its sizes stay
            // 0xFFFFFFFF ("to the end of the file"), so a reader would take the pad byte for
            // one more sample (FFmpeg's WAV muxer pads only when it can patch the sizes too).
            self.sink.write_all(&[0])?;
        }
        self.patch_sizes()?;
        self.sink.flush()?;
        self.finished = true;
        Ok(())
    }

    fn delay(&self) -> EncoderDelay {
        EncoderDelay::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{open_encoder, StreamSpec};
    use std::io::Cursor;
    use std::sync::{Arc, Mutex};

    /// A seekable in-memory sink the test can read after the encoder is done with it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Cursor<Vec<u8>>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::ErrorKind::Other)?
                .write(b)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl Seek for Shared {
        fn seek(&mut self, p: SeekFrom) -> std::io::Result<u64> {
            self.0
                .lock()
                .map_err(|_| std::io::ErrorKind::Other)?
                .seek(p)
        }
    }

    #[test]
    fn header_sizes_are_patched_and_odd_data_is_padded() {
        let out = Shared::default();
        let spec = StreamSpec {
            sample_rate: 8000,
            channels: 1,
        };
        let mut enc = open_encoder(
            &EncoderRequest::new("pcm_u8", spec),
            Sink::seekable(out.clone()),
        )
        .unwrap();
        enc.encode(Planar::U8(&[vec![1, 2, 3]])).unwrap();
        enc.finish().unwrap();
        let bytes = out.0.lock().unwrap().get_ref().clone();
        assert_eq!(&bytes[..4], b"RIFF");
        assert_eq!(
            u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize,
            bytes.len() - 8
        );
        assert_eq!(&bytes[36..40], b"data");
        assert_eq!(
            u32::from_le_bytes([bytes[40], bytes[41], bytes[42], bytes[43]]),
            3
        );
        assert_eq!(&bytes[44..], &[1, 2, 3, 0]);
    }

    #[test]
    fn a_stream_gets_no_pad_byte() {
        let out = Shared::default();
        let spec = StreamSpec {
            sample_rate: 8000,
            channels: 1,
        };
        let mut enc = open_encoder(
            &EncoderRequest::new("pcm_u8", spec),
            Sink::stream(out.clone()),
        )
        .unwrap();
        enc.encode(Planar::U8(&[vec![1, 2, 3]])).unwrap();
        enc.finish().unwrap();
        let bytes = out.0.lock().unwrap().get_ref().clone();
        assert_eq!(&bytes[40..44], &[0xFF; 4], "open-ended data size");
        assert_eq!(
            &bytes[44..],
            &[1, 2, 3],
            "no pad byte to be read as a sample"
        );
    }

    #[test]
    fn byte_rates_beyond_32_bits_are_refused() {
        let spec = StreamSpec {
            sample_rate: 2_080_472_188,
            channels: 2,
        };
        let e = open_encoder(
            &EncoderRequest::new("pcm_s16le", spec),
            Sink::stream(std::io::sink()),
        )
        .err()
        .unwrap();
        assert!(matches!(e, EncodeError::InvalidArgument(_)), "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains("2080472188") && msg.contains("1073741823"),
            "{msg}"
        );
        let spec = StreamSpec {
            sample_rate: 1_073_741_823,
            channels: 2,
        };
        assert!(open_encoder(
            &EncoderRequest::new("pcm_s16le", spec),
            Sink::stream(std::io::sink())
        )
        .is_ok());
    }

    #[test]
    fn wrong_format_and_settings_are_rejected() {
        let spec = StreamSpec {
            sample_rate: 8000,
            channels: 1,
        };
        let mut req = EncoderRequest::new("pcm_s16le", spec);
        req.format = Some(SampleFormat::S24);
        let e = open_encoder(&req, Sink::stream(std::io::sink()))
            .err()
            .unwrap();
        assert!(e.to_string().contains("pcm_s24le"), "{e}");
        let mut req = EncoderRequest::new("pcm_s16le", spec);
        req.options.insert("foo".into(), "1".into());
        let e = open_encoder(&req, Sink::stream(std::io::sink()))
            .err()
            .unwrap();
        assert!(e.to_string().contains("foo"), "{e}");
    }
}
