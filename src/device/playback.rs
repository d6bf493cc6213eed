//! Playback: [`play_audio`] (a whole waveform, read by the callback straight from memory) and
//! the [`StreamWriter`] sink (a lock-free ring buffer the writer fills, blocking while it is
//! full, and the device callback drains).

use super::host::{self, Choice, Direction, Want};
use super::{check_option_keys, close_stream, device_error, positive_option, Failure, Waker};
use crate::pipeline::{self, Stage};
use crate::writer::encoders::{EncoderFactory, EncoderShape};
use crate::{AudioEncodeOptions, DeviceErrorKind, Error, Options, Result, StreamWriter};
use audiostream_codecs::{EncodeError, Encoder, EncoderDelay, Planar, SampleFormat};
use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{FromSample, SizedSample};
use ndarray::{Array2, ArrayView2, Axis};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Options a playback device takes.
const PLAYBACK_OPTIONS: &[&str] = &["buffer_frames", "queue_frames"];

/// Longest sleep between checks while waiting for the device (each callback wakes us).
const POLL: Duration = Duration::from_millis(20);

/// A device that takes no audio for this long (beyond its own buffering) has stalled.
const STALL: Duration = Duration::from_secs(2);

/// Longest wait for the device's own buffer to play out at the end.
const MAX_DRAIN_DELAY: Duration = Duration::from_secs(2);

/// Counters shared by the device callback and the producer/monitor.
#[derive(Debug, Default)]
struct Counters {
    /// Frames of audio (not padding silence) handed to the device.
    frames_played: AtomicU64,
    callbacks: AtomicU64,
    underruns: AtomicU64,
    /// The producer has given all its audio: a short callback is the end, not an underrun.
    finished: AtomicBool,
    /// Between a callback and the moment its audio is heard (the host's estimate).
    delay_ns: AtomicU64,
    /// Set by the error callback when the device is gone.
    failure: Failure,
    waker: Waker,
}

impl Counters {
    fn failure(&self) -> Option<String> {
        self.failure.get("the playback device failed")
    }

    /// Waits until every callback after this call has run at least once more (so the audio
    /// the last one took has reached the host), then for the host's own delay.
    fn wait_played_out(&self, period: Duration) {
        let seen = self.callbacks.load(Ordering::Acquire);
        let deadline = Instant::now() + period * 4 + Duration::from_millis(500);
        while self.callbacks.load(Ordering::Acquire) == seen
            && Instant::now() < deadline
            && self.failure().is_none()
        {
            self.waker
                .wait_until(POLL, || self.callbacks.load(Ordering::Acquire) != seen);
        }
        let delay = Duration::from_nanos(self.delay_ns.load(Ordering::Relaxed));
        std::thread::sleep(delay.min(MAX_DRAIN_DELAY));
    }
}

/// A handle on playback through a device (from [`open_output`](super::open_output)).
///
/// ```no_run
/// let (mut writer, monitor) = audiostream::device::open_output("default", None)?;
/// writer.add_audio_stream(48000, 2)?;
/// // ... write ...
/// writer.close()?;
/// println!("{} frames played, {} underruns", monitor.frames_played(), monitor.underruns());
/// # Ok::<(), audiostream::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PlaybackMonitor {
    counters: Arc<Counters>,
    config: Arc<OnceLock<(u32, usize, String)>>,
}

impl PlaybackMonitor {
    /// Callbacks that found too little audio queued while the producer was still writing
    /// (the device played silence in its place).
    pub fn underruns(&self) -> u64 {
        self.counters.underruns.load(Ordering::Relaxed)
    }

    /// Frames of audio handed to the device so far (silence padding not counted).
    pub fn frames_played(&self) -> u64 {
        self.counters.frames_played.load(Ordering::Acquire)
    }

    /// The device's rate, channels and sample format, once the stream is set up.
    pub fn config(&self) -> Option<(u32, usize, String)> {
        self.config.get().cloned()
    }
}

/// Where a callback's audio comes from.
enum Feed {
    /// The writer's queue.
    Ring(rtrb::Consumer<f32>),
    /// A whole waveform ([`play_audio`]), interleaved.
    Buffer { data: Vec<f32>, pos: usize },
}

/// What a playback callback owns.
struct Callback {
    feed: Feed,
    channels: usize,
    counters: Arc<Counters>,
}

