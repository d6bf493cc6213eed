// Symphonia
// Copyright (c) 2019-2026 The Project Symphonia Developers.
//
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.
//
// Modified by audiostream: gapless playback from the edit list (one edit, or an empty edit and
// one, media_time >= 0, rate 1; symphonia issue #544) or, without one, from iTunSMPB: the track's
// delay/padding/num_frames/start_ts are set and packets carry pts relative to the first playable
// frame (priming packets at negative pts) with trim_start/trim_end covering delay and padding;
// seeks convert to media time. num_frames is None (not Some(0)) for a fragmented file whose moov
// has no samples. Seeking back after the end of the stream works (it failed with "no atom pending
// read"), the iterator is not advanced past the end, fragments are validated (MoofSegment::new),
// and sample positions use checked arithmetic.

use symphonia_core::codecs::CodecParameters;
use symphonia_core::codecs::audio::well_known::{
    CODEC_ID_AAC, CODEC_ID_MP1, CODEC_ID_MP2, CODEC_ID_MP3, CODEC_ID_OPUS,
};
use symphonia_core::codecs::audio::{AudioCodecId, AudioCodecParameters};
use symphonia_core::support_format;

use symphonia_core::errors::{
    Error, Result, SeekErrorKind, decode_error, seek_error, unsupported_error,
};
use symphonia_core::formats::prelude::*;
use symphonia_core::formats::probe::{ProbeFormatData, ProbeableFormat, Score, Scoreable};
use symphonia_core::formats::well_known::FORMAT_ID_ISOMP4;
use symphonia_core::io::*;
use symphonia_core::meta::{Metadata, MetadataLog, MetadataRevision, RawValue};
use symphonia_core::units::Time;

use std::collections::HashMap;
use std::io::{Seek, SeekFrom};
use std::num::NonZero;
use std::sync::Arc;

use crate::atoms::{AtomError, AtomIterator, AtomType, ReadAtom};
use crate::atoms::{FtypAtom, MetaAtom, MoofAtom, MoovAtom, SidxAtom, TrakAtom};
use crate::stream::*;

use symphonia_common::mpeg::audio::AudioSpecificConfig;

use log::{debug, info, trace, warn};

const ISOMP4_FORMAT_INFO: FormatInfo = FormatInfo {
    format: FORMAT_ID_ISOMP4,
    short_name: "isomp4",
    long_name: "ISO Base Media File Format",
};

pub struct TrackState {
    /// The track number.
    track_num: usize,
    /// The track ID.
    track_id: u32,
    /// The current segment.
    cur_seg: usize,
    /// The current sample index relative to the track.
    next_sample: u32,
    /// The current sample byte position relative to the start of the track.
    next_sample_pos: u64,
    /// Encoder delay and padding, if known.
    gapless: Option<Gapless>,
}

impl TrackState {
    pub fn make(
        track_num: usize,
        trak: &TrakAtom,
        timespan: &TimeSpan,
        movie_timescale: NonZero<u32>,
        fragmented: bool,
        itunsmpb: Option<(u64, u64, u64)>,
    ) -> (Self, Track) {
        let mut track = Track::new(trak.tkhd.id);

        // Create the codec parameters using the sample description atom.
        if let Some(codec_params) = trak.mdia.minf.stbl.stsd.make_codec_params() {
            track.with_codec_params(codec_params);
        }

        // A fragmented stream's moov has no samples: its duration is unknown, not 0.
        let unknown = fragmented && timespan.duration.is_zero();

        // Populate timing information.
        track.with_time_base(TimeBase::from_recip(timespan.timescale));

        if !unknown {
            track.with_duration(timespan.duration);
        }

        let mut gapless = None;

        // If the track is an audio track, and the timescale is equal to the sample rate, then the
        // number of frames is equal to the duration. This is the case for almost all audio tracks.
        // If not, there is no generic, low overhead, & precise way to determine the number of
        // frames.
        let audio = match &track.codec_params {
            Some(CodecParameters::Audio(audio)) => Some(audio.clone()),
            _ => None,
        };

        if let Some(audio) = &audio {
            if let Some(sample_rate) = audio.sample_rate {
                if sample_rate == timespan.timescale.get() && !unknown {
                    track.with_num_frames(timespan.duration.get());
                }

                // Gapless information is in media timescale units, which must be frames.
                if sample_rate == trak.mdia.mdhd.timescale.get() {
                    // The total duration of the media in media timescale units, 0 if unknown.
                    let total = if timespan.timescale == trak.mdia.mdhd.timescale {
                        timespan.duration.get()
                    } else {
                        0
                    };
                    gapless = Gapless::new(trak, audio, movie_timescale, total, itunsmpb);
                }
            }
        }

        if let Some(g) = &gapless {
            track
                .with_delay(g.delay as u32)
                .with_start_ts(Timestamp::from(-(g.delay as i64)));

            match g.end {
                Some(end) => {
                    let frames = end - g.delay;
                    track
                        .with_num_frames(frames)
                        .with_duration(Duration::from(frames));

                    // What the decoder outputs after the end: any samples after the end, and the
                    // last packet's frames past its stts duration (AAC, MP3, Opus: taking the
                    // longest duration in the stts as what every packet decodes to).
                    let stts = &trak.mdia.minf.stbl.stts;
                    let last = stts.entries.last().map_or(0, |e| u64::from(e.sample_delta));
                    let block = match g.codec {
                        CODEC_ID_AAC | CODEC_ID_MP1 | CODEC_ID_MP2 | CODEC_ID_MP3
                        | CODEC_ID_OPUS => {
                            let deltas = stts.entries.iter().map(|e| u64::from(e.sample_delta));
                            deltas.max().unwrap_or(0)
                        }
                        _ => 0,
                    };
                    let decoded = stts.total_duration + block.saturating_sub(last);
                    if !fragmented && decoded >= end {
                        track.with_padding(u32::try_from(decoded - end).unwrap_or(u32::MAX));
                    }
                }
                None => {
                    track.num_frames = None;
                    track.duration = None;
                }
            }
        }

        let state = Self {
            track_num,
            track_id: trak.tkhd.id,
            cur_seg: 0,
            next_sample: 0,
            next_sample_pos: 0,
            gapless,
        };

        (state, track)
    }

