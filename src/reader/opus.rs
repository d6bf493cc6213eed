//! Opus, decoded in pure Rust by [`opus-pure`](https://crates.io/crates/opus-pure), as a
//! symphonia decoder (symphonia 0.6 demuxes Opus from Ogg, Matroska/WebM and MP4 but has no
//! decoder for it).
//!
//! Why opus-pure: measured against libopus on speech and music from 6 to 256 kb/s, every frame
//! size and the SILK, hybrid and CELT modes, it matches libopus's float decode to 128-158 dB
//! (SILK bit for bit), at about half the time `opusdec` takes; `opus-rs` glitches on stereo
//! CELT (27-74 dB), `opus-decoder` is 100 times slower and panics on valid files with overflow
//! checks on, `mousiki`'s output is wrong (README, "Opus").
//!
//! The decoder follows RFC 7845: 48 kHz output, the header's output gain applied, channel
//! mapping family 0 (mono, stereo) and 1 (up to 8 channels in Vorbis order, which is reordered
//! to the WAV order the channel layout names, as FFmpeg does). The pre-skip and the end trim are
//! the demuxer's (`Packet::trim_start`/`trim_end`), applied by the reader.

use std::ops::Range;
use std::sync::{Arc, Mutex};
use symphonia::core::audio::{AsGenericAudioBufferRef, AudioBuffer, AudioMut, AudioSpec, Channels};
use symphonia::core::codecs::audio::well_known::CODEC_ID_OPUS;
use symphonia::core::codecs::audio::{
    AudioCodecParameters, AudioDecoder, AudioDecoderOptions, FinalizeResult,
};
use symphonia::core::codecs::registry::{RegisterableAudioDecoder, SupportedAudioCodec};
use symphonia::core::codecs::CodecInfo;
use symphonia::core::errors::{Error, Result};
use symphonia::core::packet::PacketRef;

/// The most frames one Opus packet decodes to (120 ms at 48 kHz).
const MAX_FRAMES: usize = opus_pure::MAX_PACKET_SAMPLES;

/// For each output channel (WAV order), the decoded channel (Vorbis order) it takes: channel
/// mapping family 1 (RFC 7845 §5.1.1.2), as FFmpeg's `ff_vorbis_channel_layout_offsets`.
const VORBIS_TO_WAV: [&[usize]; 8] = [
    &[0],
    &[0, 1],
    &[0, 2, 1],
    &[0, 1, 2, 3],
    &[0, 2, 1, 3, 4],
    &[0, 2, 1, 5, 3, 4],
    &[0, 2, 1, 6, 5, 3, 4],
    &[0, 2, 1, 7, 5, 6, 3, 4],
];

/// What the identification header (`OpusHead`) says.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Head {
    channels: usize,
    /// Output gain, Q7.8 dB.
    gain_q8: i32,
    family: u8,
    /// Family 1: streams, coupled streams, and the mapping table.
    streams: Option<(usize, usize, Vec<u8>)>,
}

/// Parses the `OpusHead` symphonia passes as extra data. Ogg and Matroska carry the header as
/// RFC 7845 writes it (version 1, little-endian fields); MP4's `dOps` box has version 0 and
/// big-endian fields (ISO/IEC 14496-12 Opus mapping), and symphonia only puts the magic in
/// front of it.
fn parse_head(head: &[u8]) -> Option<Head> {
    if head.len() < 19 || &head[..8] != b"OpusHead" {
        return None;
    }
    let version = head[8];
    let channels = usize::from(head[9]);
    let gain = [head[16], head[17]];
    let gain_q8 = i32::from(if version == 0 {
        i16::from_be_bytes(gain)
    } else {
        i16::from_le_bytes(gain)
    });
    let family = head[18];
    let streams = if family == 0 {
        None
    } else {
        let table = head.get(21..21 + channels)?;
        Some((usize::from(head[19]), usize::from(head[20]), table.to_vec()))
    };
    Some(Head {
        channels,
        gain_q8,
        family,
        streams,
    })
}

/// The states of an Opus decoder after each packet of some stretches of its stream, kept for
/// `load`, which joins parts of a stream decoded by several decoders only where their states
/// are equal (`src/load/opus.rs`). Shared between the decoder and whoever made it.
#[derive(Debug, Default)]
pub(crate) struct OpusStates {
    inner: Mutex<StatesInner>,
}