impl Callback {
    /// Runs on the host's audio thread: copies what is queued, pads with silence, never blocks
    /// or allocates.
    fn fill<T: SizedSample + FromSample<f32>>(
        &mut self,
        out: &mut [T],
        info: &cpal::OutputCallbackInfo,
    ) {
        let ch = self.channels;
        let want = out.len() / ch * ch;
        let mut got = 0;
        let from_ring = matches!(self.feed, Feed::Ring(_));
        match &mut self.feed {
            Feed::Ring(consumer) => {
                let n = (consumer.slots() / ch * ch).min(want);
                if n > 0 {
                    if let Ok(chunk) = consumer.read_chunk(n) {
                        let (a, b) = chunk.as_slices();
                        for (o, s) in out.iter_mut().zip(a.iter().chain(b)) {
                            *o = T::from_sample(*s);
                        }
                        chunk.commit_all();
                        got = n;
                    }
                }
            }
            Feed::Buffer { data, pos } => {
                let rest = data.get(*pos..).unwrap_or(&[]);
                let n = rest.len().min(want);
                for (o, s) in out.iter_mut().zip(&rest[..n]) {
                    *o = T::from_sample(*s);
                }
                *pos += n;
                got = n;
            }
        }
        for o in out.iter_mut().skip(got) {
            *o = <T as cpal::Sample>::EQUILIBRIUM;
        }
        if from_ring && got < want && !self.counters.finished.load(Ordering::Acquire) {
            self.counters.underruns.fetch_add(1, Ordering::Relaxed);
        }
        self.counters
            .frames_played
            .fetch_add((got / ch) as u64, Ordering::AcqRel);
        let ts = info.timestamp();
        let delay = ts.playback.duration_since(ts.callback);
        self.counters.delay_ns.store(
            u64::try_from(delay.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        self.counters.callbacks.fetch_add(1, Ordering::AcqRel);
        self.counters.waker.wake();
    }
}

fn build_typed<T: SizedSample + FromSample<f32>>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut callback: Callback,
) -> std::result::Result<cpal::Stream, cpal::Error> {
    let counters = Arc::clone(&callback.counters);
    device.build_output_stream::<T, _, _>(
        config,
        move |data: &mut [T], info: &cpal::OutputCallbackInfo| callback.fill(data, info),
        move |e: cpal::Error| {
            if e.kind() == cpal::ErrorKind::Xrun {
                // The device ran dry because a callback came late: an underrun too.
                if !counters.finished.load(Ordering::Acquire) {
                    counters.underruns.fetch_add(1, Ordering::Relaxed);
                }
                return;
            }
            counters.failure.set(e.to_string());
            counters.waker.wake();
        },
        None,
    )
}

/// Builds a (not yet started) output stream of the chosen configuration.
fn build_stream(
    device: &cpal::Device,
    choice: &Choice,
    buffer_frames: Option<u32>,
    callback: Callback,
    label: &str,
) -> Result<cpal::Stream> {
    let config = cpal::StreamConfig {
        channels: choice.channels,
        sample_rate: choice.sample_rate,
        buffer_size: buffer_frames.map_or(cpal::BufferSize::Default, cpal::BufferSize::Fixed),
    };
    use cpal::SampleFormat as F;
    match choice.format {
        F::F32 => build_typed::<f32>(device, config, callback),
        F::F64 => build_typed::<f64>(device, config, callback),
        F::I32 => build_typed::<i32>(device, config, callback),
        F::I16 => build_typed::<i16>(device, config, callback),
        F::I8 => build_typed::<i8>(device, config, callback),
        F::U32 => build_typed::<u32>(device, config, callback),
        F::U16 => build_typed::<u16>(device, config, callback),
        F::U8 => build_typed::<u8>(device, config, callback),
        other => {
            return Err(Error::device(
                DeviceErrorKind::Unsupported,
                format!("playback device {label:?}: sample format {other} is not supported"),
            ))
        }
    }
    .map_err(|e| device_error(format!("opening playback device {label:?}"), e))
}

/// The device's supported playback configurations.
fn output_ranges(
    host: &cpal::Host,
    device: &cpal::Device,
    name: &str,
    label: &str,
) -> Result<Vec<cpal::SupportedStreamConfigRange>> {
    device
        .supported_output_configs()
        .map(Iterator::collect)
        .map_err(|e| host::open_error(host, name, label, Direction::Output, e))
}

/// Plays a waveform on the default output device and returns when it has been played (seed:
/// `torchaudio.io.play_audio`).
///
/// `waveform` is `(channels, time)`, or `(time, channels)` when `channels_first` is false.
/// The audio is converted to a rate and channel count the device takes: the rate as is when
/// the device has it, else the nearest one (resampled); the channels as is, else up-mixed to
/// more (mono is copied to every channel) or down-mixed by a standard rule (stereo → mono,
/// 5.1/7.1 → stereo or mono; see [`Remixer`](crate::dsp::Remixer)). `normalize` scales the
/// audio so its peak is 1.0 when the peak exceeds 1.0, and never makes it louder.
///
/// Errors: [`Error::InvalidArgument`] for an empty waveform, NaN or infinite samples, a zero
/// rate, or more channels than the device takes with no rule to map them;
/// [`Error::Device`] when there is no device (naming the host and the devices found) or the
/// device fails.
///
/// ```no_run
/// use audiostream::ndarray::Array2;
/// let stereo = Array2::<f32>::zeros((48000, 2)); // one second of (time, channels) silence
/// audiostream::play_audio(stereo.view(), 48000, true, false)?;
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn play_audio(
    waveform: ArrayView2<'_, f32>,
    sample_rate: u32,
    normalize: bool,
    channels_first: bool,
) -> Result<()> {
    play_audio_on("default", waveform, sample_rate, normalize, channels_first)
}

/// [`play_audio`] on a given device (`default`, or a name from
/// [`list_devices`](super::list_devices)). A name no device has is an [`Error::Device`]
/// listing the devices.
///
/// ```no_run
/// use audiostream::ndarray::Array2;
/// let mono = Array2::<f32>::zeros((1, 8000));
/// audiostream::device::play_audio_on("default", mono.view(), 8000, false, true)?;
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn play_audio_on(
    device: &str,
    waveform: ArrayView2<'_, f32>,
    sample_rate: u32,
    normalize: bool,
    channels_first: bool,
) -> Result<()> {
    if sample_rate == 0 {
        return Err(Error::invalid_argument(
            "sample_rate",
            0,
            "a positive rate in Hz",
        ));
    }
    let audio = if channels_first {
        waveform
    } else {
        waveform.reversed_axes()
    };
    let (channels, frames) = audio.dim();
    let layout = if channels_first {
        "(channels, time)"
    } else {
        "(time, channels)"
    };
    if channels == 0 || frames == 0 {
        return Err(Error::invalid_argument(
            "waveform",
            format!("an empty {:?} array", waveform.dim()),
            format!("a {layout} array with at least one channel and one frame"),
        ));
    }
    if channels > crate::dsp::MAX_CHANNELS {
        return Err(Error::invalid_argument(
            "waveform channels",
            channels,
            format!(
                "1 to {} (the array is {layout}; pass channels_first = {} for the other layout)",
                crate::dsp::MAX_CHANNELS,
                !channels_first
            ),
        ));
    }
    let mut peak = 0.0f32;
    for ((c, t), &v) in audio.indexed_iter() {
        if !v.is_finite() {
            return Err(Error::invalid_argument(
                "waveform",
                format!("{v} at channel {c}, frame {t}"),
                "finite samples (no NaN or infinity)",
            ));
        }
        peak = peak.max(v.abs());
    }
    let gain = if normalize && peak > 1.0 {
        1.0 / peak
    } else {
        1.0
    };

    let host = cpal::default_host();
    let dev = host::find_device(&host, device, Direction::Output)?;
    let label = host::device_name(&dev);
    let ranges = output_ranges(&host, &dev, device, &label)?;
    let want = Want {
        channels: Some(channels),
        sample_rate: Some(sample_rate),
        strict_channels: false,
        strict_rate: false,
    };
    let choice = host::choose(&ranges, want, &label)?;
    let out_channels = usize::from(choice.channels);
    let scaled = if gain == 1.0 {
        audio.to_owned()
    } else {
        audio.mapv(|v| v * gain)
    };
    let converted = match pipeline::conversion(
        (channels, sample_rate),
        (out_channels, choice.sample_rate),
        false,
        None,
    )? {
        None => scaled,
        Some(mut stages) => {
            let body = stages.process(scaled)?;
            match stages.flush_all()? {
                Some(tail) => {
                    ndarray::concatenate(Axis(1), &[body.view(), tail.view()]).map_err(|e| {
                        Error::device(
                            DeviceErrorKind::Backend,
                            format!("joining converted audio: {e}"),
                        )
                    })?
                }
                None => body,
            }
        }
    };
    let total = converted.ncols() as u64;
    let data = interleave(&converted);

    let counters = Arc::new(Counters::default());
    let callback = Callback {
        feed: Feed::Buffer { data, pos: 0 },
        channels: out_channels,
        counters: Arc::clone(&counters),
    };
    let stream = build_stream(&dev, &choice, None, callback, &label)?;
    stream
        .play()
        .map_err(|e| device_error(format!("starting playback device {label:?}"), e))?;
    let result = wait_for_frames(&counters, total, &label);
    if result.is_ok() {
        counters.finished.store(true, Ordering::Release);
        counters.wait_played_out(Duration::from_millis(100));
    }
    close_stream(stream, &format!("playback device {label:?}"));
    result
}

/// `(channels, frames)` to interleaved samples.
fn interleave(audio: &Array2<f32>) -> Vec<f32> {
    let mut out = Vec::with_capacity(audio.len());
    for frame in audio.axis_iter(Axis(1)) {
        out.extend(frame.iter().copied());
    }
    out
}

/// Waits until the callback has taken `total` frames; an error when the device fails or takes
/// nothing for [`STALL`].
fn wait_for_frames(counters: &Counters, total: u64, label: &str) -> Result<()> {
    let mut last = (
        counters.frames_played.load(Ordering::Acquire),
        Instant::now(),
    );
    loop {
        let played = counters.frames_played.load(Ordering::Acquire);
        if played >= total {
            return Ok(());
        }
        if let Some(why) = counters.failure() {
            return Err(Error::device(
                DeviceErrorKind::Backend,
                format!("playback device {label:?}: {why}"),
            ));
        }
        if played != last.0 {
            last = (played, Instant::now());
        } else if last.1.elapsed() > STALL {
            return Err(Error::device(
                DeviceErrorKind::Stalled,
                format!(
                    "playback device {label:?} took no audio for {STALL:?} ({played} of {total} \
                 frames played): stalled"
                ),
            ));
        }
        counters.waker.wait_until(POLL, || {
            counters.frames_played.load(Ordering::Acquire) != played
        });
    }
}

/// A playback device a [`StreamWriter`] writes to: found and checked when the writer is
/// opened, its stream set up when the writer's audio stream is added.
pub(crate) struct SinkTarget {
    device: cpal::Device,
    label: String,
    buffer_frames: Option<u32>,
    queue_frames: Option<u32>,
    counters: Arc<Counters>,
    config: Arc<OnceLock<(u32, usize, String)>>,
    /// The configuration `plan` chose, until `make` sets the stream up.
    planned: Option<host::Choice>,
}

impl std::fmt::Debug for SinkTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SinkTarget")
            .field("device", &self.label)
            .finish()
    }
}

