//! fundsp graphs as effects of a chain: [`AudioEffector::from_fundsp`], and the running
//! instance the named `fundsp.*` effects use too.
//!
//! A graph runs sample by sample through fundsp's `AudioUnit::tick`, the unit's own type
//! known at compile time (no dynamic call per sample for graphs built with fundsp's
//! operators). `tick` rather than block `process` (at most 64 frames a call): fundsp's block
//! processing is not always the same computation as its per-sample one. Its `lfo` envelopes
//! (fundsp 0.23.0, `src/envelope.rs`, `Envelope::process`) advance their time once per block,
//! `self.t += F::new(loop_samples as i64) * self.sample_duration`, where `Envelope::tick`
//! adds `self.sample_duration` each sample; the rounding differs, the envelope lands on other
//! segments, and blocks would make the output depend on where the chunks of a stream begin
//! (fundsp's `chorus`, `flanger` and `phaser` are built on `lfo`; for `chorus(3, 0.01, 0.005,
//! 0.7)` on 20000 samples, 64-frame blocks and `tick` differed on 95% of them, by up to
//! 3e-4). With `tick` a stream gives, bit for bit, what ticking the graph over the whole
//! signal gives, however it is cut.
//!
//! ```
//! use audiostream::fundsp::prelude32::*;
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! let graph = lowpass_hz(1000.0, 1.0) >> mul(0.5);
//! let fx = AudioEffector::from_fundsp(graph.clone())?;
//! let x = Array2::from_shape_fn((1, 100), |(_, i)| (i as f32 * 0.3).sin());
//! let out = fx.apply(x.view(), 44100)?;
//! // The same as ticking the graph ourselves (at fundsp's default 44.1 kHz).
//! let mut unit = graph;
//! let ours: Vec<f32> = x.row(0).iter().map(|&v| unit.filter_mono(v)).collect();
//! assert_eq!(out.row(0).to_vec(), ours);
//! # Ok::<(), audiostream::Error>(())
//! ```

use super::{AudioEffector, BuildContext, Channels, Effect, EffectSpec};
use crate::{Error, Result};
use fundsp::audiounit::AudioUnit;
use std::sync::Arc;

impl AudioEffector {
    /// A fundsp graph as an effect: any [`AudioUnit`] with as many outputs as inputs,
    /// built with fundsp's graph operators (`>>`, `|`, `&`, ...) or a `Net`. Join it with
    /// other effects with [`then`](AudioEffector::then).
    ///
    /// On a stream of `C` channels a graph with `C` inputs runs as it is (channel `c` is its
    /// input and output `c`), and a mono graph (1 in, 1 out) runs once per channel, each
    /// channel with its own copy; any other graph is [`Error::InvalidArgument`] when the
    /// stream starts, naming its inputs and outputs and the stream's channels.
    ///
    /// Each stream runs its own copy of the graph, set to the stream's rate
    /// (`set_sample_rate`) and `reset`; a stream starts afresh from the graph as given here
    /// at every seek of a reader and after a flush. The output is the graph's, unclipped and
    /// bit for bit what [`AudioUnit::tick`] gives over the whole signal, however the stream is
    /// cut into chunks; it has the input's length (no tail: append silence, `pad 0 3`, to
    /// hear one). A `Box<dyn AudioUnit>` goes in as `Net::wrap(boxed)`.
    ///
    /// Errors: a graph with no inputs, or other than as many outputs as inputs, is
    /// [`Error::InvalidArgument`].
    ///
    /// ```
    /// use audiostream::fundsp::prelude32::*;
    /// use audiostream::{AudioEffector, Error};
    /// use audiostream::ndarray::Array2;
    /// // A stereo graph after SoX's highpass.
    /// let fx = AudioEffector::new("highpass", &[80.0])?
    ///     .then(AudioEffector::from_fundsp(lowpass_hz(2000.0, 0.7) | highpass_hz(200.0, 0.7))?);
    /// let out = fx.apply(Array2::<f32>::zeros((2, 480)).view(), 48000)?;
    /// assert_eq!(out.dim(), (2, 480));
    /// // Two inputs on a mono stream: refused, naming both.
    /// let wrong = AudioEffector::from_fundsp(lowpass_hz(2000.0, 0.7) | pass())?;
    /// assert!(matches!(wrong.stream(48000, 1), Err(Error::InvalidArgument(m)) if m.contains("2 inputs")));
    /// assert!(AudioEffector::from_fundsp(sine_hz(440.0)).is_err()); // a generator: no input
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn from_fundsp<U: AudioUnit + Clone + 'static>(unit: U) -> Result<AudioEffector> {
        let (inputs, outputs) = (unit.inputs(), unit.outputs());
        if inputs == 0 || inputs != outputs {
            return Err(Error::invalid_argument(
                "fundsp graph",
                format!("{inputs} inputs and {outputs} outputs"),
                "a graph with as many outputs as inputs, at least 1 (a mono graph runs once \
                 per channel, an N-channel one on N-channel streams)",
            ));
        }
        Ok(AudioEffector::from_spec(Box::new(GraphSpec {
            graph: Arc::new(unit),
        })))
    }
}