    /// The media timestamp of the first playable frame (0 without gapless information).
    fn delay(&self) -> u64 {
        self.gapless.map_or(0, |g| g.delay)
    }

    /// The timing of a packet whose sample has media timestamp `ts` and stts duration `dur`:
    /// (pts, dur, trim_start, trim_end). With gapless information, the pts is relative to the
    /// first playable frame (priming packets have a negative pts), and the trims cover the frames
    /// of the decoded packet that are before the first or after the last playable frame.
    fn packet_timing(
        &self,
        ts: u64,
        dur: u64,
        data: &[u8],
    ) -> (Timestamp, Duration, Duration, Duration) {
        let Some(g) = &self.gapless else {
            let pts = Timestamp::from(ts as i64);
            return (pts, Duration::from(dur), Duration::ZERO, Duration::ZERO);
        };

        // The frames the decoder outputs for the packet.
        let len = dur.max(g.packet_frames(data).unwrap_or(0));
        let pts = Timestamp::from((ts as i64).saturating_sub(g.delay as i64));
        let trim_start = g.delay.saturating_sub(ts).min(len);
        let trim_end = g
            .end
            .map_or(0, |end| ts.saturating_add(len).saturating_sub(end))
            .min(len - trim_start);

        let dur = len - trim_start - trim_end;
        (
            pts,
            Duration::from(dur),
            Duration::from(trim_start),
            Duration::from(trim_end),
        )
    }
}

/// A track's encoder delay and padding (from the edit list or iTunSMPB) in media timescale units,
/// which are frames: only used when the media timescale is the sample rate.
#[derive(Copy, Clone, Debug)]
struct Gapless {
    /// Media timestamp of the first playable frame: the encoder delay.
    delay: u64,
    /// Media timestamp one past the last playable frame, if known.
    end: Option<u64>,
    /// The codec, and the frames an AAC packet decodes to (1024 or 960; 0 if unknown): for codecs
    /// whose packets decode to a fixed or self-described number of frames, the last packet
    /// decodes to more than the stts gives it (encoders shorten the last duration to the end).
    codec: AudioCodecId,
    aac_frames: u64,
}

