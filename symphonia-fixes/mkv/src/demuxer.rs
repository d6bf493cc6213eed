// Symphonia
// Copyright (c) 2019-2026 The Project Symphonia Developers.
//
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.
//
// Modified by audiostream: gapless playback from CodecDelay and DiscardPadding (parsed but
// unused in 0.6.1): the track's delay is CodecDelay in frames, packets get trim_start for the
// part of the delay they hold (frames counted with Opus' TOC, or block durations) and trim_end
// from their block group's DiscardPadding. Trims are in frames (what decoders cut), while pts/dur
// stay in track ticks. Seeks land on the frame holding the timestamp (frames without a duration
// were skipped when the next one was later), drop frames queued before the seek, restart from the
// first cluster on seekable streams (backward seeks without Cues, and seeks after the end of the
// stream, failed), compare cue times in Segment ticks, and take a cue-seeked cluster's timestamp
// from the cluster, not the cue point (after a cue seek, packets had other pts, and other data,
// than when read in order).

use std::collections::{HashMap, VecDeque};
use std::convert::TryFrom;
use std::num::NonZero;

use symphonia_core::codecs::audio::well_known::CODEC_ID_OPUS;
use symphonia_core::errors::{Error, Result, SeekErrorKind, seek_error, unsupported_error};
use symphonia_core::formats::prelude::*;
use symphonia_core::formats::probe::{ProbeFormatData, ProbeableFormat, Score, Scoreable};
use symphonia_core::formats::well_known::FORMAT_ID_MKV;
use symphonia_core::io::*;
use symphonia_core::meta::{Metadata, MetadataLog};
use symphonia_core::support_format;
use symphonia_core::units::TimeBase;

use log::{info, warn};

use crate::codecs::make_track_codec_params;
use crate::ebml::{
    EbmlElementInfo, EbmlError, EbmlIterator, EbmlIteratorState, EbmlSchema, ReadEbml,
};
use crate::lacing::{Frame, extract_frames};
use crate::schema::{MkvElement, MkvSchema};
use crate::segment::{
    AttachmentsElement, BlockGroupElement, ChaptersElement, CuesElement, EbmlHeaderElement,
    InfoElement, MatroskaTicks, NonZeroMatroskaTicks, SeekHeadElement, SegmentTicks, TagsElement,
    TargetTagsMap, TracksElement,
};

const MKV_FORMAT_INFO: FormatInfo = FormatInfo {
    format: FORMAT_ID_MKV,
    short_name: "matroska",
    long_name: "Matroska / WebM",
};

pub struct TrackState {
    /// The Matroska track number (Symphonia's track ID).
    track_num: u32,
    /// The default frame duration.
    pub(crate) default_frame_duration: Option<NonZeroMatroskaTicks>,
    /// The codec delay.
    pub(crate) codec_delay: MatroskaTicks,
    /// The track's timebase.
    pub(crate) track_time_base: TimeBase,
    /// The track's timestamp scale.
    pub(crate) track_timestamp_scale: f64,
    /// The rate CodecDelay and DiscardPadding convert to frames at (48 kHz for Opus), if audio.
    pub(crate) gapless_rate: Option<u32>,
    /// The encoder delay (CodecDelay) in frames.
    pub(crate) delay_frames: u64,
    /// Whether packets are Opus (their TOC gives the frames they decode to).
    pub(crate) is_opus: bool,
    /// The frame (from the start of the stream, delay included) the next packet starts at, if
    /// known: 0 at the start, unknown after a seek (then derived from the block timestamp).
    pub(crate) next_raw_frame: Option<u64>,
}

impl TrackState {
    /// Frames (at `gapless_rate`) in `ticks` of this track's timebase, rounded.
    fn ticks_to_frames(&self, ticks: u64, rate: u32) -> u64 {
        let tb = self.track_time_base;
        let num = u128::from(ticks) * u128::from(tb.numer.get()) * u128::from(rate);
        let den = u128::from(tb.denom.get());
        u64::try_from((num + den / 2) / den).unwrap_or(u64::MAX)
    }

