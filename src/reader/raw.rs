//! A demuxer for headerless PCM (`s16le`, `s24le`, `s32le`, `f32le`, `f64le`, `u8`), which
//! symphonia does not have. It plugs into symphonia as a `FormatReader`, so packets decode with
//! symphonia's PCM decoder and everything downstream is shared with the other formats.

use super::wav_slots::SlotLayout;
use crate::{Error, Options, Result};
use std::io::{Read, Seek, SeekFrom};
use symphonia::core::audio::Channels;
use symphonia::core::codecs::audio::well_known::*;
use symphonia::core::codecs::audio::{AudioCodecId, AudioCodecParameters};
use symphonia::core::codecs::CodecParameters;
use symphonia::core::common::FourCc;
use symphonia::core::errors::{Error as SymError, Result as SymResult, SeekErrorKind};
use symphonia::core::formats::{
    FormatId, FormatInfo, FormatReader, MediaInfo, SeekMode, SeekTo, SeekedTo, Track,
};
use symphonia::core::io::{MediaSource, MediaSourceStream, ReadBytes, SeekBuffered};
use symphonia::core::meta::{Metadata, MetadataLog};
use symphonia::core::packet::Packet;
use symphonia::core::units::{Duration, Timestamp};

/// The raw PCM sample formats, by FFmpeg demuxer name.
pub(crate) const RAW_FORMATS: &[&str] = &["s16le", "s24le", "s32le", "f32le", "f64le", "u8"];

/// Frames per packet: large enough to keep per-packet overhead negligible.
const FRAMES_PER_PACKET: u64 = 4096;

/// The most bytes a live packet can hold: everything the media source stream has buffered
/// (its ring buffer is 64 KiB by default), so nothing is left behind in it (see `next_live`).
const LIVE_MAX_PACKET_BYTES: u64 = 64 * 1024;

const RAW_FORMAT_INFO: FormatInfo = FormatInfo {
    format: FormatId::new(FourCc::new(*b"rawp")),
    short_name: "raw",
    long_name: "Raw PCM",
};

/// A WAV file read by this demuxer (see [`wav_slots`](super::wav_slots)): named as symphonia's WAV demuxer is,
/// so the container is "wav" either way.
const WAV_FORMAT_INFO: FormatInfo = FormatInfo {
    format: FormatId::new(FourCc::new(*b"wave")),
    short_name: "wave",
    long_name: "Waveform Audio File Format (PCM in wide slots)",
};

/// Sample layout of one raw format.
struct RawLayout {
    codec: AudioCodecId,
    bytes_per_sample: u32,
}

fn layout(name: &str) -> Option<RawLayout> {
    let (codec, bytes_per_sample) = match name {
        "s16le" => (CODEC_ID_PCM_S16LE, 2),
        "s24le" => (CODEC_ID_PCM_S24LE, 3),
        "s32le" => (CODEC_ID_PCM_S32LE, 4),
        "f32le" => (CODEC_ID_PCM_F32LE, 4),
        "f64le" => (CODEC_ID_PCM_F64LE, 8),
        "u8" => (CODEC_ID_PCM_U8, 1),
        _ => return None,
    };
    Some(RawLayout {
        codec,
        bytes_per_sample,
    })
}

/// Parses the raw format's options: `sample_rate` (required) and `channels` (default 1);
/// `live` is read by [`live_option`].
pub(crate) fn parse_options(format: &str, option: &Options) -> Result<(u32, u16)> {
    for key in option.keys() {
        if key != "sample_rate" && key != "channels" && key != "live" {
            return Err(Error::invalid_argument(
                "option",
                key,
                format!("for raw PCM format \"{format}\": sample_rate, channels, live"),
            ));
        }
    }
    let sample_rate = match option.get("sample_rate") {
        Some(v) => v.parse::<u32>().ok().filter(|r| *r > 0).ok_or_else(|| {
            Error::invalid_argument("option sample_rate", v, "a positive integer (Hz)")
        })?,
        None => {
            return Err(Error::InvalidArgument(format!(
                "raw PCM format \"{format}\" needs option sample_rate (and channels, default 1)"
            )))
        }
    };
    let channels = match option.get("channels") {
        Some(v) => v
            .parse::<u16>()
            .ok()
            .filter(|c| (1..=64).contains(c))
            .ok_or_else(|| Error::invalid_argument("option channels", v, "1 to 64"))?,
        None => 1,
    };
    Ok((sample_rate, channels))
}

