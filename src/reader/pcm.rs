//! Interleaved PCM (WAV, AIFF, CAF, raw) deinterleaved a plane at a time: the same samples as
//! symphonia's `PcmDecoder` (symphonia-codec-pcm 0.6.1), which it wraps, at a fraction of the
//! cost.
//!
//! Why: symphonia's decoder renders a frame at a time through a closure, reading each sample
//! with a fallible `ReadBytes` call; natively that costs little next to the I/O, but compiled to
//! WebAssembly it was half of a WAV's decode time (`node --cpu-prof`: 47 % of the time in
//! `PcmDecoder::decode_inner`, BENCHMARKS.md "WebAssembly"). Here each plane is filled by one
//! loop over the packet's frames (`chunks_exact`), with each sample's bytes converted by the
//! expression symphonia uses (`from_le_bytes`/`from_be_bytes`, the same shift, the same
//! `IntoSample`), so the decoded samples are identical (checked against symphonia's decoder in
//! the tests below, and against FFmpeg by the reader's tests).
//!
//! The reader goes one step further for these streams: it does not decode their packets at
//! all, but converts each packet's bytes straight into its outputs' chunks
//! ([`PcmFrames::append_plane`], `Frames::Pcm` in `decoder.rs`), one pass over the samples
//! instead of two (deinterleave into the decoder's planes, then convert into the chunk): 32 %
//! fewer instructions for a stereo s16 WAV read in 1024-frame chunks (callgrind), with the
//! same samples (checked against symphonia's decoder below, and against FFmpeg by the reader's
//! tests).
//!
//! Codecs: signed 16/24/32-bit, unsigned 8-bit, float 32/64-bit, little- and big-endian. The
//! others (8-bit signed, unsigned 16/24/32-bit, A-law, µ-law) go to symphonia's decoder, as do
//! the checks of the codec parameters (its errors are the ones a caller sees).

use symphonia::core::audio::conv::IntoSample;
use symphonia::core::audio::sample::i24;
use symphonia::core::audio::{
    AsGenericAudioBufferRef, AudioBuffer, AudioMut, AudioSpec, GenericAudioBuffer,
    GenericAudioBufferRef,
};
use symphonia::core::codecs::audio::well_known::*;
use symphonia::core::codecs::audio::{
    AudioCodecParameters, AudioDecoder, AudioDecoderOptions, FinalizeResult,
};
use symphonia::core::codecs::registry::{RegisterableAudioDecoder, SupportedAudioCodec};
use symphonia::core::codecs::CodecInfo;
use symphonia::core::errors::Result;
use symphonia::core::packet::PacketRef;
use symphonia::default::codecs::PcmDecoder as SymphoniaPcm;

/// The sample layouts decoded here: the codec's bytes per sample and byte order, and the
/// sample format of the decoded buffer (symphonia's choice for the codec).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    S16Le,
    S16Be,
    S24Le,
    S24Be,
    S32Le,
    S32Be,
    U8,
    F32Le,
    F32Be,
    F64Le,
    F64Be,
}

impl Layout {
    fn of(codec: symphonia::core::codecs::audio::AudioCodecId) -> Option<Layout> {
        Some(match codec {
            CODEC_ID_PCM_S16LE => Layout::S16Le,
            CODEC_ID_PCM_S16BE => Layout::S16Be,
            CODEC_ID_PCM_S24LE => Layout::S24Le,
            CODEC_ID_PCM_S24BE => Layout::S24Be,
            CODEC_ID_PCM_S32LE => Layout::S32Le,
            CODEC_ID_PCM_S32BE => Layout::S32Be,
            CODEC_ID_PCM_U8 => Layout::U8,
            CODEC_ID_PCM_F32LE => Layout::F32Le,
            CODEC_ID_PCM_F32BE => Layout::F32Be,
            CODEC_ID_PCM_F64LE => Layout::F64Le,
            CODEC_ID_PCM_F64BE => Layout::F64Be,
            _ => return None,
        })
    }
}