impl Gapless {
    /// `total`: the media's duration in media timescale units, 0 if unknown (fragmented).
    fn new(
        trak: &TrakAtom,
        audio: &AudioCodecParameters,
        movie_timescale: NonZero<u32>,
        total: u64,
        itunsmpb: Option<(u64, u64, u64)>,
    ) -> Option<Gapless> {
        let media_timescale = u64::from(trak.mdia.mdhd.timescale.get());
        let movie_timescale = u64::from(movie_timescale.get());

        let aac_frames = match (audio.codec, audio.extra_data.as_deref()) {
            (CODEC_ID_AAC, Some(asc)) => match AudioSpecificConfig::read(asc) {
                Ok(asc) if !asc.sbr_present => asc.samples as u64,
                _ => 0,
            },
            _ => 0,
        };

        // The edit list: leading empty edits (media_time -1, a presentation offset) are ignored,
        // then exactly one edit must follow, at rate 1.
        let elst = trak
            .edts
            .as_ref()
            .and_then(|edts| edts.elst.as_ref())
            .and_then(|elst| {
                let mut edits = elst.entries.iter().skip_while(|edit| edit.media_time == -1);
                let edit = edits.next()?;

                if edits.next().is_some()
                    || edit.media_time < 0
                    || edit.media_rate_int != 1
                    || edit.media_rate_frac != 0
                {
                    warn!("unsupported edit list, encoder delay and padding are not trimmed");
                    return None;
                }

                let delay = edit.media_time as u64;

                // The segment duration is in the movie timescale; 0 means "to the end".
                let end = match edit.segment_duration {
                    0 => None,
                    dur => {
                        let len = (u128::from(dur) * u128::from(media_timescale)
                            + u128::from(movie_timescale / 2))
                            / u128::from(movie_timescale);
                        Some(delay.saturating_add(u64::try_from(len).unwrap_or(u64::MAX)))
                    }
                };

                // An edit ending within one movie tick of the media's end (or past it) ends with the
                // media: the movie timescale (often 1000) cannot state the end exactly.
                let tick = media_timescale.div_ceil(movie_timescale);
                let end = end.filter(|end| total == 0 || end.saturating_add(tick) <= total);

                // An edit that starts at 0 and plays the whole media says nothing.
                if delay == 0 && end.is_none() {
                    return None;
                }

                Some((delay, end))
            });

        // iTunSMPB: delay, padding, and the number of playable frames.
        let (delay, end) = match (elst, itunsmpb) {
            (Some(elst), _) => elst,
            (None, Some((delay, padding, frames))) if delay > 0 || padding > 0 => (
                delay,
                if frames > 0 {
                    Some(delay.saturating_add(frames))
                } else {
                    None
                },
            ),
            _ => return None,
        };

        let end = match end {
            Some(end) if total > 0 => Some(end.min(total)),
            None if total > 0 => Some(total),
            end => end,
        };

        // The delay must leave something to play (and fit the track's u32 delay field).
        if u32::try_from(delay).is_err() || end.is_some_and(|end| end <= delay) {
            warn!("invalid encoder delay {delay}, not trimming");
            return None;
        }

        Some(Gapless {
            delay,
            end,
            codec: audio.codec,
            aac_frames,
        })
    }

    /// The frames a packet decodes to, if the codec says so: AAC (fixed), MPEG audio (frame
    /// header), Opus (TOC, RFC 6716 3.1). Otherwise the packet's stts duration is used.
    fn packet_frames(&self, data: &[u8]) -> Option<u64> {
        match self.codec {
            CODEC_ID_AAC if self.aac_frames > 0 => Some(self.aac_frames),
            CODEC_ID_MP1 | CODEC_ID_MP2 | CODEC_ID_MP3 => {
                let (b0, b1) = (*data.first()?, *data.get(1)?);
                if b0 != 0xff || b1 & 0xe0 != 0xe0 {
                    return None;
                }
                match ((b1 >> 3) & 3, (b1 >> 1) & 3) {
                    (_, 3) => Some(384),
                    (_, 2) | (3, 1) => Some(1152),
                    (_, 1) => Some(576),
                    _ => None,
                }
            }
            CODEC_ID_OPUS => {
                let toc = *data.first()?;
                let config = toc >> 3;
                let len: u64 = match config {
                    0..=11 => [480, 960, 1920, 2880][usize::from(config & 3)],
                    12..=15 => [480, 960][usize::from(config & 1)],
                    _ => [120, 240, 480, 960][usize::from(config & 3)],
                };
                let count = match toc & 3 {
                    0 => 1,
                    1 | 2 => 2,
                    _ => u64::from(*data.get(1)? & 0x3f),
                };
                Some(len * count)
            }
            _ => None,
        }
    }
}

/// Finds iTunes' gapless tag (`----:com.apple.iTunes:iTunSMPB`, " 00000000 DDDDDDDD PPPPPPPP
/// TTTTTTTTTTTTTTTT ...") in a metadata revision: hexadecimal encoder delay, padding and the number
/// of playable frames.
fn find_itunsmpb(rev: &MetadataRevision) -> Option<(u64, u64, u64)> {
    rev.media.tags.iter().find_map(|tag| {
        if !tag.raw.key.to_ascii_lowercase().ends_with(":itunsmpb") {
            return None;
        }

        let text = match &tag.raw.value {
            RawValue::String(text) => text.as_str(),
            RawValue::Binary(data) => std::str::from_utf8(data).ok()?,
            _ => return None,
        };

        let mut fields = text
            .split_whitespace()
            .skip(1)
            .map(|f| u64::from_str_radix(f, 16).ok());
        Some((fields.next()??, fields.next()??, fields.next()??))
    })
}

/// Information regarding the next sample.
#[derive(Debug)]
struct NextSampleInfo {
    /// The track number of the next sample.
    track_num: usize,
    /// The track id.
    track_id: u32,
    /// The timestamp of the next sample.
    ts: Timestamp,
    /// The timestamp expressed in seconds.
    time: Time,
    /// The duration of the next sample.
    dur: Duration,
    /// The segment containing the next sample.
    seg_idx: usize,
}

/// Information regarding a sample.
#[derive(Debug)]
struct SampleDataInfo {
    /// The position of the sample in the track.
    pos: u64,
    /// The length of the sample.
    len: u32,
}

/// A representation of time, defining a duration relative to a specific frequency
#[derive(Debug)]
pub struct TimeSpan {
    pub timescale: NonZero<u32>,
    pub duration: Duration,
}