/// The raw format's `live` option (default `false`): `true` makes every packet hold what
/// the source has delivered so far (at least one frame) instead of 4096 frames, for sources
/// that deliver in real time (capture devices, live pipes), where waiting for 4096 frames
/// would add up to 85 ms of latency at 48 kHz.
pub(crate) fn live_option(option: &Options) -> Result<bool> {
    match option.get("live").map(|v| v.to_ascii_lowercase()) {
        None => Ok(false),
        Some(v) => match v.as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(Error::invalid_argument("option live", v, "true or false")),
        },
    }
}

/// Headerless PCM as a symphonia `FormatReader`.
pub(crate) struct RawPcmReader<'s> {
    mss: MediaSourceStream<'s>,
    tracks: Vec<Track>,
    media_info: MediaInfo,
    metadata: MetadataLog,
    frame_bytes: u64,
    num_frames: Option<u64>,
    /// Packets of what has arrived (see [`live_option`]).
    live: bool,
    /// Byte offset of the first frame (a WAV file's `data` chunk; 0 for raw PCM).
    data_start: u64,
    /// Byte offset where the samples end, when known (a WAV `data` chunk's end).
    data_end: Option<u64>,
    /// WAV samples in wider slots, rewritten as they are read (see [`wav_slots`](super::wav_slots)).
    slots: Option<SlotLayout>,
    format_info: FormatInfo,
}

impl<'s> RawPcmReader<'s> {
    pub(crate) fn new(
        mss: MediaSourceStream<'s>,
        format: &str,
        sample_rate: u32,
        channels: u16,
    ) -> Result<Self> {
        let layout = layout(format).ok_or_else(|| {
            Error::Unsupported(format!(
                "raw PCM format \"{format}\"; supported: {}",
                RAW_FORMATS.join(", ")
            ))
        })?;
        let bytes = layout.bytes_per_sample;
        let data_len = mss.byte_len();
        Ok(Self::build(
            mss,
            layout.codec,
            bytes * 8,
            bytes,
            sample_rate,
            channels,
            (0, data_len),
            None,
        ))
    }

    /// Reads the `data` chunk of a WAV file whose samples sit in wider slots than their bit
    /// depth (see [`wav_slots`](super::wav_slots)); `mss` is at the first sample.
    pub(crate) fn wav_slots(mss: MediaSourceStream<'s>, layout: SlotLayout) -> Self {
        let codec = match layout.slot_bytes {
            1 => CODEC_ID_PCM_U8,
            2 => CODEC_ID_PCM_S16LE,
            3 => CODEC_ID_PCM_S24LE,
            _ => CODEC_ID_PCM_S32LE,
        };
        // The data chunk's size, or (streamed WAV) everything up to the end of the file.
        let data_len = layout.data_len.or_else(|| {
            mss.byte_len()
                .map(|len| len.saturating_sub(layout.data_start))
        });
        let mut reader = Self::build(
            mss,
            codec,
            u32::from(layout.bits),
            u32::from(layout.slot_bytes),
            layout.sample_rate,
            layout.channels,
            (layout.data_start, data_len),
            Some(layout),
        );
        reader.format_info = WAV_FORMAT_INFO;
        reader
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        mss: MediaSourceStream<'s>,
        codec: AudioCodecId,
        bits: u32,
        bytes_per_sample: u32,
        sample_rate: u32,
        channels: u16,
        (data_start, data_len): (u64, Option<u64>),
        slots: Option<SlotLayout>,
    ) -> Self {
        let frame_bytes = u64::from(bytes_per_sample) * u64::from(channels);
        let num_frames = data_len.map(|len| len / frame_bytes);
        let mut params = AudioCodecParameters::new();
        params
            .for_codec(codec)
            .with_sample_rate(sample_rate)
            .with_bits_per_sample(bits)
            .with_bits_per_coded_sample(bits)
            .with_channels(Channels::Discrete(channels))
            .with_max_frames_per_packet(FRAMES_PER_PACKET);
        let mut track = Track::new(0);
        track.with_codec_params(CodecParameters::Audio(params));
        if let Some(n) = num_frames {
            track.with_num_frames(n).with_duration(Duration::new(n));
        }
        let media_info = MediaInfo::from_track(&track);
        RawPcmReader {
            mss,
            tracks: vec![track],
            media_info,
            metadata: MetadataLog::default(),
            frame_bytes,
            num_frames,
            live: false,
            data_start,
            data_end: data_len.map(|len| data_start + len),
            slots,
            format_info: RAW_FORMAT_INFO,
        }
    }

