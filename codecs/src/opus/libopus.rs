//! A libopus multistream encoder (the copy `opusic-sys` builds from its bundled source), owned
//! and driven through its C API. The multistream surround API is used for every channel count,
//! as libopusenc (`opusenc`) does: for 1 and 2 channels it makes one plain Opus stream (mapping
//! family 0), for 3 ..= 8 libopus's surround layouts (family 1).

use super::settings::{Application, RateControl, Settings};
use crate::EncodeError;
use opusic_sys as sys;
use std::ffi::{c_int, CStr};
use std::ptr::NonNull;

/// The largest packet libopus writes (6 frames of 1275 bytes per stream plus framing), times
/// the 8 streams a 7.1 layout has at most.
pub const MAX_PACKET: usize = (1275 * 6 + 12) * 8;

/// What libopus made for the channel count: the stream layout OpusHead describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Channel mapping family: 0 (mono, stereo) or 1 (Vorbis surround order).
    pub family: u8,
    /// Opus streams in each packet.
    pub streams: u8,
    /// How many of them are coupled (stereo).
    pub coupled: u8,
    /// For each channel, the decoded channel it comes from (family 1 only).
    pub mapping: Vec<u8>,
}

/// libopus's message for an error code.
fn strerror(code: c_int) -> String {
    // SAFETY: opus_strerror returns a static NUL-terminated string for any code.
    let msg = unsafe { CStr::from_ptr(sys::opus_strerror(code)) };
    msg.to_string_lossy().into_owned()
}

/// libopus's version string (`libopus 1.6.1`), the vendor string of OpusTags.
pub fn version() -> String {
    // SAFETY: opus_get_version_string returns a static NUL-terminated string.
    let v = unsafe { CStr::from_ptr(sys::opus_get_version_string()) };
    v.to_string_lossy().into_owned()
}

fn failed(call: &str, code: c_int) -> EncodeError {
    EncodeError::Failed(format!("libopus {call}: {} ({code})", strerror(code)))
}

/// An `OpusMSEncoder`, destroyed on drop.
pub struct LibOpus {
    enc: NonNull<sys::OpusMSEncoder>,
    channels: usize,
    layout: Layout,
}

// SAFETY: `LibOpus` is the only owner of the libopus encoder, which has no thread affinity (no
// thread-local or global state), and it is used only through `&mut self`.
unsafe impl Send for LibOpus {}

impl LibOpus {
    /// Creates and configures an encoder for `s`; libopus refusing a setting is an error.
    pub fn new(s: &Settings) -> Result<Self, EncodeError> {
        let application = match s.application {
            Application::Voip => sys::OPUS_APPLICATION_VOIP,
            Application::Audio => sys::OPUS_APPLICATION_AUDIO,
            Application::LowDelay => sys::OPUS_APPLICATION_RESTRICTED_LOWDELAY,
        };
        let channels = usize::from(s.channels);
        let family = if s.channels <= 2 { 0 } else { 1 };
        let (mut streams, mut coupled): (c_int, c_int) = (0, 0);
        let mut mapping = [0u8; 255];
        let mut err: c_int = sys::OPUS_OK;
        // SAFETY: `mapping` has room for `channels` (<= 8) entries; the out-pointers are valid
        // for the call; the result is null on failure (checked).
        let enc = unsafe {
            sys::opus_multistream_surround_encoder_create(
                s.sample_rate as c_int,
                c_int::from(s.channels),
                family,
                &mut streams,
                &mut coupled,
                mapping.as_mut_ptr(),
                application,
                &mut err,
            )
        };
        let enc = match NonNull::new(enc) {
            Some(e) if err == sys::OPUS_OK => e,
            _ => return Err(failed("opus_multistream_surround_encoder_create", err)),
        };
        let mut me = LibOpus {
            enc,
            channels,
            layout: Layout {
                family: family as u8,
                streams: u8::try_from(streams).unwrap_or(0),
                coupled: u8::try_from(coupled).unwrap_or(0),
                mapping: if family == 0 {
                    Vec::new()
                } else {
                    mapping.get(..channels).unwrap_or_default().to_vec()
                },
            },
        };
        let (vbr, constrained) = match s.rate_control {
            RateControl::Vbr => (1, 0),
            RateControl::Constrained => (1, 1),
            RateControl::Cbr => (0, 0),
        };
        let depth = if s.format == crate::SampleFormat::S16 {
            16
        } else {
            24
        };
        for (name, request, value) in [
            (
                "OPUS_SET_BITRATE",
                sys::OPUS_SET_BITRATE_REQUEST,
                s.bit_rate as c_int,
            ),
            ("OPUS_SET_VBR", sys::OPUS_SET_VBR_REQUEST, vbr),
            (
                "OPUS_SET_VBR_CONSTRAINT",
                sys::OPUS_SET_VBR_CONSTRAINT_REQUEST,
                constrained,
            ),
            (
                "OPUS_SET_COMPLEXITY",
                sys::OPUS_SET_COMPLEXITY_REQUEST,
                s.complexity,
            ),
            ("OPUS_SET_LSB_DEPTH", sys::OPUS_SET_LSB_DEPTH_REQUEST, depth),
        ] {
            me.set(name, request, value)?;
        }
        Ok(me)
    }

