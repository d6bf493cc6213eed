//! libFLAC's stream encoder through its C API: the owned encoder handle (`Live`), the
//! `Output` its callbacks write into, its settings and its status names.

use super::MAX_CHANNELS;
use crate::EncodeError;
use libflac_sys::{
    FLAC__StreamEncoder, FLAC__StreamEncoderInitStatus, FLAC__StreamEncoderState,
    FLAC__StreamEncoderWriteStatus, FLAC__StreamMetadata, FLAC__bool, FLAC__byte,
    FLAC__stream_encoder_delete, FLAC__stream_encoder_finish, FLAC__stream_encoder_get_state,
    FLAC__stream_encoder_init_stream, FLAC__stream_encoder_new, FLAC__stream_encoder_process,
    FLAC__stream_encoder_set_bits_per_sample, FLAC__stream_encoder_set_channels,
    FLAC__stream_encoder_set_compression_level, FLAC__stream_encoder_set_sample_rate,
    FLAC__stream_encoder_set_streamable_subset, FLAC__stream_encoder_set_verify,
    FLAC__METADATA_TYPE_STREAMINFO, FLAC__STREAM_ENCODER_INIT_STATUS_OK,
    FLAC__STREAM_ENCODER_WRITE_STATUS_OK,
};
use std::ffi::c_void;
use std::ptr::NonNull;

extern "C" {
    /// Whether libFLAC computes the MD5 of the audio (default: yes). Exported by libFLAC
    /// (`FLAC_API`) but declared only in its private `share/private.h`; libFLAC promises not
    /// to change the signature, for callers that declare it themselves (xiph/flac#547).
    fn FLAC__stream_encoder_set_do_md5(
        encoder: *mut FLAC__StreamEncoder,
        value: FLAC__bool,
    ) -> FLAC__bool;
}

/// What libFLAC's callbacks record: the bytes it has written and the encoder has not yet
/// passed to the sink, the frames among them, and the MD5 of its final STREAMINFO.
#[derive(Default)]
pub(super) struct Output {
    pub(super) bytes: Vec<u8>,
    /// Frames written, the audio frames (samples per channel) in them, and the smallest and
    /// largest frame, in bytes.
    pub(super) frames: u64,
    pub(super) samples: u64,
    pub(super) min_frame: usize,
    pub(super) max_frame: usize,
    /// From the STREAMINFO libFLAC reports at `finish`.
    pub(super) md5: Option<[u8; 16]>,
}

/// libFLAC's write callback: appends to the `Output`. Frames come one per call, with their
/// sample count; the stream header comes with a count of 0. It never fails or panics.
unsafe extern "C" fn write_callback(
    _encoder: *const FLAC__StreamEncoder,
    buffer: *const FLAC__byte,
    bytes: usize,
    samples: u32,
    _current_frame: u32,
    client_data: *mut c_void,
) -> FLAC__StreamEncoderWriteStatus {
    // SAFETY: `client_data` is the `Output` box `Live::start` registered; it lives until
    // `Live::drop` frees it after deleting the encoder, and no other reference to it exists
    // while libFLAC runs (see `Live::output`).
    let out = unsafe { &mut *client_data.cast::<Output>() };
    if bytes > 0 {
        // SAFETY: libFLAC passes `bytes` readable bytes at `buffer`, valid for this call.
        out.bytes
            .extend_from_slice(unsafe { std::slice::from_raw_parts(buffer, bytes) });
    }
    if samples > 0 {
        out.min_frame = if out.frames == 0 {
            bytes
        } else {
            out.min_frame.min(bytes)
        };
        out.max_frame = out.max_frame.max(bytes);
        out.frames += 1;
        out.samples += u64::from(samples);
    }
    FLAC__STREAM_ENCODER_WRITE_STATUS_OK
}

/// libFLAC's metadata callback, called once by `FLAC__stream_encoder_finish` with the final
/// STREAMINFO: keeps its MD5.
unsafe extern "C" fn metadata_callback(
    _encoder: *const FLAC__StreamEncoder,
    metadata: *const FLAC__StreamMetadata,
    client_data: *mut c_void,
) {
    // SAFETY: `client_data` as in `write_callback`; `metadata` is null or libFLAC's block,
    // valid for this call.
    let (out, metadata) = unsafe { (&mut *client_data.cast::<Output>(), metadata.as_ref()) };
    if let Some(m) = metadata.filter(|m| m.type_ == FLAC__METADATA_TYPE_STREAMINFO) {
        // SAFETY: a STREAMINFO block's data is the `stream_info` member of the union.
        out.md5 = Some(unsafe { m.data.stream_info.md5sum });
    }
}