    /// The trims of a packet, in frames (what decoders and readers cut): the part of the encoder
    /// delay (CodecDelay) the packet holds, and the block's DiscardPadding (positive: at the end,
    /// negative: at the start).
    fn trims(&mut self, frame: &Frame) -> (Duration, Duration) {
        let Some(rate) = self.gapless_rate else {
            return (Duration::ZERO, Duration::ZERO);
        };

        // The frames the packet decodes to, if known.
        let frames = match self.is_opus {
            true => opus_packet_frames(&frame.data),
            false => None,
        }
        .or_else(|| (frame.dur.get() > 0).then(|| self.ticks_to_frames(frame.dur.get(), rate)));

        // Where the packet starts in the stream, delay included. The block timestamp (ms, usually)
        // is only used after a seek: at the start of a stream and from packet to packet, frames
        // are counted.
        let pos = self.next_raw_frame.unwrap_or_else(|| {
            let codec_delay = self.codec_delay.into_track_ticks(self.track_time_base);
            let raw = frame
                .pts
                .checked_add_unsigned(codec_delay)
                .map_or(0, |ts| ts.get().max(0));
            self.ticks_to_frames(raw as u64, rate)
        });
        self.next_raw_frame = frames.and_then(|n| pos.checked_add(n));

        let padding = ns_to_frames(frame.discard_padding.unsigned_abs(), rate);

        let mut trim_start = self.delay_frames.saturating_sub(pos);
        let mut trim_end = 0;

        if frame.discard_padding < 0 {
            trim_start = trim_start.saturating_add(padding);
        } else {
            trim_end = padding;
        }

        if let Some(n) = frames {
            trim_start = trim_start.min(n);
            trim_end = trim_end.min(n - trim_start);
        }

        (Duration::from(trim_start), Duration::from(trim_end))
    }
}

/// Nanoseconds to frames at `rate`, rounded.
fn ns_to_frames(ns: u64, rate: u32) -> u64 {
    let frames = (u128::from(ns) * u128::from(rate) + 500_000_000) / 1_000_000_000;
    u64::try_from(frames).unwrap_or(u64::MAX)
}

/// The number of frames (at 48 kHz) an Opus packet decodes to, from its TOC (RFC 6716, 3.1).
fn opus_packet_frames(data: &[u8]) -> Option<u64> {
    let toc = *data.first()?;
    let config = toc >> 3;
    let frame_len: u64 = match config {
        0..=11 => [480, 960, 1920, 2880][usize::from(config & 3)],
        12..=15 => [480, 960][usize::from(config & 1)],
        _ => [120, 240, 480, 960][usize::from(config & 3)],
    };
    let count = match toc & 3 {
        0 => 1,
        1 | 2 => 2,
        _ => u64::from(*data.get(1)? & 0x3f),
    };
    Some(frame_len * count)
}

/// Matroska (MKV) and WebM demultiplexer.
///
/// `MkvReader` implements a demuxer for the Matroska and WebM formats.
pub struct MkvReader<'s> {
    /// Iterator over EBML element headers
    iter: EbmlIterator<MediaSourceStream<'s>, MkvSchema>,
    media_info: MediaInfo,
    tracks: Vec<Track>,
    track_states: HashMap<u32, TrackState>,
    attachments: Vec<Attachment>,
    chapters: Option<ChapterGroup>,
    metadata: MetadataLog,
    cues: Option<CuesElement>,
    current_cluster: Option<ClusterState>,
    frames: VecDeque<Frame>,
    /// The iterator and cluster state at the first cluster (seekable streams only): seeks
    /// restart from there.
    first_cluster: Option<(EbmlIteratorState<MkvSchema>, Option<ClusterState>)>,
}