/// symphonia's PCM decoder, with the common layouts deinterleaved here.
pub(crate) struct PcmDecoder {
    /// Checks the parameters, names the codec, and decodes the layouts not handled here.
    inner: SymphoniaPcm,
    /// `None`: `inner` decodes.
    fast: Option<Fast>,
}

struct Fast {
    frames: PcmFrames,
    buf: GenericAudioBuffer,
}

/// How the samples of an interleaved PCM packet are laid out and read: enough to convert a
/// packet's bytes straight into a reader's chunks ([`PcmFrames::append_plane`]), without the
/// decoder's planes in between. The reader does that for every stream our decoder takes its
/// fast path for ([`PcmFrames::for_params`]); the samples are the decoder's, bit for bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PcmFrames {
    layout: Layout,
    /// Bits each coded sample is shifted up (coded width below the decoded width), as
    /// symphonia's `shift`.
    shift: u32,
    channels: usize,
}

impl PcmDecoder {
    fn try_new(params: &AudioCodecParameters, opts: &AudioDecoderOptions) -> Result<PcmDecoder> {
        // symphonia's constructor validates the parameters (rate, channels, widths).
        let inner = SymphoniaPcm::try_new(params, opts)?;
        let fast = PcmFrames::for_params(params).and_then(|frames| {
            let rate = params.sample_rate?;
            let spec = AudioSpec::new(rate, params.channels.clone()?);
            use symphonia::core::audio::sample::SampleFormat as F;
            let format = match frames.layout {
                Layout::S16Le | Layout::S16Be => F::S16,
                Layout::S24Le | Layout::S24Be => F::S24,
                Layout::S32Le | Layout::S32Be => F::S32,
                Layout::U8 => F::U8,
                Layout::F32Le | Layout::F32Be => F::F32,
                Layout::F64Le | Layout::F64Be => F::F64,
            };
            let capacity = params.max_frames_per_packet.unwrap_or(0) as usize;
            Some(Fast {
                frames,
                buf: GenericAudioBuffer::new(format, spec, capacity),
            })
        });
        Ok(PcmDecoder { inner, fast })
    }
}

impl PcmFrames {
    /// The layout of a codec our decoder deinterleaves itself (the others: `None`), after
    /// symphonia's constructor accepted `params`.
    pub(crate) fn for_params(params: &AudioCodecParameters) -> Option<PcmFrames> {
        let layout = Layout::of(params.codec)?;
        let width = match layout {
            Layout::S16Le | Layout::S16Be => 16,
            Layout::S24Le | Layout::S24Be => 24,
            Layout::S32Le | Layout::S32Be | Layout::F32Le | Layout::F32Be => 32,
            Layout::U8 => 8,
            Layout::F64Le | Layout::F64Be => 64,
        };
        // symphonia's shift: decoded width (bits per sample, else the format's) minus the
        // coded width (bits per coded sample, else the decoded width); its constructor has
        // checked that neither exceeds the format's width.
        let decoded = params.bits_per_sample.unwrap_or(width);
        let coded = params.bits_per_coded_sample.unwrap_or(decoded);
        let shift = decoded.checked_sub(coded)?;
        let channels = params.channels.as_ref()?.count();
        (channels > 0).then_some(PcmFrames {
            layout,
            shift,
            channels,
        })
    }

    /// Channels of a frame.
    pub(crate) fn channels(&self) -> usize {
        self.channels
    }

    /// Bytes per sample.
    fn width(&self) -> usize {
        match self.layout {
            Layout::U8 => 1,
            Layout::S16Le | Layout::S16Be => 2,
            Layout::S24Le | Layout::S24Be => 3,
            Layout::S32Le | Layout::S32Be | Layout::F32Le | Layout::F32Be => 4,
            Layout::F64Le | Layout::F64Be => 8,
        }
    }

    /// Whole frames in a packet of `bytes` bytes (a trailing partial frame is dropped, as
    /// symphonia does).
    pub(crate) fn frames_in(&self, bytes: usize) -> usize {
        bytes / (self.width() * self.channels)
    }

