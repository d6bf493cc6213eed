//! The LAME handle: an owned `lame_global_flags`, its setters and encode calls (mp3lame-sys).

use super::settings::{RateMode, Settings};
use crate::EncodeError;
use mp3lame_sys as sys;
use std::ffi::c_int;
use std::ptr::NonNull;
use std::sync::Mutex;

/// What a negative LAME return code means (lame.h).
pub(super) fn lame_failed(call: &str, rc: c_int) -> EncodeError {
    let what = match rc {
        -1 => "output buffer too small",
        -2 => "out of memory",
        -3 => "lame_init_params not called or failed",
        -4 => "psychoacoustic model problem",
        -6 => "ReplayGain analysis failed",
        _ => "unknown error",
    };
    EncodeError::Failed(format!("LAME {call} returned {rc} ({what})"))
}

/// Serializes `lame_init`: it fills a process-wide table (`init_log_table`) on first use.
pub(super) static LAME_INIT: Mutex<()> = Mutex::new(());

/// An owned LAME handle (`lame_close` on drop).
pub(super) struct Lame(NonNull<sys::lame_global_flags>);

// SAFETY: a LAME handle is a heap object with no thread affinity; `Lame` owns it exclusively
// (never copied or shared) and every use goes through the one encoder that holds it, so moving
// it to another thread cannot create aliasing. The only process-wide state LAME 3.100 writes
// is a lookup table filled in `lame_init` (serialized by `LAME_INIT`, read-only afterwards);
// bitstream.c's `hogege` counter exists only in DEBUG builds.
unsafe impl Send for Lame {}

impl Drop for Lame {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `lame_init` and is closed exactly once, here.
        unsafe {
            sys::lame_close(self.0.as_ptr());
        }
    }
}

pub(super) type IntSetter = unsafe extern "C" fn(*mut sys::lame_global_flags, c_int) -> c_int;

impl Lame {
    pub(super) fn new() -> Result<Self, EncodeError> {
        let _guard = LAME_INIT.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: lame_init has no preconditions; it returns null on allocation failure.
        let ptr = unsafe { sys::lame_init() };
        let lame = NonNull::new(ptr)
            .map(Lame)
            .ok_or_else(|| EncodeError::Failed("lame_init failed (out of memory)".into()))?;
        // SAFETY: valid handle; null report functions make LAME print nothing (util.c checks
        // for null before calling them). Errors still come back as return codes.
        unsafe {
            sys::lame_set_errorf(lame.ptr(), None);
            sys::lame_set_debugf(lame.ptr(), None);
            sys::lame_set_msgf(lame.ptr(), None);
        }
        Ok(lame)
    }

    pub(super) fn ptr(&self) -> *mut sys::lame_global_flags {
        self.0.as_ptr()
    }

    /// Calls an `int lame_set_*(gfp, int)` setter and checks its result.
    pub(super) fn set(
        &mut self,
        name: &str,
        setter: IntSetter,
        value: c_int,
    ) -> Result<(), EncodeError> {
        // SAFETY: valid handle; `setter` is one of LAME's `int lame_set_*(gfp, int)` functions,
        // which only check and store the value in the handle.
        let rc = unsafe { setter(self.ptr(), value) };
        if rc < 0 {
            return Err(EncodeError::Failed(format!(
                "LAME {name}({value}) returned {rc}"
            )));
        }
        Ok(())
    }