    /// Switches to live packets (see [`live_option`]): each packet is what the source has
    /// delivered, at least one frame.
    pub(crate) fn live(mut self, live: bool) -> Self {
        if live && !self.live {
            self.live = true;
            // A live packet can be as large as what the source stream buffers.
            let max_frames = (LIVE_MAX_PACKET_BYTES / self.frame_bytes).max(FRAMES_PER_PACKET);
            if let Some(CodecParameters::Audio(params)) = self
                .tracks
                .first_mut()
                .map(|t| &mut t.codec_params)
                .and_then(|p| p.as_mut())
            {
                params.with_max_frames_per_packet(max_frames);
            }
        }
        self
    }

    /// One live packet: blocks until one whole frame has arrived, then takes every whole frame
    /// the media source stream holds. The stream is then empty, so "is a packet ready?" can be
    /// answered by the source alone (a capture queue with a frame in it), and a packet never
    /// waits for audio that has not arrived.
    fn next_live(&mut self) -> SymResult<Option<Packet>> {
        let pos = self.mss.pos();
        let frame_bytes = self.frame_bytes as usize;
        let mut data = vec![0u8; frame_bytes];
        match ReadBytes::read_buf_exact(&mut self.mss, &mut data) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e.into()),
        }
        let buffered = self.mss.unread_buffer_len();
        let more = (buffered / frame_bytes) * frame_bytes;
        if more > 0 {
            data.resize(frame_bytes + more, 0);
            // Already buffered: this does not block.
            ReadBytes::read_buf_exact(&mut self.mss, &mut data[frame_bytes..])?;
        }
        let frames = (data.len() / frame_bytes) as u64;
        let pts = Timestamp::new((pos / self.frame_bytes) as i64);
        Ok(Some(Packet::new(0, pts, Duration::new(frames), data)))
    }
}

impl FormatReader for RawPcmReader<'_> {
    fn format_info(&self) -> &FormatInfo {
        &self.format_info
    }

    fn media_info(&self) -> &MediaInfo {
        &self.media_info
    }

    fn metadata(&mut self) -> Metadata<'_> {
        self.metadata.metadata()
    }

    fn seek(&mut self, _mode: SeekMode, to: SeekTo) -> SymResult<SeekedTo> {
        if self.live {
            // Audio arriving in real time: there is nothing to seek to.
            return Err(SymError::SeekError(SeekErrorKind::Unseekable));
        }
        let required_ts = match to {
            SeekTo::Timestamp { ts, .. } => ts,
            SeekTo::Time { time, .. } => self
                .tracks
                .first()
                .and_then(|t| t.time_base)
                .and_then(|tb| tb.calc_timestamp(time))
                .ok_or(SymError::SeekError(SeekErrorKind::OutOfRange))?,
        };
        let frame = u64::try_from(required_ts.get())
            .map_err(|_| SymError::SeekError(SeekErrorKind::OutOfRange))?;
        let frame = self.num_frames.map_or(frame, |n| frame.min(n));
        let target = self.data_start + frame * self.frame_bytes;
        if self.mss.is_seekable() {
            self.mss.seek(SeekFrom::Start(target))?;
        } else {
            let pos = self.mss.pos();
            if target < pos {
                return Err(SymError::SeekError(SeekErrorKind::ForwardOnly));
            }
            self.mss.ignore_bytes(target - pos)?;
        }
        let actual = Timestamp::new(frame as i64);
        Ok(SeekedTo {
            track_id: 0,
            required_ts,
            actual_ts: actual,
        })
    }

    fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    fn next_packet(&mut self) -> SymResult<Option<Packet>> {
        if self.live {
            return self.next_live();
        }
        let pos = self.mss.pos();
        let left = self
            .data_end
            .map_or(u64::MAX, |end| end.saturating_sub(pos));
        let want = (FRAMES_PER_PACKET * self.frame_bytes).min(left) as usize;
        let mut data = vec![0u8; want];
        let mut got = 0;
        while got < want {
            match self.mss.read(&mut data[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        let frames = got as u64 / self.frame_bytes;
        if frames == 0 {
            if got > 0 {
                log::warn!("raw PCM: {got} trailing bytes do not make a whole frame; ignored");
            }
            return Ok(None);
        }
        data.truncate((frames * self.frame_bytes) as usize);
        if let Some(slots) = &self.slots {
            slots.normalize(&mut data);
        }
        let pts = Timestamp::new((pos.saturating_sub(self.data_start) / self.frame_bytes) as i64);
        Ok(Some(Packet::new(0, pts, Duration::new(frames), data)))
    }

    fn into_inner<'a>(self: Box<Self>) -> MediaSourceStream<'a>
    where
        Self: 'a,
    {
        self.mss
    }
}