    /// Appends frames `frames` of channel `c` of the packet `data` to `out`, converted to `T`
    /// as the decoder's planes would be (`FromSample` of the decoded sample).
    pub(crate) fn append_plane<T: crate::reader::buffer::OutSample>(
        &self,
        data: &[u8],
        c: usize,
        frames: std::ops::Range<usize>,
        out: &mut Vec<T>,
    ) {
        // Converted a block at a time into a buffer on the stack, then appended: the loop
        // that converts writes into a slice, which the compiler vectorizes (`Vec::extend` over
        // the same iterator runs ~3x as many instructions per sample).
        use symphonia::core::audio::conv::FromSample;
        const BLOCK: usize = 512;
        let mut block = [T::SILENCE; BLOCK];
        let (n, sh) = (self.channels, self.shift);
        macro_rules! go {
            ($S:ty, $read:expr) => {{
                let read = $read;
                let mut at = frames.start;
                while at < frames.end {
                    let end = frames.end.min(at + BLOCK);
                    let mut k = 0;
                    for (d, s) in block.iter_mut().zip(plane(data, n, c, at..end, &read)) {
                        *d = <T as FromSample<$S>>::from_sample(s);
                        k += 1;
                    }
                    out.extend_from_slice(&block[..k]);
                    at = end;
                }
            }};
        }
        for_layout!(self.layout, sh, go);
    }
}

impl PcmFrames {
    /// Writes frames `frames` of a stereo packet `data` into `left` and `right` (as long as
    /// the range; a frame past the packet's end leaves its samples as they were), converted
    /// as [`append_plane`](Self::append_plane) converts them, bit for bit. Only for stereo
    /// streams (`channels() == 2`): otherwise nothing is written.
    ///
    /// Both samples of a frame are converted at once, in one pass over the packet: the
    /// per-plane passes read every frame once per channel, and the per-sample work of that
    /// loop (a bounds check of the channel index in a frame of a length known only at run
    /// time, then the conversion) was 38 % of a WAV's decode in WebAssembly (`node
    /// --cpu-prof`, BENCHMARKS.md "WebAssembly"). With the frame's length fixed, the loop
    /// has no checks left and LLVM vectorizes it (SSE2 natively, `+simd128` in WebAssembly).
    pub(crate) fn write_stereo<T: crate::reader::buffer::OutSample>(
        &self,
        data: &[u8],
        frames: std::ops::Range<usize>,
        left: &mut [T],
        right: &mut [T],
    ) {
        if self.channels != 2 {
            return;
        }
        use symphonia::core::audio::conv::FromSample;
        let sh = self.shift;
        if (self.layout, sh) == (Layout::S16Le, 0) {
            stereo_s16le(data, frames, left, right);
            return;
        }
        macro_rules! go {
            ($S:ty, $read:expr) => {
                stereo(
                    data,
                    frames,
                    $read,
                    left,
                    right,
                    <T as FromSample<$S>>::from_sample,
                )
            };
        }
        for_layout!(self.layout, sh, go);
    }
}

/// Frames `frames` of a stereo packet `data` (two interleaved samples of `W` bytes a frame; a
/// trailing partial frame is left out, frames past the data give nothing) written into `left`
/// and `right`, each sample's bytes read with `read` and converted with `convert`.
fn stereo<S, T, const W: usize>(
    data: &[u8],
    frames: std::ops::Range<usize>,
    read: impl Fn([u8; W]) -> S,
    left: &mut [T],
    right: &mut [T],
    convert: impl Fn(S) -> T,
) {
    let (samples, _) = data.as_chunks::<W>();
    let (pairs, _) = samples.as_chunks::<2>();
    let pairs = pairs.get(frames).unwrap_or_default();
    for ((dl, dr), [sl, sr]) in left.iter_mut().zip(right.iter_mut()).zip(pairs) {
        *dl = convert(read(*sl));
        *dr = convert(read(*sr));
    }
}

