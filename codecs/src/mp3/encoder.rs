//! [`Mp3Encoder`]: the encoder's stages, buffering and the [`crate::Encoder`] implementation.

use super::lame::{lame_failed, Lame};
use super::settings::{invalid, Settings, CHUNK, INPUT_LIMIT, LAME_DELAY, OUT_BUFFER};
use super::tags::{crc16, id3_frame, OwnTag, Text};
use super::CODEC;
use crate::{
    EncodeError, Encoder, EncoderDelay, EncoderRequest, Options, Planar, SampleFormat, Sink,
};
use mp3lame_sys as sys;
use std::ffi::{c_char, c_int, c_ushort, CString};
use std::io::{Seek, SeekFrom, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stage {
    /// Settings made; tags may still change; nothing written.
    Configured,
    /// `lame_init_params` done and the ID3v2 tag written.
    Encoding,
    /// `lame_encode_flush` done.
    Finished,
}

/// The MP3 encoder (see the module docs).
///
/// ```
/// use audiostream_codecs::{open_encoder, CodecConfig, EncoderRequest, Planar, Sink, StreamSpec};
/// let mut req = EncoderRequest::new("mp3", StreamSpec { sample_rate: 44100, channels: 1 });
/// req.config = CodecConfig { qscale: Some(2.0), ..Default::default() }; // lame -V 2
/// let out = std::io::Cursor::new(Vec::new());
/// let mut enc = open_encoder(&req, Sink::seekable(out))?;
/// enc.encode(Planar::F32(&[vec![0.0; 4410]]))?;
/// enc.finish()?;
/// assert_eq!(enc.delay().delay, 576);
/// # Ok::<(), audiostream_codecs::EncodeError>(())
/// ```
pub struct Mp3Encoder {
    pub(super) lame: Lame,
    sink: Sink,
    channels: usize,
    stage: Stage,
    /// Where the first MP3 frame (the tag frame) starts, on seekable sinks.
    tag_frame_pos: Option<u64>,
    /// LAME's output, reused for every call.
    out: Vec<u8>,
    /// Copies of input chunks with non-finite samples replaced.
    scratch: [Vec<f32>; 2],
    /// Whether the "samples tamed" warning was logged.
    warned: bool,
    pub(super) delay: EncoderDelay,
    pub(super) settings: Settings,
    /// Our own tag frame, when LAME's does not fit (low CBR rates).
    own_tag: Option<OwnTag>,
}

impl Mp3Encoder {
    /// Checks the request, makes and configures the LAME handle; nothing is written yet.
    pub fn new(request: &EncoderRequest<'_>, sink: Sink) -> Result<Self, EncodeError> {
        if request.codec != CODEC {
            return Err(EncodeError::Unsupported(format!(
                "encoder \"{}\" in the MP3 adapter; it takes: mp3",
                request.codec
            )));
        }
        let settings = Settings::from_request(request, sink.is_seekable())?;
        // Whatever our checks missed, LAME's own must not fail later: try the settings on a
        // throwaway handle (the real one gets `lame_init_params` after the tags are set).
        {
            let mut probe = Lame::new()?;
            probe.configure(&settings)?;
            probe.init_params().map_err(|_| {
                invalid(format!(
                    "LAME rejects these settings for encoder mp3: {settings:?}"
                ))
            })?;
        }
        let mut lame = Lame::new()?;
        lame.configure(&settings)?;
        Ok(Mp3Encoder {
            lame,
            sink,
            channels: usize::from(settings.channels),
            stage: Stage::Configured,
            tag_frame_pos: None,
            out: vec![0; OUT_BUFFER],
            scratch: [Vec::with_capacity(CHUNK), Vec::with_capacity(CHUNK)],
            warned: false,
            settings,
            own_tag: None,
            delay: EncoderDelay {
                delay: LAME_DELAY,
                padding: 0,
            },
        })
    }

    /// `lame_init_params`, then the ID3v2 tag; the first MP3 frame comes next.
    fn start(&mut self) -> Result<(), EncodeError> {
        if self.stage != Stage::Configured {
            return Ok(());
        }
        self.lame.init_params()?;
        // SAFETY: valid, initialized handle.
        let delay = unsafe { sys::lame_get_encoder_delay(self.lame.ptr()) };
        self.delay.delay = u32::try_from(delay).unwrap_or(LAME_DELAY);
        let id3 = self.lame.id3v2_tag()?;
        self.sink.write_all(&id3)?;
        if let (true, Sink::Seekable(w)) = (self.settings.lame_tag, &mut self.sink) {
            self.tag_frame_pos = Some(w.stream_position()?);
            self.own_tag = OwnTag::layout(&self.lame, &self.settings);
            if let Some(own) = &self.own_tag {
                // A placeholder as LAME's: the header, then zeros (a silent frame).
                let mut frame = own.header.to_vec();
                frame.resize(own.len, 0);
                w.write_all(&frame)?;
            }
        }
        self.stage = Stage::Encoding;
        Ok(())
    }

    /// Writes `n` bytes of LAME's output (a return code checked by the caller).
    fn write_out(&mut self, call: &str, rc: c_int) -> Result<(), EncodeError> {
        let n = usize::try_from(rc).map_err(|_| lame_failed(call, rc))?;
        let bytes = self.out.get(..n).ok_or_else(|| {
            EncodeError::Failed(format!(
                "LAME {call} reported {n} bytes in a smaller buffer"
            ))
        })?;
        self.sink.write_all(bytes)?;
        if let Some(own) = &mut self.own_tag {
            own.audio_bytes += n as u64;
            own.music_crc = crc16(own.music_crc, bytes);
        }
        Ok(())
    }

    fn encode_f32(&mut self, planes: &[Vec<f32>]) -> Result<(), EncodeError> {
        let (Some(left), right) = (planes.first(), planes.get(1)) else {
            return Ok(());
        };
        let right = right.unwrap_or(left);
        if right.len() != left.len() {
            return Err(invalid(format!(
                "channels of different lengths ({} and {}) given to the mp3 encoder",
                left.len(),
                right.len()
            )));
        }
        let mono = self.channels == 1;
        for (l, r) in left.chunks(CHUNK).zip(right.chunks(CHUNK)) {
            // Scaled to LAME's 16-bit range by 32768 (exact, and what FFmpeg's libmp3lame
            // feeds to lame_encode_buffer_float); NaN and absurd values are tamed, as LAME's
            // psychoacoustics would turn them into NaN / infinite energies.
            let [sl, sr] = &mut self.scratch;
            let mut tamed = false;
            for (dst, src) in
                [(&mut *sl, l), (&mut *sr, r)]
                    .into_iter()
                    .take(if mono { 1 } else { 2 })
            {
                dst.clear();
                dst.extend(src.iter().map(|&x| {
                    let v = x * 32768.0;
                    if v.is_nan() || v.abs() > INPUT_LIMIT {
                        tamed = true;
                        if v.is_nan() {
                            0.0
                        } else {
                            v.clamp(-INPUT_LIMIT, INPUT_LIMIT)
                        }
                    } else {
                        v
                    }
                }));
            }
            if tamed && !self.warned {
                self.warned = true;
                log::warn!(
                    "mp3 encoder: NaN samples replaced by 0 and samples beyond ±{} clipped",
                    INPUT_LIMIT / 32768.0
                );
            }
            let l = sl.as_slice();
            let r = if mono { l } else { sr.as_slice() };
            if r.len() != l.len() {
                return Err(EncodeError::Failed("channel buffers out of step".into()));
            }
            // SAFETY: valid, initialized handle; `l` and `r` hold `l.len()` floats each
            // (checked equal, <= CHUNK); `out` is writable for `out.len()` bytes, which
            // lame.h's bound (1.25 n + 7200) guarantees is enough for CHUNK frames.
            let rc = unsafe {
                sys::lame_encode_buffer_float(
                    self.lame.ptr(),
                    l.as_ptr(),
                    r.as_ptr(),
                    l.len() as c_int,
                    self.out.as_mut_ptr(),
                    self.out.len() as c_int,
                )
            };
            self.write_out("lame_encode_buffer_float", rc)?;
        }
        Ok(())
    }

    fn set_id3(&mut self, tags: &Options) -> Result<(), EncodeError> {
        let gfp = self.lame.ptr();
        // SAFETY: valid handle, before lame_init_params; these only reset / set tag flags.
        unsafe {
            sys::id3tag_init(gfp);
            sys::id3tag_add_v2(gfp);
            sys::id3tag_v2_only(gfp);
        }
        for (key, value) in tags {
            if value.is_empty() {
                continue;
            }
            let frame = id3_frame(key);
            let text = match frame {
                Some(_) => Text::new(key, value)?,
                None if key.contains('=') || key.is_empty() => {
                    log::warn!("mp3 encoder: tag key \"{key}\" cannot be written to ID3v2");
                    continue;
                }
                None => Text::new(key, &format!("{key}={value}"))?,
            };
            let id = CString::new(frame.unwrap_or("TXXX"))
                .map_err(|_| EncodeError::Failed("frame id with NUL".into()))?;
            let rc = match (&text, frame) {
                // SAFETY (all arms): valid handle; every string is NUL-terminated and outlives
                // the call; LAME copies them.
                (Text::Latin1(t), Some("COMM")) => unsafe {
                    sys::id3tag_set_comment_latin1(gfp, std::ptr::null(), c"".as_ptr(), t.as_ptr())
                },
                (Text::Utf16(t), Some("COMM")) => {
                    let empty: [c_ushort; 2] = [0xFEFF, 0];
                    unsafe {
                        sys::id3tag_set_comment_utf16(
                            gfp,
                            std::ptr::null(),
                            empty.as_ptr(),
                            t.as_ptr(),
                        )
                    }
                }
                (Text::Latin1(t), _) => unsafe {
                    sys::id3tag_set_textinfo_latin1(gfp, id.as_ptr(), t.as_ptr() as *const c_char)
                },
                (Text::Utf16(t), _) => unsafe {
                    sys::id3tag_set_textinfo_utf16(gfp, id.as_ptr(), t.as_ptr())
                },
            };
            match rc {
                0 => {}
                -1 if frame == Some("TCON") => {
                    return Err(invalid(format!(
                        "tag genre = \"{value}\": a number must be an ID3v1 genre 0 ..= 191"
                    )))
                }
                rc => {
                    return Err(EncodeError::Failed(format!(
                        "LAME refused tag \"{key}\" ({rc})"
                    )))
                }
            }
        }
        Ok(())
    }
}

impl Encoder for Mp3Encoder {
    fn codec(&self) -> &'static str {
        CODEC
    }

    fn input_format(&self) -> SampleFormat {
        SampleFormat::F32
    }

    fn set_tags(&mut self, tags: &Options) -> Result<(), EncodeError> {
        if self.stage != Stage::Configured {
            return Err(invalid(
                "tags must be set before the first audio is written".into(),
            ));
        }
        self.set_id3(tags)
    }

    fn encode(&mut self, samples: Planar<'_>) -> Result<(), EncodeError> {
        if self.stage == Stage::Finished {
            return Err(invalid(
                "the mp3 encoder has finished; nothing more can be written".into(),
            ));
        }
        let Planar::F32(planes) = samples else {
            return Err(invalid("the mp3 encoder takes flt samples".into()));
        };
        if planes.len() != self.channels {
            return Err(invalid(format!(
                "{} channels given to a {}-channel mp3 encoder",
                planes.len(),
                self.channels
            )));
        }
        self.start()?;
        self.encode_f32(planes)
    }

    fn flush(&mut self) -> Result<(), EncodeError> {
        if self.stage == Stage::Finished {
            return Ok(());
        }
        self.start()?;
        self.sink.flush()?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), EncodeError> {
        if self.stage == Stage::Finished {
            return Ok(());
        }
        self.start()?;
        self.stage = Stage::Finished;
        // SAFETY: valid, initialized handle; `out` is writable for `out.len()` (>= 7200, as
        // lame.h asks) bytes.
        let rc = unsafe {
            sys::lame_encode_flush(
                self.lame.ptr(),
                self.out.as_mut_ptr(),
                self.out.len() as c_int,
            )
        };
        self.write_out("lame_encode_flush", rc)?;
        // SAFETY: valid handle, after lame_encode_flush.
        let padding = unsafe { sys::lame_get_encoder_padding(self.lame.ptr()) };
        self.delay.padding = u32::try_from(padding).unwrap_or(0);
        if let (Some(pos), Sink::Seekable(w)) = (self.tag_frame_pos, &mut self.sink) {
            let frame = match &self.own_tag {
                Some(own) => own.frame(&self.lame, &self.settings, self.delay),
                None => self.lame.lametag_frame()?,
            };
            if !frame.is_empty() {
                let end = w.stream_position()?;
                w.seek(SeekFrom::Start(pos))?;
                w.write_all(&frame)?;
                w.seek(SeekFrom::Start(end))?;
            }
        }
        self.sink.flush()?;
        Ok(())
    }

    fn delay(&self) -> EncoderDelay {
        self.delay
    }
}
