//! libFLAC itself (the library `flac` is built on, through `libflac-sys`) as the reference
//! decoder: unlike the `flac` command line, which stops where a stream changes its rate,
//! channels or bit depth, the library hands over every frame in its own shape.

use libflac_sys::*;
use std::ffi::{c_void, CString};
use std::path::Path;

/// One frame as libFLAC decoded it.
pub struct Frame {
    pub sample_rate: u32,
    pub bits: u32,
    /// `channels` planes of `blocksize` samples.
    pub planes: Vec<Vec<i32>>,
}

impl Frame {
    pub fn frames(&self) -> usize {
        self.planes.first().map_or(0, Vec::len)
    }
}

unsafe extern "C" fn on_write(
    _decoder: *const FLAC__StreamDecoder,
    frame: *const FLAC__Frame,
    buffer: *const *const FLAC__int32,
    client: *mut c_void,
) -> FLAC__StreamDecoderWriteStatus {
    // SAFETY: libFLAC passes the frame it decoded and one plane pointer per channel, each
    // `blocksize` samples long, valid during this call; `client` is the `Vec<Frame>` that
    // `decode` passed to `FLAC__stream_decoder_init_file` and outlives the decode.
    unsafe {
        let frames = &mut *(client as *mut Vec<Frame>);
        let header = &(*frame).header;
        let n = header.blocksize as usize;
        let planes = (0..header.channels as usize)
            .map(|c| std::slice::from_raw_parts(*buffer.add(c), n).to_vec())
            .collect();
        frames.push(Frame {
            sample_rate: header.sample_rate,
            bits: header.bits_per_sample,
            planes,
        });
    }
    FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE
}

unsafe extern "C" fn on_error(
    _decoder: *const FLAC__StreamDecoder,
    _status: FLAC__StreamDecoderErrorStatus,
    _client: *mut c_void,
) {
    // Lost sync and bad frames are skipped by libFLAC, as `flac -d -F` does.
}

/// Every frame libFLAC decodes from `path`, or why it could not start.
pub fn decode(path: &Path) -> Result<Vec<Frame>, String> {
    let name = CString::new(path.to_string_lossy().as_bytes()).map_err(|e| e.to_string())?;
    let mut frames: Vec<Frame> = Vec::new();
    // SAFETY: the decoder is created, used and deleted here; the callbacks get `frames`, which
    // lives until after the decoder is deleted.
    unsafe {
        let decoder = FLAC__stream_decoder_new();
        if decoder.is_null() {
            return Err("FLAC__stream_decoder_new failed".into());
        }
        let status = FLAC__stream_decoder_init_file(
            decoder,
            name.as_ptr(),
            Some(on_write),
            None,
            Some(on_error),
            &mut frames as *mut Vec<Frame> as *mut c_void,
        );
        if status != FLAC__STREAM_DECODER_INIT_STATUS_OK {
            FLAC__stream_decoder_delete(decoder);
            return Err(format!("libFLAC cannot open it (init status {status})"));
        }
        FLAC__stream_decoder_process_until_end_of_stream(decoder);
        FLAC__stream_decoder_finish(decoder);
        FLAC__stream_decoder_delete(decoder);
    }
    Ok(frames)
}
