//! The codec registry and the format probe the reader uses: symphonia's, with our corrected
//! demuxers and decoders registered ahead of symphonia's own (`Tier::Preferred`), so the fixes
//! reach every user of this crate. The corrected copies live in `symphonia-fixes/` (MPL-2.0,
//! each with its upstream notes).

use std::sync::OnceLock;
use symphonia::core::codecs::registry::CodecRegistry;
use symphonia::core::common::Tier;
use symphonia::core::formats::probe::Probe;

/// symphonia's decoders, with ours ahead of them.
///
/// ```
/// use symphonia::core::codecs::audio::well_known::CODEC_ID_MP3;
/// assert!(audiostream::registry::codecs().get_audio_decoder(CODEC_ID_MP3).is_some());
/// ```
pub fn codecs() -> &'static CodecRegistry {
    static CODECS: OnceLock<CodecRegistry> = OnceLock::new();
    CODECS.get_or_init(|| {
        let mut registry = CodecRegistry::new();
        symphonia::default::register_enabled_codecs(&mut registry);
        // PCM deinterleaved a plane at a time (the same samples as symphonia's decoder).
        registry.register_audio_decoder_at_tier::<super::pcm::PcmDecoder>(Tier::Preferred);
        // Each of ours only when its format's feature (Cargo.toml, decode-*) is on.
        #[cfg(feature = "decode-mp3")]
        registry.register_audio_decoder_at_tier::<audiostream_symphonia_mp3::MpaDecoder>(
            Tier::Preferred,
        );
        #[cfg(feature = "decode-flac")]
        registry.register_audio_decoder_at_tier::<audiostream_symphonia_flac::FlacDecoder>(
            Tier::Preferred,
        );
        #[cfg(any(feature = "decode-wav", feature = "decode-caf"))]
        registry.register_audio_decoder_at_tier::<audiostream_symphonia_adpcm::AdpcmDecoder>(
            Tier::Preferred,
        );
        #[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
        registry.register_audio_decoder_at_tier::<super::opus::OpusDecoder>(Tier::Preferred);
        // AAC with a ledger of its noise generator, for loads in parts (symphonia-fixes/aac).
        #[cfg(any(feature = "decode-mp4", feature = "decode-aac"))]
        registry.register_audio_decoder_at_tier::<audiostream_symphonia_aac::AacDecoder>(
            Tier::Preferred,
        );
        // Vorbis with decoded setup headers shared between decoders (symphonia-fixes/vorbis).
        #[cfg(any(feature = "decode-ogg", feature = "decode-mkv"))]
        registry.register_audio_decoder_at_tier::<audiostream_symphonia_vorbis::VorbisDecoder>(
            Tier::Preferred,
        );
        registry
    })
}

/// symphonia's demuxers and metadata readers, with ours ahead of them.
///
/// ```
/// let probe = audiostream::registry::probe();
/// # let _ = probe;
/// ```
pub fn probe() -> &'static Probe {
    static PROBE: OnceLock<Probe> = OnceLock::new();
    PROBE.get_or_init(|| {
        let mut probe = Probe::default();
        symphonia::default::register_enabled_formats(&mut probe);
        #[cfg(feature = "decode-mp3")]
        probe.register_format_at_tier::<audiostream_symphonia_mp3::MpaReader>(Tier::Preferred);
        #[cfg(feature = "decode-flac")]
        probe.register_format_at_tier::<audiostream_symphonia_flac::FlacReader>(Tier::Preferred);
        #[cfg(feature = "decode-mp4")]
        probe
            .register_format_at_tier::<audiostream_symphonia_isomp4::IsoMp4Reader>(Tier::Preferred);
        #[cfg(feature = "decode-mkv")]
        probe.register_format_at_tier::<audiostream_symphonia_mkv::MkvReader>(Tier::Preferred);
        #[cfg(feature = "decode-wav")]
        probe.register_format_at_tier::<audiostream_symphonia_riff::WavReader>(Tier::Preferred);
        #[cfg(feature = "decode-aiff")]
        probe.register_format_at_tier::<audiostream_symphonia_riff::AiffReader>(Tier::Preferred);
        #[cfg(feature = "decode-caf")]
        probe.register_format_at_tier::<audiostream_symphonia_caf::CafReader>(Tier::Preferred);
        // ADTS comes with our AAC decoder (symphonia's `aac` feature is not compiled in).
        #[cfg(feature = "decode-aac")]
        probe.register_format_at_tier::<audiostream_symphonia_aac::AdtsReader>(Tier::Preferred);
        probe
    })
}