impl Default for TimeSpan {
    fn default() -> Self {
        Self {
            timescale: NonZero::new(1).expect("1 is non-zero"),
            duration: Duration::ZERO,
        }
    }
}

impl TimeSpan {
    pub fn new(timescale: NonZero<u32>, duration: Duration) -> Self {
        TimeSpan {
            timescale,
            duration,
        }
    }
}

/// ISO Base Media File Format (MP4, M4A, MOV, etc.) demultiplexer.
///
/// `IsoMp4Reader` implements a demuxer for the ISO Base Media File Format.
pub struct IsoMp4Reader<'s> {
    iter: AtomIterator<MediaSourceStream<'s>>,
    media_info: MediaInfo,
    tracks: Vec<Track>,
    metadata: MetadataLog,
    /// Segments of the movie. Sorted in ascending order by sequence number.
    segs: Vec<Box<dyn StreamSegment>>,
    /// State tracker for each track.
    track_states: Vec<TrackState>,
    /// Optional, movie extends atom used for fragmented streams.
    moov: Arc<MoovAtom>,
    /// The length of the stream in bytes, if known.
    stream_len: Option<u64>,
    /// The atom iterator reached the end of the stream.
    eof: bool,
}

impl<'s> IsoMp4Reader<'s> {
    pub fn try_new(mut mss: MediaSourceStream<'s>, opts: FormatOptions) -> Result<Self> {
        // To get to beginning of the atom.
        mss.seek_buffered_rel(-4);

        let is_seekable = mss.is_seekable();

        let mut ftyp = None;
        let mut moov = None;

        // Get the total length of the stream, if possible.
        let total_len = if is_seekable {
            let pos = mss.pos();
            let len = mss.seek(SeekFrom::End(0))?;
            mss.seek(SeekFrom::Start(pos))?;
            info!("stream is seekable with len={len} bytes.");
            Some(len)
        } else {
            None
        };

        let mut metadata = opts.external_data.metadata.unwrap_or_default();
        let mut itunsmpb = None;

        // Parse all atoms if the stream is seekable, otherwise parse all atoms up-to the mdat atom.
        let mut it = AtomIterator::new(mss, total_len);
        // Maps each track id to its cumulative duration (TimeSpan) as parsed from the segment
        // index.
        let mut sidx_timespans: HashMap<u32, TimeSpan> = HashMap::new();

        while let Some(header) = it.next_header()? {
            // Top-level atoms.
            match header.atom_type() {
                AtomType::FileType => {
                    ftyp = Some(it.read_atom::<FtypAtom>()?);
                }
                AtomType::Movie => {
                    moov = Some(it.read_atom::<MoovAtom>()?);
                }
                AtomType::SegmentIndex => {
                    let sidx = it.read_atom::<SidxAtom>()?;

                    // Calculate the total duration, per track, from the segment index atoms.
                    let sidx_timespan = sidx_timespans
                        .entry(sidx.reference_id)
                        .or_insert(TimeSpan::new(sidx.timescale, Duration::ZERO));

                    if sidx_timespan.timescale != sidx.timescale {
                        return unsupported_error(
                            "isomp4: different sidx timescale for the same track",
                        );
                    }

                    // Don't overflow.
                    // TODO: Duration should maybe be None since SIDX is non-authoritative.
                    sidx_timespan.duration = sidx_timespan
                        .duration
                        .checked_add(Duration::new(sidx.total_duration))
                        .ok_or(Error::DecodeError("isomp4: sidx total duration overflow"))?
                }
                AtomType::MediaData | AtomType::MovieFragment => {
                    // The mdat atom contains the codec bitstream data. For fragmented streams, a
                    // moof + mdat pair is required. If the ftyp and moov atoms have been read, then
                    // the top-level atom scan can exit here and begin playback immediately as an
                    // optimization. If not, then the scan must continue.
                    //
                    // The scan must also exit if the source is unseekable because in that case
                    // the format reader cannot skip past these atoms without dropping packets.
                    let is_playable = moov.is_some() && ftyp.is_some();

                    if is_playable || !is_seekable {
                        if !is_playable {
                            warn!("mp4 is not streamable.");
                        }
                        break;
                    }
                }
                AtomType::Meta => {
                    // Read the metadata atom and append it to the log.
                    let mut meta = it.read_atom::<MetaAtom>()?;

                    if let Some(rev) = meta.take_metadata() {
                        itunsmpb = itunsmpb.or_else(|| find_itunsmpb(&rev));
                        metadata.push(rev);
                    }
                }
                AtomType::Free => (),
                AtomType::Skip => (),
                _ => {
                    info!("skipping top-level atom: {:?}.", header.atom_type());
                }
            }
        }

        if ftyp.is_none() {
            return unsupported_error("isomp4: missing ftyp atom");
        }

        if moov.is_none() {
            return unsupported_error("isomp4: missing moov atom");
        }

        // If the top-level atom scan iterated across the entire source (e.g., if moov was the last
        // atom), then the iterator must return to the first moof or mdat atom. This is only
        // possible if the source is seekable. If it's not, then the media will be effectively
        // unplayable.
        if is_seekable && it.pending().is_none() {
            let mut mss = it.into_inner();
            mss.seek(SeekFrom::Start(0))?;

            it = AtomIterator::new(mss, total_len);

            while let Some(header) = it.next_header()? {
                if let AtomType::MovieFragment | AtomType::MediaData = header.atom_type() {
                    break;
                }
            }
        }

        // Fragments (moof + mdat pairs) are streamed. So if the pending atom is a moof, seek the
        // iterator to the start of the moof atom.
        if let Some(atom) = it.pending() {
            if atom.atom_type() == AtomType::MovieFragment {
                it.seek_atom_start()?;
            }
        }

        let mut moov = moov.expect("moov is checked for None above");

        if moov.is_fragmented() {
            if !sidx_timespans.is_empty() {
                info!("stream is segmented with a segment index.");
            } else {
                info!("stream is segmented without a segment index.");
            }
        }

        if let Some(rev) = moov.take_metadata() {
            itunsmpb = find_itunsmpb(&rev).or(itunsmpb);
            metadata.push(rev);
        }

        // Create a track and track state for each Track (trak) atom.
        let mut tracks = Vec::with_capacity(moov.traks.len());
        let mut track_states = Vec::with_capacity(moov.traks.len());

        for (t, trak) in moov.traks.iter().enumerate() {
            // Determine the timespan of the track.
            let timespan = if moov.is_fragmented() {
                // If fragmented, prefer the duration from the sidx, if it is provided. Otherwise,
                // fallback to the mdhd.
                sidx_timespans
                    .get(&trak.tkhd.id)
                    .map(|sidx_tspan| TimeSpan::new(sidx_tspan.timescale, sidx_tspan.duration))
                    .unwrap_or_else(|| {
                        TimeSpan::new(trak.mdia.mdhd.timescale, trak.mdia.mdhd.duration.into())
                    })
            } else {
                // If non-fragmented, use the total duration (media timescale) from the track's
                // stts atom. Since edits are not currently supported, this is the duration of all
                // samples that will be yielded.
                //
                // TODO: Support edits. Once supported, prefer the tkhd duration.
                let duration = Duration::from(trak.mdia.minf.stbl.stts.total_duration);

                TimeSpan::new(trak.mdia.mdhd.timescale, duration)
            };

            let (track_state, track) = TrackState::make(
                t,
                trak,
                &timespan,
                moov.mvhd.timescale,
                moov.is_fragmented(),
                itunsmpb,
            );

            tracks.push(track);
            track_states.push(track_state);
        }

        // The number of tracks specified in the moov atom must match the number in the mvex atom.
        if let Some(mvex) = &moov.mvex {
            if mvex.trexs.len() != moov.traks.len() {
                return decode_error("isomp4: mvex and moov track number mismatch");
            }
        }

        // The moov atom will be shared among all segments and the demuxer using an Arc.
        let moov = Arc::new(moov);

        let segs: Vec<Box<dyn StreamSegment>> = vec![Box::new(MoovSegment::new(moov.clone()))];

        // Populate media information.
        let mut media_info = MediaInfo::new();
        media_info.with_time_base(TimeBase::from_recip(moov.mvhd.timescale));
        media_info.with_duration(Duration::new(moov.mvhd.duration));

        Ok(IsoMp4Reader {
            iter: it,
            media_info,
            tracks,
            metadata,
            track_states,
            segs,
            moov,
            stream_len: total_len,
            eof: false,
        })
    }

