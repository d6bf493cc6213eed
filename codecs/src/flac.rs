//! FLAC through libFLAC (the copy bundled in `libflac-sys`, driven directly through its C API).
//!
//! # Settings
//!
//! | setting | FLAC |
//! |---|---|
//! | `encoder_format` | `s16` (default) → 16-bit FLAC, input [`SampleFormat::S16`] as [`Planar::I16`]; `s24` → 24-bit FLAC, input [`SampleFormat::S24`] as [`Planar::I32`] (range ±2^23); anything else is an error |
//! | sample rate | 1 .. 655350 Hz (rates libFLAC's "streamable subset" cannot code in a frame header, e.g. 88201 Hz, are written with the subset check off) |
//! | channels | 1 .. 8, FLAC's channel order |
//! | `CodecConfig.compression_level` | 0 (fastest) .. 8 (smallest), default 5: libFLAC's compression level (as `flac -0` .. `flac -8`) |
//! | `CodecConfig.bit_rate`, `qscale` | error: FLAC is lossless |
//! | other `CodecConfig` fields | error |
//! | `encoder_option` `verify` | `"true"` / `"false"` (default): libFLAC's verify mode (decodes every frame again and fails on a mismatch) |
//! | other `encoder_option`s | error |
//! | tags | Vorbis comments: `title` → `TITLE`, `artist` → `ARTIST`, `album` → `ALBUM`, `date` → `DATE`, `genre` → `GENRE`, `comment` → `COMMENT`, `track` → `TRACKNUMBER`, any other key uppercased |
//!
//! # Output
//!
//! The stream is `fLaC`, STREAMINFO, one VORBIS_COMMENT block (libFLAC's vendor string and the
//! tags), then frames of libFLAC's fixed block size (4096 frames at levels 3..8, 1152 at 0..2).
//! Nothing is written before the first `encode`, `flush` or `finish`.
//!
//! libFLAC is given a write and a metadata callback but no seek callback, so it never goes
//! back to fill in STREAMINFO itself. For a seekable [`Sink`] this encoder does it: on every
//! `flush` the total sample count is set to the frames written so far, and at `finish` to all of
//! them, together with the MD5 of the audio (interleaved little-endian samples, 2 bytes each
//! for 16-bit, 3 for 24-bit: what `flac -t` checks), which libFLAC computes and hands over in
//! the final STREAMINFO of its metadata callback; the minimum and maximum frame sizes are
//! filled in each time too. For a stream sink nothing is patched: total samples 0 (unknown),
//! frame sizes 0 (unknown) and an all-zero MD5 (unset), all legal, so the stream is readable
//! as it is written; libFLAC's MD5 is switched off there (nothing could use it).
//!
//! `flush` writes every whole block libFLAC has encoded; the last partial block waits for more
//! audio or `finish`. Dropping a started encoder without `finish` finishes it (errors are
//! logged).
//!
//! # How it is built
//!
//! - **libFLAC.** A private `Live` owns the libFLAC encoder (`FLAC__stream_encoder_new`, the
//!   setters, `FLAC__stream_encoder_init_stream`) and, through a raw pointer from
//!   `Box::into_raw`, the `Output` its callbacks append to (their `client_data`). libFLAC
//!   touches the `Output` only inside calls made through `&mut Live`; between calls the encoder
//!   takes the bytes and passes them to the sink. `Live`'s `Drop` deletes the libFLAC encoder
//!   before freeing the box; nothing leaks. Why not seek callbacks, so that libFLAC patches
//!   STREAMINFO itself at `finish`: the output goes through the `Output` buffer (for the tags,
//!   below), so a seek from a callback would have to reach past it into the sink, and `flush`
//!   needs its own patching anyway.
//! - **MD5.** libFLAC hashes the audio as it encodes (`FLAC__stream_encoder_set_do_md5`, on
//!   for seekable sinks only); the sum arrives in the STREAMINFO libFLAC passes to the metadata
//!   callback at `FLAC__stream_encoder_finish`. The setter is exported by libFLAC but declared
//!   only in its private headers (libFLAC keeps its signature stable for callers that declare
//!   it themselves), so it is declared here.
//! - **Tags.** The empty VORBIS_COMMENT block libFLAC writes at initialisation (vendor string
//!   only) is replaced in the buffered header by one with the tags before it reaches the sink
//!   (same vendor string, same last-block flag). libFLAC never learns the header got longer:
//!   without a seek callback it never uses its byte offsets.

use crate::{
    check_options, reject_config_fields, EncodeError, Encoder, EncoderDelay, EncoderRequest,
    Options, Planar, SampleFormat, Sink,
};
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
use std::io::{Seek, SeekFrom, Write};
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