#[derive(Copy, Clone, Debug)]
struct ClusterState {
    /// The cluster timestamp in Segment ticks..
    timestamp: Option<SegmentTicks>,
    /// The start position in bytes of the cluster.
    start: u64,
}

impl<'s> MkvReader<'s> {
    pub fn try_new(mss: MediaSourceStream<'s>, opts: FormatOptions) -> Result<Self> {
        // Get the total length of the stream, if possible.
        let (is_seekable, total_len) = (mss.is_seekable(), mss.byte_len());

        match total_len {
            Some(len) if is_seekable => info!("stream is seekable with len={len} bytes."),
            _ => (),
        }

        let mut it = EbmlIterator::new(mss, MkvSchema, total_len);

        // Read the EBML header.
        let ebml = it.next_element::<EbmlHeaderElement>()?;

        if !matches!(ebml.doc_type.as_str(), "matroska" | "webm") {
            return unsupported_error("mkv: not a matroska / webm file");
        }

        // Read the root element, Segment.
        let segment_pos = match it.next_header()? {
            Some(elem) if elem.element_type() == MkvElement::Segment => elem.data_pos(),
            _ => return unsupported_error("mkv: missing segment element"),
        };

        // Descend into the Segment element.
        it.push_element()?;

        let mut segment_tracks = None;
        let mut info = None;
        let mut cues = None;
        let mut current_cluster = None;
        let mut seek_positions = Vec::new();
        let mut tags = Vec::new();
        let mut attachments = None;
        let mut chapters = None;

        while let Ok(Some(header)) = it.next_header() {
            match header.element_type() {
                MkvElement::SeekHead => {
                    let seek_head = it.read_master_element::<SeekHeadElement>()?;
                    for element in seek_head.seeks.into_vec() {
                        let element_type = match it.schema().get_element_info(element.id as u32) {
                            Some(info) => info.element_type(),
                            None => continue,
                        };
                        seek_positions.push((element_type, element.position));
                    }
                }
                MkvElement::Tracks => {
                    segment_tracks = Some(it.read_master_element::<TracksElement>()?);
                }
                MkvElement::Info => {
                    info = Some(it.read_master_element::<InfoElement>()?);
                }
                MkvElement::Cues => {
                    cues = Some(it.read_master_element::<CuesElement>()?);
                }
                MkvElement::Tags => {
                    // Multiple tags element per segment allowed.
                    tags.push(it.read_master_element::<TagsElement>()?);
                }
                MkvElement::Cluster => {
                    // Set state for current cluster for the first call of `next_element`.
                    current_cluster = Some(ClusterState {
                        timestamp: None,
                        start: header.pos() - segment_pos,
                    });

                    // Don't look forward into the stream since we can't be sure that we'll
                    // find anything useful.
                    break;
                }
                MkvElement::Attachments => {
                    // Only one attachments element per segment is expected.
                    if attachments.is_some() {
                        log::warn!("unexpected attachments element");
                    }
                    attachments = Some(it.read_master_element::<AttachmentsElement>()?);
                }
                MkvElement::Chapters => {
                    // Only one chapters element per segment is expected.
                    if chapters.is_some() {
                        log::warn!("unexpected chapters element");
                    }
                    chapters = Some(it.read_master_element::<ChaptersElement>()?);
                }
                other => {
                    log::debug!("top-level scan ignored element {other:?}");
                }
            }
        }

        if is_seekable {
            // All elements preceeding the element iterator's current position have already been
            // read and do not need to be revisited.
            seek_positions.retain(|sp| sp.1 >= it.pos());
            // Make sure we don't jump backwards unnecessarily.
            seek_positions.sort_by_key(|sp| sp.1);

            for (_, pos) in seek_positions {
                // Ascend back to the segment element.
                it.pop_elements_upto(MkvElement::Segment)?;

                // Seek the iterator to the child element.
                it.seek_to_child(pos)?;

                // Resume iteration.
                let element_type = match it.next_header()? {
                    Some(header) => header.element_type(),
                    _ => continue,
                };

                // Safety: The element type or position may be incorrect. The element iterator will
                // validate the type (as declared in the header) of the element at the seeked
                // position against the element type asked to be read.
                match element_type {
                    MkvElement::Tracks => {
                        segment_tracks = Some(it.read_master_element::<TracksElement>()?);
                    }
                    MkvElement::Info => {
                        info = Some(it.read_master_element::<InfoElement>()?);
                    }
                    MkvElement::Tags => {
                        // Multiple tags element per segment allowed.
                        tags.push(it.read_master_element::<TagsElement>()?);
                    }
                    MkvElement::Cues => {
                        cues = Some(it.read_master_element::<CuesElement>()?);
                    }
                    MkvElement::Attachments => {
                        // Only one attachments element per segment is expected.
                        if attachments.is_some() {
                            log::warn!("unexpected attachments element after meta seek");
                        }
                        attachments = Some(it.read_master_element::<AttachmentsElement>()?);
                    }
                    MkvElement::Chapters => {
                        // Only one chapters element per segment is expected.
                        if chapters.is_some() {
                            log::warn!("unexpected chapters element after meta seek");
                        }
                        chapters = Some(it.read_master_element::<ChaptersElement>()?)
                    }
                    _ => (),
                }
            }
        }

        let segment_tracks =
            segment_tracks.ok_or(Error::DecodeError("mkv: missing Tracks element"))?;

        // If seekable, seek to the start of the first cluster, if known, or the start of the
        // segment. If unseekable, the element iterator is already positioned at the start of the
        // first cluster.
        if is_seekable {
            let cluster_pos = current_cluster
                .as_ref()
                .map(|cluster| cluster.start)
                .unwrap_or(0);
            it.seek_to_child(cluster_pos)?;
            let _ = it.next_header()?;
        }

        // Descend into the cluster.
        it.push_element()?;

        let first_cluster = is_seekable.then(|| (it.save_state(), current_cluster));

        let info = info.ok_or(Error::DecodeError("mkv: missing Info element"))?;

        // Create a hashmap of all per-target tags (edition, chapter, & attachment tags).
        let mut per_target_tags: TargetTagsMap = Default::default();

        segment_tracks.get_target_uids(&mut per_target_tags);

        if let Some(chapters) = &chapters {
            chapters.get_target_uids(&mut per_target_tags);
        }
        if let Some(attachments) = &attachments {
            attachments.get_target_uids(&mut per_target_tags);
        }

        // Begin with externally provided metadata and chapters.
        let mut metadata = opts.external_data.metadata.unwrap_or_default();

        // Post-process all tag elements into metadata revisions, while also collecting per-target
        // tags.
        let is_video = segment_tracks
            .tracks
            .as_ref()
            .iter()
            .any(|t| t.video.is_some());
        for tag in tags {
            metadata.push(tag.into_metadata(&mut per_target_tags, is_video));
        }

        // Post-process chapters element.
        let chapters = chapters
            .map(|chapters| chapters.into_chapter_group(&mut per_target_tags))
            .unwrap_or(opts.external_data.chapters);

        // Process attachments element.
        let attachments = attachments
            .map(|attachments| attachments.into_attachments(&mut per_target_tags))
            .unwrap_or_default();

        // Should TimeBase use a u64/u64 rational?
        // Reduce the timebase to reduce the chance of overflows later.
        let time_base = TimeBase::new(
            info.timestamp_scale
                .try_into()
                .map_err(|_| Error::Unsupported("mkv: timestamp scale too large (report this)"))?,
            NonZero::new(1_000_000_000).expect("1_000_000_000 is non-zero"),
        )
        .reduce();

        let mut tracks = Vec::new();
        let mut track_states = HashMap::new();

        for track in segment_tracks.tracks {
            // The track's timebase is scaled by the track timestamp scale.
            let track_time_base = time_base
                .scale(track.track_timestamp_scale)
                .ok_or(Error::DecodeError("mkv: track timebase is invalid"))?;

            // Create the track state.
            let mut state = TrackState {
                // TODO: This should be 64-bit, but track IDs are 32-bit.
                track_num: u32::try_from(track.number.get())
                    .map_err(|_| Error::Unsupported("mkv: track number too large (report this)"))?,
                default_frame_duration: track.default_duration,
                codec_delay: track.codec_delay,
                track_time_base,
                track_timestamp_scale: track.track_timestamp_scale,
                gapless_rate: None,
                delay_frames: 0,
                is_opus: false,
                next_raw_frame: Some(0),
            };

            // Create the track.
            let mut tr = Track::new(state.track_num);

            tr.with_time_base(track_time_base);

            if let Some(lang_bcp47) = &track.lang_bcp47 {
                tr.with_language(lang_bcp47);
            } else {
                tr.with_language(&track.lang);
            }

            tr.with_flags(track.flags);

            if let Some(codec_params) = make_track_codec_params(track)? {
                tr.with_codec_params(codec_params);
            }

            // Gapless: CodecDelay (ns) is the encoder delay at the start (Opus' pre-skip), trimmed
            // from the first packet(s); DiscardPadding (ns, per block group) is trimmed from a
            // block's end. Both convert to frames at the sample rate (48 kHz for Opus, whatever
            // the track says: Opus always decodes to 48 kHz here).
            if let Some(audio) = tr.codec_params.as_ref().and_then(|p| p.audio()) {
                state.is_opus = audio.codec == CODEC_ID_OPUS;
                state.gapless_rate = if state.is_opus {
                    Some(48_000)
                } else {
                    audio.sample_rate
                };

                if let Some(rate) = state.gapless_rate {
                    // A delay that does not fit the track's u32 field is invalid: ignored.
                    let delay = ns_to_frames(state.codec_delay.get(), rate);
                    let delay = u32::try_from(delay).unwrap_or(0);

                    if delay > 0 {
                        tr.with_delay(delay);
                    }
                    state.delay_frames = u64::from(delay);
                }
            }

            tracks.push(tr);
            track_states.insert(state.track_num, state);
        }

        // Populate media information.
        let mut media_info = MediaInfo::new();

        media_info.with_time_base(time_base);

        if let Some(duration) = info.duration {
            media_info.with_duration(Duration::new(duration.get().round() as u64));
        }

        Ok(Self {
            iter: it,
            media_info,
            tracks,
            track_states,
            attachments,
            chapters,
            metadata,
            cues,
            current_cluster,
            frames: VecDeque::new(),
            first_cluster,
        })
    }

