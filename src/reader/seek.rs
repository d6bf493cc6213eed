//! Seeking: where each output starts again, how early the demuxer is sent (decoder preroll,
//! resampler blocks), the demuxer's seek itself, and reopening the demuxer at the start where
//! timestamps cannot name a frame.

use super::{audio_params, source, StreamReader};
use crate::{Error, Result};
use std::io::Seek;
use symphonia::core::errors::{Error as SymError, SeekErrorKind};
use symphonia::core::formats::{SeekMode, SeekTo};
use symphonia::core::units::{Time, Timestamp};

impl StreamReader {
    /// Seeks to `timestamp` seconds (seed: `seek`). Exact to the sample: the next chunk starts
    /// at frame `round(timestamp * sample_rate)` of a full decode, and its pts is that frame's
    /// time. A time past the end leaves the reader at the end; negative or NaN is an error.
    /// Buffered chunks are discarded.
    ///
    /// Every output uses its own rate: an output with another `sample_rate` continues at its
    /// frame `round(timestamp * sample_rate)`, with the samples a full converted decode has
    /// there, bit for bit (its resampler restarts at a block boundary before the target, so
    /// the decoder starts up to about three resampler blocks earlier).
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.flac", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// reader.seek(12.5)?;
    /// reader.fill_buffer()?;
    /// assert_eq!(reader.pop_chunks()[0].as_ref().unwrap().pts, 12.5);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn seek(&mut self, timestamp: f64) -> Result<()> {
        if timestamp.is_nan() || timestamp < 0.0 {
            return Err(Error::invalid_argument(
                "timestamp",
                timestamp,
                "a time in seconds >= 0",
            ));
        }
        let active: Vec<usize> = (0..self.decoders.len())
            .filter(|&i| self.decoders[i].is_some())
            .collect();
        // Where a timestamp cannot name a frame exactly (e.g. Matroska's milliseconds), decode
        // from the start and cut: slower, but exact.
        let from_start = active.iter().any(|&i| {
            self.decoders[i]
                .as_ref()
                .is_some_and(|d| !d.exact_timestamps())
        });
        // Past the stated end, where the only way there is decoding from the start, there is
        // nothing to find. (Elsewhere the demuxer decides: MP4's stated duration can be
        // shorter than its packets, which a full decode delivers.)
        let known_end = active
            .iter()
            .filter_map(|&i| self.streams.get(i).and_then(|s| s.duration))
            .reduce(f64::min);
        let beyond_end =
            !timestamp.is_finite() || (from_start && known_end.is_some_and(|end| timestamp >= end));
        // Where each output starts again: the source frame it needs decoded frames from, and
        // the frame (at its own rate) of its next chunk. Outputs that resample restart their
        // resampler at a block boundary before the target, so they need earlier frames.
        let starts: Vec<(u64, u64)> = self
            .outputs
            .iter()
            .map(|out| match (&out.conv, &self.decoders[out.src]) {
                (Some(conv), _) => conv.seek_point(timestamp),
                (None, Some(slot)) if timestamp.is_finite() => {
                    let frame = (timestamp * f64::from(slot.sample_rate)).round() as u64;
                    (frame, frame)
                }
                _ => (u64::MAX, u64::MAX),
            })
            .collect();
        let past_end = if beyond_end {
            true
        } else if from_start {
            self.restart()?;
            false
        } else {
            // Lossy decoders rebuild their state (MDCT overlap, MP3 bit reservoir) from the
            // packets they see: start early enough that the first frame needed decodes as in
            // a full decode, and cut what comes before it.
            let seek_time = self
                .outputs
                .iter()
                .zip(&starts)
                .filter_map(|(out, &(from, _))| {
                    let slot = self.decoders[out.src].as_ref()?;
                    let rate = f64::from(slot.sample_rate);
                    let preroll = slot.preroll_frames() as f64 / rate;
                    let needed = if out.conv.is_none() {
                        timestamp
                    } else {
                        // A frame early: the demuxer's time-to-timestamp rounding cannot land
                        // after the frame.
                        from.saturating_sub(1) as f64 / rate
                    };
                    Some(needed - preroll)
                })
                .fold(timestamp, f64::min);
            // What the outputs without a resampler need: where a source can only seek forward
            // and the resamplers' earlier start is already behind, seek there instead.
            let plain_time = self
                .outputs
                .iter()
                .filter_map(|out| self.decoders[out.src].as_ref())
                .map(|slot| timestamp - slot.preroll_frames() as f64 / f64::from(slot.sample_rate))
                .fold(timestamp, f64::min);
            // Some demuxers (isomp4, mkv) cannot seek once they have hit the end of the file:
            // reopen them first.
            if self.demuxer_at_eof {
                self.restart()?;
            }
            // A time before 0 reaches into the encoder's priming where the container has it
            // (MP4's edit list, Matroska's codec delay): the decoder needs it to rebuild its
            // state for the first frames.
            self.demuxer_seek(seek_time, Some(plain_time.max(0.0)))?
        };
        for slot in self.decoders.iter_mut().flatten() {
            if let Some(d) = &mut slot.decoder {
                d.reset();
            }
            slot.reshape = None;
            slot.discard_until = if timestamp.is_finite() {
                (timestamp * f64::from(slot.sample_rate)).round() as u64
            } else {
                u64::MAX
            };
            slot.position = if from_start { Some(0) } else { None };
            slot.at_stream_start = from_start;
            slot.lead_left = if from_start { slot.lead } else { 0 };
            slot.held = None;
            slot.gap_in_steps = false;
            slot.read_from_start = from_start;
            slot.frames_out = 0;
        }
        for (out, &(from, target)) in self.outputs.iter_mut().zip(&starts) {
            if let Some(conv) = &mut out.conv {
                conv.seek(timestamp)?;
            }
            out.from = from;
            out.buffer.reset(target);
        }
        self.ended = past_end;
        self.draining = false;
        Ok(())
    }

    /// Seeks the demuxer to a packet at or before `timestamp`. Returns whether the time is past
    /// the end of the stream. A source that only seeks forward and is already past `timestamp`
    /// is seeked to `later` instead, when that is later: the resampling outputs then miss the
    /// frames before the target their resampler needs, and their first output frames are not
    /// exact (their time is).
    fn demuxer_seek(&mut self, timestamp: f64, later: Option<f64>) -> Result<bool> {
        let track_id = self
            .decoders
            .iter()
            .position(Option::is_some)
            .or_else(|| self.default_audio_stream())
            .and_then(|i| self.tracks.get(i))
            .map(|t| t.id);
        // Where a timestamp counts frames (time base 1 / rate), seek by timestamp: it can be
        // before 0, down to the track's start (the priming an edit list skips), and it is not
        // rounded down on the way as a time is. Elsewhere, by time from 0.
        let track = track_id.and_then(|id| self.tracks.iter().find(|t| t.id == id));
        let by_frames = track.and_then(|t| {
            let rate = audio_params(t)?.sample_rate?;
            let tb = t.time_base?;
            (tb.numer.get() == 1 && tb.denom.get() == rate).then_some((rate, t.start_ts.get()))
        });
        let to = match by_frames {
            Some((rate, start)) if timestamp.is_finite() => SeekTo::Timestamp {
                ts: Timestamp::new(
                    ((timestamp * f64::from(rate)).floor() as i64).max(start.min(0)),
                ),
                track_id: track_id.unwrap_or_default(),
            },
            _ => SeekTo::Time {
                time: Time::try_from_secs_f64(timestamp.max(0.0)).unwrap_or(Time::ZERO),
                track_id,
            },
        };
        match self.demuxer.seek(SeekMode::Accurate, to) {
            Ok(_) => Ok(false),
            Err(SymError::SeekError(SeekErrorKind::OutOfRange)) => Ok(true),
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(true),
            Err(SymError::SeekError(SeekErrorKind::ForwardOnly))
                if later.is_some_and(|t| t > timestamp) =>
            {
                let later = later.unwrap_or(timestamp);
                log::warn!(
                    "{}: seeking a non-seekable source forward to {later} s, but resampling \
                     outputs need frames from {timestamp} s that were already read: their first \
                     output (up to about three resampler blocks) is approximate",
                    self.src_name
                );
                self.demuxer_seek(later, None)
            }
            Err(SymError::SeekError(SeekErrorKind::ForwardOnly)) => {
                Err(Error::Unsupported(format!(
                "seeking backward to {timestamp} s: {} is not seekable (a pipe or stream); only \
                 forward seeks work",
                self.src_name
            )))
            }
            Err(SymError::SeekError(kind)) => Err(Error::Unsupported(format!(
                "seeking {} to {timestamp} s: {kind:?}",
                self.src_name
            ))),
            Err(SymError::IoError(e)) => Err(Error::io(format!("seeking {}", self.src_name), e)),
            Err(e) => Err(Error::decode(format!("seeking {}: {e}", self.src_name))),
        }
    }

    /// Reopens the demuxer at the start of the source (exact, unlike some demuxers' seek).
    fn restart(&mut self) -> Result<()> {
        let placeholder = source::placeholder_demuxer()?;
        let old = std::mem::replace(&mut self.demuxer, placeholder);
        let mut mss = old.into_inner();
        if !symphonia::core::io::MediaSource::is_seekable(&mss) {
            return Err(Error::Unsupported(format!(
                "seeking {}: it is not seekable (a pipe or stream), and its timestamps need a \
                 restart from the beginning",
                self.src_name
            )));
        }
        mss.seek(std::io::SeekFrom::Start(0))
            .map_err(|e| Error::io(format!("seeking {}", self.src_name), e))?;
        let demuxer = source::reopen_demuxer(&self.src_name, mss, &self.open_spec)?;
        self.demuxer = demuxer.reader;
        self.tracks = self.demuxer.tracks().to_vec();
        self.demuxer_at_eof = false;
        Ok(())
    }
}
