//! Capture: the device callback converts what it gets to `f32` and pushes it into a lock-free
//! ring buffer (`rtrb`); the reader's demuxer reads the ring as `f32le` bytes through
//! [`CaptureSource`], in live packets (one packet = what has arrived, see `reader/raw.rs`).

use super::host::{self, Choice, Direction, Want};
use super::{check_option_keys, close_stream, device_error, positive_option, Failure, Waker};
use crate::reader::live::{LiveOpen, LiveSource};
use crate::{DeviceErrorKind, Error, Options, Result, StreamReader};
use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};
use std::io::{IoSliceMut, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use symphonia::core::io::MediaSource;

/// Options a capture device takes.
const CAPTURE_OPTIONS: &[&str] = &["sample_rate", "channels", "buffer_frames", "queue_frames"];

/// How many callback arrival times are kept for [`CaptureMonitor::take_arrivals`].
const ARRIVAL_LOG: usize = 4096;

/// Longest sleep of a blocking read between checks (it is woken by each callback anyway).
const POLL: Duration = Duration::from_millis(20);

/// When a device callback delivered audio: the number of frames captured after it (the
/// reader's frame index one past the callback's last frame) and the time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallbackArrival {
    /// Frames captured (and queued for the reader) up to the end of this callback.
    pub frames_end: u64,
    /// When the callback ran.
    pub at: Instant,
}

/// State shared by the device callback, the reader and the monitor.
#[derive(Debug)]
struct Shared {
    channels: usize,
    sample_rate: u32,
    format: SampleFormat,
    buffer_frames: Option<u32>,
    /// Frames pushed into the ring.
    frames: AtomicU64,
    /// Callbacks whose audio did not all fit, and the frames dropped.
    overruns: AtomicU64,
    dropped_frames: AtomicU64,
    /// Set by the error callback when the device is gone.
    failure: Failure,
    waker: Waker,
    warned_overrun: AtomicBool,
}

impl Shared {
    fn failure(&self) -> Option<String> {
        self.failure.get("the capture device failed")
    }

    /// Logs the first overrun (from the reader's side: logging is not for the callback).
    fn warn_overrun(&self, device: &str) {
        let n = self.overruns.load(Ordering::Relaxed);
        if n > 0 && !self.warned_overrun.swap(true, Ordering::Relaxed) {
            log::warn!(
                "capture device {device:?}: the reader fell behind and {} frames were dropped \
                 (overrun; counted in ReaderStats::overruns). Read more often or raise the \
                 queue_frames option.",
                self.dropped_frames.load(Ordering::Relaxed)
            );
        }
    }
}

/// The reader's end of the ring, shared by the demuxer's source and the live handle.
struct ReadSide {
    consumer: rtrb::Consumer<f32>,
    /// Bytes of a frame converted but not yet read (a read shorter than one frame).
    pending: Vec<u8>,
}

struct Queue {
    read: Mutex<ReadSide>,
    shared: Arc<Shared>,
    device: String,
}

impl Queue {
    /// Whether a whole frame can be read without waiting.
    fn ready(&self) -> bool {
        self.read.lock().map_or(true, |r| {
            !r.pending.is_empty() || r.consumer.slots() >= self.shared.channels
        })
    }

    /// Copies whole frames (as `f32le` bytes) into `bufs`; 0 when none has arrived.
    fn take(&self, bufs: &mut [IoSliceMut<'_>]) -> std::io::Result<usize> {
        let mut r = self
            .read
            .lock()
            .map_err(|_| std::io::Error::other("capture queue poisoned"))?;
        let mut writer = SliceWriter::new(bufs);
        if !r.pending.is_empty() {
            let n = writer.put(&r.pending);
            r.pending.drain(..n);
            return Ok(n);
        }
        let ch = self.shared.channels;
        let frame_bytes = ch * 4;
        let room = writer.room();
        let frames = (r.consumer.slots() / ch).min(room / frame_bytes);
        if frames == 0 {
            if room > 0 && room < frame_bytes && r.consumer.slots() >= ch {
                // A read shorter than a frame: convert one frame, hand out what fits.
                let chunk = r
                    .consumer
                    .read_chunk(ch)
                    .map_err(|_| std::io::Error::other("capture queue"))?;
                let (a, b) = chunk.as_slices();
                let bytes: Vec<u8> = a.iter().chain(b).flat_map(|s| s.to_le_bytes()).collect();
                chunk.commit_all();
                let n = writer.put(&bytes);
                r.pending.extend_from_slice(&bytes[n..]);
                return Ok(n);
            }
            return Ok(0);
        }
        let chunk = r
            .consumer
            .read_chunk(frames * ch)
            .map_err(|_| std::io::Error::other("capture queue"))?;
        let (a, b) = chunk.as_slices();
        for s in a.iter().chain(b) {
            writer.put(&s.to_le_bytes());
        }
        chunk.commit_all();
        Ok(frames * frame_bytes)
    }
}

/// Writes bytes across a list of buffers.
struct SliceWriter<'a, 'b> {
    bufs: &'a mut [IoSliceMut<'b>],
    index: usize,
    offset: usize,
}