    fn seek_track_by_ts_forward(&mut self, track_id: u32, ts: Timestamp) -> Result<SeekedTo> {
        let actual_ts = 'out: loop {
            // Skip frames from the buffer until the frame of the track that holds the timestamp.
            while let Some(frame) = self.frames.front() {
                if frame.track_num != track_id {
                    self.frames.pop_front();
                    continue;
                }

                let pts = frame.pts.into_ts();

                // The frame holds the timestamp if it ends after it. Without a known duration
                // (usually: audio blocks have none), it does if the track's next frame starts
                // after it.
                let holds = if pts >= ts {
                    true
                } else if !frame.dur.into_dur().is_zero() {
                    pts.checked_add(frame.dur.into_dur())
                        .ok_or(Error::SeekError(SeekErrorKind::OutOfRange))?
                        > ts
                } else {
                    // Laced frames without durations share their block's pts: land on the first.
                    let next = self
                        .frames
                        .iter()
                        .skip(1)
                        .find(|f| f.track_num == track_id && f.pts.into_ts() != pts);
                    match next {
                        Some(next) => next.pts.into_ts() > ts,
                        // Read on to find the next frame.
                        None => {
                            if !self.next_element()? {
                                // The last frame of the track.
                                break 'out pts;
                            }
                            continue;
                        }
                    }
                };

                if holds {
                    break 'out pts;
                }
                self.frames.pop_front();
            }

            if !self.next_element()? {
                // There are no more elements.
                return Err(Error::SeekError(SeekErrorKind::OutOfRange));
            }
        };