/// Finds playback device `name` for a writer and checks its options.
pub(crate) fn open_target(name: &str, option: Option<&Options>) -> Result<SinkTarget> {
    let empty = Options::new();
    let option = option.unwrap_or(&empty);
    check_option_keys(option, PLAYBACK_OPTIONS, "a playback device")?;
    let buffer_frames = positive_option(option, "buffer_frames", "a positive number of frames")?;
    let queue_frames = positive_option(option, "queue_frames", "a positive number of frames")?;
    let host = cpal::default_host();
    let device = host::find_device(&host, name, Direction::Output)?;
    let label = host::device_name(&device);
    Ok(SinkTarget {
        device,
        label,
        buffer_frames,
        queue_frames,
        counters: Arc::new(Counters::default()),
        config: Arc::new(OnceLock::new()),
        planned: None,
    })
}

/// A writer playing on device `name`, and its monitor.
pub(crate) fn open_writer(
    name: &str,
    option: Option<&Options>,
) -> Result<(StreamWriter, PlaybackMonitor)> {
    let target = open_target(name, option)?;
    let monitor = PlaybackMonitor {
        counters: Arc::clone(&target.counters),
        config: Arc::clone(&target.config),
    };
    let label = format!("playback device {:?}", target.label);
    Ok((
        StreamWriter::with_encoders(label, "device".into(), Box::new(target)),
        monitor,
    ))
}