/// The highest sample rate this encoder takes (FLAC's streamable-subset limit).
pub const MAX_SAMPLE_RATE: u32 = 655_350;
/// The most channels FLAC holds.
pub const MAX_CHANNELS: u16 = 8;
/// libFLAC's default compression level.
const DEFAULT_LEVEL: u32 = 5;
/// The highest compression level.
const MAX_LEVEL: i32 = 8;
/// Frames handed to libFLAC per call: bounds the conversion buffers.
const CHUNK: usize = 8192;
/// Metadata block type of VORBIS_COMMENT.
const VORBIS_COMMENT: u8 = 4;
/// Offset of STREAMINFO's minimum and maximum frame size (after `fLaC`, the block header and
/// the block sizes); then come 8 bytes of rate, channels, bits and total samples, then the MD5.
const FRAME_SIZES_OFFSET: u64 = 12;
/// The largest frame size STREAMINFO holds (24 bits).
const MAX_FRAME_SIZE: usize = (1 << 24) - 1;
/// The low 36 bits of the packed STREAMINFO field: total samples.
const TOTAL_MASK: u64 = (1 << 36) - 1;

/// What libFLAC's callbacks record: the bytes it has written and the encoder has not yet
/// passed to the sink, the frames among them, and the MD5 of its final STREAMINFO.
#[derive(Default)]
struct Output {
    bytes: Vec<u8>,
    /// Frames written, the audio frames (samples per channel) in them, and the smallest and
    /// largest frame, in bytes.
    frames: u64,
    samples: u64,
    min_frame: usize,
    max_frame: usize,
    /// From the STREAMINFO libFLAC reports at `finish`.
    md5: Option<[u8; 16]>,
}

/// libFLAC's write callback: appends to the [`Output`]. Frames come one per call, with their
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
struct Settings {
    channels: u32,
    bits: u32,
    sample_rate: u32,
    level: u32,
    verify: bool,
    subset: bool,
    md5: bool,
}

/// A running libFLAC encoder together with the [`Output`] its callbacks write into (see the
/// module docs).
struct Live {
    /// From `FLAC__stream_encoder_new`; deleted in `Drop`.
    encoder: NonNull<FLAC__StreamEncoder>,
    /// From `Box::into_raw`; libFLAC's `client_data`, freed in `Drop` after the encoder.
    output: *mut Output,
    channels: usize,
}

// SAFETY: `Live` is the only owner of the libFLAC encoder and of the `Output` box (the only
// other holder of the box's address is that encoder). libFLAC's stream encoder has no thread
// affinity (no thread-local state; left at one thread, it works on the calling thread only),
// and `Live` is used only through `&mut`, never from two threads at once.
unsafe impl Send for Live {}