/// Most decoder states an [`OpusStates`] keeps per window: a window of 1 s holds 50 packets of
/// 20 ms (one state each, about 210 KB for stereo); streams of shorter packets keep the first
/// 64 of each window (a shorter stretch to find a join in), and a stream whose timestamps do
/// not advance cannot make the states grow.
const MAX_KEPT_STATES: usize = 64;

#[derive(Default)]
struct StatesInner {
    /// Timestamp ranges (the stream's time base) whose packets are checked to be CELT-only,
    /// and whether the decoder's states after them are kept.
    windows: Vec<(Range<i64>, bool)>,
    /// `(packet timestamp, the decoder after it, its noise concealments by then)`, in decode
    /// order.
    states: Vec<(i64, Box<opus_pure::OpusDecoder>, u64)>,
    /// The decoder's noise concealments after the last packet it decoded.
    concealments: u64,
    /// The stream is multistream (more than 2 channels): no states are kept.
    multistream: bool,
    /// How many states each window (by its index in `windows`) kept.
    kept: Vec<usize>,
    /// A packet in a window was not CELT-only (SILK or hybrid: SILK's fixed-point filters do
    /// not come back to a decode from the start's state, measured).
    not_celt: bool,
}

impl std::fmt::Debug for StatesInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatesInner")
            .field("states", &self.states.len())
            .field("concealments", &self.concealments)
            .finish_non_exhaustive()
    }
}