    /// Idempotently gets information regarding the next sample of the media stream. This function
    /// selects the next sample with the lowest timestamp of all tracks.
    fn next_sample_info(&self) -> Result<Option<NextSampleInfo>> {
        let mut earliest = None;

        // TODO: Consider returning samples based on lowest byte position in the track instead of
        // timestamp. This may be important if video tracks are ever decoded (i.e., DTS vs. PTS).

        for (state, track) in self.track_states.iter().zip(&self.tracks) {
            // Get the timebase of the track used to calculate the presentation time.
            let tb = track
                .time_base
                .expect("track always created with a timebase");

            // Get the next timestamp for the next sample of the current track. The next sample may
            // be in a future segment.
            for (seg_idx_delta, seg) in self.segs[state.cur_seg..].iter().enumerate() {
                // Try to get the timestamp for the next sample of the track from the segment.
                if let Some(timing) = seg.sample_timing(state.track_num, state.next_sample)? {
                    // Calculate the presentation time using the timestamp.
                    let Some(ts) = timing.ts.try_into().ok() else {
                        return Ok(None);
                    };

                    let Some(sample_time) = tb.calc_time(ts) else {
                        return Ok(None);
                    };

                    // Compare the presentation time of the sample from this track to other tracks,
                    // and select the track with the earliest presentation time.
                    match earliest {
                        Some(NextSampleInfo { time, .. }) if time <= sample_time => {
                            // Earliest is less than or equal to the track's next sample
                            // presentation time. No need to update earliest.
                        }
                        _ => {
                            // Earliest was either None, or greater than the track's next sample
                            // presentation time. Update earliest.
                            earliest = Some(NextSampleInfo {
                                track_num: state.track_num,
                                track_id: state.track_id,
                                ts,
                                time: sample_time,
                                dur: Duration::from(timing.dur),
                                seg_idx: seg_idx_delta + state.cur_seg,
                            });
                        }
                    }

                    // Either the next sample of the track had the earliest presentation time seen
                    // thus far, or it was greater than those from other tracks, but there is no
                    // reason to check samples in future segments.
                    break;
                }
            }
        }

        Ok(earliest)
    }