/// [`stereo`] for 16-bit little-endian samples without a shift, the common WAV: a frame read
/// as one little-endian `u32`, whose low half is the left sample and high half the right one
/// (the same `i16`s as `i16::from_le_bytes` of each half). One load of a frame instead of two
/// interleaved ones lets LLVM vectorize the loop as plain 32-bit lanes (a load, three shifts,
/// two conversions per four frames with `+simd128`) instead of shuffling pairs apart: 16 -> 10
/// ms of a 10-minute WAV's decode in Node `+simd`.
fn stereo_s16le<T: symphonia::core::audio::conv::FromSample<i16>>(
    data: &[u8],
    frames: std::ops::Range<usize>,
    left: &mut [T],
    right: &mut [T],
) {
    let (words, _) = data.as_chunks::<4>();
    let words = words.get(frames).unwrap_or_default();
    for ((dl, dr), w) in left.iter_mut().zip(right.iter_mut()).zip(words) {
        let x = u32::from_le_bytes(*w);
        *dl = T::from_sample(x as u16 as i16);
        *dr = T::from_sample((x >> 16) as u16 as i16);
    }
}

/// The samples of channel `c` in frames `frames` of `data` (`channels` interleaved samples of
/// `W` bytes each; a trailing partial frame is left out), each sample's bytes converted with
/// `sample`. A channel or frames past the data give no samples.
fn plane<'a, S, const W: usize>(
    data: &'a [u8],
    channels: usize,
    c: usize,
    frames: std::ops::Range<usize>,
    sample: impl Fn([u8; W]) -> S + 'a,
) -> impl Iterator<Item = S> + 'a {
    let (samples, _) = data.as_chunks::<W>();
    let wanted = match c < channels {
        true => samples
            .get(frames.start * channels..frames.end * channels)
            .unwrap_or_default(),
        false => &[],
    };
    // `c < channels`, the length of every chunk: the index is in bounds.
    wanted
        .chunks_exact(channels.max(1))
        .map(move |frame| sample(frame[c]))
}

/// Runs `$go!(S, read)` with the decoded sample type `S` of `$layout` and `read`, symphonia's
/// `read_pcm_*!` expression for the codec (`$sh`: its shift), which turns a sample's bytes into
/// an `S`.
macro_rules! for_layout {
    ($layout:expr, $sh:ident, $go:ident) => {
        match $layout {
            Layout::S16Le => $go!(i16, |x: [u8; 2]| (i16::from_le_bytes(x) << $sh)
                .into_sample()),
            Layout::S16Be => $go!(i16, |x: [u8; 2]| (i16::from_be_bytes(x) << $sh)
                .into_sample()),
            Layout::S24Le => $go!(i24, |[x0, x1, x2]: [u8; 3]| {
                (i32::from_le_bytes([0, x0, x1, x2]) << $sh).into_sample()
            }),
            Layout::S24Be => $go!(i24, |[x0, x1, x2]: [u8; 3]| {
                (i32::from_be_bytes([x0, x1, x2, 0]) << $sh).into_sample()
            }),
            Layout::S32Le => $go!(i32, |x: [u8; 4]| (i32::from_le_bytes(x) << $sh)
                .into_sample()),
            Layout::S32Be => $go!(i32, |x: [u8; 4]| (i32::from_be_bytes(x) << $sh)
                .into_sample()),
            Layout::U8 => $go!(u8, |[x]: [u8; 1]| (x << $sh).into_sample()),
            Layout::F32Le => $go!(f32, f32::from_le_bytes),
            Layout::F32Be => $go!(f32, f32::from_be_bytes),
            Layout::F64Le => $go!(f64, f64::from_le_bytes),
            Layout::F64Be => $go!(f64, f64::from_be_bytes),
        }
    };
}
use for_layout;

