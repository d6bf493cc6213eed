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
//! Codecs: signed 16/24/32-bit, unsigned 8-bit, float 32/64-bit, little- and big-endian. The
//! others (8-bit signed, unsigned 16/24/32-bit, A-law, µ-law) go to symphonia's decoder, as do
//! the checks of the codec parameters (its errors are the ones a caller sees).

use symphonia::core::audio::conv::IntoSample;
use symphonia::core::audio::sample::Sample;
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
    layout: Layout,
    /// Bits each coded sample is shifted up (coded width below the decoded width), as
    /// symphonia's `shift`.
    shift: u32,
    channels: usize,
    buf: GenericAudioBuffer,
}

impl PcmDecoder {
    fn try_new(params: &AudioCodecParameters, opts: &AudioDecoderOptions) -> Result<PcmDecoder> {
        // symphonia's constructor validates the parameters (rate, channels, widths).
        let inner = SymphoniaPcm::try_new(params, opts)?;
        let fast = Layout::of(params.codec).and_then(|layout| {
            let rate = params.sample_rate?;
            let channels = params.channels.clone()?;
            let spec = AudioSpec::new(rate, channels);
            let (format, width) = match layout {
                Layout::S16Le | Layout::S16Be => {
                    (symphonia::core::audio::sample::SampleFormat::S16, 16)
                }
                Layout::S24Le | Layout::S24Be => {
                    (symphonia::core::audio::sample::SampleFormat::S24, 24)
                }
                Layout::S32Le | Layout::S32Be => {
                    (symphonia::core::audio::sample::SampleFormat::S32, 32)
                }
                Layout::U8 => (symphonia::core::audio::sample::SampleFormat::U8, 8),
                Layout::F32Le | Layout::F32Be => {
                    (symphonia::core::audio::sample::SampleFormat::F32, 32)
                }
                Layout::F64Le | Layout::F64Be => {
                    (symphonia::core::audio::sample::SampleFormat::F64, 64)
                }
            };
            // symphonia's shift: decoded width (bits per sample, else the format's) minus the
            // coded width (bits per coded sample, else the decoded width); its constructor has
            // checked that neither exceeds the format's width.
            let decoded = params.bits_per_sample.unwrap_or(width);
            let coded = params.bits_per_coded_sample.unwrap_or(decoded);
            let shift = decoded.checked_sub(coded)?;
            let capacity = params.max_frames_per_packet.unwrap_or(0) as usize;
            Some(Fast {
                layout,
                shift,
                channels: spec.channels().count(),
                buf: GenericAudioBuffer::new(format, spec, capacity),
            })
        });
        Ok(PcmDecoder { inner, fast })
    }
}

/// Fills `buf` with the whole frames of `data` (`channels` interleaved samples of `W` bytes
/// each), converting each sample's bytes with `sample`: a pass per plane.
fn deinterleave<S: Sample, const W: usize>(
    buf: &mut AudioBuffer<S>,
    data: &[u8],
    channels: usize,
    sample: impl Fn([u8; W]) -> S,
) {
    let stride = W * channels;
    // A trailing partial frame is dropped, as symphonia does.
    let frames = data.len().checked_div(stride).unwrap_or(0);
    buf.clear();
    buf.grow_capacity(frames);
    buf.render_uninit(Some(frames));
    for (c, plane) in buf.iter_planes_mut().enumerate() {
        let at = c * W;
        for (dst, frame) in plane.iter_mut().zip(data.chunks_exact(stride)) {
            if let Some(bytes) = frame.get(at..at + W) {
                let mut b = [0u8; W];
                b.copy_from_slice(bytes);
                *dst = sample(b);
            }
        }
    }
}

impl Fast {
    fn decode(&mut self, data: &[u8]) {
        let (n, sh) = (self.channels, self.shift);
        use GenericAudioBuffer as G;
        // Each conversion is symphonia's `read_pcm_*!` expression for the codec.
        match (&mut self.buf, self.layout) {
            (G::S16(b), Layout::S16Le) => {
                deinterleave(b, data, n, |x| (i16::from_le_bytes(x) << sh).into_sample())
            }
            (G::S16(b), Layout::S16Be) => {
                deinterleave(b, data, n, |x| (i16::from_be_bytes(x) << sh).into_sample())
            }
            (G::S24(b), Layout::S24Le) => deinterleave(b, data, n, |[x0, x1, x2]| {
                (i32::from_le_bytes([0, x0, x1, x2]) << sh).into_sample()
            }),
            (G::S24(b), Layout::S24Be) => deinterleave(b, data, n, |[x0, x1, x2]| {
                (i32::from_be_bytes([x0, x1, x2, 0]) << sh).into_sample()
            }),
            (G::S32(b), Layout::S32Le) => {
                deinterleave(b, data, n, |x| (i32::from_le_bytes(x) << sh).into_sample())
            }
            (G::S32(b), Layout::S32Be) => {
                deinterleave(b, data, n, |x| (i32::from_be_bytes(x) << sh).into_sample())
            }
            (G::U8(b), Layout::U8) => deinterleave(b, data, n, |[x]| (x << sh).into_sample()),
            (G::F32(b), Layout::F32Le) => deinterleave(b, data, n, f32::from_le_bytes),
            (G::F32(b), Layout::F32Be) => deinterleave(b, data, n, f32::from_be_bytes),
            (G::F64(b), Layout::F64Le) => deinterleave(b, data, n, f64::from_le_bytes),
            (G::F64(b), Layout::F64Be) => deinterleave(b, data, n, f64::from_be_bytes),
            // The buffer is made for the layout in `try_new`.
            _ => {}
        }
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
                    }
                }
            }
        }
    }
}