impl EncoderFactory for SinkTarget {
    /// Chooses the device configuration for the writer's audio stream `opts`: the rate and
    /// channels the device takes (the writer converts to them). `encoder_sample_rate` /
    /// `encoder_num_channels` must be ones the device takes; without them the nearest the
    /// device has are chosen. Encoder settings are refused: a device takes `f32` audio.
    fn plan(&mut self, opts: &AudioEncodeOptions) -> Result<EncoderShape> {
        if opts.encoder.is_some()
            || opts.codec_config.is_some()
            || opts.encoder_format.is_some()
            || !opts.encoder_option.is_empty()
        {
            return Err(Error::InvalidArgument(format!(
                "encoder settings for {:?}: a playback device takes f32 audio; give no encoder, \
                 codec_config, encoder_format or encoder_option",
                self.label
            )));
        }
        let ranges: Vec<_> = self
            .device
            .supported_output_configs()
            .map_err(|e| device_error(format!("playback device {:?}", self.label), e))?
            .collect();
        let want = Want {
            channels: Some(opts.encoder_num_channels.unwrap_or(opts.num_channels)),
            sample_rate: Some(opts.encoder_sample_rate.unwrap_or(opts.sample_rate)),
            strict_channels: opts.encoder_num_channels.is_some(),
            strict_rate: opts.encoder_sample_rate.is_some(),
        };
        let choice = host::choose(&ranges, want, &self.label)?;
        host::check_buffer(&choice, self.buffer_frames, &self.label)?;
        let shape = EncoderShape {
            sample_rate: choice.sample_rate,
            channels: usize::from(choice.channels),
        };
        self.planned = Some(choice);
        Ok(shape)
    }