    fn consume_next_sample(&mut self, info: &NextSampleInfo) -> Result<Option<SampleDataInfo>> {
        // Get the track state.
        let track = &mut self.track_states[info.track_num];

        // Get the segment associated with the sample.
        let seg = &self.segs[info.seg_idx];

        // Get the sample data descriptor.
        let sample_data_desc = seg.sample_data(track.track_num, track.next_sample, false)?;

        // The sample base position in the sample data descriptor remains constant if the sample
        // followed immediately after the previous sample. In this case, the track state's
        // next_sample_pos is the position of the current sample. If the base position has jumped,
        // then the base position is the position of current the sample.
        let pos = if sample_data_desc.base_pos > track.next_sample_pos {
            sample_data_desc.base_pos
        } else {
            track.next_sample_pos
        };

        // Advance the track's current segment to the next sample's segment.
        track.cur_seg = info.seg_idx;

        // Advance the track's next sample number and position.
        track.next_sample = track
            .next_sample
            .checked_add(1)
            .ok_or(Error::DecodeError("isomp4: too many samples"))?;
        track.next_sample_pos = pos
            .checked_add(u64::from(sample_data_desc.size))
            .ok_or(Error::DecodeError("isomp4: invalid sample position"))?;

        Ok(Some(SampleDataInfo {
            pos,
            len: sample_data_desc.size,
        }))
    }

    fn try_read_more_segments(&mut self) -> Result<bool> {
        // If all tracks ended in the last segment, then do not try to read anymore segments.
        //
        // Note, there will always be one segment because the moov atom was converted into a segment
        // when the reader was instantiated.
        let last_seg = self
            .segs
            .last()
            .expect("always at least one segment from moov atom");
        if last_seg.all_tracks_ended() || self.eof {
            return Ok(false);
        }

        // Continue iterating over atoms until a segment (a moof + mdat atom pair) is found. All
        // other atoms will be ignored.
        loop {
            let header = match self.iter.next_header() {
                Ok(Some(header)) => header,
                Ok(None) => {
                    self.eof = true;
                    break;
                }
                // If fragmented, an EOF is the only way to truly detect the end of stream.
                Err(AtomError::Other(Error::IoError(err)))
                    if self.moov.is_fragmented()
                        && err.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    self.eof = true;
                    break;
                }
                // Passthrough other errors.
                Err(err) => return Err(err.into()),
            };

            match header.atom_type() {
                AtomType::MediaData => {
                    return Ok(true);
                }
                AtomType::MovieFragment => {
                    let moof = self.iter.read_atom::<MoofAtom>()?;

                    // A moof segment can only be created if the media is fragmented.
                    if self.moov.is_fragmented() {
                        // Get the last segment.
                        let last_seg = self
                            .segs
                            .last()
                            .expect("always at least one segment from moov atom");

                        // Create a new segment for the moof atom.
                        let seg = MoofSegment::new(
                            moof,
                            self.moov.clone(),
                            last_seg.as_ref(),
                            self.stream_len,
                        )?;

                        // Segments should have a monotonic sequence number.
                        if seg.sequence_num() <= last_seg.sequence_num() {
                            warn!("moof fragment has a non-monotonic sequence number.");
                        }

                        // Push the segment.
                        self.segs.push(Box::new(seg));
                    } else {
                        return decode_error("isomp4: moof atom present without mvex atom");
                    }
                }
                _ => {
                    trace!("skipping atom: {:?}.", header.atom_type());
                }
            }
        }

