//! Opening a source: the constructors from readers and streams, the demuxer opened (`open`,
//! `open_live`), and a [`SourceStream`] described for each of its tracks (tags, length
//! estimates, bit rate).

use super::metadata::from_symphonia;
use super::{live, source, MediaType, SourceStream, StreamReader};
use crate::{Options, Result};
use std::collections::HashMap;
use std::io::{Read, Seek};
use symphonia::core::codecs::CodecParameters;
use symphonia::core::formats::{FormatReader, Track};
use symphonia::core::io::{MediaSource, ReadOnlySource};

impl StreamReader {
    /// Reads from any `Read + Seek` value, e.g. `Cursor<Vec<u8>>` (seekable).
    ///
    /// ```
    /// # fn wav() -> Vec<u8> { let mut v = b"RIFF\x2c\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x80\x3e\0\0\x02\0\x10\0data\x08\0\0\0".to_vec(); v.extend([0,0,0,64,0,192,255,127]); v }
    /// let mut reader = audiostream::StreamReader::from_reader(std::io::Cursor::new(wav()), None)?;
    /// reader.add_basic_audio_stream(4, 3)?;
    /// reader.process_all_packets()?;
    /// let chunk = reader.pop_chunks().remove(0).unwrap();
    /// assert_eq!(chunk.data[[0, 1]], 0.5);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_reader<R: Read + Seek + Send + 'static>(
        r: R,
        format: Option<&str>,
    ) -> Result<Self> {
        Self::from_reader_with(r, format, None)
    }

    /// Reads audio held in memory, without copying it: a `Vec<u8>`, `Box<[u8]>`,
    /// `Arc<[u8]>`, `&'static [u8]` (e.g. `include_bytes!`), `bytes::Bytes`... (seekable).
    /// For bytes borrowed for a shorter time, [`from_slice`](Self::from_slice).
    ///
    /// ```
    /// let bytes: Vec<u8> = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/wav_s16_stereo_44100.wav"))?;
    /// let mut reader = audiostream::StreamReader::from_bytes(bytes, None)?;
    /// assert_eq!(reader.get_metadata().sample_rate, 44100);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_bytes<B: AsRef<[u8]> + Send + 'static>(
        bytes: B,
        format: Option<&str>,
    ) -> Result<Self> {
        let source = source::SeekableSource::new(std::io::Cursor::new(bytes))?;
        Self::open(
            "<memory>".into(),
            Box::new(source),
            None,
            format,
            None,
            false,
        )
    }

    /// Reads audio from borrowed bytes. The reader outlives the borrow, so the bytes are
    /// copied once (a `memcpy`, a few milliseconds for a 10-minute CD-quality WAV, small
    /// beside decoding); [`from_bytes`](Self::from_bytes) takes owned or `'static` bytes
    /// without a copy.
    ///
    /// ```
    /// fn peak(bytes: &[u8]) -> audiostream::Result<f32> {
    ///     let mut reader = audiostream::StreamReader::from_slice(bytes, None)?;
    ///     reader.add_basic_audio_stream(4096, 4)?;
    ///     let mut peak = 0f32;
    ///     while reader.process_packet()? != 0 {
    ///         if let Some(c) = &reader.pop_chunks()[0] {
    ///             peak = c.iter().fold(peak, |m, v| m.max(v.abs()));
    ///         }
    ///     }
    ///     Ok(peak)
    /// }
    /// let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/flac_16_stereo_44100.flac")).unwrap();
    /// assert!(peak(&bytes)? > 0.1);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_slice(bytes: &[u8], format: Option<&str>) -> Result<Self> {
        Self::from_bytes(bytes.to_vec(), format)
    }

    /// [`from_reader`](Self::from_reader) with format options (e.g. raw PCM's `sample_rate`).
    ///
    /// ```
    /// use audiostream::{Options, StreamReader};
    /// let bytes: Vec<u8> = [0i16, 16384, -16384].iter().flat_map(|s| s.to_le_bytes()).collect();
    /// let opts = Options::from([("sample_rate".into(), "8000".into())]);
    /// let mut r = StreamReader::from_reader_with(std::io::Cursor::new(bytes), Some("s16le"), Some(&opts))?;
    /// r.add_basic_audio_stream(16, 3)?;
    /// r.process_all_packets()?;
    /// assert_eq!(r.pop_chunks()[0].as_ref().unwrap().data.row(0).to_vec(), [0.0, 0.5, -0.5]);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_reader_with<R: Read + Seek + Send + 'static>(
        r: R,
        format: Option<&str>,
        option: Option<&Options>,
    ) -> Result<Self> {
        let source = source::SeekableSource::new(r)?;
        Self::open(
            "<reader>".into(),
            Box::new(source),
            None,
            format,
            option,
            false,
        )
    }

    /// [`from_reader_with`](Self::from_reader_with) for the bytes of a named file (e.g. a file
    /// picked in a browser): `name` is shown in messages as a path would be, and its extension
    /// is the probe's hint, as for [`new`](Self::new).
    ///
    /// ```
    /// let e = audiostream::StreamReader::from_named_reader(std::io::Cursor::new(vec![0u8; 64]), "take1.mp3", None, None)
    ///     .err().unwrap();
    /// assert!(e.to_string().contains("\"take1.mp3\""), "{e}");
    /// ```
    pub fn from_named_reader<R: Read + Seek + Send + 'static>(
        r: R,
        name: &str,
        format: Option<&str>,
        option: Option<&Options>,
    ) -> Result<Self> {
        let source = source::SeekableSource::new(r)?;
        let ext = std::path::Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        Self::open(
            format!("{name:?}"),
            Box::new(source),
            ext.as_deref(),
            format,
            option,
            false,
        )
    }

    /// Reads from a non-seekable `Read` (a pipe, a socket). Seeking works forward only.
    ///
    /// ```no_run
    /// let stdin = std::io::stdin();
    /// let mut reader = audiostream::StreamReader::from_stream(stdin, Some("mp3"))?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_stream<R: Read + Send + 'static>(r: R, format: Option<&str>) -> Result<Self> {
        Self::from_stream_with(r, format, None)
    }

    /// [`from_stream`](Self::from_stream) with format options (e.g. raw PCM's `sample_rate`).
    ///
    /// ```no_run
    /// use audiostream::{Options, StreamReader};
    /// let opts = Options::from([("sample_rate".into(), "48000".into()), ("channels".into(), "2".into())]);
    /// let reader = StreamReader::from_stream_with(std::io::stdin(), Some("f32le"), Some(&opts))?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_stream_with<R: Read + Send + 'static>(
        r: R,
        format: Option<&str>,
        option: Option<&Options>,
    ) -> Result<Self> {
        Self::open(
            "<stream>".into(),
            Box::new(ReadOnlySource::new(source::Exclusive::new(r))),
            None,
            format,
            option,
            false,
        )
    }

    /// Opens a source. `remote`: reading it costs requests (a network stream), so nothing is
    /// read beyond what the demuxer needs (no frame walk for an MP3 length estimate).
    pub(crate) fn open(
        src_name: String,
        source: Box<dyn MediaSource>,
        ext: Option<&str>,
        format: Option<&str>,
        option: Option<&Options>,
        remote: bool,
    ) -> Result<Self> {
        let empty = Options::new();
        let option = option.unwrap_or(&empty);
        let open_spec = source::OpenSpec {
            ext: ext.map(str::to_string),
            format: format.map(|f| f.trim().to_ascii_lowercase()),
            option: option.clone(),
            remote,
        };
        let mut demuxer = source::open_demuxer(&src_name, source, &open_spec)?;
        let tracks = demuxer.reader.tracks().to_vec();
        let (mut media_tags, track_tags) = collect_tags(demuxer.reader.as_mut());
        for (k, v) in std::mem::take(&mut demuxer.extra_tags) {
            media_tags.entry(k).or_insert(v);
        }
        let single_track = tracks.len() == 1;
        let streams = tracks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut tags = track_tags
                    .get(&u64::from(t.id))
                    .cloned()
                    .unwrap_or_default();
                if single_track {
                    for (k, v) in &media_tags {
                        tags.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
                let estimate = Estimate {
                    byte_len: if single_track { demuxer.byte_len } else { None },
                    frames: if single_track {
                        demuxer.estimated_frames
                    } else {
                        None
                    },
                    container_estimates: demuxer.container == "aac",
                    // Ogg Opus counts its pre-skip in the stream's length (DecoderSlot::lead).
                    lead: if demuxer.container == "ogg" {
                        u64::from(t.delay.unwrap_or(0))
                    } else {
                        0
                    },
                };
                describe_track(i, t, tags, estimate)
            })
            .collect::<Vec<_>>();
        let decoders = tracks.iter().map(|_| None).collect();
        Ok(StreamReader {
            src_name,
            demuxer: demuxer.reader,
            container: demuxer.container,
            byte_len: demuxer.byte_len,
            open_spec,
            container_tags: media_tags,
            tracks,
            streams,
            decoders,
            outputs: Vec::new(),
            ended: false,
            draining: false,
            demuxer_at_eof: false,
            popped: false,
            live: None,
            #[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
            pns_ledger: None,
            #[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
            opus_states: None,
        })
    }

    /// Opens a live source (network stream, capture device): like a file, plus the handle
    /// on its queue that [`process_packet_with`](Self::process_packet_with) waits on.
    #[allow(dead_code)] // used by the `net` and `device` features
    pub(crate) fn open_live(l: live::LiveOpen) -> Result<Self> {
        let mut reader = Self::open(
            l.src_name,
            l.source,
            l.ext.as_deref(),
            l.format.as_deref(),
            Some(&l.demuxer_options),
            true,
        )?;
        reader.live = Some(l.live);
        Ok(reader)
    }
}