    /// Sets up the device stream [`plan`](EncoderFactory::plan) chose: the "encoder" queues
    /// `f32` audio for the device's callback. A device has no place for tags.
    fn make(&mut self, _opts: &AudioEncodeOptions, _tags: &Options) -> Result<Box<dyn Encoder>> {
        let choice = self.planned.take().ok_or_else(|| {
            Error::InvalidArgument(format!(
                "playback device {:?}: its stream is already set up",
                self.label
            ))
        })?;
        let ch = usize::from(choice.channels);
        // Default queue: 0.2 s, and at least 4 callbacks.
        let queue = self.queue_frames.map_or_else(
            || (choice.sample_rate as usize / 5).max(4 * self.buffer_frames.unwrap_or(0) as usize),
            |q| q as usize,
        );
        let capacity = queue.saturating_mul(ch).max(ch);
        let (producer, consumer) = rtrb::RingBuffer::new(capacity);
        let callback = Callback {
            feed: Feed::Ring(consumer),
            channels: ch,
            counters: Arc::clone(&self.counters),
        };
        let stream = build_stream(
            &self.device,
            &choice,
            self.buffer_frames,
            callback,
            &self.label,
        )?;
        let _ = self
            .config
            .set((choice.sample_rate, ch, choice.format.to_string()));
        let period = self.buffer_frames.map_or(Duration::from_millis(100), |b| {
            Duration::from_secs_f64(f64::from(b) / f64::from(choice.sample_rate))
        });
        let sink = DeviceSink {
            label: self.label.clone(),
            producer,
            capacity,
            counters: Arc::clone(&self.counters),
            stream: Some(stream),
            playing: false,
            finished: false,
            channels: ch,
            period,
            stall: STALL
                + Duration::from_secs_f64(queue as f64 / f64::from(choice.sample_rate)) * 4,
            scratch: Vec::new(),
            warned_underrun: false,
        };
        Ok(Box::new(sink))
    }
}

/// The writer's "encoder" for a playback device: queues interleaved `f32` for the callback.
struct DeviceSink {
    label: String,
    producer: rtrb::Producer<f32>,
    capacity: usize,
    counters: Arc<Counters>,
    stream: Option<cpal::Stream>,
    /// The stream was started: it starts once the queue is full (or at flush/finish), so it
    /// does not begin with silence while the producer fills the queue.
    playing: bool,
    finished: bool,
    channels: usize,
    period: Duration,
    stall: Duration,
    scratch: Vec<f32>,
    warned_underrun: bool,
}

fn io_error(msg: String) -> EncodeError {
    EncodeError::Io(std::io::Error::other(msg))
}

impl DeviceSink {
    fn start(&mut self) -> std::result::Result<(), EncodeError> {
        if self.playing {
            return Ok(());
        }
        if let Some(stream) = &self.stream {
            stream
                .play()
                .map_err(|e| io_error(format!("starting playback device {:?}: {e}", self.label)))?;
            self.playing = true;
        }
        Ok(())
    }

    fn check(&self) -> std::result::Result<(), EncodeError> {
        match self.counters.failure() {
            Some(why) => Err(io_error(format!("playback device {:?}: {why}", self.label))),
            None => Ok(()),
        }
    }