impl Fast {
    /// Fills the buffer with the whole frames of `data`: a pass per plane.
    fn decode(&mut self, data: &[u8]) {
        let PcmFrames {
            layout,
            shift: sh,
            channels: n,
        } = self.frames;
        let frames = self.frames.frames_in(data.len());
        use GenericAudioBuffer as G;
        macro_rules! go {
            ($S:ty, $read:expr) => {{
                let read = $read;
                let buf: Option<&mut AudioBuffer<$S>> = match &mut self.buf {
                    G::U8(b) => (b as &mut dyn std::any::Any).downcast_mut(),
                    G::S16(b) => (b as &mut dyn std::any::Any).downcast_mut(),
                    G::S24(b) => (b as &mut dyn std::any::Any).downcast_mut(),
                    G::S32(b) => (b as &mut dyn std::any::Any).downcast_mut(),
                    G::F32(b) => (b as &mut dyn std::any::Any).downcast_mut(),
                    G::F64(b) => (b as &mut dyn std::any::Any).downcast_mut(),
                    _ => None,
                };
                // The buffer is made for the layout in `try_new`.
                if let Some(buf) = buf {
                    buf.clear();
                    buf.grow_capacity(frames);
                    buf.render_uninit(Some(frames));
                    for (c, dst) in buf.iter_planes_mut().enumerate() {
                        for (d, s) in dst.iter_mut().zip(plane(data, n, c, 0..frames, &read)) {
                            *d = s;
                        }
                    }
                }
            }};
        }
        for_layout!(layout, sh, go);
    }
}

impl AudioDecoder for PcmDecoder {
    fn reset(&mut self) {
        self.inner.reset();
    }

    fn codec_info(&self) -> &CodecInfo {
        self.inner.codec_info()
    }

    fn codec_params(&self) -> &AudioCodecParameters {
        self.inner.codec_params()
    }

    fn decode_ref(&mut self, packet: &PacketRef<'_>) -> Result<GenericAudioBufferRef<'_>> {
        match &mut self.fast {
            Some(fast) => {
                fast.decode(packet.data);
                Ok(fast.buf.as_generic_audio_buffer_ref())
            }
            None => self.inner.decode_ref(packet),
        }
    }

    fn finalize(&mut self) -> FinalizeResult {
        self.inner.finalize()
    }

    fn last_decoded(&self) -> GenericAudioBufferRef<'_> {
        match &self.fast {
            Some(fast) => fast.buf.as_generic_audio_buffer_ref(),
            None => self.inner.last_decoded(),
        }
    }
}

impl RegisterableAudioDecoder for PcmDecoder {
    fn try_registry_new(
        params: &AudioCodecParameters,
        opts: &AudioDecoderOptions,
    ) -> Result<Box<dyn AudioDecoder>> {
        Ok(Box::new(PcmDecoder::try_new(params, opts)?))
    }

    fn supported_codecs() -> &'static [SupportedAudioCodec] {
        SymphoniaPcm::supported_codecs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use symphonia::core::audio::Channels;

    /// The bytes of every plane, in the buffer's own sample format.
    fn planes(buf: GenericAudioBufferRef<'_>) -> (usize, Vec<Vec<u8>>) {
        let mut out = Vec::new();
        buf.copy_bytes_to_vecs_planar(&mut out);
        (buf.frames(), out)
    }

