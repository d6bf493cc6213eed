//! The end of the stream: the tails of resamplers and effects go out a piece per call, then
//! every output's last chunk; a stream that decoded to nothing is reported there.

use super::decoder::{Frames, Placement};
use super::StreamReader;
use crate::{Error, Result};

impl StreamReader {
    /// End of stream: flush every output; fail if a stream never decoded a single packet.
    /// `keep_all` as in `read_packet`.
    pub(super) fn finish(&mut self, keep_all: bool) -> Result<()> {
        while !self.ended {
            self.finish_step(keep_all)?;
        }
        Ok(())
    }

    /// One step of the end of the stream (the demuxer has no more packets): the tails of the
    /// conversions and effects go out a piece at a time (`Ok(true)`: call again), then every
    /// output's last chunk, and the stream has ended (`Ok(false)`). An error ends it too.
    pub(super) fn finish_step(&mut self, keep_all: bool) -> Result<bool> {
        if self.ended {
            return Ok(false);
        }
        if !self.draining {
            self.draining = true;
            // A stream that ends at another rate than it started: the resampler's last frames.
            for src in 0..self.decoders.len() {
                let tail = match self.decoders[src].as_mut() {
                    Some(slot) => slot.end_reshape_unless((0, 0)),
                    None => continue,
                };
                let tail = match tail {
                    Ok(Some(tail)) if tail.ncols() > 0 => tail,
                    Ok(_) => continue,
                    Err(e) => return self.end_with(Err(e), keep_all),
                };
                if let Some(slot) = self.decoders[src].as_mut() {
                    let at = Placement {
                        start: slot.position.unwrap_or(0),
                        packet_frame: None,
                    };
                    if let Err(e) =
                        self.deliver(src, Frames::Planar(tail.view()), tail.ncols(), at, keep_all)
                    {
                        return self.end_with(Err(e), keep_all);
                    }
                }
            }
        }
        // The resampler's tail first, so the last chunk holds the whole converted stream, then
        // what the effects still hold or make, a piece per call.
        for out in &mut self.outputs {
            if let Some(conv) = &mut out.conv {
                match conv.finish_step(&mut out.buffer, keep_all) {
                    Ok(true) => return Ok(true),
                    Ok(false) => {}
                    Err(e) => return self.end_with(Err(e), keep_all),
                }
            }
        }
        self.end_with(Ok(()), keep_all)
    }

    /// Ends the stream: every output's last chunk, then whether it ended well (`Ok(false)`).
    fn end_with(&mut self, outcome: Result<()>, keep_all: bool) -> Result<bool> {
        self.ended = true;
        self.draining = false;
        for out in &mut self.outputs {
            out.buffer.flush(keep_all);
        }
        outcome?;
        for (src, slot) in self.decoders.iter().enumerate() {
            if let Some(slot) = slot {
                if slot.read_from_start
                    && slot.decoded_packets > 0
                    && slot.frames_out == 0
                    && slot.lead_left == 0
                {
                    // Packets decoded, yet no frame came out: what the container says about
                    // the stream's length cut everything (a zero length where there is audio).
                    return Err(Error::decode(format!(
                        "{}: {} packets of stream {src} ({}) decoded to no audio: the \
                         container's length for the stream is wrong",
                        self.src_name, slot.decoded_packets, slot.codec
                    )));
                }
                if slot.decoded_packets == 0 && slot.failed_packets > 0 {
                    return Err(Error::decode(format!(
                        "{}: none of the {} packets of stream {src} ({}) could be decoded; last error: {}",
                        self.src_name,
                        slot.failed_packets,
                        slot.codec,
                        slot.last_error.as_deref().unwrap_or("unknown")
                    )));
                }
            }
        }
        Ok(false)
    }
}