impl Live {
    /// Initialises libFLAC with `settings`. libFLAC writes the stream header (`fLaC`,
    /// STREAMINFO, VORBIS_COMMENT) into the [`Output`] during this call.
    fn start(settings: &Settings) -> Result<Live, EncodeError> {
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
    fn output(&mut self) -> &mut Output {
        // SAFETY: the box lives until `Drop`; libFLAC uses it only inside calls made through
        // `&mut self`, and none runs while this borrow of `self` lives.
        unsafe { &mut *self.output }
    }

    fn error(&self) -> EncodeError {
        // SAFETY: a valid encoder (deleted only in `Drop`).
        let state = unsafe { FLAC__stream_encoder_get_state(self.encoder.as_ptr()) };
        failed(&format!("libFLAC: {}", state_name(state)))
    }

    /// Encodes one plane per channel, all of the same length.
    fn process(&mut self, planes: &[&[i32]]) -> Result<(), EncodeError> {
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
    fn finish(&mut self) -> Result<(), EncodeError> {
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
fn state_name(state: FLAC__StreamEncoderState) -> &'static str {
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
fn init_status_name(status: FLAC__StreamEncoderInitStatus) -> &'static str {
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

fn failed(what: &str) -> EncodeError {
    EncodeError::Failed(what.to_string())
}

fn invalid(what: String) -> EncodeError {
    EncodeError::InvalidArgument(what)
}

/// The Vorbis comment field name for a tag key; an error for names Vorbis comments cannot hold.
fn vorbis_field(key: &str) -> Result<String, EncodeError> {
    let field = match key.to_ascii_lowercase().as_str() {
        "title" => "TITLE".to_string(),
        "artist" => "ARTIST".to_string(),
        "album" => "ALBUM".to_string(),
        "date" => "DATE".to_string(),
        "genre" => "GENRE".to_string(),
        "comment" => "COMMENT".to_string(),
        "track" => "TRACKNUMBER".to_string(),
        _ => key.to_ascii_uppercase(),
    };
    // Vorbis comment field names: printable ASCII 0x20..0x7D without '='.
    if field.is_empty()
        || !field
            .bytes()
            .all(|b| (0x20..=0x7D).contains(&b) && b != b'=')
    {
        return Err(invalid(format!(
            "tag key \"{key}\" for encoder flac; Vorbis comment names are printable ASCII \
             without '=' or '~'"
        )));
    }
    Ok(field)
}

/// What the encoder needs from libFLAC's stream header.
struct Header {
    /// STREAMINFO's rate, channels, bits per sample and total samples.
    packed: u64,
    /// Byte range of the VORBIS_COMMENT block (header included) and its last-block flag.
    vorbis_comment: Option<(usize, usize, bool)>,
}

fn be_u24(b: &[u8]) -> Option<usize> {
    match b {
        &[a, b, c] => Some(usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c)),
        _ => None,
    }
}

fn le_u32(b: &[u8]) -> Option<usize> {
    let b: [u8; 4] = b.try_into().ok()?;
    usize::try_from(u32::from_le_bytes(b)).ok()
}

/// Parses `fLaC` and the metadata blocks at the start of `head`.
fn parse_header(head: &[u8]) -> Option<Header> {
    if head.get(..4)? != b"fLaC" || *head.get(4)? & 0x7F != 0 {
        return None; // STREAMINFO must come first
    }
    let packed = u64::from_be_bytes(head.get(18..26)?.try_into().ok()?);
    let mut pos = 4;
    let mut vorbis_comment = None;
    loop {
        let flags = *head.get(pos)?;
        let end = pos + 4 + be_u24(head.get(pos + 1..pos + 4)?)?;
        let last = flags & 0x80 != 0;
        if flags & 0x7F == VORBIS_COMMENT {
            vorbis_comment = Some((pos, end, last));
        }
        pos = end;
        if last {
            break;
        }
    }
    (pos <= head.len()).then_some(Header {
        packed,
        vorbis_comment,
    })
}

/// A VORBIS_COMMENT block with `vendor` and `tags`.
fn vorbis_comment_block(vendor: &[u8], tags: &[(String, String)], last: bool) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    body.extend(u32::try_from(vendor.len()).ok()?.to_le_bytes());
    body.extend(vendor);
    body.extend(u32::try_from(tags.len()).ok()?.to_le_bytes());
    for (field, value) in tags {
        let entry = format!("{field}={value}");
        body.extend(u32::try_from(entry.len()).ok()?.to_le_bytes());
        body.extend(entry.as_bytes());
    }
    let len = u32::try_from(body.len()).ok().filter(|&l| l < 1 << 24)?;
    let mut block = vec![VORBIS_COMMENT | if last { 0x80 } else { 0 }];
    block.extend(&len.to_be_bytes()[1..]);
    block.extend(body);
    Some(block)
}

/// The FLAC encoder.
pub struct FlacEncoder {
    format: SampleFormat,
    sample_rate: u32,
    channels: usize,
    level: u32,
    verify: bool,
    /// Vorbis comments, as (FIELD, value).
    tags: Vec<(String, String)>,
    sink: Sink,
    /// The running libFLAC encoder: `Some` from the first write until `finish`.
    live: Option<Live>,
    finished: bool,
    /// Where the stream starts in a seekable sink.
    base: u64,
    /// From libFLAC's STREAMINFO.
    packed: u64,
    /// Frames given to libFLAC, and frames it has written out (in whole blocks until `finish`).
    frames_in: u64,
    frames_out: u64,
    /// The smallest and largest frame written, in bytes.
    frame_sizes: (usize, usize),
    /// The MD5 of the audio, from libFLAC at `finish` (seekable sinks only).
    md5: Option<[u8; 16]>,
    /// Reused buffers: widened 16-bit input, bytes on their way to the sink.
    widened: Vec<Vec<i32>>,
    pending: Vec<u8>,
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

    fn bits(&self) -> u32 {
        self.format.bits()
    }

    /// Starts libFLAC and writes the stream header (with the tags), once.
    fn start(&mut self) -> Result<(), EncodeError> {
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
    fn drain(&mut self) -> Result<(), EncodeError> {
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
    fn patch(&mut self, total: u64, md5: Option<[u8; 16]>) -> Result<(), EncodeError> {
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

    fn check_open(&self) -> Result<(), EncodeError> {
        if self.finished {
            return Err(invalid(
                "the flac encoder has finished; nothing more can be written".into(),
            ));
        }
        Ok(())
    }

    /// Checks channels, sample type, plane lengths and (24-bit) range; returns the frames.
    fn check_input(&self, samples: &Planar<'_>) -> Result<usize, EncodeError> {
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
    fn encode_chunks(
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
    fn feed(&mut self, planes: &[&[i32]]) -> Result<(), EncodeError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{open_encoder, CodecConfig, StreamSpec};
    use md5::{Digest, Md5};
    use std::collections::BTreeMap;
    use std::io;
    use std::io::Cursor;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::sync::{Arc, Mutex};

    /// A seekable in-memory sink the test can read after the encoder is done with it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Cursor<Vec<u8>>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().map_err(|_| io::ErrorKind::Other)?.write(b)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Seek for Shared {
        fn seek(&mut self, p: SeekFrom) -> io::Result<u64> {
            self.0.lock().map_err(|_| io::ErrorKind::Other)?.seek(p)
        }
    }
    impl Shared {
        fn bytes(&self) -> Vec<u8> {
            self.0.lock().unwrap().get_ref().clone()
        }
    }

    /// A non-seekable in-memory sink.
    #[derive(Clone, Default)]
    struct Piped(Arc<Mutex<Vec<u8>>>);
    impl Write for Piped {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| io::ErrorKind::Other)?
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A scratch directory, removed when dropped.
    struct TempDir(PathBuf);
    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir()
                .join(format!("audiostream-flac-{}-{name}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
        fn path(&self, file: &str) -> PathBuf {
            self.0.join(file)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Test signal: two sines per channel plus noise from a fixed-seed LCG at about 90% of full
    /// scale, with one full-scale peak each way.
    fn signal(frames: usize, channels: usize, bits: u32, seed: u64) -> Vec<Vec<i32>> {
        let mut state = seed;
        let full = f64::from(1u32 << (bits - 1));
        (0..channels)
            .map(|c| {
                let (f1, f2) = (0.01 + 0.003 * c as f64, 0.0731 + 0.011 * c as f64);
                let mut ch: Vec<i32> = (0..frames)
                    .map(|i| {
                        state = state
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        let noise = (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
                        let t = i as f64 * std::f64::consts::TAU;
                        let x = 0.55 * (f1 * t).sin() + 0.25 * (f2 * t).sin() + 0.1 * noise;
                        (x * full).round().clamp(-full, full - 1.0) as i32
                    })
                    .collect();
                if frames > 200 {
                    ch[100] = full as i32 - 1;
                    ch[101] = -(full as i32);
                }
                ch
            })
            .collect()
    }

    fn to_i16(planes: &[Vec<i32>]) -> Vec<Vec<i16>> {
        planes
            .iter()
            .map(|c| c.iter().map(|&s| i16::try_from(s).unwrap()).collect())
            .collect()
    }

    /// Interleaved little-endian samples, `bits / 8` bytes each (FLAC's MD5 input, and what
    /// `flac -d --force-raw-format --endian=little --sign=signed` writes).
    fn pcm_le(planes: &[Vec<i32>], bits: u32) -> Vec<u8> {
        let width = (bits / 8) as usize;
        let mut out = Vec::new();
        for i in 0..planes[0].len() {
            for p in planes {
                out.extend(&p[i].to_le_bytes()[..width]);
            }
        }
        out
    }

    fn request(rate: u32, channels: u16, format: SampleFormat) -> EncoderRequest<'static> {
        let mut r = EncoderRequest::new(
            "flac",
            StreamSpec {
                sample_rate: rate,
                channels,
            },
        );
        r.format = Some(format);
        r
    }

    /// Encodes `planes` in chunks of `chunk` frames (as `s16` or `s24`, per the request).
    fn encode_into(
        req: &EncoderRequest<'_>,
        sink: Sink,
        planes: &[Vec<i32>],
        chunk: usize,
        tags: &Options,
    ) {
        let mut enc = open_encoder(req, sink).unwrap();
        enc.set_tags(tags).unwrap();
        let frames = planes[0].len();
        let mut start = 0;
        while start < frames {
            let end = frames.min(start + chunk);
            let part: Vec<Vec<i32>> = planes.iter().map(|c| c[start..end].to_vec()).collect();
            if enc.input_format() == SampleFormat::S16 {
                enc.encode(Planar::I16(&to_i16(&part))).unwrap();
            } else {
                enc.encode(Planar::I32(&part)).unwrap();
            }
            start = end;
        }
        enc.finish().unwrap();
    }

    fn encode_file(req: &EncoderRequest<'_>, path: &Path, planes: &[Vec<i32>], tags: &Options) {
        let file = std::fs::File::create(path).unwrap();
        encode_into(req, Sink::seekable(file), planes, 4000, tags);
    }

    fn encode_bytes(req: &EncoderRequest<'_>, planes: &[Vec<i32>], chunk: usize) -> Vec<u8> {
        let out = Shared::default();
        encode_into(
            req,
            Sink::seekable(out.clone()),
            planes,
            chunk,
            &Options::new(),
        );
        out.bytes()
    }

    /// Runs a tool (feeding `stdin` from a thread) and returns its output.
    fn run(cmd: &str, args: &[&str], stdin: Option<Vec<u8>>) -> std::process::Output {
        let mut child = Command::new(cmd)
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
        let feeder = stdin.map(|data| {
            let mut pipe = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                let _ = pipe.write_all(&data);
            })
        });
        let out = child.wait_with_output().unwrap();
        if let Some(f) = feeder {
            f.join().unwrap();
        }
        out
    }

    fn stderr(out: &std::process::Output) -> String {
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// `flac -t`: must pass, with the MD5 checked.
    fn flac_test(path: &Path) {
        let out = run("flac", &["-t", path.to_str().unwrap()], None);
        let err = stderr(&out);
        assert!(out.status.success(), "flac -t failed: {err}");
        assert!(err.contains(": ok"), "{err}");
        assert!(!err.contains("WARNING"), "{err}");
    }

    /// `flac -d` to raw little-endian signed samples.
    fn flac_decode(path: &Path) -> Vec<u8> {
        let args = [
            "-d",
            "-s",
            "-c",
            "--force-raw-format",
            "--endian=little",
            "--sign=signed",
        ];
        let out = run(
            "flac",
            &[&args[..], &[path.to_str().unwrap()]].concat(),
            None,
        );
        assert!(out.status.success(), "flac -d failed: {}", stderr(&out));
        out.stdout
    }

    /// `ffprobe`'s stream and format fields.
    fn ffprobe(path: &Path) -> BTreeMap<String, String> {
        let out = run(
            "ffprobe",
            &[
                "-v",
                "error",
                "-show_entries",
                "stream=codec_name,sample_rate,channels,bits_per_raw_sample:format=duration",
                "-of",
                "default=nw=1",
                path.to_str().unwrap(),
            ],
            None,
        );
        assert!(out.status.success(), "ffprobe failed: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// STREAMINFO's total samples and MD5.
    fn streaminfo(bytes: &[u8]) -> (u64, [u8; 16]) {
        let packed = u64::from_be_bytes(bytes[18..26].try_into().unwrap());
        (packed & TOTAL_MASK, bytes[26..42].try_into().unwrap())
    }

    /// STREAMINFO's minimum and maximum frame size.
    fn frame_sizes(bytes: &[u8]) -> (u32, u32) {
        let u24 = |b: &[u8]| u32::from_be_bytes([0, b[0], b[1], b[2]]);
        (u24(&bytes[12..15]), u24(&bytes[15..18]))
    }

    /// Seekable file: `flac -t` passes with the MD5 checked, `flac -d` gives the input back bit
    /// for bit, STREAMINFO has the exact total and MD5, ffprobe sees rate, channels, bits and
    /// duration.
    fn check_file(name: &str, rate: u32, channels: u16, format: SampleFormat, frames: usize) {
        let dir = TempDir::new(name);
        let path = dir.path("out.flac");
        let bits = format.bits();
        let planes = signal(frames, usize::from(channels), bits, 7);
        encode_file(
            &request(rate, channels, format),
            &path,
            &planes,
            &Options::new(),
        );
        flac_test(&path);
        let pcm = pcm_le(&planes, bits);
        assert!(
            flac_decode(&path) == pcm,
            "flac -d does not give the input back"
        );
        let bytes = std::fs::read(&path).unwrap();
        let (total, md5) = streaminfo(&bytes);
        assert_eq!(total, frames as u64);
        assert_eq!(md5, <[u8; 16]>::from(Md5::digest(&pcm)));
        let (min, max) = frame_sizes(&bytes);
        assert!(0 < min && min <= max, "frame sizes {min}..{max}");
        let probe = ffprobe(&path);
        assert_eq!(probe["codec_name"], "flac");
        assert_eq!(probe["sample_rate"], rate.to_string());
        assert_eq!(probe["channels"], channels.to_string());
        assert_eq!(probe["bits_per_raw_sample"], bits.to_string());
        let duration: f64 = probe["duration"].parse().unwrap();
        assert!(
            (duration - frames as f64 / f64::from(rate)).abs() < 1e-3,
            "{duration}"
        );
    }

    #[test]
    fn s16_stereo_44k1_file_is_lossless_with_md5() {
        check_file("s16", 44_100, 2, SampleFormat::S16, 3 * 44_100 + 17);
    }

    #[test]
    fn s24_mono_96k_file_is_lossless_with_md5() {
        check_file("s24", 96_000, 1, SampleFormat::S24, 2 * 96_000 + 5);
    }

    #[test]
    fn rate_outside_the_streamable_subset_works() {
        check_file("subset", 88_201, 3, SampleFormat::S16, 20_000);
    }

    /// ffmpeg decodes bytes from a stream sink (`-i pipe:0`) bit-exactly.
    fn check_stream(channels: u16, format: SampleFormat) {
        let bits = format.bits();
        let planes = signal(50_000, usize::from(channels), bits, 11);
        let out = Piped::default();
        let req = request(48_000, channels, format);
        encode_into(
            &req,
            Sink::stream(out.clone()),
            &planes,
            999,
            &Options::new(),
        );
        let bytes = out.0.lock().unwrap().clone();
        assert_eq!(streaminfo(&bytes), (0, [0; 16]), "a stream is not patched");
        let sample_fmt = if bits == 16 { "s16le" } else { "s32le" };
        let decoded = run(
            "ffmpeg",
            &["-v", "error", "-i", "pipe:0", "-f", sample_fmt, "-"],
            Some(bytes),
        );
        assert!(
            decoded.status.success(),
            "ffmpeg failed: {}",
            stderr(&decoded)
        );
        let expected = if bits == 16 {
            pcm_le(&planes, 16)
        } else {
            // FFmpeg's s32 is the 24-bit value shifted up by 8.
            let shifted: Vec<Vec<i32>> = planes
                .iter()
                .map(|c| c.iter().map(|s| s << 8).collect())
                .collect();
            pcm_le(&shifted, 32)
        };
        assert!(
            decoded.stdout == expected,
            "ffmpeg does not give the input back"
        );
    }

    #[test]
    fn stream_sink_decodes_bit_exactly_with_ffmpeg() {
        check_stream(2, SampleFormat::S16);
        check_stream(1, SampleFormat::S24);
    }

    #[test]
    fn chunk_size_does_not_change_the_bytes() {
        let planes = signal(30_000, 2, 16, 3);
        let req = request(44_100, 2, SampleFormat::S16);
        let whole = encode_bytes(&req, &planes, usize::MAX);
        for chunk in [1, 7, 1000] {
            assert!(
                encode_bytes(&req, &planes, chunk) == whole,
                "chunks of {chunk} differ"
            );
        }
        let planes = signal(30_000, 1, 24, 3);
        let req = request(96_000, 1, SampleFormat::S24);
        let whole = encode_bytes(&req, &planes, usize::MAX);
        for chunk in [1, 7, 1000] {
            assert!(
                encode_bytes(&req, &planes, chunk) == whole,
                "chunks of {chunk} differ"
            );
        }
    }

    /// Level 8 is no larger than level 0, and levels 5 and 8 are within 1% of the `flac` CLI's
    /// `-5` / `-8` on the same signal written as WAV. The CLI runs with `--no-padding
    /// --no-seektable`, so both files are `fLaC` + STREAMINFO + an empty VORBIS_COMMENT +
    /// frames, and the sizes compare like for like.
    #[test]
    fn compression_levels_match_the_flac_cli() {
        let dir = TempDir::new("levels");
        let planes = signal(10 * 44_100, 2, 16, 5);
        let wav = dir.path("in.wav");
        let mut enc = open_encoder(
            &EncoderRequest::new(
                "pcm_s16le",
                StreamSpec {
                    sample_rate: 44_100,
                    channels: 2,
                },
            ),
            Sink::seekable(std::fs::File::create(&wav).unwrap()),
        )
        .unwrap();
        enc.encode(Planar::I16(&to_i16(&planes))).unwrap();
        enc.finish().unwrap();
        drop(enc);
        let mut sizes = BTreeMap::new();
        for level in [0, 5, 8] {
            let mut req = request(44_100, 2, SampleFormat::S16);
            req.config = CodecConfig {
                compression_level: Some(level),
                ..Default::default()
            };
            let path = dir.path(&format!("ours{level}.flac"));
            encode_file(&req, &path, &planes, &Options::new());
            flac_test(&path);
            sizes.insert(level, std::fs::metadata(&path).unwrap().len());
        }
        assert!(sizes[&8] <= sizes[&0], "{sizes:?}");
        for level in [0, 5, 8] {
            let cli = dir.path(&format!("cli{level}.flac"));
            let out = run(
                "flac",
                &[
                    &format!("-{level}"),
                    "--no-padding",
                    "--no-seektable",
                    "-s",
                    "-f",
                    "-o",
                    cli.to_str().unwrap(),
                    wav.to_str().unwrap(),
                ],
                None,
            );
            assert!(out.status.success(), "flac -{level}: {}", stderr(&out));
            let theirs = std::fs::metadata(&cli).unwrap().len();
            let ours = sizes[&level];
            let diff = (ours as f64 - theirs as f64) / theirs as f64 * 100.0;
            // Informational: with the same libFLAC frames, the files differ only in the vendor
            // string (libFLAC versions).
            let (a, b) = (
                std::fs::read(dir.path(&format!("ours{level}.flac"))).unwrap(),
                std::fs::read(&cli).unwrap(),
            );
            let differing = a.iter().zip(&b).filter(|(x, y)| x != y).count();
            println!(
                "level {level}: ours {ours} bytes, flac CLI {theirs} bytes ({diff:+.3}%), \
                 {differing} bytes differ"
            );
            assert!(
                diff.abs() <= 1.0,
                "level {level}: ours {ours}, CLI {theirs}"
            );
        }
    }

    #[test]
    fn tags_are_vorbis_comments() {
        let dir = TempDir::new("tags");
        let path = dir.path("tags.flac");
        let planes = signal(10_000, 2, 16, 9);
        let tags = Options::from([
            ("title".to_string(), "Süße Töne".to_string()),
            ("artist".to_string(), "The Testers".to_string()),
            ("track".to_string(), "3".to_string()),
            ("mood".to_string(), "a=b".to_string()),
        ]);
        encode_file(
            &request(44_100, 2, SampleFormat::S16),
            &path,
            &planes,
            &tags,
        );
        flac_test(&path);
        assert!(flac_decode(&path) == pcm_le(&planes, 16));
        let out = run(
            "ffprobe",
            &["-v", "error", "-show_format", path.to_str().unwrap()],
            None,
        );
        let format = String::from_utf8_lossy(&out.stdout);
        for tag in [
            "TAG:TITLE=Süße Töne",
            "TAG:ARTIST=The Testers",
            "TAG:MOOD=a=b",
        ] {
            assert!(format.contains(tag), "{tag} not in {format}");
        }
        let out = run(
            "metaflac",
            &[
                "--list",
                "--block-type=VORBIS_COMMENT",
                path.to_str().unwrap(),
            ],
            None,
        );
        assert!(out.status.success(), "metaflac: {}", stderr(&out));
        let list = String::from_utf8_lossy(&out.stdout);
        for entry in [
            "TITLE=Süße Töne",
            "ARTIST=The Testers",
            "TRACKNUMBER=3",
            "MOOD=a=b",
            "is last: true",
        ] {
            assert!(list.contains(entry), "{entry} not in {list}");
        }
        assert!(list.contains("vendor string: reference libFLAC"), "{list}");
    }

    fn open_err(req: &EncoderRequest<'_>) -> String {
        match FlacEncoder::new(req, Sink::stream(io::sink())) {
            Err(EncodeError::InvalidArgument(m)) => m,
            Err(e) => panic!("not InvalidArgument: {e}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn invalid_settings_are_rejected() {
        let base = request(44_100, 2, SampleFormat::S16);
        for level in [9, -1] {
            let mut r = base.clone();
            r.config.compression_level = Some(level);
            let m = open_err(&r);
            assert!(m.contains("compression_level") && m.contains("0..8"), "{m}");
        }
        let mut r = base.clone();
        r.config.bit_rate = Some(128_000);
        let m = open_err(&r);
        assert!(
            m.contains("bit_rate") && m.contains("FLAC is lossless"),
            "{m}"
        );
        let mut r = base.clone();
        r.config.qscale = Some(2.0);
        let m = open_err(&r);
        assert!(
            m.contains("qscale") && m.contains("FLAC is lossless"),
            "{m}"
        );
        let mut r = base.clone();
        r.config.buffer_size = Some(4096);
        assert!(open_err(&r).contains("buffer_size"));
        for format in [SampleFormat::S32, SampleFormat::F32, SampleFormat::U8] {
            let mut r = base.clone();
            r.format = Some(format);
            let m = open_err(&r);
            assert!(
                m.contains("encoder_format") && m.contains("s16, s24"),
                "{m}"
            );
        }
        for channels in [0, 9] {
            let m = open_err(&request(44_100, channels, SampleFormat::S16));
            assert!(m.contains("num_channels") && m.contains("1..8"), "{m}");
        }
        for rate in [0, 655_351] {
            let m = open_err(&request(rate, 2, SampleFormat::S16));
            assert!(m.contains("sample_rate") && m.contains("1..655350"), "{m}");
        }
        let mut r = base.clone();
        r.options.insert("blocksize".into(), "4096".into());
        let m = open_err(&r);
        assert!(m.contains("blocksize") && m.contains("verify"), "{m}");
        let mut r = base.clone();
        r.options.insert("verify".into(), "yes".into());
        assert!(open_err(&r).contains("verify"));
        // Through the registry too.
        let mut r = base.clone();
        r.config.qscale = Some(1.0);
        assert!(matches!(
            open_encoder(&r, Sink::stream(io::sink())),
            Err(EncodeError::InvalidArgument(m)) if m.contains("qscale")
        ));
    }

    #[test]
    fn misuse_is_rejected() {
        let is_invalid =
            |r: Result<(), EncodeError>| matches!(r, Err(EncodeError::InvalidArgument(_)));
        let out = Shared::default();
        let mut enc = FlacEncoder::new(
            &request(8000, 2, SampleFormat::S16),
            Sink::seekable(out.clone()),
        )
        .unwrap();
        assert_eq!(enc.codec(), "flac");
        assert_eq!(enc.input_format(), SampleFormat::S16);
        assert_eq!(enc.delay(), EncoderDelay::default());
        assert!(is_invalid(enc.encode(Planar::I32(&[vec![0], vec![0]]))));
        assert!(is_invalid(enc.encode(Planar::I16(&[vec![0]]))));
        assert!(is_invalid(enc.encode(Planar::I16(&[vec![0, 1], vec![0]]))));
        let bad_key = Options::from([("a=b".to_string(), "x".to_string())]);
        assert!(is_invalid(enc.set_tags(&bad_key)));
        assert!(out.bytes().is_empty(), "nothing is written before audio");
        enc.encode(Planar::I16(&[vec![1, 2, 3], vec![4, 5, 6]]))
            .unwrap();
        assert!(is_invalid(enc.set_tags(&Options::new())));
        enc.finish().unwrap();
        enc.finish().unwrap();
        enc.flush().unwrap();
        assert!(is_invalid(enc.encode(Planar::I16(&[vec![1], vec![4]]))));

        let mut enc = FlacEncoder::new(
            &request(8000, 1, SampleFormat::S24),
            Sink::stream(io::sink()),
        )
        .unwrap();
        assert_eq!(enc.input_format(), SampleFormat::S24);
        assert!(is_invalid(enc.encode(Planar::I16(&[vec![0]]))));
        assert!(is_invalid(enc.encode(Planar::I32(&[vec![0, 1 << 23]]))));
        assert!(is_invalid(enc.encode(Planar::I32(&[vec![-(1 << 23) - 1]]))));
        enc.encode(Planar::I32(&[vec![(1 << 23) - 1, -(1 << 23)]]))
            .unwrap();
        enc.finish().unwrap();
    }

    /// A flushed file is valid up to the whole blocks written: STREAMINFO's total is those
    /// frames, and `flac -t` passes on a copy taken then.
    #[test]
    fn flush_leaves_a_valid_prefix() {
        let dir = TempDir::new("flush");
        let planes = signal(10_000, 2, 16, 13);
        let out = Shared::default();
        let mut enc = FlacEncoder::new(
            &request(44_100, 2, SampleFormat::S16),
            Sink::seekable(out.clone()),
        )
        .unwrap();
        enc.flush().unwrap();
        assert_eq!(streaminfo(&out.bytes()).0, 0);
        enc.encode(Planar::I16(&to_i16(&planes))).unwrap();
        enc.flush().unwrap();
        let snapshot = out.bytes();
        // 10000 frames in blocks of 4096: two written, the rest waits for more audio.
        assert_eq!(streaminfo(&snapshot).0, 8192);
        let path = dir.path("prefix.flac");
        std::fs::write(&path, &snapshot).unwrap();
        let out_t = run("flac", &["-t", path.to_str().unwrap()], None);
        assert!(out_t.status.success(), "{}", stderr(&out_t));
        let prefix: Vec<Vec<i32>> = planes.iter().map(|c| c[..8192].to_vec()).collect();
        assert!(flac_decode(&path) == pcm_le(&prefix, 16));
        enc.finish().unwrap();
        let path = dir.path("whole.flac");
        std::fs::write(&path, out.bytes()).unwrap();
        flac_test(&path);
        assert!(flac_decode(&path) == pcm_le(&planes, 16));
    }

    #[test]
    fn dropping_finishes_the_stream() {
        let dir = TempDir::new("drop");
        let planes = signal(5000, 1, 16, 17);
        let out = Shared::default();
        let mut req = request(22_050, 1, SampleFormat::S16);
        req.options.insert("verify".into(), "true".into());
        let mut enc = FlacEncoder::new(&req, Sink::seekable(out.clone())).unwrap();
        enc.encode(Planar::I16(&to_i16(&planes))).unwrap();
        drop(enc);
        let path = dir.path("dropped.flac");
        std::fs::write(&path, out.bytes()).unwrap();
        flac_test(&path);
        assert!(flac_decode(&path) == pcm_le(&planes, 16));
    }

    #[test]
    fn empty_stream_is_valid() {
        let dir = TempDir::new("empty");
        let out = Shared::default();
        let mut enc = FlacEncoder::new(
            &request(44_100, 2, SampleFormat::S16),
            Sink::seekable(out.clone()),
        )
        .unwrap();
        enc.finish().unwrap();
        let path = dir.path("empty.flac");
        std::fs::write(&path, out.bytes()).unwrap();
        let t = run("flac", &["-t", path.to_str().unwrap()], None);
        assert!(t.status.success(), "{}", stderr(&t));
        assert!(flac_decode(&path).is_empty());
    }
}
