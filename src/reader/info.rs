//! What the reader tells about its source and itself: metadata, stream counts and
//! descriptions, the default audio stream, and its counters ([`ReaderStats`]).

use super::{MediaType, Metadata, SourceStream, StreamReader};
use crate::{Error, Result};

/// Counters a reader keeps while it runs.
///
/// ```
/// let s = audiostream::ReaderStats::default();
/// assert_eq!(s.failed_packets, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReaderStats {
    /// Packets decoded (for every decoded source stream).
    pub decoded_packets: u64,
    /// Packets that failed to decode and were skipped.
    pub failed_packets: u64,
    /// Chunks dropped because more than `buffer_chunk_size` were waiting.
    pub dropped_chunks: u64,
    /// Places where packets were missing (lost to corruption or undecodable), by their
    /// timestamps.
    pub gaps: u64,
    /// Frames of silence put in those places, so that later audio keeps its true time.
    pub gap_frames: u64,
    /// Live sources: times data arrived while the queue was full and was dropped (capture
    /// overruns).
    pub overruns: u64,
    /// Live sources: times the source was reopened after the connection dropped.
    pub reconnects: u64,
}

impl StreamReader {
    /// Metadata of the default audio stream and the container (seed: `get_metadata()`).
    ///
    /// ```no_run
    /// let reader = audiostream::StreamReader::new("in.mp3", None, None)?;
    /// let m = reader.get_metadata();
    /// println!("{} {} Hz {} ch", m.codec, m.sample_rate, m.num_channels);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn get_metadata(&self) -> Metadata {
        let stream = self
            .default_audio_stream()
            .and_then(|i| self.streams.get(i));
        let mut tags = self.container_tags.clone();
        if let Some(s) = stream {
            for (k, v) in &s.tags {
                tags.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        if let Some(updates) = self.live.as_ref().and_then(|l| l.live_tags()) {
            tags.extend(updates);
        }
        let duration = stream.and_then(|s| s.duration).or_else(|| {
            let info = self.demuxer.media_info();
            let (tb, d) = (info.time_base?, info.duration?);
            Some(d.get() as f64 * f64::from(tb.numer.get()) / f64::from(tb.denom.get()))
        });
        let bit_rate = stream.and_then(|s| s.bit_rate).or_else(|| {
            let (len, d) = (self.byte_len?, duration?);
            (d > 0.0).then(|| (len as f64 * 8.0 / d).round() as u64)
        });
        Metadata {
            sample_rate: stream.and_then(|s| s.sample_rate).unwrap_or(0),
            num_channels: stream.and_then(|s| s.num_channels).unwrap_or(0),
            num_frames: stream.and_then(|s| s.num_frames),
            duration,
            duration_estimated: stream.is_some_and(|s| s.duration_estimated),
            codec: stream.map_or_else(String::new, |s| s.codec.clone()),
            format: self.container.clone(),
            bit_rate,
            bits_per_sample: stream.and_then(|s| s.bits_per_sample),
            tags,
        }
    }

    /// Number of streams in the source (audio, video, subtitles).
    ///
    /// ```no_run
    /// let reader = audiostream::StreamReader::new("movie.mkv", None, None)?;
    /// println!("{} streams", reader.num_src_streams());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn num_src_streams(&self) -> usize {
        self.streams.len()
    }

    /// Number of output streams added.
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// assert_eq!(reader.num_out_streams(), 1);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn num_out_streams(&self) -> usize {
        self.outputs.len()
    }

    /// Index of the default audio stream (the container's default, else the first decodable
    /// audio stream), or `None` when there is no audio.
    ///
    /// ```no_run
    /// let reader = audiostream::StreamReader::new("movie.mkv", None, None)?;
    /// println!("{:?}", reader.default_audio_stream());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn default_audio_stream(&self) -> Option<usize> {
        use symphonia::core::formats::TrackType;
        let id = self.demuxer.default_track(TrackType::Audio).map(|t| t.id);
        id.and_then(|id| self.tracks.iter().position(|t| t.id == id))
            .or_else(|| {
                self.streams
                    .iter()
                    .position(|s| s.media_type == MediaType::Audio)
            })
    }

    /// Describes source stream `i` (seed: `get_src_stream_info`).
    ///
    /// ```no_run
    /// let reader = audiostream::StreamReader::new("in.flac", None, None)?;
    /// assert_eq!(reader.get_src_stream_info(0)?.codec, "flac");
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn get_src_stream_info(&self, i: usize) -> Result<SourceStream> {
        self.streams.get(i).cloned().ok_or_else(|| {
            Error::invalid_argument(
                "stream index",
                i,
                format!(
                    "0..{} (the source has {} streams)",
                    self.streams.len(),
                    self.streams.len()
                ),
            )
        })
    }

    /// Counters: packets decoded and skipped, chunks dropped.
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.mp3", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// reader.process_all_packets()?;
    /// println!("{:?}", reader.stats());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn stats(&self) -> ReaderStats {
        let mut s = ReaderStats::default();
        for d in self.decoders.iter().flatten() {
            s.decoded_packets += d.decoded_packets;
            s.failed_packets += d.failed_packets;
            s.gaps += d.lost_gaps;
            s.gap_frames += d.gap_frames;
        }
        s.dropped_chunks = self.outputs.iter().map(|o| o.buffer.dropped_chunks()).sum();
        if let Some(live) = &self.live {
            s.overruns = live.overruns();
            s.reconnects = live.reconnects();
        }
        s
    }
}