impl OpusStates {
    /// Keeps nothing until [`set_windows`](Self::set_windows).
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(OpusStates::default())
    }

    /// From now on: the packets whose timestamp is in one of `windows` are checked to be
    /// CELT-only, and where its flag says so, the decoder's state after each is kept.
    pub(crate) fn set_windows(&self, windows: Vec<(Range<i64>, bool)>) {
        let mut inner = self.lock();
        inner.kept = vec![0; windows.len()];
        inner.windows = windows;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StatesInner> {
        // Nothing panics while the lock is held, but a poisoned lock's data is still whole.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the parts cannot be joined whatever the states compare to: a multistream, or a
    /// packet in a window that was not CELT-only.
    pub(crate) fn hopeless(&self) -> bool {
        let inner = self.lock();
        inner.multistream || inner.not_celt
    }

    /// After the decoder decoded the packet at `ts` (its bytes: `data`).
    fn after_packet(&self, ts: i64, data: &[u8], decoder: &Inner) {
        let mut inner = self.lock();
        match decoder {
            Inner::Single(d) => {
                inner.concealments = d.noise_concealments();
                let inside = inner.windows.iter().any(|(w, _)| w.contains(&ts));
                if inside {
                    // The TOC's configuration (RFC 6716 §3.1): 16 to 31 are CELT-only.
                    if data.first().is_none_or(|toc| toc >> 3 < 16) {
                        inner.not_celt = true;
                    }
                }
                // Kept in the first window that keeps states and has room, after a later
                // packet than the last kept (timestamps that do not advance keep nothing more).
                let after_last = inner.states.last().is_none_or(|(last, ..)| ts > *last);
                let slot = inner.windows.iter().enumerate().position(|(i, (w, keep))| {
                    *keep
                        && w.contains(&ts)
                        && inner.kept.get(i).is_some_and(|&n| n < MAX_KEPT_STATES)
                });
                if let (Some(i), true) = (slot, after_last) {
                    if let Some(n) = inner.kept.get_mut(i) {
                        *n += 1;
                    }
                    inner.states.push((ts, d.clone(), d.noise_concealments()));
                }
            }
            Inner::Multi(_) => inner.multistream = true,
        }
    }

    /// The first packet, in `self`'s order, after which `self`'s decoder and `later`'s had
    /// the same state ([`opus_pure::OpusDecoder::same_state`]) with no noise concealment in
    /// `later`'s decoder from there to the last packet it decoded (the one part of decoding
    /// that reads the state the comparison leaves out); and the timestamp of the packet that
    /// followed it in `later`. From that packet on, `later`'s decoder decodes what `self`'s
    /// would have, bit for bit. `None` when there is no such packet (or a multistream).
    pub(crate) fn join_point(&self, later: &OpusStates) -> Option<(i64, i64)> {
        let mine = self.lock();
        let theirs = later.lock();
        if mine.multistream || theirs.multistream {
            return None;
        }
        for (i, (ts, state, _)) in theirs.states.iter().enumerate() {
            let Some((_, other, _)) = mine.states.iter().find(|(t, ..)| t == ts) else {
                continue;
            };
            if state.same_state(other) {
                let (_, _, concealed) = theirs.states[i];
                let next = theirs.states.get(i + 1).map(|(t, ..)| *t)?;
                return (concealed == theirs.concealments).then_some((*ts, next));
            }
        }
        None
    }
}

enum Inner {
    Single(Box<opus_pure::OpusDecoder>),
    Multi(opus_pure::OpusMSDecoder),
}

/// The Opus decoder registered in [`registry::codecs`](super::registry::codecs).
pub(crate) struct OpusDecoder {
    params: AudioCodecParameters,
    inner: Inner,
    channels: usize,
    /// Family 1 with 3 or more channels: decoded channels are in Vorbis order.
    reorder: Option<&'static [usize]>,
    /// Interleaved output of one packet.
    pcm: Vec<f32>,
    buf: AudioBuffer<f32>,
    /// States kept for `load` ([`OpusStates`]), if it asked.
    states: Option<Arc<OpusStates>>,
}

fn unsupported(what: String) -> Error {
    log::warn!("{what}");
    Error::Unsupported("opus: unsupported stream (see the warning)")
}

impl OpusDecoder {
    fn try_new(params: &AudioCodecParameters) -> Result<Self> {
        if params.codec != CODEC_ID_OPUS {
            return Err(Error::Unsupported("opus: not an Opus stream"));
        }
        let extra = params.extra_data.as_deref().unwrap_or_default();
        let head = parse_head(extra).ok_or(Error::DecodeError(
            "opus: no valid identification header (OpusHead)",
        ))?;
        if !(1..=8).contains(&head.channels) {
            return Err(unsupported(format!(
                "opus: {} channels; supported: 1 to 8 (channel mapping families 0 and 1)",
                head.channels
            )));
        }
        let decode_error = |e: opus_pure::Error| {
            log::warn!("opus: {e}");
            Error::DecodeError("opus: the decoder could not be set up")
        };
        let (inner, reorder) = match head.family {
            0 if head.channels <= 2 => {
                let mut d =
                    opus_pure::OpusDecoder::new(48_000, head.channels).map_err(decode_error)?;
                d.gain_q8 = head.gain_q8;
                (Inner::Single(Box::new(d)), None)
            }
            1 => {
                // opus-pure's multistream decoder lays the streams out as libopus's encoder
                // does for this channel count: only such streams are taken.
                let layout =
                    opus_pure::ChannelLayout::surround(head.channels, 1).map_err(decode_error)?;
                let expected = (
                    layout.nb_streams,
                    layout.nb_coupled_streams,
                    layout.mapping.clone(),
                );
                if head.streams.as_ref() != Some(&expected) {
                    return Err(unsupported(format!(
                        "opus: channel mapping family 1 with streams/coupled/mapping {:?}; \
                         supported: the standard layout for {} channels {expected:?}",
                        head.streams, head.channels
                    )));
                }
                let mut d = opus_pure::OpusMSDecoder::new(48_000, head.channels, 1)
                    .map_err(decode_error)?;
                for s in d.streams_mut() {
                    s.gain_q8 = head.gain_q8;
                }
                let reorder = (head.channels > 2).then(|| VORBIS_TO_WAV[head.channels - 1]);
                (Inner::Multi(d), reorder)
            }
            family => {
                return Err(unsupported(format!(
                    "opus: channel mapping family {family} with {} channels; supported: family \
                     0 (1 or 2 channels) and 1 (1 to 8 channels)",
                    head.channels
                )))
            }
        };
        // The demuxer's layout when it has the right count (it names the WAV order the channels
        // are reordered to), else discrete channels.
        let channels = match &params.channels {
            Some(c) if c.count() == head.channels => c.clone(),
            _ => Channels::Discrete(head.channels as u16),
        };
        let mut params = params.clone();
        params
            .with_sample_rate(48_000)
            .with_channels(channels.clone());
        Ok(OpusDecoder {
            params,
            inner,
            channels: head.channels,
            reorder,
            pcm: vec![0.0; MAX_FRAMES * head.channels],
            buf: AudioBuffer::new(AudioSpec::new(48_000, channels), MAX_FRAMES),
            states: None,
        })
    }

    /// The decoder for `params`, keeping its states into `states` ([`OpusStates`]).
    pub(crate) fn with_states(
        params: &AudioCodecParameters,
        states: Arc<OpusStates>,
    ) -> Result<Box<dyn AudioDecoder>> {
        let mut d = Self::try_new(params)?;
        d.states = Some(states);
        Ok(Box::new(d))
    }

    fn decode_inner(&mut self, data: &[u8]) -> Result<()> {
        self.buf.clear();
        let decoded = match &mut self.inner {
            Inner::Single(d) => d.decode(data, MAX_FRAMES, &mut self.pcm),
            Inner::Multi(d) => d.decode(data, MAX_FRAMES, &mut self.pcm),
        };
        let frames = match decoded {
            Ok(n) => n.min(MAX_FRAMES),
            Err(e) => {
                log::debug!("opus: {e}");
                return Err(Error::DecodeError("opus: invalid packet"));
            }
        };
        self.buf.render_uninit(Some(frames));
        let channels = self.channels;
        for out_ch in 0..channels {
            let src = self.reorder.map_or(out_ch, |order| order[out_ch]);
            if let Some(plane) = self.buf.plane_mut(out_ch) {
                for (i, s) in plane.iter_mut().enumerate() {
                    *s = self.pcm[i * channels + src];
                }
            }
        }
        Ok(())
    }
}

impl AudioDecoder for OpusDecoder {
    fn reset(&mut self) {
        let _ = match &mut self.inner {
            Inner::Single(d) => d.reset_state(),
            Inner::Multi(d) => d.reset_state(),
        };
    }

    fn codec_info(&self) -> &CodecInfo {
        &SUPPORTED[0].info
    }

    fn codec_params(&self) -> &AudioCodecParameters {
        &self.params
    }

    fn decode_ref(
        &mut self,
        packet: &PacketRef<'_>,
    ) -> Result<symphonia::core::audio::GenericAudioBufferRef<'_>> {
        self.decode_inner(packet.data)?;
        if let Some(states) = &self.states {
            states.after_packet(packet.pts.get(), packet.data, &self.inner);
        }
        Ok(self.buf.as_generic_audio_buffer_ref())
    }

    fn finalize(&mut self) -> FinalizeResult {
        FinalizeResult::default()
    }

    fn last_decoded(&self) -> symphonia::core::audio::GenericAudioBufferRef<'_> {
        self.buf.as_generic_audio_buffer_ref()
    }
}