        // If no atoms were returned above, then the end-of-stream has been reached.
        Ok(false)
    }

    fn seek_track_by_time(&mut self, track_num: usize, time: Time) -> Result<SeekedTo> {
        // Convert time to timestamp for the track.
        if let Some(track) = self.tracks.get(track_num) {
            let tb = track
                .time_base
                .expect("track always created with a timebase");
            let ts = tb
                .calc_timestamp(time)
                .ok_or(Error::SeekError(SeekErrorKind::OutOfRange))?;
            self.seek_track_by_ts(track_num, ts)
        } else {
            seek_error(SeekErrorKind::Unseekable)
        }
    }

    fn seek_track_by_ts(&mut self, track_num: usize, ts: Timestamp) -> Result<SeekedTo> {
        debug!("seeking track_num={track_num} to frame_ts={ts}");

        struct SeekLocation {
            seg_idx: usize,
            sample_num: u32,
        }

        // Timestamps are relative to the first playable frame, which is at media timestamp
        // `delay`. Can only seek to media timestamps >= 0 (down to -delay: into the priming, for
        // a decoder pre-roll).
        let delay = self.track_states[track_num].delay();
        let media_ts = match ts.get().checked_add(delay as i64) {
            Some(media_ts) if media_ts >= 0 => media_ts as u64,
            _ => return seek_error(SeekErrorKind::OutOfRange),
        };

        // Past the last playable frame (into the padding) is out of range too.
        let end = self.track_states[track_num].gapless.and_then(|g| g.end);
        if end.is_some_and(|end| media_ts >= end) {
            return seek_error(SeekErrorKind::OutOfRange);
        }

        let mut seg_skip = 0;

        let seek_loc = 'locate: loop {
            // Iterate over all segments and attempt to find the segment and sample number that
            // contains the desired timestamp. Skip segments already examined.
            for (seg_idx, seg) in self.segs.iter().enumerate().skip(seg_skip) {
                if let Some(sample_num) = seg.ts_sample(track_num, media_ts)? {
                    break 'locate SeekLocation {
                        seg_idx,
                        sample_num,
                    };
                }

                // Mark the segment as examined.
                seg_skip = seg_idx + 1;
            }

            // Otherwise, try to read more segments from the stream.
            if !self.try_read_more_segments()? {
                return seek_error(SeekErrorKind::OutOfRange);
            }
        };

        let seg = &self.segs[seek_loc.seg_idx];

        // Get the sample timing.
        let timing = match seg.sample_timing(track_num, seek_loc.sample_num)? {
            Some(t) => t,
            None => return seek_error(SeekErrorKind::OutOfRange),
        };

        // Try to convert the sample timing to a timestamp relative to the first playable frame.
        let actual_ts = match Timestamp::try_from(timing.ts) {
            Ok(ts) => Timestamp::from(ts.get().saturating_sub(delay as i64)),
            _ => return seek_error(SeekErrorKind::OutOfRange),
        };

        // Get the sample information.
        let data_desc = seg.sample_data(track_num, seek_loc.sample_num, true)?;

        // Update the track's next sample information to point to the seeked sample.
        let track = &mut self.track_states[track_num];

        track.cur_seg = seek_loc.seg_idx;
        track.next_sample = seek_loc.sample_num;
        track.next_sample_pos = match data_desc
            .offset
            .and_then(|o| data_desc.base_pos.checked_add(o))
        {
            Some(pos) => pos,
            None => return seek_error(SeekErrorKind::OutOfRange),
        };

        debug!(
            "seeked track_num={} (track_id={}) to packet_ts={} (delta={})",
            track_num,
            track.track_id,
            actual_ts,
            actual_ts.saturating_delta(ts),
        );

        Ok(SeekedTo {
            track_id: track.track_id,
            required_ts: ts,
            actual_ts,
        })
    }
}

impl Scoreable for IsoMp4Reader<'_> {
    fn score(_src: ScopedStream<&mut MediaSourceStream<'_>>) -> Result<Score> {
        Ok(Score::Supported(255))
    }
}

impl ProbeableFormat<'_> for IsoMp4Reader<'_> {
    fn try_probe_new(
        mss: MediaSourceStream<'_>,
        opts: FormatOptions,
    ) -> Result<Box<dyn FormatReader + '_>> {
        Ok(Box::new(IsoMp4Reader::try_new(mss, opts)?))
    }

    fn probe_data() -> &'static [ProbeFormatData] {
        &[support_format!(
            ISOMP4_FORMAT_INFO,
            &["mp4", "m4a", "m4p", "m4b", "m4r", "m4v", "mov"],
            &["video/mp4", "audio/m4a"],
            &[b"ftyp"] // Top-level atoms
        )]
    }
}