/// A graph as given to [`AudioEffector::from_fundsp`], never run itself: each stream runs
/// copies. Shared by the effector's clones (equal to each other, and to nothing else: two
/// graphs cannot be compared).
#[derive(Clone)]
struct GraphSpec {
    graph: Arc<dyn Graph>,
}

/// What a spec needs of a graph whose type it has forgotten: its shape, and running copies.
trait Graph: Send + Sync {
    fn inputs(&self) -> usize;
    fn outputs(&self) -> usize;
    fn build(&self, cx: &BuildContext<'_>) -> Result<Option<Box<dyn Effect>>>;
}

impl<U: AudioUnit + Clone + 'static> Graph for U {
    fn inputs(&self) -> usize {
        AudioUnit::inputs(self)
    }

    fn outputs(&self) -> usize {
        AudioUnit::outputs(self)
    }

    fn build(&self, cx: &BuildContext<'_>) -> Result<Option<Box<dyn Effect>>> {
        let channels = cx.channels;
        if channels == 0 {
            return Ok(None);
        }
        let (inputs, outputs) = (AudioUnit::inputs(self), AudioUnit::outputs(self));
        if inputs == channels && outputs == channels {
            Ok(Some(UnitRun::all_channels(self.clone(), cx.sample_rate)))
        } else if inputs == 1 && outputs == 1 {
            let copies = vec![self.clone(); channels];
            Ok(Some(UnitRun::per_channel(copies, cx.sample_rate)))
        } else {
            Err(Error::invalid_argument(
                "fundsp graph channels",
                format!("{inputs} inputs and {outputs} outputs on a {channels}-channel stream"),
                format!(
                    "a graph with {channels} inputs and {channels} outputs, or a mono graph \
                     (1 input, 1 output) run once per channel"
                ),
            ))
        }
    }
}

impl std::fmt::Debug for GraphSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FundspGraph")
            .field("inputs", &self.graph.inputs())
            .field("outputs", &self.graph.outputs())
            .finish()
    }
}

impl PartialEq for GraphSpec {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.graph, &other.graph)
    }
}

impl EffectSpec for GraphSpec {
    fn name(&self) -> &'static str {
        "fundsp graph"
    }

    fn param_names(&self) -> &'static [&'static str] {
        &[]
    }

    fn set(&mut self, _param: &str, _value: f64) {}

    fn validate(&self) -> Result<()> {
        Ok(())
    }

    fn build(&self, cx: &mut BuildContext<'_>) -> Result<Option<Box<dyn Effect>>> {
        self.graph.build(cx)
    }

    fn output_frames(&self, _sample_rate: u32, input_frames: u64) -> Option<u64> {
        Some(input_frames)
    }
}

/// Running fundsp units: one taking every channel, or one mono unit per channel.
pub(crate) struct UnitRun<U> {
    units: Vec<U>,
    /// `units[0]` takes every channel (else: one per channel).
    all: bool,
    /// One frame in and out, for a unit taking every channel.
    frame_in: Vec<f32>,
    frame_out: Vec<f32>,
}

/// A unit as a stream starts it: at its rate, in its initial state, its buffers allocated.
fn started<U: AudioUnit>(mut unit: U, sample_rate: u32) -> U {
    unit.set_sample_rate(f64::from(sample_rate));
    unit.reset();
    unit.allocate();
    unit
}

impl<U: AudioUnit + 'static> UnitRun<U> {
    /// `unit` on every channel at once (its inputs: the stream's channels).
    pub(crate) fn all_channels(unit: U, sample_rate: u32) -> Box<dyn Effect> {
        let n = unit.inputs();
        Box::new(UnitRun {
            units: vec![started(unit, sample_rate)],
            all: true,
            frame_in: vec![0.0; n],
            frame_out: vec![0.0; n],
        })
    }

    /// Mono `units`, one per channel.
    pub(crate) fn per_channel(units: Vec<U>, sample_rate: u32) -> Box<dyn Effect> {
        Box::new(UnitRun {
            units: units.into_iter().map(|u| started(u, sample_rate)).collect(),
            all: false,
            frame_in: Vec::new(),
            frame_out: Vec::new(),
        })
    }
}

impl<U: AudioUnit> Effect for UnitRun<U> {
    fn process(&mut self, channels: &mut Channels) {
        if !self.all {
            for (ch, unit) in channels.iter_mut().zip(self.units.iter_mut()) {
                let mut y = [0.0f32];
                for x in ch.iter_mut() {
                    unit.tick(&[*x], &mut y);
                    *x = y[0];
                }
            }
            return;
        }
        let Some(unit) = self.units.first_mut() else {
            return;
        };
        if let [left, right] = channels.as_mut_slice() {
            // Stereo, the usual case: no gathering loop.
            let mut y = [0.0f32; 2];
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                unit.tick(&[*l, *r], &mut y);
                (*l, *r) = (y[0], y[1]);
            }
            return;
        }
        let frames = channels.first().map_or(0, Vec::len);
        for i in 0..frames {
            for (v, ch) in self.frame_in.iter_mut().zip(channels.iter()) {
                *v = ch.get(i).copied().unwrap_or(0.0);
            }
            unit.tick(&self.frame_in, &mut self.frame_out);
            for (ch, &v) in channels.iter_mut().zip(self.frame_out.iter()) {
                if let Some(x) = ch.get_mut(i) {
                    *x = v;
                }
            }
        }
    }
}