const SUPPORTED: [SupportedAudioCodec; 1] = [SupportedAudioCodec {
    id: CODEC_ID_OPUS,
    info: CodecInfo {
        short_name: "opus",
        long_name: "Opus (opus-pure)",
        profiles: &[],
    },
}];

impl RegisterableAudioDecoder for OpusDecoder {
    fn try_registry_new(
        params: &AudioCodecParameters,
        _opts: &AudioDecoderOptions,
    ) -> Result<Box<dyn AudioDecoder>> {
        Ok(Box::new(OpusDecoder::try_new(params)?))
    }

    fn supported_codecs() -> &'static [SupportedAudioCodec] {
        &SUPPORTED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ogg_head(channels: u8, gain: i16, family: u8) -> Vec<u8> {
        let mut h = b"OpusHead".to_vec();
        h.push(1);
        h.push(channels);
        h.extend(312u16.to_le_bytes());
        h.extend(48000u32.to_le_bytes());
        h.extend(gain.to_le_bytes());
        h.push(family);
        if family == 1 {
            h.extend([4, 2, 0, 4, 1, 2, 3, 5]);
        }
        h
    }

    #[test]
    fn heads_of_ogg_and_mp4() {
        let h = parse_head(&ogg_head(2, -256, 0)).unwrap();
        assert_eq!(
            (h.channels, h.gain_q8, h.family, h.streams),
            (2, -256, 0, None)
        );
        let h = parse_head(&ogg_head(6, 0, 1)).unwrap();
        assert_eq!(h.streams, Some((4, 2, vec![0, 4, 1, 2, 3, 5])));
        // dOps (version 0): big-endian gain.
        let mut dops = b"OpusHead".to_vec();
        dops.extend([0, 2, 1, 56, 0, 0, 187, 128, 0xff, 0x00, 0]);
        assert_eq!(parse_head(&dops).unwrap().gain_q8, -256);
        assert_eq!(parse_head(b"OpusHead"), None);
        assert_eq!(parse_head(b"NotOpus!\x01\x02\0\0\0\0\0\0\0\0\0\0\0"), None);
    }

    #[test]
    fn vorbis_order_tables_are_permutations() {
        for (n, table) in VORBIS_TO_WAV.iter().enumerate() {
            let mut sorted = table.to_vec();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..=n).collect::<Vec<_>>());
        }
    }
}