impl<'a, 'b> SliceWriter<'a, 'b> {
    fn new(bufs: &'a mut [IoSliceMut<'b>]) -> Self {
        SliceWriter {
            bufs,
            index: 0,
            offset: 0,
        }
    }

    fn room(&self) -> usize {
        self.bufs
            .iter()
            .skip(self.index)
            .map(|b| b.len())
            .sum::<usize>()
            .saturating_sub(self.offset)
    }

    /// Copies as much of `bytes` as fits; returns how much.
    fn put(&mut self, mut bytes: &[u8]) -> usize {
        let mut done = 0;
        while !bytes.is_empty() {
            let Some(buf) = self.bufs.get_mut(self.index) else {
                break;
            };
            let space = buf.len() - self.offset;
            if space == 0 {
                self.index += 1;
                self.offset = 0;
                continue;
            }
            let n = space.min(bytes.len());
            buf[self.offset..self.offset + n].copy_from_slice(&bytes[..n]);
            self.offset += n;
            done += n;
            bytes = &bytes[n..];
        }
        done
    }
}

/// The captured audio as a byte stream (`f32le`, interleaved) for the demuxer. A read blocks
/// until at least one frame has arrived (or the device failed).
struct CaptureSource {
    queue: Arc<Queue>,
}

impl Read for CaptureSource {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.read_vectored(&mut [IoSliceMut::new(buf)])
    }

    // The demuxer's buffer wraps around: fill both parts, so reads stay whole frames.
    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> std::io::Result<usize> {
        if bufs.iter().all(|b| b.is_empty()) {
            return Ok(0);
        }
        loop {
            let n = self.queue.take(bufs)?;
            if n > 0 {
                self.queue.shared.warn_overrun(&self.queue.device);
                return Ok(n);
            }
            if let Some(why) = self.queue.shared.failure() {
                return Err(std::io::Error::other(why));
            }
            let queue = &self.queue;
            queue
                .shared
                .waker
                .wait_until(POLL, || queue.ready() || queue.shared.failure().is_some());
        }
    }
}

impl Seek for CaptureSource {
    fn seek(&mut self, _pos: SeekFrom) -> std::io::Result<u64> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "a capture device cannot seek",
        ))
    }
}

impl MediaSource for CaptureSource {
    fn is_seekable(&self) -> bool {
        false
    }

    fn byte_len(&self) -> Option<u64> {
        None
    }
}

/// The reader's handle on the capture: waits for audio, reports overruns, owns the stream.
struct CaptureLive {
    queue: Arc<Queue>,
    stream: Mutex<Option<cpal::Stream>>,
}

impl LiveSource for CaptureLive {
    fn wait_ready(&self, deadline: Option<Instant>, backoff: Duration) -> bool {
        let queue = &self.queue;
        let ready = || queue.ready() || queue.shared.failure().is_some();
        // At least 1 ms between polls: a zero backoff would spin.
        let backoff = backoff.max(Duration::from_millis(1));
        loop {
            if ready() {
                queue.shared.warn_overrun(&queue.device);
                return true;
            }
            let wait = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left.min(backoff),
                    _ => return false,
                },
                None => backoff,
            };
            // Woken by the next callback, or after `wait`.
            if queue.shared.waker.wait_until(wait, ready) {
                queue.shared.warn_overrun(&queue.device);
                return true;
            }
        }
    }

    fn overruns(&self) -> u64 {
        self.queue.shared.overruns.load(Ordering::Relaxed)
    }
}

impl Drop for CaptureLive {
    fn drop(&mut self) {
        let stream = self.stream.get_mut().ok().and_then(Option::take);
        if let Some(stream) = stream {
            close_stream(stream, &format!("capture device {:?}", self.queue.device));
        }
    }
}

