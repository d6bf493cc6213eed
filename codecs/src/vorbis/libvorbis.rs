//! libvorbis 1.3.7 (the copy `vorbis-sys` builds from its bundled source, with libogg's bit
//! packer from `ogg-sys`), owned and driven through its C API: mode setup as `oggenc` does it,
//! analysis into packets. The Ogg pages are ours (`crate::ogg`), not libogg's.

use super::settings::{Mode, Settings};
use crate::EncodeError;
use std::ffi::{c_double, c_int, c_long, c_void, CStr, CString};
use std::mem::MaybeUninit;
use vorbis_sys as sys;

/// libvorbisenc's `OV_ECTL_RATEMANAGE2_GET` / `_SET`.
const OV_ECTL_RATEMANAGE2_GET: c_int = 0x14;
const OV_ECTL_RATEMANAGE2_SET: c_int = 0x15;

/// libvorbisenc's `struct ovectl_ratemanage2_arg`.
#[repr(C)]
struct RateManage2 {
    management_active: c_int,
    bitrate_limit_min_kbps: c_long,
    bitrate_limit_max_kbps: c_long,
    bitrate_limit_reservoir_bits: c_long,
    bitrate_limit_reservoir_bias: c_double,
    bitrate_average_kbps: c_long,
    bitrate_average_damping: c_double,
}

extern "C" {
    // libvorbisenc (vorbisenc.c is compiled into vorbis-sys's library; vorbis-sys declares only
    // libvorbis proper, so these are declared here, from vorbisenc.h).
    fn vorbis_encode_setup_managed(
        vi: *mut sys::vorbis_info,
        channels: c_long,
        rate: c_long,
        max_bitrate: c_long,
        nominal_bitrate: c_long,
        min_bitrate: c_long,
    ) -> c_int;
    fn vorbis_encode_setup_vbr(
        vi: *mut sys::vorbis_info,
        channels: c_long,
        rate: c_long,
        quality: f32,
    ) -> c_int;
    fn vorbis_encode_setup_init(vi: *mut sys::vorbis_info) -> c_int;
    fn vorbis_encode_ctl(vi: *mut sys::vorbis_info, number: c_int, arg: *mut c_void) -> c_int;
}

fn failed(call: &str, rc: c_int) -> EncodeError {
    EncodeError::Failed(format!("libvorbis {call} failed ({rc})"))
}

/// A `vorbis_info`, initialised on creation and cleared on drop; boxed, because libvorbis
/// keeps pointers to it.
struct Info(Box<sys::vorbis_info>);

impl Info {
    fn new() -> Self {
        // SAFETY: vorbis_info is plain C data; all-zero is a valid bit pattern for it, and
        // vorbis_info_init then initialises it.
        let mut vi: Box<sys::vorbis_info> =
            Box::new(unsafe { MaybeUninit::zeroed().assume_init() });
        // SAFETY: a valid, writable vorbis_info.
        unsafe { sys::vorbis_info_init(&mut *vi) };
        Info(vi)
    }

    fn ptr(&mut self) -> *mut sys::vorbis_info {
        &mut *self.0
    }

    /// `oggenc`'s mode setup (vorbis-tools 1.4.2, `oe_encode`), up to `vorbis_encode_setup_init`.
    fn configure(&mut self, s: &Settings) -> Result<(), c_int> {
        let (ch, rate) = (c_long::from(s.channels), c_long::from(s.sample_rate));
        let vi = self.ptr();
        let check = |rc: c_int| if rc == 0 { Ok(()) } else { Err(rc) };
        match s.mode {
            Mode::Quality {
                quality,
                min_kbps,
                max_kbps,
            } => {
                // SAFETY: an initialised vorbis_info (all calls below likewise).
                check(unsafe { vorbis_encode_setup_vbr(vi, ch, rate, quality / 10.0) })?;
                if min_kbps.is_some() || max_kbps.is_some() {
                    // libvorbis reports no average for a quality mode; oggenc takes the nominal
                    // bit rate of a full setup at that quality, as here.
                    let nominal = {
                        let mut probe = Info::new();
                        let p = probe.ptr();
                        // SAFETY: as above.
                        check(unsafe { vorbis_encode_setup_vbr(p, ch, rate, quality / 10.0) })?;
                        check(unsafe { vorbis_encode_setup_init(p) })?;
                        probe.0.bitrate_nominal
                    };
                    let mut ai = rate_manage(vi)?;
                    ai.bitrate_average_kbps = nominal / 1000;
                    ai.bitrate_average_damping = 1.5;
                    ai.bitrate_limit_reservoir_bits = nominal * 2;
                    ai.bitrate_limit_reservoir_bias = 0.1;
                    ai.bitrate_limit_min_kbps = min_kbps.map_or(-1, c_long::from);
                    ai.bitrate_limit_max_kbps = max_kbps.map_or(-1, c_long::from);
                    ai.management_active = 1;
                    set_rate_manage(vi, &mut ai)?;
                    // oggenc's `--managed` without `-b`: no average target.
                    let mut ai = rate_manage(vi)?;
                    ai.bitrate_average_kbps = -1;
                    set_rate_manage(vi, &mut ai)?;
                } else {
                    // SAFETY: a null argument turns management off.
                    check(unsafe {
                        vorbis_encode_ctl(vi, OV_ECTL_RATEMANAGE2_SET, std::ptr::null_mut())
                    })?;
                }
            }
            Mode::Managed { nominal, min, max } => {
                let bps = |v: Option<u32>| v.map_or(-1, c_long::from);
                // SAFETY: as above.
                check(unsafe {
                    vorbis_encode_setup_managed(vi, ch, rate, bps(max), bps(nominal), bps(min))
                })?;
                if nominal.is_none() {
                    let mut ai = rate_manage(vi)?;
                    ai.bitrate_average_kbps = -1;
                    set_rate_manage(vi, &mut ai)?;
                }
            }
        }
        // SAFETY: as above.
        check(unsafe { vorbis_encode_setup_init(vi) })
    }
}