/// What libFLAC is set up with.
pub(super) struct Settings {
    pub(super) channels: u32,
    pub(super) bits: u32,
    pub(super) sample_rate: u32,
    pub(super) level: u32,
    pub(super) verify: bool,
    pub(super) subset: bool,
    pub(super) md5: bool,
}

/// A running libFLAC encoder together with the `Output` its callbacks write into (see the
/// module docs).
pub(super) struct Live {
    /// From `FLAC__stream_encoder_new`; deleted in `Drop`.
    pub(super) encoder: NonNull<FLAC__StreamEncoder>,
    /// From `Box::into_raw`; libFLAC's `client_data`, freed in `Drop` after the encoder.
    pub(super) output: *mut Output,
    pub(super) channels: usize,
}

// SAFETY: `Live` is the only owner of the libFLAC encoder and of the `Output` box (the only
// other holder of the box's address is that encoder). libFLAC's stream encoder has no thread
// affinity (no thread-local state; left at one thread, it works on the calling thread only),
// and `Live` is used only through `&mut`, never from two threads at once.
unsafe impl Send for Live {}

impl Live {
    /// Initialises libFLAC with `settings`. libFLAC writes the stream header (`fLaC`,
    /// STREAMINFO, VORBIS_COMMENT) into the `Output` during this call.
    pub(super) fn start(settings: &Settings) -> Result<Live, EncodeError> {
        // SAFETY: no preconditions; null when out of memory.
        let encoder = NonNull::new(unsafe { FLAC__stream_encoder_new() })
            .ok_or_else(|| failed("libFLAC could not allocate an encoder"))?;
        // From here on `live`'s `Drop` deletes the encoder and frees the box, on every path.
        let live = Live {
            encoder,
            output: Box::into_raw(Box::default()),
            channels: settings.channels as usize,
        };
        let e = encoder.as_ptr();
        let flag = |b: bool| FLAC__bool::from(b);
        // SAFETY: `e` is a fresh, uninitialised encoder: what the setters require.
        let set = unsafe {
            FLAC__stream_encoder_set_channels(e, settings.channels) != 0
                && FLAC__stream_encoder_set_bits_per_sample(e, settings.bits) != 0
                && FLAC__stream_encoder_set_sample_rate(e, settings.sample_rate) != 0
                && FLAC__stream_encoder_set_compression_level(e, settings.level) != 0
                && FLAC__stream_encoder_set_verify(e, flag(settings.verify)) != 0
                && FLAC__stream_encoder_set_streamable_subset(e, flag(settings.subset)) != 0
                && FLAC__stream_encoder_set_do_md5(e, flag(settings.md5)) != 0
        };
        if !set {
            return Err(failed("libFLAC refused a setting"));
        }
        // SAFETY: `e` is set up and uninitialised; the callbacks have libFLAC's signatures;
        // `client_data` is the `Output` box, which outlives the encoder (see `Drop`) and which
        // libFLAC reaches only during calls made through `live`.
        let status = unsafe {
            FLAC__stream_encoder_init_stream(
                e,
                Some(write_callback),
                None,
                None,
                Some(metadata_callback),
                live.output.cast(),
            )
        };
        if status != FLAC__STREAM_ENCODER_INIT_STATUS_OK {
            return Err(failed(&format!(
                "libFLAC could not start: {}",
                init_status_name(status)
            )));
        }
        Ok(live)
    }

    /// What the callbacks have recorded.
    pub(super) fn output(&mut self) -> &mut Output {
        // SAFETY: the box lives until `Drop`; libFLAC uses it only inside calls made through
        // `&mut self`, and none runs while this borrow of `self` lives.
        unsafe { &mut *self.output }
    }

    pub(super) fn error(&self) -> EncodeError {
        // SAFETY: a valid encoder (deleted only in `Drop`).
        let state = unsafe { FLAC__stream_encoder_get_state(self.encoder.as_ptr()) };
        failed(&format!("libFLAC: {}", state_name(state)))
    }

    /// Encodes one plane per channel, all of the same length.
    pub(super) fn process(&mut self, planes: &[&[i32]]) -> Result<(), EncodeError> {
        let frames = planes.first().map_or(0, |p| p.len());
        if planes.len() != self.channels || planes.iter().any(|p| p.len() != frames) {
            return Err(failed("planes do not match the libFLAC encoder"));
        }
        let frames = u32::try_from(frames).map_err(|_| failed("too many frames for libFLAC"))?;
        let mut pointers = [std::ptr::null::<i32>(); MAX_CHANNELS as usize];
        for (p, plane) in pointers.iter_mut().zip(planes) {
            *p = plane.as_ptr();
        }
        // SAFETY: the encoder was initialised with `self.channels` channels, and the first
        // `self.channels` pointers each point at `frames` readable samples (checked above);
        // libFLAC copies them and keeps no pointer. The callbacks it calls reach the `Output`
        // box, to which no reference exists during the call (`&mut self`).
        let ok = unsafe {
            FLAC__stream_encoder_process(self.encoder.as_ptr(), pointers.as_ptr(), frames)
        };
        if ok == 0 {
            return Err(self.error());
        }
        Ok(())
    }