        Ok(SeekedTo {
            track_id,
            required_ts: ts,
            actual_ts,
        })
    }

    fn seek_track_by_ts_atomic(
        &mut self,
        id: u32,
        tb: TimeBase,
        ts: Timestamp,
    ) -> Result<SeekedTo> {
        // Save the iterator and cluster states to restore in-case of and error.
        let iter_state = self.iter.save_state();
        let cluster_state = self.current_cluster;
        let frames = std::mem::take(&mut self.frames);

        // Restart from the first cluster: the only way back without cues, and the iterator has
        // left the segment after the end of the stream (a cue seek then failed).
        if let Some((state, cluster)) = &self.first_cluster {
            self.iter.restore_state(state.clone())?;
            self.current_cluster = *cluster;
        }

        match self.seek_track_by_ts(id, tb, ts) {
            Err(err) => {
                // Restore saved iterator and cluster states.
                self.iter.restore_state(iter_state)?;
                self.current_cluster = cluster_state;
                self.frames = frames;
                Err(err)
            }
            value => {
                // Where the next packets are in the stream is derived from their timestamps now.
                for track in self.track_states.values_mut() {
                    track.next_raw_frame = None;
                }
                value
            }
        }
    }

    fn seek_track_by_ts(&mut self, id: u32, _tb: TimeBase, ts: Timestamp) -> Result<SeekedTo> {
        log::debug!("seeking track_id={id} to ts={ts}");

        // If cues exist, seek to the nearest cue point.
        if let Some(cues) = &self.cues {
            let mut target_cue_point = None;

            // CueTime is in Segment ticks (TimestampScale units, like cluster timestamps; 0.6.1
            // multiplied the Track ticks by the reduced timebase numerator, which picked a wrong
            // cue unless TimestampScale is 1 ms), while the timestamp being seeked to is in
            // signed Track ticks (Segment ticks times TrackTimestampScale). A negative timestamp
            // (within the codec delay) seeks to the start.
            let scale = self
                .track_states
                .get(&id)
                .map_or(1.0, |t| t.track_timestamp_scale);
            let ts = MatroskaTicks::from((ts.get().max(0) as f64 / scale).round() as u64);

            for cue_point in &cues.points {
                if cue_point.time > ts {
                    break;
                }
                target_cue_point = Some(cue_point);
            }

            let target_cue_point =
                target_cue_point.ok_or(Error::SeekError(SeekErrorKind::OutOfRange))?;

            log::debug!(
                "found cue point: track_id={}, ts={}, seg_pos={}",
                target_cue_point.positions.track.get(),
                target_cue_point.time,
                target_cue_point.positions.cluster_pos
            );

            // Ascend back to the segment element.
            self.iter.pop_elements_upto(MkvElement::Segment)?;

            // Seek to the specific cluster element.
            self.iter
                .seek_to_child(target_cue_point.positions.cluster_pos)?;

            // Resume iteration.
            let cluster = match self.iter.next_header()? {
                // The seeked element is a cluster.
                Some(header) if header.element_type() == MkvElement::Cluster => header,
                // The seeked element is not a cluster or there were no more elements at the cue
                // position. The cue point was malformed.
                _ => return seek_error(SeekErrorKind::Unseekable),
            };

            // Update the current cluster metadata. The cluster's timestamp is read from its
            // Timestamp element, the cluster's first child: the cue point's time, converted, may
            // differ from it (packets after the seek then had other pts than when read in order).
            self.current_cluster = Some(ClusterState {
                timestamp: None,
                start: cluster.pos(),
            });

            // Descend into the cluster element, and scan it from its start.
            self.iter.push_element()?;
        }

        // Seek to exact block.
        self.seek_track_by_ts_forward(id, ts)
    }

    fn next_element(&mut self) -> Result<bool> {
        match self.iter.next_header()? {
            None => {
                // The EBML iterator has consumed all child elements at the current level of the
                // document.
                match self.iter.parent() {
                    None => {
                        // The parent is the document. The media has ended.
                        return Ok(false);
                    }
                    Some(parent) if parent.element_type() == MkvElement::Cluster => {
                        // The parent was a cluster element. Reset the cluster state.
                        self.current_cluster = None;
                    }
                    _ => (),
                }

                // Ascend to its parent.
                self.iter.pop_element()?;
            }
            Some(child) => {
                match child.element_type() {
                    // Cluster element.
                    MkvElement::Cluster => {
                        self.current_cluster = Some(ClusterState {
                            timestamp: None,
                            start: child.data_pos(),
                        });

                        // Descend into the cluster.
                        self.iter.push_element()?;
                    }
                    // Children of a cluster element.
                    MkvElement::Timestamp => {
                        // Cluster timestamp element.
                        match self.current_cluster.as_mut() {
                            Some(cc) => {
                                cc.timestamp = self.iter.read_u64()?.map(SegmentTicks::from)
                            }
                            _ => log::warn!("expected to have cluster"),
                        }
                    }
                    block_type @ (MkvElement::SimpleBlock | MkvElement::BlockGroup) => {
                        // Get the current cluster information.
                        let Some(cluster) = self.current_cluster.as_ref() else {
                            log::warn!("expected to have cluster");
                            return Ok(true);
                        };

                        // Get the cluster timestamp.
                        let Some(cluster_ts) = cluster.timestamp else {
                            log::warn!("missing cluster timestamp");
                            return Ok(true);
                        };

                        // Get block data, duration, and discard padding.
                        let (data, duration, discard_padding) = match block_type {
                            MkvElement::SimpleBlock => (self.iter.read_binary()?, None, 0),
                            MkvElement::BlockGroup => {
                                let group = self.iter.read_master_element::<BlockGroupElement>()?;
                                let padding = group.discard_padding.map_or(0, |p| p.get());
                                (group.data, group.duration, padding)
                            }
                            _ => unreachable!(),
                        };

                        // Extract frames.
                        if !extract_frames(
                            &data,
                            duration,
                            discard_padding,
                            cluster_ts,
                            &self.track_states,
                            &mut self.frames,
                        )? {
                            warn!("pts for block is too large");
                            return Ok(false);
                        }
                    }
                    // All other elements.
                    other => {
                        log::debug!("ignored element {other:?}");
                    }
                }
            }
        }

        Ok(true)
    }
}