/// Container tags and per-track tags from every metadata revision the demuxer has.
fn collect_tags(reader: &mut dyn FormatReader) -> (Options, HashMap<u64, Options>) {
    let mut media = Options::new();
    let mut per_track = HashMap::new();
    let mut log = reader.metadata();
    if let Some(rev) = log.current() {
        from_symphonia::revision_tags(rev, &mut media, &mut per_track);
    }
    while let Some(_old) = log.pop() {
        if let Some(rev) = log.current() {
            from_symphonia::revision_tags(rev, &mut media, &mut per_track);
        }
    }
    (media, per_track)
}

/// What the source knows beyond its track list, for the only track of a file.
struct Estimate {
    /// The file size (for an average bit rate).
    byte_len: Option<u64>,
    /// An estimate of the frame count, where the container does not say it.
    frames: Option<u64>,
    /// Whether the container's own frame count is an estimate (symphonia's ADTS demuxer
    /// estimates it from the file size).
    container_estimates: bool,
    /// Frames the container counts that are not audio (for an Opus stream: see
    /// `DecoderSlot::lead`).
    lead: u64,
}

/// Builds the [`SourceStream`] of a track.
fn describe_track(index: usize, t: &Track, tags: Options, estimate: Estimate) -> SourceStream {
    let byte_len = estimate.byte_len;
    let duration_of = |frames: Option<u64>, rate: Option<u32>| -> Option<f64> {
        if let (Some(n), Some(r)) = (frames, rate.filter(|r| *r > 0)) {
            return Some(n as f64 / f64::from(r));
        }
        let (tb, d) = (t.time_base?, t.duration?);
        Some(d.get() as f64 * f64::from(tb.numer.get()) / f64::from(tb.denom.get()))
    };
    match &t.codec_params {
        Some(CodecParameters::Audio(p)) => {
            let (codec, long) = from_symphonia::codec_names(p.codec);
            let channels = p.channels.as_ref().map(|c| c.count());
            let lead = if codec == "opus" { estimate.lead } else { 0 };
            let counted = t.num_frames.map(|n| n.saturating_sub(lead));
            let (num_frames, duration, duration_estimated) = match (counted, estimate.frames) {
                (Some(n), _) if estimate.container_estimates => {
                    (None, duration_of(Some(n), p.sample_rate), true)
                }
                (None, Some(n)) => (None, duration_of(Some(n), p.sample_rate), true),
                (n, _) => (n, duration_of(n, p.sample_rate), false),
            };
            let is_pcm = codec.starts_with("pcm_");
            // Never 0: a demuxer that does not know says nothing.
            let bits = p
                .bits_per_coded_sample
                .filter(|b| *b > 0)
                .or(p.bits_per_sample.filter(|b| *b > 0))
                .or_else(|| from_symphonia::pcm_bits(codec));
            let bit_rate = if is_pcm {
                match (p.sample_rate, channels, bits) {
                    (Some(r), Some(c), Some(b)) => Some(u64::from(r) * c as u64 * u64::from(b)),
                    _ => None,
                }
            } else {
                match (byte_len, duration) {
                    (Some(len), Some(d)) if d > 0.0 => Some((len as f64 * 8.0 / d).round() as u64),
                    _ => None,
                }
            };
            SourceStream {
                index,
                media_type: MediaType::Audio,
                codec: codec.to_string(),
                codec_long_name: long.to_string(),
                sample_rate: p.sample_rate,
                num_channels: channels,
                num_frames,
                duration,
                duration_estimated,
                bit_rate,
                bits_per_sample: if is_pcm || codec == "flac" || codec == "alac" {
                    bits
                } else {
                    None
                },
                language: t.language.clone(),
                tags,
            }
        }
        other => {
            let media_type = match other {
                Some(CodecParameters::Video(_)) => MediaType::Video,
                Some(CodecParameters::Subtitle(_)) => MediaType::Subtitle,
                _ => MediaType::Unknown,
            };
            SourceStream {
                index,
                media_type,
                codec: "unknown".into(),
                codec_long_name: "not decoded by audiostream".into(),
                sample_rate: None,
                num_channels: None,
                num_frames: t.num_frames,
                duration: duration_of(None, None),
                duration_estimated: false,
                bit_rate: None,
                bits_per_sample: None,
                language: t.language.clone(),
                tags,
            }
        }
    }
}