    /// Our decoder and symphonia's give the same planes, for every layout, width shift,
    /// channel count and packet length (with a partial trailing frame).
    #[test]
    fn same_samples_as_symphonia() {
        let codecs = [
            CODEC_ID_PCM_S16LE,
            CODEC_ID_PCM_S16BE,
            CODEC_ID_PCM_S24LE,
            CODEC_ID_PCM_S24BE,
            CODEC_ID_PCM_S32LE,
            CODEC_ID_PCM_S32BE,
            CODEC_ID_PCM_U8,
            CODEC_ID_PCM_F32LE,
            CODEC_ID_PCM_F32BE,
            CODEC_ID_PCM_F64LE,
            CODEC_ID_PCM_F64BE,
            CODEC_ID_PCM_ALAW,
        ];
        // Pseudo-random bytes (xorshift), including NaN and infinite floats.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let bytes: Vec<u8> = (0..6007)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        for codec in codecs {
            for channels in [1usize, 2, 3, 6] {
                for coded_less in [0u32, 4] {
                    let mut params = AudioCodecParameters::new();
                    params
                        .for_codec(codec)
                        .with_sample_rate(44100)
                        .with_channels(Channels::Discrete(channels as u16));
                    let width = match codec {
                        CODEC_ID_PCM_S16LE | CODEC_ID_PCM_S16BE => 16,
                        CODEC_ID_PCM_S24LE | CODEC_ID_PCM_S24BE => 24,
                        CODEC_ID_PCM_U8 => 8,
                        _ => 32,
                    };
                    let float = matches!(
                        codec,
                        CODEC_ID_PCM_F32LE
                            | CODEC_ID_PCM_F32BE
                            | CODEC_ID_PCM_F64LE
                            | CODEC_ID_PCM_F64BE
                            | CODEC_ID_PCM_ALAW
                    );
                    if coded_less > 0 {
                        if float {
                            continue;
                        }
                        params.with_bits_per_coded_sample(width - coded_less);
                    }
                    let opts = AudioDecoderOptions::default();
                    let mut ours = PcmDecoder::try_new(&params, &opts).unwrap();
                    assert_eq!(ours.fast.is_some(), codec != CODEC_ID_PCM_ALAW, "{codec:?}");
                    let mut theirs = SymphoniaPcm::try_new(&params, &opts).unwrap();
                    for len in [0usize, 1, 7, 48, 1000, 6007] {
                        let packet = PacketRef::new(
                            0,
                            Default::default(),
                            Default::default(),
                            &bytes[..len],
                        );
                        let a = planes(ours.decode_ref(&packet).unwrap());
                        let b = planes(theirs.decode_ref(&packet).unwrap());
                        assert_eq!(a.1.len(), channels);
                        assert!(len < 48 || a.0 > 0);
                        assert_eq!(
                            a, b,
                            "{codec:?}, {channels} channels, {coded_less} bits less, {len} bytes"
                        );
                        // The reader's direct path: each channel converted from the packet's
                        // bytes equals symphonia's planes converted (f32 and i32), over a range
                        // that crosses the 512-frame blocks.
                        let Some(pcm) = PcmFrames::for_params(&params) else {
                            continue;
                        };
                        let decoded = theirs.decode_ref(&packet).unwrap();
                        let frames = decoded.frames();
                        assert_eq!(pcm.frames_in(len), frames);
                        let range = frames.min(3)..frames.saturating_sub(1).max(frames.min(3));
                        let mut want_f32: Vec<Vec<f32>> = Vec::new();
                        decoded.copy_to_vecs_planar(&mut want_f32);
                        let mut want_i32: Vec<Vec<i32>> = Vec::new();
                        decoded.copy_to_vecs_planar(&mut want_i32);
                        for c in 0..channels {
                            let mut got_f32: Vec<f32> = Vec::new();
                            pcm.append_plane(packet.data, c, range.clone(), &mut got_f32);
                            let want = &want_f32[c][range.clone()];
                            assert_eq!(got_f32.len(), want.len());
                            assert!(
                                got_f32
                                    .iter()
                                    .zip(want)
                                    .all(|(g, w)| g.to_bits() == w.to_bits()),
                                "{codec:?}, channel {c} of {channels}, {len} bytes, f32"
                            );
                            let mut got_i32: Vec<i32> = Vec::new();
                            pcm.append_plane(packet.data, c, range.clone(), &mut got_i32);
                            assert_eq!(got_i32, want_i32[c][range.clone()], "{codec:?}, i32");
                        }
                        // Stereo, both channels in one pass, equals the planes.
                        if channels == 2 {
                            let n = range.len();
                            let (mut l, mut r) = (vec![0f32; n], vec![0f32; n]);
                            pcm.write_stereo(packet.data, range.clone(), &mut l, &mut r);
                            for (c, got) in [&l, &r].into_iter().enumerate() {
                                let want = &want_f32[c][range.clone()];
                                assert!(
                                    got.iter()
                                        .zip(want)
                                        .all(|(g, w)| g.to_bits() == w.to_bits()),
                                    "{codec:?}, channel {c}, {len} bytes, write_stereo"
                                );
                            }
                            let (mut l, mut r) = (vec![0i32; n], vec![0i32; n]);
                            pcm.write_stereo(packet.data, range.clone(), &mut l, &mut r);
                            assert_eq!(l, want_i32[0][range.clone()], "{codec:?}, i32 left");
                            assert_eq!(r, want_i32[1][range.clone()], "{codec:?}, i32 right");
                        }
                    }
                }
            }
        }
    }
}