/// A handle on a running capture (from [`open_input`](super::open_input)): its configuration,
/// its counters, and when callbacks delivered audio.
///
/// ```no_run
/// let (mut reader, monitor) = audiostream::device::open_input("default", None)?;
/// reader.add_basic_audio_stream(1024, 4)?;
/// reader.fill_buffer()?;
/// for a in monitor.take_arrivals() {
///     println!("{} frames by {:?}", a.frames_end, a.at);
/// }
/// # Ok::<(), audiostream::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CaptureMonitor {
    shared: Arc<Shared>,
    arrivals: Arc<Mutex<rtrb::Consumer<CallbackArrival>>>,
}

impl CaptureMonitor {
    /// The device's sample rate (Hz).
    pub fn sample_rate(&self) -> u32 {
        self.shared.sample_rate
    }

    /// The device's channel count.
    pub fn channels(&self) -> usize {
        self.shared.channels
    }

    /// The sample format the device delivers (`f32`, `i16`, ...); the reader gets `f32`.
    pub fn sample_format(&self) -> String {
        self.shared.format.to_string()
    }

    /// The frames per callback that were asked for (`buffer_frames`), if any.
    pub fn buffer_frames(&self) -> Option<u32> {
        self.shared.buffer_frames
    }

    /// Frames captured and queued for the reader so far.
    pub fn frames_captured(&self) -> u64 {
        self.shared.frames.load(Ordering::Acquire)
    }

    /// Callbacks whose audio did not all fit in the queue (the reader fell behind).
    pub fn overruns(&self) -> u64 {
        self.shared.overruns.load(Ordering::Relaxed)
    }

    /// Frames dropped by those overruns.
    pub fn dropped_frames(&self) -> u64 {
        self.shared.dropped_frames.load(Ordering::Relaxed)
    }

    /// The arrival times of the callbacks since the last call (the last 4096 at most are
    /// kept; older ones are not recorded while nobody takes them).
    pub fn take_arrivals(&self) -> Vec<CallbackArrival> {
        let mut out = Vec::new();
        if let Ok(mut c) = self.arrivals.lock() {
            while let Ok(a) = c.pop() {
                out.push(a);
            }
        }
        out
    }
}

/// What a capture callback owns.
struct Callback {
    producer: rtrb::Producer<f32>,
    arrivals: rtrb::Producer<CallbackArrival>,
    shared: Arc<Shared>,
}

impl Callback {
    /// Runs on the host's audio thread: converts, pushes what fits, never blocks or allocates.
    fn deliver<T: SizedSample>(&mut self, data: &[T])
    where
        f32: FromSample<T>,
    {
        let ch = self.shared.channels;
        let frames_in = data.len() / ch;
        let fit = (self.producer.slots() / ch).min(frames_in);
        let mut pushed = 0;
        if fit > 0 {
            if let Ok(chunk) = self.producer.write_chunk_uninit(fit * ch) {
                let samples = data
                    .iter()
                    .take(fit * ch)
                    .map(|&s| <f32 as FromSample<T>>::from_sample_(s));
                pushed = chunk.fill_from_iter(samples) / ch;
            }
        }
        if pushed < frames_in {
            self.shared.overruns.fetch_add(1, Ordering::Relaxed);
            self.shared
                .dropped_frames
                .fetch_add((frames_in - pushed) as u64, Ordering::Relaxed);
        }
        let total = self
            .shared
            .frames
            .fetch_add(pushed as u64, Ordering::AcqRel)
            + pushed as u64;
        let _ = self.arrivals.push(CallbackArrival {
            frames_end: total,
            at: Instant::now(),
        });
        self.shared.waker.wake();
    }
}

fn build_stream<T: SizedSample>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut callback: Callback,
) -> std::result::Result<cpal::Stream, cpal::Error>
where
    f32: FromSample<T>,
{
    let shared = Arc::clone(&callback.shared);
    device.build_input_stream::<T, _, _>(
        config,
        move |data: &[T], _: &cpal::InputCallbackInfo| callback.deliver(data),
        move |e: cpal::Error| {
            if e.kind() == cpal::ErrorKind::Xrun {
                // The device lost audio because we were late: an overrun too.
                shared.overruns.fetch_add(1, Ordering::Relaxed);
                return;
            }
            shared.failure.set(e.to_string());
            shared.waker.wake();
        },
        None,
    )
}

