//! [`SeekTrim`]: drops the frames before a seek target.

use super::Stage;
use crate::Result;
use ndarray::{s, Array2};

/// Drops the next `n` frames that go through it (set by [`drop_next`](Self::drop_next)) and
/// passes the rest: what a reader does with the frames it decodes before a seek target.
///
/// ```
/// use audiostream::pipeline::{SeekTrim, Stage};
/// use audiostream::ndarray::{array, Array2};
/// let mut trim = SeekTrim::new(1);
/// trim.drop_next(2);
/// assert_eq!(trim.process(array![[1.0f32]])?.ncols(), 0);
/// assert_eq!(trim.process(array![[2.0f32, 3.0, 4.0]])?, array![[3.0f32, 4.0]]);
/// # Ok::<(), audiostream::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SeekTrim {
    channels: usize,
    to_drop: u64,
}

impl SeekTrim {
    /// A trim for `channels` channels, dropping nothing yet.
    pub fn new(channels: usize) -> Self {
        SeekTrim {
            channels,
            to_drop: 0,
        }
    }

    /// Drops the next `frames` frames.
    pub fn drop_next(&mut self, frames: u64) {
        self.to_drop = frames;
    }

    /// Frames still to drop.
    pub fn dropping(&self) -> u64 {
        self.to_drop
    }
}

impl Stage for SeekTrim {
    fn process(&mut self, input: Array2<f32>) -> Result<Array2<f32>> {
        let frames = input.ncols() as u64;
        let skip = self.to_drop.min(frames);
        self.to_drop -= skip;
        Ok(match skip {
            0 => input,
            n if n == frames => Array2::zeros((self.channels.max(input.nrows()), 0)),
            n => input.slice(s![.., n as usize..]).to_owned(),
        })
    }

    fn flush(&mut self, _max: usize) -> Result<Option<Array2<f32>>> {
        self.to_drop = 0;
        Ok(None)
    }

    fn reset(&mut self) -> Result<()> {
        self.to_drop = 0;
        Ok(())
    }
}