    /// One integer `OPUS_SET_*` request.
    fn set(&mut self, name: &str, request: c_int, value: c_int) -> Result<(), EncodeError> {
        // SAFETY: a valid encoder; every request used here takes one `opus_int32` argument.
        let rc = unsafe { sys::opus_multistream_encoder_ctl(self.enc.as_ptr(), request, value) };
        if rc != sys::OPUS_OK {
            return Err(failed(name, rc));
        }
        Ok(())
    }

    /// The encoder's look-ahead in frames at its own rate (`OPUS_GET_LOOKAHEAD`).
    pub fn lookahead(&mut self) -> Result<u32, EncodeError> {
        let mut v: sys::opus_int32 = 0;
        // SAFETY: a valid encoder; the request writes one `opus_int32` through the pointer.
        let rc = unsafe {
            sys::opus_multistream_encoder_ctl(
                self.enc.as_ptr(),
                sys::OPUS_GET_LOOKAHEAD_REQUEST,
                &mut v as *mut sys::opus_int32,
            )
        };
        if rc != sys::OPUS_OK {
            return Err(failed("OPUS_GET_LOOKAHEAD", rc));
        }
        u32::try_from(v).map_err(|_| failed("OPUS_GET_LOOKAHEAD", v))
    }

    /// The stream layout for OpusHead.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Encodes one frame of `frame_size` frames (interleaved, `frame_size * channels` samples,
    /// in the layout's channel order) into `out`; returns the packet's length.
    pub fn encode_f32(
        &mut self,
        pcm: &[f32],
        frame_size: usize,
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        self.check(pcm.len(), frame_size, out.len())?;
        // SAFETY: a valid encoder; `pcm` holds `frame_size * channels` samples (checked);
        // `out` is writable for `out.len()` bytes, which is what libopus is told.
        let n = unsafe {
            sys::opus_multistream_encode_float(
                self.enc.as_ptr(),
                pcm.as_ptr(),
                frame_size as c_int,
                out.as_mut_ptr(),
                out.len() as sys::opus_int32,
            )
        };
        usize::try_from(n).map_err(|_| failed("opus_multistream_encode_float", n))
    }

    /// [`encode_f32`](Self::encode_f32) for 16-bit samples.
    pub fn encode_s16(
        &mut self,
        pcm: &[i16],
        frame_size: usize,
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        self.check(pcm.len(), frame_size, out.len())?;
        // SAFETY: as in `encode_f32`.
        let n = unsafe {
            sys::opus_multistream_encode(
                self.enc.as_ptr(),
                pcm.as_ptr(),
                frame_size as c_int,
                out.as_mut_ptr(),
                out.len() as sys::opus_int32,
            )
        };
        usize::try_from(n).map_err(|_| failed("opus_multistream_encode", n))
    }

    fn check(&self, samples: usize, frame_size: usize, out: usize) -> Result<(), EncodeError> {
        if samples != frame_size * self.channels || out < MAX_PACKET || frame_size > 5760 {
            return Err(EncodeError::Failed(format!(
                "libopus frame of {samples} samples for {frame_size} frames of {} channels",
                self.channels
            )));
        }
        Ok(())
    }
}

impl Drop for LibOpus {
    fn drop(&mut self) {
        // SAFETY: created by opus_multistream_surround_encoder_create; destroyed only here.
        unsafe { sys::opus_multistream_encoder_destroy(self.enc.as_ptr()) }
    }
}
