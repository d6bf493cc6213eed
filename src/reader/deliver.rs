//! Decoded frames into the outputs: silence where packets were lost, the container's padding
//! cut, each output's start respected, and one `f32` copy shared by the outputs that convert.

use super::decoder::{Frames, Placement};
use super::StreamReader;
use crate::Result;
use ndarray::Array2;

impl StreamReader {
    /// Puts `step = (start, frames)` frames of silence (part of a gap of lost packets) into
    /// the outputs reading source stream `src`, and moves its position past them.
    /// `keep_all` as in `read_packet`.
    pub(super) fn fill_gap(
        &mut self,
        src: usize,
        (start, frames): (u64, u64),
        keep_all: bool,
    ) -> Result<()> {
        let Some(slot) = self.decoders.get_mut(src).and_then(|d| d.as_mut()) else {
            return Ok(());
        };
        if slot.gap_frames == 0 {
            log::warn!(
                "stream {src} ({}): frames are missing at {:.3} s (lost or undecodable packets); \
                 filled with silence",
                slot.codec,
                start as f64 / f64::from(slot.sample_rate)
            );
        }
        if !slot.gap_in_steps {
            slot.lost_gaps += 1;
            slot.gap_in_steps = true;
        }
        slot.gap_frames += frames;
        let end = start + frames;
        slot.position = Some(end);
        for out in self.outputs.iter_mut().filter(|o| o.src == src) {
            let from = start.max(out.from);
            if from >= end {
                continue;
            }
            match &mut out.conv {
                Some(conv) => {
                    let missing = end.saturating_sub(conv.next_in().max(from));
                    conv.push_silence(missing, &mut out.buffer, keep_all)?;
                }
                None => out.buffer.push_silence((end - from) as usize, keep_all),
            }
        }
        Ok(())
    }

    /// Hands `frames` decoded frames of source stream `src`, which start at stream frame `at`
    /// (as the packet's timestamp says; see [`DecoderSlot::place`]), to the outputs reading
    /// it: fills a gap before them with silence, cuts what the container says is padding, and
    /// what comes before each output's start.
    pub(super) fn deliver(
        &mut self,
        src: usize,
        data: Frames<'_>,
        frames: usize,
        at: Placement,
        keep_all: bool,
    ) -> Result<()> {
        let Some(slot) = self.decoders.get_mut(src).and_then(|d| d.as_mut()) else {
            return Ok(());
        };
        let mut start = at.start;
        // Packets were lost (corrupt data the demuxer skipped, or packets that failed to
        // decode): fill the gap with silence so later audio keeps its true time.
        if let Some(packet_frame) = at.packet_frame {
            let gap = packet_frame.saturating_sub(start);
            if gap > 0 {
                if slot.gap_frames == 0 {
                    log::warn!(
                        "stream {src} ({}): {gap} frames are missing at {:.3} s (lost or \
                         undecodable packets); filled with silence",
                        slot.codec,
                        start as f64 / f64::from(slot.sample_rate)
                    );
                }
                slot.gap_frames += gap;
                // A gap filled a step at a time was counted at its first step.
                if !slot.gap_in_steps {
                    slot.lost_gaps += 1;
                }
                for out in self.outputs.iter_mut().filter(|o| o.src == src) {
                    let from = start.max(out.from);
                    if from >= packet_frame {
                        continue;
                    }
                    match &mut out.conv {
                        Some(conv) => {
                            let missing = packet_frame.saturating_sub(conv.next_in().max(from));
                            conv.push_silence(missing, &mut out.buffer, keep_all)?;
                        }
                        None => out
                            .buffer
                            .push_silence((packet_frame - from) as usize, keep_all),
                    }
                }
                start = packet_frame;
            }
        }
        slot.position = Some(start + frames as u64);
        slot.gap_in_steps = false;
        slot.frames_out += frames as u64;
        let keep = slot.end_frame.map_or(frames, |end| {
            end.saturating_sub(start).min(frames as u64) as usize
        });
        let channels = data.channels(slot.channels);
        let reshaped = channels != slot.channels;
        let skip_of = |from: u64| from.saturating_sub(start).min(frames as u64) as usize;
        // Converted outputs share one f32 copy of the frames any of them needs.
        let first_converted = self
            .outputs
            .iter()
            .filter(|o| o.src == src && o.conv.is_some())
            .map(|o| skip_of(o.from))
            .min()
            .unwrap_or(keep);
        let mut planar: Option<Array2<f32>> = None;
        for out in self.outputs.iter_mut().filter(|o| o.src == src) {
            let skip = skip_of(out.from);
            if skip >= keep {
                continue;
            }
            if reshaped {
                // Frames in another channel count than the stream's: straight to the output's.
                let remixed = crate::dsp::Remixer::new(channels, out.info.num_channels)?
                    .process(data.planar(channels, skip..keep).view())?;
                match &mut out.conv {
                    None => out.buffer.push_view(remixed.view(), keep_all),
                    Some(conv) => conv.push_remixed(
                        remixed.view(),
                        start + skip as u64,
                        &mut out.buffer,
                        keep_all,
                    )?,
                }
                continue;
            }
            match &mut out.conv {
                None => data.push_to(&mut out.buffer, skip..keep, keep_all),
                Some(conv) => {
                    let frames_f32 =
                        planar.get_or_insert_with(|| data.planar(channels, first_converted..keep));
                    conv.push(
                        frames_f32.view(),
                        start + first_converted as u64,
                        &mut out.buffer,
                        keep_all,
                    )?;
                }
            }
        }
        Ok(())
    }
}