    /// Encodes the last partial block; libFLAC reports the final STREAMINFO. Once only.
    pub(super) fn finish(&mut self) -> Result<(), EncodeError> {
        // SAFETY: a valid encoder; the callbacks reach the `Output` box as in `process`.
        if unsafe { FLAC__stream_encoder_finish(self.encoder.as_ptr()) } == 0 {
            return Err(self.error());
        }
        Ok(())
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        // SAFETY: the encoder comes from `FLAC__stream_encoder_new` and is deleted only here.
        // Deleting an unfinished encoder abandons it: libFLAC writes nothing more and calls no
        // callback while deleting, so it is done with the `Output` box after this.
        unsafe { FLAC__stream_encoder_delete(self.encoder.as_ptr()) };
        // SAFETY: the box comes from `Box::into_raw` in `Live::start` and is freed only here,
        // once; its only other user, the libFLAC encoder, was deleted above.
        drop(unsafe { Box::from_raw(self.output) });
    }
}

/// flac-bound's names for libFLAC's encoder states, as error messages have always shown them.
pub(super) fn state_name(state: FLAC__StreamEncoderState) -> &'static str {
    use libflac_sys::*;
    match state {
        FLAC__STREAM_ENCODER_OK => "Ok",
        FLAC__STREAM_ENCODER_UNINITIALIZED => "Uninitialized",
        FLAC__STREAM_ENCODER_OGG_ERROR => "OggError",
        FLAC__STREAM_ENCODER_VERIFY_DECODER_ERROR => "VerifyDecoderError",
        FLAC__STREAM_ENCODER_VERIFY_MISMATCH_IN_AUDIO_DATA => "VerifyMismatchInAudioData",
        FLAC__STREAM_ENCODER_CLIENT_ERROR => "ClientError",
        FLAC__STREAM_ENCODER_IO_ERROR => "IoError",
        FLAC__STREAM_ENCODER_FRAMING_ERROR => "FramingError",
        FLAC__STREAM_ENCODER_MEMORY_ALLOCATION_ERROR => "MemoryAllocationError",
        _ => "unknown state",
    }
}

/// flac-bound's names for libFLAC's initialisation failures.
pub(super) fn init_status_name(status: FLAC__StreamEncoderInitStatus) -> &'static str {
    use libflac_sys::*;
    match status {
        FLAC__STREAM_ENCODER_INIT_STATUS_ENCODER_ERROR => "EncoderError",
        FLAC__STREAM_ENCODER_INIT_STATUS_UNSUPPORTED_CONTAINER => "UnsupportedContainer",
        FLAC__STREAM_ENCODER_INIT_STATUS_INVALID_CALLBACKS => "InvalidCallbacks",
        FLAC__STREAM_ENCODER_INIT_STATUS_INVALID_NUMBER_OF_CHANNELS => "InvalidNumberOfChannels",
        FLAC__STREAM_ENCODER_INIT_STATUS_INVALID_BITS_PER_SAMPLE => "InvalidBitsPerSample",
        FLAC__STREAM_ENCODER_INIT_STATUS_INVALID_SAMPLE_RATE => "InvalidSampleRate",
        FLAC__STREAM_ENCODER_INIT_STATUS_INVALID_BLOCK_SIZE => "InvalidBlockSize",
        FLAC__STREAM_ENCODER_INIT_STATUS_INVALID_MAX_LPC_ORDER => "InvalidMaxLpcOrder",
        FLAC__STREAM_ENCODER_INIT_STATUS_INVALID_QLP_COEFF_PRECISION => "InvalidQlpCoeffPrecision",
        FLAC__STREAM_ENCODER_INIT_STATUS_BLOCK_SIZE_TOO_SMALL_FOR_LPC_ORDER => {
            "BlockSizeTooSmallForLpcOrder"
        }
        FLAC__STREAM_ENCODER_INIT_STATUS_NOT_STREAMABLE => "NotStreamable",
        FLAC__STREAM_ENCODER_INIT_STATUS_INVALID_METADATA => "InvalidMetadata",
        FLAC__STREAM_ENCODER_INIT_STATUS_ALREADY_INITIALIZED => "AlreadyInitialized",
        _ => "unknown status",
    }
}

pub(super) fn failed(what: &str) -> EncodeError {
    EncodeError::Failed(what.to_string())
}

pub(super) fn invalid(what: String) -> EncodeError {
    EncodeError::InvalidArgument(what)
}