impl ProbeableFormat<'_> for MkvReader<'_> {
    fn try_probe_new(
        mss: MediaSourceStream<'_>,
        opts: FormatOptions,
    ) -> Result<Box<dyn FormatReader + '_>>
    where
        Self: Sized,
    {
        Ok(Box::new(MkvReader::try_new(mss, opts)?))
    }

    fn probe_data() -> &'static [ProbeFormatData] {
        &[support_format!(
            MKV_FORMAT_INFO,
            &["webm", "mkv"],
            &["video/webm", "video/x-matroska"],
            &[b"\x1A\x45\xDF\xA3"] // Top-level element Ebml element
        )]
    }
}

impl FormatReader for MkvReader<'_> {
    fn format_info(&self) -> &FormatInfo {
        &MKV_FORMAT_INFO
    }

    fn media_info(&self) -> &MediaInfo {
        &self.media_info
    }

    fn attachments(&self) -> &[Attachment] {
        &self.attachments
    }

    fn chapters(&self) -> Option<&ChapterGroup> {
        self.chapters.as_ref()
    }

    fn metadata(&mut self) -> Metadata<'_> {
        self.metadata.metadata()
    }

    fn seek(&mut self, _mode: SeekMode, to: SeekTo) -> Result<SeekedTo> {
        if self.tracks.is_empty() {
            return seek_error(SeekErrorKind::Unseekable);
        }

        match to {
            SeekTo::Time { time, track_id } => {
                let track = match track_id {
                    Some(id) => self.tracks.iter().find(|track| track.id == id),
                    None => self.tracks.first(),
                };
                let track = track.ok_or(Error::SeekError(SeekErrorKind::InvalidTrack))?;
                let tb = track.time_base.expect("track always has a timebase");
                let ts = match tb.calc_timestamp(time) {
                    Some(ts) => ts,
                    None => {
                        warn!("seek ts is too large");
                        return seek_error(SeekErrorKind::OutOfRange);
                    }
                };
                let track_id = track.id;
                self.seek_track_by_ts_atomic(track_id, tb, ts)
            }
            SeekTo::Timestamp { ts, track_id } => {
                match self.tracks.iter().find(|t| t.id == track_id) {
                    Some(track) => {
                        let tb = track.time_base.expect("track always has a timebase");
                        self.seek_track_by_ts_atomic(track_id, tb, ts)
                    }
                    None => seek_error(SeekErrorKind::InvalidTrack),
                }
            }
        }
    }

    fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    fn next_packet(&mut self) -> Result<Option<Packet>> {
        loop {
            if let Some(frame) = self.frames.pop_front() {
                let (trim_start, trim_end) = match self.track_states.get_mut(&frame.track_num) {
                    Some(track) => track.trims(&frame),
                    None => (Duration::ZERO, Duration::ZERO),
                };

                let mut packet = Packet::new(
                    frame.track_num,
                    frame.pts.into_ts(),
                    frame.dur.into_dur(),
                    frame.data,
                );
                packet.trim_start = trim_start;
                packet.trim_end = trim_end;

                return Ok(Some(packet));
            }

            if !self.next_element()? {
                // Reached the end of stream.
                return Ok(None);
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

impl Scoreable for MkvReader<'_> {
    fn score(_src: ScopedStream<&mut MediaSourceStream<'_>>) -> Result<Score> {
        Ok(Score::Supported(255))
    }
}

impl ReadEbml for MediaSourceStream<'_> {}

impl From<EbmlError> for Error {
    fn from(value: EbmlError) -> Self {
        // All non-IO EBML errors are mapped to a decode error.
        let msg = match value {
            EbmlError::IoError(err) => return Error::IoError(err),
            EbmlError::InvalidEbmlElementIdLength => "mkv (ebml): invalid ebml element id length",
            EbmlError::InvalidEbmlDataLength => "mkv (ebml): invalid ebml vint length",
            EbmlError::UnknownElement => "mkv (ebml): the element is unknown",
            EbmlError::UnknownElementDataSize => "mkv (ebml): the element data size is unknown",
            EbmlError::UnexpectedElement => "mkv (ebml): encountered an unexpected element",
            EbmlError::UnexpectedElementDataType => {
                "mkv (ebml): unexpected element data type for the operation"
            }
            EbmlError::UnexpectedElementDataSize => {
                "mkv (ebml): unexpected data size for the element's data type"
            }
            EbmlError::NoElement => "mkv (ebml): no current element",
            EbmlError::NoParent => "mkv (ebml): no parent element",
            EbmlError::NotAnAncestor => {
                "mkv (ebml): the element is not an ancestor of the current element"
            }
            EbmlError::Overrun => "mkv (ebml): the element was overrun when read",
            EbmlError::ExpectedMasterElement => "mkv (ebml): expected a master element",
            EbmlError::ExpectedNonMasterElement => "mkv (ebml): expected a non-master element",
            EbmlError::SeekOutOfRange => "mkv (ebml): the seek was out of range",
            EbmlError::BufferTooSmall => "mkv (ebml): the buffer is too small",
            EbmlError::MaximumDepthReached => "mkv (ebml): maximum ebml document depth reached",
            EbmlError::ElementError(err) => err,
        };
        Error::DecodeError(msg)
    }
}