/// Opens capture device `name` as a reader (see the module docs for the options).
pub(crate) fn open_capture(
    name: &str,
    option: Option<&Options>,
) -> Result<(StreamReader, CaptureMonitor)> {
    let empty = Options::new();
    let option = option.unwrap_or(&empty);
    check_option_keys(option, CAPTURE_OPTIONS, "a capture device")?;
    let sample_rate = positive_option(option, "sample_rate", "a positive rate in Hz")?;
    let channels = positive_option(option, "channels", "a positive channel count")?;
    let buffer_frames = positive_option(option, "buffer_frames", "a positive number of frames")?;
    let queue_frames = positive_option(option, "queue_frames", "a positive number of frames")?;

    let host = cpal::default_host();
    let device = host::find_device(&host, name, Direction::Input)?;
    let label = host::device_name(&device);
    let ranges: Vec<_> = device
        .supported_input_configs()
        .map_err(|e| host::open_error(&host, name, &label, Direction::Input, e))?
        .collect();
    let want = Want {
        channels: channels.map(|c| c as usize),
        sample_rate,
        strict_channels: true,
        strict_rate: true,
    };
    let choice: Choice = host::choose(&ranges, want, &label)?;
    host::check_buffer(&choice, buffer_frames, &label)?;
    let ch = usize::from(choice.channels);
    // Default queue: 1 s, and at least 8 callbacks.
    let queue = queue_frames.map_or_else(
        || (choice.sample_rate as usize).max(8 * buffer_frames.unwrap_or(0) as usize),
        |q| q as usize,
    );
    let (producer, consumer) = rtrb::RingBuffer::new(queue.saturating_mul(ch).max(ch));
    let (arrivals_tx, arrivals_rx) = rtrb::RingBuffer::new(ARRIVAL_LOG);
    let shared = Arc::new(Shared {
        channels: ch,
        sample_rate: choice.sample_rate,
        format: choice.format,
        buffer_frames,
        frames: AtomicU64::new(0),
        overruns: AtomicU64::new(0),
        dropped_frames: AtomicU64::new(0),
        failure: Failure::default(),
        waker: Waker::default(),
        warned_overrun: AtomicBool::new(false),
    });
    let config = cpal::StreamConfig {
        channels: choice.channels,
        sample_rate: choice.sample_rate,
        buffer_size: buffer_frames.map_or(cpal::BufferSize::Default, cpal::BufferSize::Fixed),
    };
    let callback = Callback {
        producer,
        arrivals: arrivals_tx,
        shared: Arc::clone(&shared),
    };
    let stream = match choice.format {
        SampleFormat::F32 => build_stream::<f32>(&device, config, callback),
        SampleFormat::F64 => build_stream::<f64>(&device, config, callback),
        SampleFormat::I32 => build_stream::<i32>(&device, config, callback),
        SampleFormat::I16 => build_stream::<i16>(&device, config, callback),
        SampleFormat::I8 => build_stream::<i8>(&device, config, callback),
        SampleFormat::U32 => build_stream::<u32>(&device, config, callback),
        SampleFormat::U16 => build_stream::<u16>(&device, config, callback),
        SampleFormat::U8 => build_stream::<u8>(&device, config, callback),
        other => {
            return Err(Error::device(
                DeviceErrorKind::Unsupported,
                format!("capture device {label:?}: sample format {other} is not supported"),
            ))
        }
    }
    .map_err(|e| device_error(format!("opening capture device {label:?}"), e))?;
    stream
        .play()
        .map_err(|e| device_error(format!("starting capture device {label:?}"), e))?;
    let queue = Arc::new(Queue {
        read: Mutex::new(ReadSide {
            consumer,
            pending: Vec::new(),
        }),
        shared: Arc::clone(&shared),
        device: label.clone(),
    });
    let demuxer_options = Options::from([
        ("sample_rate".to_string(), choice.sample_rate.to_string()),
        ("channels".to_string(), choice.channels.to_string()),
        ("live".to_string(), "true".to_string()),
    ]);
    let reader = StreamReader::open_live(LiveOpen {
        src_name: format!("capture device {label:?}"),
        source: Box::new(CaptureSource {
            queue: Arc::clone(&queue),
        }),
        ext: None,
        format: Some("f32le".into()),
        demuxer_options,
        live: Box::new(CaptureLive {
            queue,
            stream: Mutex::new(Some(stream)),
        }),
    })?;
    let monitor = CaptureMonitor {
        shared,
        arrivals: Arc::new(Mutex::new(arrivals_rx)),
    };
    Ok((reader, monitor))
}
