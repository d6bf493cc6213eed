//! Tags in the file: ID3v2.3 text frames before the audio, and the Xing/Info + LAME tag frame
//! we write when LAME cannot (FFmpeg's `mp3enc.c` writes the same).

use super::lame::Lame;
use super::settings::{invalid, mpeg_version, Settings};
use crate::{EncodeError, EncoderDelay};
use mp3lame_sys as sys;
use std::ffi::{c_ushort, CString};

/// An ID3v2.3 frame for a tag key (FFmpeg's ID3v2.3 names); `None` → `TXXX`.
pub(super) fn id3_frame(key: &str) -> Option<&'static str> {
    Some(match key {
        "title" => "TIT2",
        "artist" => "TPE1",
        "album" => "TALB",
        "album_artist" => "TPE2",
        "composer" => "TCOM",
        "performer" => "TPE3",
        "date" | "year" => "TYER",
        "comment" => "COMM",
        "genre" => "TCON",
        "track" => "TRCK",
        "disc" => "TPOS",
        "copyright" => "TCOP",
        "encoded_by" => "TENC",
        "encoder" => "TSSE",
        "publisher" => "TPUB",
        "language" => "TLAN",
        "grouping" => "TIT1",
        "lyricist" => "TEXT",
        _ => return None,
    })
}

/// Tag text in one of LAME's encodings.
pub(super) enum Text {
    /// Latin-1, NUL-terminated.
    Latin1(CString),
    /// UTF-16 with a BOM, NUL-terminated (native values; LAME writes them little-endian).
    Utf16(Vec<c_ushort>),
}

impl Text {
    pub(super) fn new(key: &str, value: &str) -> Result<Self, EncodeError> {
        if value.contains('\0') {
            return Err(invalid(format!(
                "tag \"{key}\" contains a NUL character, which ID3v2 text cannot hold"
            )));
        }
        if value.chars().all(|c| u32::from(c) <= 0xFF) {
            let bytes: Vec<u8> = value.chars().map(|c| u32::from(c) as u8).collect();
            CString::new(bytes)
                .map(Text::Latin1)
                .map_err(|_| invalid(format!("tag \"{key}\" contains a NUL character")))
        } else {
            let mut v: Vec<c_ushort> = vec![0xFEFF];
            v.extend(value.encode_utf16());
            v.push(0);
            Ok(Text::Utf16(v))
        }
    }
}