impl FormatReader for IsoMp4Reader<'_> {
    fn format_info(&self) -> &FormatInfo {
        &ISOMP4_FORMAT_INFO
    }

    fn media_info(&self) -> &MediaInfo {
        &self.media_info
    }

    fn next_packet(&mut self) -> Result<Option<Packet>> {
        // Get the index of the track with the next-nearest (minimum) timestamp.
        let next_sample_info = loop {
            // Using the current set of segments, try to get the next sample info.
            if let Some(info) = self.next_sample_info()? {
                break info;
            } else {
                // The inner reader of the atom iterator has been used/seeked around to read
                // packets, so resync the reader and iterator by seeking to the end of the current
                // pending atom. Under regular circumstances, no actual expensive seek operation is
                // performed since the reader should be at the end of the last iterated atom if we
                // are trying to read another.
                match self.iter.seek_atom_end() {
                    Ok(_) | Err(AtomError::NoPendingAtom) => (),
                    Err(_) => return decode_error("sync lost"),
                };

                // No more segments. If the stream is unseekable, it may be the case that there are
                // more segments coming. If the stream is seekable it might be fragmented and no
                // segments are found in the moov atom. Iterate atoms until a new segment is found
                // or the end-of-stream is reached
                if !self.try_read_more_segments()? {
                    return Ok(None);
                }
            }
        };

        // Get the position and length information of the next sample.
        let sample_info = match self.consume_next_sample(&next_sample_info)? {
            Some(s) => s,
            None => return decode_error("isomp4: failed to get next sample data"),
        };

        let data = self
            .iter
            .read_raw_boxed_slice_exact(sample_info.pos, sample_info.len as usize)?;

        let (pts, dur, trim_start, trim_end) = self.track_states[next_sample_info.track_num]
            .packet_timing(
                next_sample_info.ts.get() as u64,
                next_sample_info.dur.get(),
                &data,
            );

        let mut packet = Packet::new(next_sample_info.track_id, pts, dur, data);
        packet.trim_start = trim_start;
        packet.trim_end = trim_end;

        Ok(Some(packet))
    }

    fn metadata(&mut self) -> Metadata<'_> {
        self.metadata.metadata()
    }

    fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    fn seek(&mut self, _mode: SeekMode, to: SeekTo) -> Result<SeekedTo> {
        if self.tracks.is_empty() {
            return seek_error(SeekErrorKind::Unseekable);
        }

        match to {
            SeekTo::Timestamp { ts, track_id } => {
                // The seek timestamp is in timebase units specific to the selected track. Get the
                // selected track and use the timebase to convert the timestamp into time units so
                // that the other tracks can be seeked.
                if let Some((track_num, track)) = self
                    .tracks
                    .iter()
                    .enumerate()
                    .find(|(_, track)| track.id == track_id)
                {
                    // Convert to time units.
                    let tb = match track.time_base {
                        Some(tb) => tb,
                        None => return seek_error(SeekErrorKind::Unseekable),
                    };
                    let time = tb
                        .calc_time(ts)
                        .ok_or(Error::SeekError(SeekErrorKind::Unseekable))?;

                    // Seek all tracks excluding the primary track to the desired time.
                    for t in 0..self.track_states.len() {
                        if t != track_num {
                            self.seek_track_by_time(t, time)?;
                        }
                    }

                    // Seek the primary track and return the result.
                    self.seek_track_by_ts(track_num, ts)
                } else {
                    seek_error(SeekErrorKind::InvalidTrack)
                }
            }
            SeekTo::Time { time, track_id } => {
                // If provided, find the track number of the track with the desired track_id, or
                // default to the first track.
                let track_num = match track_id {
                    Some(id) => self
                        .tracks
                        .iter()
                        .position(|track| track.id == id)
                        .ok_or(Error::SeekError(SeekErrorKind::InvalidTrack))?,
                    None => 0,
                };

                // Seek all tracks excluding the selected track and discard the result.
                for t in 0..self.track_states.len() {
                    if t != track_num {
                        self.seek_track_by_time(t, time)?;
                    }
                }

                // Seek the primary track and return the result.
                self.seek_track_by_time(track_num, time)
            }
        }
    }

    fn into_inner<'s>(self: Box<Self>) -> MediaSourceStream<'s>
    where
        Self: 's,
    {
        self.iter.into_inner()
    }
}

impl ReadAtom for MediaSourceStream<'_> {}

impl From<AtomError> for Error {
    fn from(value: AtomError) -> Self {
        // Map all atom iteration errors to decode errors.
        let msg = match value {
            AtomError::InvalidAtomSize => "isomp4: invalid atom size",
            AtomError::InvalidUtf8 => "isomp4: invalid utf-8 string",
            AtomError::MaximumDepthReached => "isomp4: maximum recursion depth reached",
            AtomError::NoParentAtom => "isomp4: no parent atom",
            AtomError::NoPendingAtom => "isomp4: no atom pending read",
            AtomError::Overrun => "isomp4: overrun while reading atom",
            AtomError::SeekOutOfRange => "isomp4: out-of-bounds seek for a non-seekable stream",
            AtomError::UnexpectedEndOfAtom => "isomp4: unexpected end of atom",
            AtomError::UnexpectedPosition => "isomp4: unexpected position",
            AtomError::UnexpectedUnknownSizeAtom => "isomp4: unknown size atom has sized parent",
            AtomError::UnexpectedReadOperation => "isomp4: unexpected read operation",
            AtomError::UnknownAtomSize => "isomp4: unknown atom size",
            AtomError::Other(err) => return err,
        };
        Error::DecodeError(msg)
    }
}

// fn convert_timescale(
//     duration: u64,
//     src_timescale: NonZero<u32>,
//     dst_timescale: NonZero<u32>,
// ) -> Duration {
//     if src_timescale == dst_timescale {
//         return Duration::from(duration);
//     }
//     Duration::from(
//         ((duration as u128 * dst_timescale.get() as u128) / src_timescale.get() as u128) as u64,
//     )
// }