    fn warn_underruns(&mut self) {
        if !self.warned_underrun && self.counters.underruns.load(Ordering::Relaxed) > 0 {
            self.warned_underrun = true;
            log::warn!(
                "playback device {:?}: the writer fell behind and the device played silence \
                 (underrun; counted by device::PlaybackMonitor)",
                self.label
            );
        }
    }

    /// Queues `self.scratch`, waiting while the queue is full.
    fn push_scratch(&mut self) -> std::result::Result<(), EncodeError> {
        let mut off = 0;
        let mut last = (
            self.counters.frames_played.load(Ordering::Acquire),
            Instant::now(),
        );
        while off < self.scratch.len() {
            let (pushed, _) = self.producer.push_partial_slice(&self.scratch[off..]);
            off += pushed.len();
            if off == self.scratch.len() {
                break;
            }
            // Full: play what is queued, wait for room.
            self.start()?;
            self.check()?;
            let played = self.counters.frames_played.load(Ordering::Acquire);
            if played != last.0 {
                last = (played, Instant::now());
            } else if last.1.elapsed() > self.stall {
                return Err(io_error(format!(
                    "playback device {:?} took no audio for {:?}: stalled",
                    self.label, self.stall
                )));
            }
            let producer = &self.producer;
            self.counters.waker.wait_until(POLL, || !producer.is_full());
        }
        self.warn_underruns();
        Ok(())
    }

    fn stop(&mut self) {
        if let Some(stream) = self.stream.take() {
            close_stream(stream, &format!("playback device {:?}", self.label));
        }
    }
}

impl Encoder for DeviceSink {
    fn codec(&self) -> &'static str {
        "device"
    }

    fn input_format(&self) -> SampleFormat {
        SampleFormat::F32
    }

    /// A device has no place for tags: they are ignored.
    fn set_tags(&mut self, _tags: &Options) -> std::result::Result<(), EncodeError> {
        Ok(())
    }

    fn encode(&mut self, samples: Planar<'_>) -> std::result::Result<(), EncodeError> {
        let Planar::F32(channels) = samples else {
            return Err(EncodeError::InvalidArgument(
                "a playback device takes f32 samples".into(),
            ));
        };
        if channels.len() != self.channels {
            return Err(EncodeError::InvalidArgument(format!(
                "{} channels for a {}-channel playback device",
                channels.len(),
                self.channels
            )));
        }
        let frames = channels.first().map_or(0, Vec::len);
        self.scratch.clear();
        self.scratch.reserve(frames * self.channels);
        for t in 0..frames {
            for c in channels {
                self.scratch.push(c.get(t).copied().unwrap_or(0.0));
            }
        }
        self.push_scratch()
    }

    /// Starts playing what is queued (playback otherwise starts once the queue is full).
    fn flush(&mut self) -> std::result::Result<(), EncodeError> {
        if self.producer.slots() < self.capacity {
            self.start()?;
        }
        self.check()
    }

    /// Plays what is queued to its end, then closes the device.
    fn finish(&mut self) -> std::result::Result<(), EncodeError> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        // No more audio comes: a short callback from here on is the end, not an underrun.
        self.counters.finished.store(true, Ordering::Release);
        if self.producer.slots() < self.capacity {
            self.start()?;
        }
        let mut result = Ok(());
        if self.playing {
            let mut last = (
                self.counters.frames_played.load(Ordering::Acquire),
                Instant::now(),
            );
            while self.producer.slots() < self.capacity {
                if let Err(e) = self.check() {
                    result = Err(e);
                    break;
                }
                let played = self.counters.frames_played.load(Ordering::Acquire);
                if played != last.0 {
                    last = (played, Instant::now());
                } else if last.1.elapsed() > self.stall {
                    result = Err(io_error(format!(
                        "playback device {:?} took no audio for {:?}: stalled",
                        self.label, self.stall
                    )));
                    break;
                }
                let producer = &self.producer;
                let capacity = self.capacity;
                self.counters
                    .waker
                    .wait_until(POLL, || producer.slots() == capacity);
            }
            if result.is_ok() {
                self.counters.wait_played_out(self.period);
            }
        }
        self.warn_underruns();
        self.stop();
        result
    }

    fn delay(&self) -> EncoderDelay {
        EncoderDelay::default()
    }
}

impl Drop for DeviceSink {
    fn drop(&mut self) {
        self.stop();
    }
}