/// LAME's CRC-16 (polynomial 0x8005, reflected, initial 0), of the LAME tag's CRC fields.
pub(super) fn crc16(mut crc: u16, bytes: &[u8]) -> u16 {
    for &b in bytes {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// A tag frame of our own for CBR rates whose frames are too small for LAME's Info + LAME
/// tag (156 bytes after the side info: e.g. below 64 kbps at 44.1 kHz stereo, below 24 kbps
/// at 8 kHz), where LAME silently writes none. The same fields, in a frame with a bigger bit
/// rate (as FFmpeg's muxer does), so those files are gapless too.
pub(super) struct OwnTag {
    pub(super) header: [u8; 4],
    /// Frame length in bytes.
    pub(super) len: usize,
    /// Bytes of LAME's output after this frame, and their CRC (the tag's "music CRC").
    pub(super) audio_bytes: u64,
    pub(super) music_crc: u16,
}

impl OwnTag {
    /// Side information length (with the 4-byte header), as LAME's `sideinfo_len`.
    pub(super) fn side_info(mpeg1: bool, mono: bool) -> usize {
        match (mpeg1, mono) {
            (true, true) => 21,
            (true, false) => 36,
            (false, true) => 13,
            (false, false) => 21,
        }
    }

    /// `Some` when LAME's own tag does not fit (its `InitVbrTag` test), after init_params.
    pub(super) fn layout(lame: &Lame, s: &Settings) -> Option<OwnTag> {
        // SAFETY: valid, initialized handle; getters only.
        let (vbr, kbps) = unsafe {
            (
                sys::lame_get_VBR(lame.ptr()),
                sys::lame_get_brate(lame.ptr()),
            )
        };
        let kbps = u32::try_from(kbps).ok()?;
        if vbr != sys::vbr_mode::vbr_off {
            return None; // VBR and ABR tags use a 128/64/32 kbps frame, which always fits
        }
        let rate = s.sample_rate;
        let mpeg1 = rate >= 32000;
        let need = Self::side_info(mpeg1, s.channels == 1) + 156;
        let frame_len = |k: u32| ((if mpeg1 { 144_000 } else { 72_000 }) * k / rate) as usize;
        if frame_len(kbps) >= need {
            return None;
        }
        let (_, table) = mpeg_version(rate);
        let (index, k) = table
            .iter()
            .enumerate()
            .find(|(_, &k)| frame_len(k) >= need)?;
        let version_bits: u8 = if mpeg1 {
            0b11
        } else if rate >= 16000 {
            0b10
        } else {
            0b00
        };
        let rate_index: u8 = match rate {
            44100 | 22050 | 11025 => 0,
            48000 | 24000 | 12000 => 1,
            _ => 2,
        };
        let mode: u8 = match (s.channels, s.joint_stereo) {
            (1, _) => 3,
            (_, true) => 1,
            (_, false) => 0,
        };
        Some(OwnTag {
            // Layer III, no CRC; no padding; original (LAME's default).
            header: [
                0xFF,
                0xE0 | version_bits << 3 | 0b011,
                ((index as u8 + 1) << 4) | rate_index << 2,
                mode << 6 | 0x04,
            ],
            len: frame_len(*k),
            audio_bytes: 0,
            music_crc: 0,
        })
    }

    /// The filled-in frame (LAME's `lame_get_lametag_frame` layout, CBR "Info" flavour).
    pub(super) fn frame(&self, lame: &Lame, s: &Settings, delay: EncoderDelay) -> Vec<u8> {
        // SAFETY: valid handle after lame_encode_flush; getters only.
        let (frames, lowpass, quality, vbr_q, ath, kbps) = unsafe {
            let g = lame.ptr();
            (
                sys::lame_get_frameNum(g),
                sys::lame_get_lowpassfreq(g),
                sys::lame_get_quality(g),
                sys::lame_get_VBR_q(g),
                sys::lame_get_ATHtype(g),
                sys::lame_get_brate(g),
            )
        };
        let bytes = u32::try_from(self.len as u64 + self.audio_bytes).unwrap_or(u32::MAX);
        let mut f = self.header.to_vec();
        f.resize(Self::side_info(s.sample_rate >= 32000, s.channels == 1), 0);
        f.extend(b"Info");
        f.extend(0x0Fu32.to_be_bytes()); // frames, bytes, TOC, quality
        f.extend(u32::try_from(frames).unwrap_or(0).to_be_bytes());
        f.extend(bytes.to_be_bytes());
        f.extend((0..100u32).map(|i| (i * 256 / 100) as u8)); // CBR: linear
        f.extend(
            u32::try_from(100 - 10 * vbr_q - quality)
                .unwrap_or(0)
                .to_be_bytes(),
        );
        f.extend(b"LAME3.100");
        f.push(0x01); // revision 0, CBR
        f.push(((lowpass + 50) / 100).clamp(0, 255) as u8);
        f.extend([0; 8]); // peak amplitude, radio and audiophile ReplayGain: not computed
        f.push(0x10 | (ath & 0x0F) as u8); // nspsytune, ATH type
        f.push(kbps.clamp(0, 255) as u8);
        let (d, p) = (delay.delay.min(0xFFF), delay.padding.min(0xFFF));
        f.extend([(d >> 4) as u8, ((d << 4) | (p >> 8)) as u8, p as u8]);
        let stereo_mode: u8 = match (s.channels, s.joint_stereo) {
            (1, _) => 0,
            (_, true) => 3,
            (_, false) => 1,
        };
        let source_rate: u8 = match s.sample_rate {
            44100 => 1,
            48000 => 2,
            _ => 0,
        };
        f.push(stereo_mode << 2 | source_rate << 6);
        f.push(0); // MP3 gain
        f.extend([0, 0]); // surround, preset
        f.extend(bytes.to_be_bytes()); // music length (as LAME: with this frame)
        f.extend(self.music_crc.to_be_bytes());
        let crc = crc16(0, &f);
        f.extend(crc.to_be_bytes());
        f.resize(self.len, 0);
        f
    }
}