    pub(super) fn configure(&mut self, s: &Settings) -> Result<(), EncodeError> {
        let rate = s.sample_rate as c_int;
        self.set("lame_set_in_samplerate", sys::lame_set_in_samplerate, rate)?;
        self.set(
            "lame_set_out_samplerate",
            sys::lame_set_out_samplerate,
            rate,
        )?;
        self.set(
            "lame_set_num_channels",
            sys::lame_set_num_channels,
            c_int::from(s.channels),
        )?;
        let mode = if s.channels == 1 {
            sys::MPEG_mode::MONO
        } else if s.joint_stereo {
            sys::MPEG_mode::JOINT_STEREO
        } else {
            sys::MPEG_mode::STEREO
        };
        self.set("lame_set_mode", sys::lame_set_mode, mode)?;
        match s.rate {
            RateMode::Default => {
                self.set("lame_set_VBR", sys::lame_set_VBR, sys::vbr_mode::vbr_off)?
            }
            RateMode::Cbr(kbps) => {
                self.set("lame_set_VBR", sys::lame_set_VBR, sys::vbr_mode::vbr_off)?;
                self.set("lame_set_brate", sys::lame_set_brate, kbps as c_int)?;
            }
            RateMode::Abr(kbps) => {
                self.set("lame_set_VBR", sys::lame_set_VBR, sys::vbr_mode::vbr_abr)?;
                self.set(
                    "lame_set_VBR_mean_bitrate_kbps",
                    sys::lame_set_VBR_mean_bitrate_kbps,
                    kbps as c_int,
                )?;
            }
            RateMode::Vbr(q) => {
                self.set("lame_set_VBR", sys::lame_set_VBR, sys::vbr_mode::vbr_mtrh)?;
                // SAFETY: valid handle; the setter stores the value.
                let rc = unsafe { sys::lame_set_VBR_quality(self.ptr(), q) };
                if rc < 0 {
                    return Err(EncodeError::Failed(format!(
                        "LAME lame_set_VBR_quality({q}) returned {rc}"
                    )));
                }
            }
        }
        if let Some(kbps) = s.min_kbps {
            self.set(
                "lame_set_VBR_min_bitrate_kbps",
                sys::lame_set_VBR_min_bitrate_kbps,
                kbps as c_int,
            )?;
            self.set("lame_set_VBR_hard_min", sys::lame_set_VBR_hard_min, 1)?;
        }
        if let Some(kbps) = s.max_kbps {
            self.set(
                "lame_set_VBR_max_bitrate_kbps",
                sys::lame_set_VBR_max_bitrate_kbps,
                kbps as c_int,
            )?;
        }
        if let Some(q) = s.quality {
            self.set("lame_set_quality", sys::lame_set_quality, q)?;
        }
        self.set(
            "lame_set_bWriteVbrTag",
            sys::lame_set_bWriteVbrTag,
            c_int::from(s.lame_tag),
        )?;
        // SAFETY: valid handle. We write the ID3v2 tag ourselves (so we know where the first
        // frame starts); this also keeps LAME from appending an ID3v1 tag.
        unsafe { sys::lame_set_write_id3tag_automatic(self.ptr(), 0) };
        Ok(())
    }

    pub(super) fn init_params(&mut self) -> Result<(), EncodeError> {
        // SAFETY: valid handle, configured.
        let rc = unsafe { sys::lame_init_params(self.ptr()) };
        if rc < 0 {
            return Err(EncodeError::Failed(format!(
                "LAME lame_init_params returned {rc} (settings rejected)"
            )));
        }
        Ok(())
    }

    /// LAME's ID3v2 tag (empty when no tag was set).
    pub(super) fn id3v2_tag(&mut self) -> Result<Vec<u8>, EncodeError> {
        // SAFETY: valid handle; a null buffer of size 0 asks for the size.
        let need = unsafe { sys::lame_get_id3v2_tag(self.ptr(), std::ptr::null_mut(), 0) };
        if need == 0 {
            return Ok(Vec::new());
        }
        let mut tag = vec![0u8; need];
        // SAFETY: `tag` is writable for `tag.len()` bytes, which is what LAME is told.
        let got = unsafe { sys::lame_get_id3v2_tag(self.ptr(), tag.as_mut_ptr(), tag.len()) };
        if got != need {
            return Err(EncodeError::Failed(format!(
                "LAME lame_get_id3v2_tag returned {got} bytes, expected {need}"
            )));
        }
        Ok(tag)
    }

    /// LAME's final Xing/LAME tag frame (empty when the tag is off).
    pub(super) fn lametag_frame(&self) -> Result<Vec<u8>, EncodeError> {
        // SAFETY: valid handle; a null buffer of size 0 asks for the size.
        let need = unsafe { sys::lame_get_lametag_frame(self.ptr(), std::ptr::null_mut(), 0) };
        if need == 0 {
            return Ok(Vec::new());
        }
        let mut frame = vec![0u8; need];
        // SAFETY: `frame` is writable for `frame.len()` bytes, which is what LAME is told.
        let got =
            unsafe { sys::lame_get_lametag_frame(self.ptr(), frame.as_mut_ptr(), frame.len()) };
        if got != need {
            return Err(EncodeError::Failed(format!(
                "LAME lame_get_lametag_frame returned {got} bytes, expected {need}"
            )));
        }
        Ok(frame)
    }
}