impl Drop for Info {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`; cleared once, after every user of it (see `LibVorbis`).
        unsafe { sys::vorbis_info_clear(&mut *self.0) }
    }
}

fn rate_manage(vi: *mut sys::vorbis_info) -> Result<RateManage2, c_int> {
    let mut ai = RateManage2 {
        management_active: 0,
        bitrate_limit_min_kbps: 0,
        bitrate_limit_max_kbps: 0,
        bitrate_limit_reservoir_bits: 0,
        bitrate_limit_reservoir_bias: 0.0,
        bitrate_average_kbps: 0,
        bitrate_average_damping: 0.0,
    };
    // SAFETY: an initialised vorbis_info after a setup call; `ai` is the struct the request
    // fills.
    let rc = unsafe {
        vorbis_encode_ctl(
            vi,
            OV_ECTL_RATEMANAGE2_GET,
            (&mut ai as *mut RateManage2).cast(),
        )
    };
    if rc == 0 {
        Ok(ai)
    } else {
        Err(rc)
    }
}

fn set_rate_manage(vi: *mut sys::vorbis_info, ai: &mut RateManage2) -> Result<(), c_int> {
    // SAFETY: as in `rate_manage`; libvorbis reads the struct.
    let rc =
        unsafe { vorbis_encode_ctl(vi, OV_ECTL_RATEMANAGE2_SET, (ai as *mut RateManage2).cast()) };
    if rc == 0 {
        Ok(())
    } else {
        Err(rc)
    }
}

/// Whether libvorbis has a mode for `s` (a full setup on a scratch `vorbis_info`).
pub fn probe(s: &Settings) -> Result<(), c_int> {
    Info::new().configure(s)
}

/// The managed bit rates (bits/s) libvorbis has a mode for at this rate and channel count, by
/// bisection: for error messages.
pub fn managed_range(rate: u32, channels: u16) -> Option<(u32, u32)> {
    let ok = |b: u32| {
        let s = Settings {
            sample_rate: rate,
            channels,
            mode: Mode::Managed {
                nominal: Some(b),
                min: None,
                max: None,
            },
            serial: None,
        };
        probe(&s).is_ok()
    };
    // Some bit rate in between works: libvorbis's templates are contiguous.
    let mid = [16_000u32, 32_000, 64_000, 128_000, 256_000, 512_000]
        .into_iter()
        .map(|b| b * u32::from(channels))
        .find(|&b| ok(b))?;
    let (mut lo, mut hi) = (1000u32, mid);
    while hi - lo > 1000 {
        let m = lo + (hi - lo) / 2;
        if ok(m) {
            hi = m;
        } else {
            lo = m;
        }
    }
    let min = hi;
    let (mut lo, mut hi) = (mid, 10_000_000u32);
    while hi - lo > 1000 {
        let m = lo + (hi - lo) / 2;
        if ok(m) {
            lo = m;
        } else {
            hi = m;
        }
    }
    Some((min.div_ceil(1000) * 1000, lo / 1000 * 1000))
}

/// libvorbis's encoder string (`Xiph.Org libVorbis I 20200704 (Reducing Environment)` is what
/// it writes as vendor; this is the library version, `Xiph.Org libVorbis 1.3.7`).
pub fn version() -> String {
    // SAFETY: returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(sys::vorbis_version_string()) }
        .to_string_lossy()
        .into_owned()
}

/// One packet out of libvorbis: bytes and granule position.
pub struct Packet<'a> {
    /// The packet.
    pub data: &'a [u8],
    /// libvorbis's granule position for it.
    pub granule: i64,
}

/// A running libvorbis analysis: `vorbis_info`, DSP state and block, all boxed (libvorbis
/// keeps pointers between them) and cleared in reverse order on drop.
pub struct LibVorbis {
    // Field order is drop order: the block and DSP state before the info they point to.
    block: Box<sys::vorbis_block>,
    dsp: Box<sys::vorbis_dsp_state>,
    /// Never read again after setup, but kept alive (the DSP state points into it) and cleared
    /// last.
    _info: Info,
    channels: usize,
}

// SAFETY: `LibVorbis` is the only owner of the libvorbis state (no other pointer to it leaves
// this type), libvorbis keeps no thread-local or global mutable state, and it is used only
// through `&mut self`.
unsafe impl Send for LibVorbis {}

impl LibVorbis {
    /// Sets libvorbis up for `s`.
    pub fn new(s: &Settings) -> Result<Self, EncodeError> {
        let mut info = Info::new();
        info.configure(s)
            .map_err(|rc| failed("mode setup (vorbis_encode_setup_*)", rc))?;
        // SAFETY: zeroed plain C structs, initialised by the calls below before any use.
        let mut dsp: Box<sys::vorbis_dsp_state> =
            Box::new(unsafe { MaybeUninit::zeroed().assume_init() });
        let mut block: Box<sys::vorbis_block> =
            Box::new(unsafe { MaybeUninit::zeroed().assume_init() });
        // SAFETY: `info` is set up; `dsp` is writable and lives as long as `info` (dropped
        // before it).
        let rc = unsafe { sys::vorbis_analysis_init(&mut *dsp, info.ptr()) };
        if rc != 0 {
            return Err(failed("vorbis_analysis_init", rc));
        }
        // SAFETY: `dsp` is initialised; `block` is writable.
        let rc = unsafe { sys::vorbis_block_init(&mut *dsp, &mut *block) };
        if rc != 0 {
            // SAFETY: initialised above; cleared once here since `LibVorbis` is not built.
            unsafe { sys::vorbis_dsp_clear(&mut *dsp) };
            return Err(failed("vorbis_block_init", rc));
        }
        Ok(LibVorbis {
            block,
            dsp,
            _info: info,
            channels: usize::from(s.channels),
        })
    }

    /// The three header packets (identification, comments, setup); the comment packet holds
    /// `tags` (FIELD, value).
    pub fn headers(&mut self, tags: &[(String, String)]) -> Result<[Vec<u8>; 3], EncodeError> {
        // SAFETY: zeroed C struct, initialised by vorbis_comment_init.
        let mut vc: sys::vorbis_comment = unsafe { MaybeUninit::zeroed().assume_init() };
        // SAFETY: a writable vorbis_comment.
        unsafe { sys::vorbis_comment_init(&mut vc) };
        let mut result = Ok(());
        for (field, value) in tags {
            match (CString::new(field.as_str()), CString::new(value.as_str())) {
                // SAFETY: initialised comment; NUL-terminated strings that libvorbis copies.
                (Ok(f), Ok(v)) => unsafe {
                    sys::vorbis_comment_add_tag(&mut vc, f.as_ptr(), v.as_ptr())
                },
                _ => {
                    result = Err(EncodeError::InvalidArgument(format!(
                        "tag {field} for encoder vorbis contains a NUL character"
                    )));
                    break;
                }
            }
        }
        let mut packets: [MaybeUninit<ogg_sys::ogg_packet>; 3] = [
            MaybeUninit::zeroed(),
            MaybeUninit::zeroed(),
            MaybeUninit::zeroed(),
        ];
        if result.is_ok() {
            let [a, b, c] = &mut packets;
            // SAFETY: initialised DSP state and comment; libvorbis fills the three packets,
            // whose data stays valid until the next call on `dsp` (copied below first).
            let rc = unsafe {
                sys::vorbis_analysis_headerout(
                    &mut *self.dsp,
                    &mut vc,
                    a.as_mut_ptr(),
                    b.as_mut_ptr(),
                    c.as_mut_ptr(),
                )
            };
            if rc != 0 {
                result = Err(failed("vorbis_analysis_headerout", rc));
            }
        }
        let copy = |p: &MaybeUninit<ogg_sys::ogg_packet>| {
            // SAFETY: filled by vorbis_analysis_headerout (checked above): `packet` points at
            // `bytes` bytes owned by libvorbis until the next call.
            let p = unsafe { p.assume_init_ref() };
            let len = usize::try_from(p.bytes).unwrap_or(0);
            if p.packet.is_null() || len == 0 {
                Vec::new()
            } else {
                // SAFETY: as above.
                unsafe { std::slice::from_raw_parts(p.packet, len) }.to_vec()
            }
        };
        let out = result.map(|()| packets.each_ref().map(copy));
        // SAFETY: initialised above; libvorbis copied what it needed into the packets, which
        // were copied out before this.
        unsafe { sys::vorbis_comment_clear(&mut vc) };
        out
    }

    /// Hands `frames` frames to libvorbis: `fill(channel_buffers)` writes them into the
    /// per-channel buffers libvorbis provides (in libvorbis's channel order).
    pub fn write(
        &mut self,
        frames: usize,
        fill: impl FnOnce(&mut [&mut [f32]]),
    ) -> Result<(), EncodeError> {
        let n = c_int::try_from(frames).map_err(|_| failed("vorbis_analysis_buffer", -1))?;
        // SAFETY: initialised DSP state; libvorbis returns `channels` pointers to buffers of at
        // least `frames` floats, valid until vorbis_analysis_wrote.
        let buffers = unsafe { sys::vorbis_analysis_buffer(&mut *self.dsp, n) };
        if buffers.is_null() {
            return Err(failed("vorbis_analysis_buffer", -1));
        }
        let mut planes: Vec<&mut [f32]> = (0..self.channels)
            .map(|c| {
                // SAFETY: as above: pointer `c` of `channels`, each to `frames` floats; the
                // slices are dropped before vorbis_analysis_wrote.
                unsafe { std::slice::from_raw_parts_mut(*buffers.add(c), frames) }
            })
            .collect();
        fill(&mut planes);
        drop(planes);
        // SAFETY: `frames` floats written to each buffer.
        let rc = unsafe { sys::vorbis_analysis_wrote(&mut *self.dsp, n) };
        if rc != 0 {
            return Err(failed("vorbis_analysis_wrote", rc));
        }
        Ok(())
    }

    /// Tells libvorbis the input has ended (its last packets then come out of `drain`).
    pub fn end(&mut self) -> Result<(), EncodeError> {
        // SAFETY: initialised DSP state; 0 marks the end of the input.
        let rc = unsafe { sys::vorbis_analysis_wrote(&mut *self.dsp, 0) };
        if rc != 0 {
            return Err(failed("vorbis_analysis_wrote(0)", rc));
        }
        Ok(())
    }

    /// Runs the analysis on every block libvorbis can form and passes each packet to `sink`.
    pub fn drain(
        &mut self,
        mut sink: impl FnMut(Packet<'_>) -> Result<(), EncodeError>,
    ) -> Result<(), EncodeError> {
        loop {
            // SAFETY: initialised DSP state and block.
            let rc = unsafe { sys::vorbis_analysis_blockout(&mut *self.dsp, &mut *self.block) };
            match rc {
                1 => {}
                0 => return Ok(()),
                rc => return Err(failed("vorbis_analysis_blockout", rc)),
            }
            // SAFETY: a block from blockout; a null packet leaves it to the bitrate manager.
            let rc = unsafe { sys::vorbis_analysis(&mut *self.block, std::ptr::null_mut()) };
            if rc != 0 {
                return Err(failed("vorbis_analysis", rc));
            }
            // SAFETY: an analysed block.
            let rc = unsafe { sys::vorbis_bitrate_addblock(&mut *self.block) };
            if rc != 0 {
                return Err(failed("vorbis_bitrate_addblock", rc));
            }
            loop {
                let mut op = MaybeUninit::<ogg_sys::ogg_packet>::zeroed();
                // SAFETY: initialised DSP state; fills `op` when it returns 1.
                let rc =
                    unsafe { sys::vorbis_bitrate_flushpacket(&mut *self.dsp, op.as_mut_ptr()) };
                match rc {
                    1 => {}
                    0 => break,
                    rc => return Err(failed("vorbis_bitrate_flushpacket", rc)),
                }
                // SAFETY: filled (rc == 1): `packet` points at `bytes` bytes owned by libvorbis
                // until the next call on the DSP state, which comes after `sink` returns.
                let op = unsafe { op.assume_init() };
                let len = usize::try_from(op.bytes).unwrap_or(0);
                let data = if op.packet.is_null() || len == 0 {
                    &[][..]
                } else {
                    // SAFETY: as above.
                    unsafe { std::slice::from_raw_parts(op.packet, len) }
                };
                sink(Packet {
                    data,
                    granule: op.granulepos,
                })?;
            }
        }
    }
}

impl Drop for LibVorbis {
    fn drop(&mut self) {
        // SAFETY: both initialised in `new`, cleared once here, block first (it points into the
        // DSP state), then the DSP state; `info` is cleared after, by its own Drop.
        unsafe {
            sys::vorbis_block_clear(&mut *self.block);
            sys::vorbis_dsp_clear(&mut *self.dsp);
        }
    }
}
