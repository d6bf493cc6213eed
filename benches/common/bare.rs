//! The bare symphonia 0.6 decode loop the benchmarks compare against, shared by
//! `benches/reader.rs` and `benches/load.rs`: probe with the reader's registries (symphonia's
//! demuxers and decoders with our corrected MP3/FLAC/MP4/Matroska copies and the Opus decoder
//! ahead of them), the default audio track, its default decoder, and every packet converted to
//! planar `f32` with `copy_to_vecs_planar` (the minimum any user of symphonia does).

use audiostream::symphonia;
use std::error::Error as StdError;
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

pub type BoxResult<T> = std::result::Result<T, Box<dyn StdError>>;

/// A demuxer, the decoder of its default audio track, and that track's id.
pub type Opened = (Box<dyn FormatReader>, Box<dyn AudioDecoder>, u32);

/// The probe alone (the demuxer opened) with the reader's registry; `ext` is the probe's hint.
pub fn probe(source: Box<dyn MediaSource>, ext: Option<&str>) -> BoxResult<Box<dyn FormatReader>> {
    let mss = MediaSourceStream::new(source, Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = ext {
        hint.with_extension(ext);
    }
    Ok(audiostream::registry::probe().probe(
        &hint,
        mss,
        FormatOptions::default(),
        MetadataOptions::default(),
    )?)
}

/// Probe and decoder, as a user of symphonia writes them; `ext` is the probe's hint.
pub fn open(source: Box<dyn MediaSource>, ext: Option<&str>) -> BoxResult<Opened> {
    let format = probe(source, ext)?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or(Error::Unsupported("no audio track"))?;
    let id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or(Error::Unsupported("not audio"))?
        .clone();
    let decoder = audiostream::registry::codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())?;
    Ok((format, decoder, id))
}

/// Decodes every packet of the opened track into a reused planar buffer, handing each
/// packet's frames to `each` (packets that fail to decode are skipped, as the reader does).
pub fn decode(
    (mut format, mut decoder, id): Opened,
    mut each: impl FnMut(&[Vec<f32>]),
) -> BoxResult<()> {
    let mut planar: Vec<Vec<f32>> = Vec::new();
    while let Some(packet) = format.next_packet()? {
        if packet.track_id != id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(buf) => {
                buf.copy_to_vecs_planar(&mut planar);
                each(&planar);
            }
            Err(Error::DecodeError(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
