//! Audio devices through [cpal](https://docs.rs/cpal): playback ([`play_audio`], and a
//! [`StreamWriter`](crate::StreamWriter) sink) and capture (a
//! [`StreamReader`](crate::StreamReader) source). Feature `device`.
//!
//! Works wherever cpal does: ALSA on Linux and the BSDs, CoreAudio on macOS and iOS, WASAPI on
//! Windows, AAudio on Android, WebAudio in browsers. Devices are named as the host names them
//! (ALSA: `default`, `hw:CARD=PCH,DEV=0`, or any PCM of the ALSA configuration); `default` is
//! the host's default device. [`list_devices`] (and `audiostream devices`) lists them.
//!
//! - **Capture**: `StreamReader::new(name, Some("device"), Some(&options))` with options
//!   `sample_rate`, `channels` (default: the device's preferred configuration),
//!   `buffer_frames` (frames per device callback; default: the host's) and `queue_frames`
//!   (how much audio may wait for the reader: default 1 s). The device callback writes into
//!   a lock-free ring buffer; each `process_packet` takes what has arrived.
//!   [`process_packet_with`](crate::StreamReader::process_packet_with) waits for audio
//!   (waking as soon as a callback delivers) and gives [`Error::Timeout`]
//!   when none came in time. When the reader falls behind by more than `queue_frames`, the
//!   callback drops what does not fit: an *overrun*, counted in
//!   [`ReaderStats::overruns`](crate::ReaderStats) and warned about once. Resampling, remixing,
//!   effects and chunking work as for files.
//! - **Playback**: `StreamWriter::new(name, Some("device"), Some(&options))` plays what is
//!   written (options `buffer_frames`, `queue_frames`: default 0.2 s). The writer converts
//!   to a rate and channel count the device takes; `write_audio_chunk` blocks while the
//!   queue is full, so a producer cannot run ahead; when the producer falls behind the device
//!   plays silence: an *underrun*, counted ([`PlaybackMonitor`]) and warned about once.
//! - [`play_audio`] plays a whole waveform on the default device and returns when it has
//!   been played.
//!
//! ```no_run
//! use audiostream::{ndarray::Array2, StreamReader};
//! use std::time::Duration;
//! // Play a second of a 440 Hz tone.
//! let tone = Array2::from_shape_fn((1, 48000), |(_, t)| (t as f32 * 440.0 / 48000.0 * std::f32::consts::TAU).sin() * 0.5);
//! audiostream::play_audio(tone.view(), 48000, true, true)?;
//! // Record from the default capture device in chunks of 10 ms.
//! let mut mic = StreamReader::new("default", Some("device"), None)?;
//! mic.add_basic_audio_stream(480, 10)?;
//! mic.process_packet_with(Some(Duration::from_secs(1)), Duration::from_millis(10))?;
//! # Ok::<(), audiostream::Error>(())
//! ```

mod capture;
mod host;
mod playback;

pub use capture::{CallbackArrival, CaptureMonitor};
pub use playback::{play_audio, play_audio_on, PlaybackMonitor};

pub(crate) use capture::open_capture;
pub(crate) use playback::open_writer;

use crate::{DeviceError, DeviceErrorKind, Error, Options, Result};
use cpal::traits::{DeviceTrait, HostTrait};
use std::sync::Mutex;
use std::thread::Thread;
use std::time::Duration;

/// Opens capture device `name` as a [`StreamReader`](crate::StreamReader), with a handle on
/// the capture: its configuration, counters and the arrival times of callbacks (for latency
/// measurements). `StreamReader::new(name, Some("device"), option)` is the same without the
/// handle. See the [module documentation](self) for the options.
///
/// ```no_run
/// use audiostream::{device, Options};
/// let opts = Options::from([("sample_rate".into(), "48000".into()), ("buffer_frames".into(), "256".into())]);
/// let (mut reader, monitor) = device::open_input("default", Some(&opts))?;
/// reader.add_basic_audio_stream(256, 8)?;
/// println!("{} Hz, {} channels, {}", monitor.sample_rate(), monitor.channels(), monitor.sample_format());
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn open_input(
    name: &str,
    option: Option<&Options>,
) -> Result<(crate::StreamReader, CaptureMonitor)> {
    open_capture(name, option)
}

/// Opens playback device `name` as a [`StreamWriter`](crate::StreamWriter), with a handle on
/// the playback (underruns, frames played). `StreamWriter::new(name, Some("device"), option)`
/// is the same without the handle.
///
/// ```no_run
/// use audiostream::{device, ndarray::Array2};
/// let (mut writer, monitor) = device::open_output("default", None)?;
/// writer.add_audio_stream(44100, 2)?;
/// writer.write_audio_chunk(0, Array2::<f32>::zeros((2, 4410)).view(), None)?;
/// writer.close()?;
/// assert_eq!(monitor.underruns(), 0);
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn open_output(
    name: &str,
    option: Option<&Options>,
) -> Result<(crate::StreamWriter, PlaybackMonitor)> {
    let (writer, monitor) = playback::open_writer(name, option)?;
    Ok((writer, monitor))
}

/// One device as [`list_devices`] reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceInfo {
    /// The audio host ("ALSA", "CoreAudio", "WASAPI", ...).
    pub host: String,
    /// The name to open it by.
    pub name: String,
    /// The host's description of it.
    pub description: String,
    /// What capture takes (`None`: no capture side), or why it could not be asked.
    pub input: Option<std::result::Result<String, String>>,
    /// What playback takes (`None`: no playback side), or why it could not be asked.
    pub output: Option<std::result::Result<String, String>>,
}

/// Lists the devices of every available host, with what each takes (channels, rates,
/// sample formats) when `probe` is true. Probing opens each device; a busy device reports
/// its error in place of its formats.
///
/// ```no_run
/// for d in audiostream::device::list_devices(true)? {
///     println!("{} {:?}: in {:?} out {:?}", d.host, d.name, d.input, d.output);
/// }
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn list_devices(probe: bool) -> Result<Vec<DeviceInfo>> {
    let mut out = Vec::new();
    for id in cpal::available_hosts() {
        let host = cpal::host_from_id(id)
            .map_err(|e| device_error(format!("opening the {} host", id.name()), e))?;
        let devices = host.devices().map_err(|e| {
            device_error(format!("listing the devices of the {} host", id.name()), e)
        })?;
        for d in devices {
            let side = |has: bool, ranges: std::result::Result<Vec<_>, cpal::Error>| {
                has.then(|| match ranges {
                    Ok(r) => Ok(host::describe_ranges(&r)),
                    Err(e) => Err(e.to_string()),
                })
            };
            let (input, output) = if probe {
                (
                    side(
                        d.supports_input(),
                        d.supported_input_configs().map(Iterator::collect),
                    ),
                    side(
                        d.supports_output(),
                        d.supported_output_configs().map(Iterator::collect),
                    ),
                )
            } else {
                (
                    d.supports_input().then(|| Ok(String::new())),
                    d.supports_output().then(|| Ok(String::new())),
                )
            };
            out.push(DeviceInfo {
                host: id.name().to_string(),
                name: host::device_name(&d),
                description: d
                    .description()
                    .map(|x| x.name().replace('\n', " "))
                    .unwrap_or_default(),
                input,
                output,
            });
        }
    }
    Ok(out)
}

/// The names of the hosts this build can use on this system ("ALSA", ...).
///
/// ```
/// let hosts = audiostream::device::host_names();
/// # let _ = hosts;
/// ```
pub fn host_names() -> Vec<&'static str> {
    cpal::available_hosts().iter().map(|h| h.name()).collect()
}

/// The first error a device's error callback reported, shared by the callback and the side
/// that reads or writes the stream (capture and playback keep one each).
#[derive(Debug, Default)]
pub(crate) struct Failure {
    failed: std::sync::atomic::AtomicBool,
    message: Mutex<Option<String>>,
}

impl Failure {
    /// Records a failure (called from the device's error callback); the first message stays.
    pub(crate) fn set(&self, message: String) {
        if let Ok(mut m) = self.message.lock() {
            m.get_or_insert(message);
        }
        self.failed
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// The recorded failure's message, if the device failed (`generic` when the message could
    /// not be read).
    pub(crate) fn get(&self, generic: &str) -> Option<String> {
        if !self.failed.load(std::sync::atomic::Ordering::Acquire) {
            return None;
        }
        Some(
            self.message
                .lock()
                .ok()
                .and_then(|m| m.clone())
                .unwrap_or_else(|| generic.into()),
        )
    }
}

/// Wakes the thread waiting for a device callback (data captured, room to play into). The
/// callback only `try_lock`s, so it never blocks on the waiter; a missed wake-up costs the
/// waiter one poll interval.
#[derive(Debug, Default)]
pub(crate) struct Waker {
    waiter: Mutex<Option<Thread>>,
}

impl Waker {
    /// Called from the device callback.
    pub(crate) fn wake(&self) {
        if let Ok(w) = self.waiter.try_lock() {
            if let Some(t) = w.as_ref() {
                t.unpark();
            }
        }
    }

    /// Waits until `ready()` or `timeout`: registers, checks, parks (so a wake between the
    /// check and the park is not lost: `unpark` before `park` makes `park` return).
    pub(crate) fn wait_until(&self, timeout: Duration, ready: impl Fn() -> bool) -> bool {
        if let Ok(mut w) = self.waiter.lock() {
            *w = Some(std::thread::current());
        }
        let ok = ready() || {
            std::thread::park_timeout(timeout);
            ready()
        };
        if let Ok(mut w) = self.waiter.lock() {
            *w = None;
        }
        ok
    }
}

/// How long closing a device stream may take before it is left to finish in the background
/// (a driver that never returns must not hang the program).
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Stops a stream: dropping it joins the host's audio thread, which a stuck driver could
/// block forever, so the drop runs on a helper thread that we wait for at most
/// [`CLOSE_TIMEOUT`].
pub(crate) fn close_stream(stream: cpal::Stream, what: &str) {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("audiostream-device-close".into())
        .spawn(move || {
            drop(stream);
            let _ = tx.send(());
        });
    if spawned.is_ok() && rx.recv_timeout(CLOSE_TIMEOUT).is_err() {
        log::warn!(
            "{what}: the audio device did not stop within {CLOSE_TIMEOUT:?}; leaving it to stop \
             in the background"
        );
    }
}

/// Parses a positive integer option.
pub(crate) fn positive_option(option: &Options, key: &str, allowed: &str) -> Result<Option<u32>> {
    match option.get(key) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| Error::invalid_argument(&format!("option {key}"), v, allowed)),
    }
}

/// Rejects option keys outside `known`.
pub(crate) fn check_option_keys(option: &Options, known: &[&str], what: &str) -> Result<()> {
    for key in option.keys() {
        if !known.contains(&key.as_str()) {
            return Err(Error::invalid_argument(
                "option",
                key,
                format!("for {what}: {}", known.join(", ")),
            ));
        }
    }
    Ok(())
}

/// The kind of a cpal error, in our terms.
pub(crate) fn device_kind(e: &cpal::Error) -> DeviceErrorKind {
    use cpal::ErrorKind as K;
    match e.kind() {
        K::DeviceNotAvailable => DeviceErrorKind::NotFound,
        K::DeviceBusy => DeviceErrorKind::Busy,
        K::PermissionDenied => DeviceErrorKind::PermissionDenied,
        K::UnsupportedConfig | K::UnsupportedOperation => DeviceErrorKind::Unsupported,
        K::HostUnavailable => DeviceErrorKind::HostUnavailable,
        _ => DeviceErrorKind::Backend,
    }
}

/// A cpal error, in our terms: its kind mapped, the cpal error as the source.
pub(crate) fn device_error(context: impl std::fmt::Display, e: cpal::Error) -> Error {
    DeviceError::new(device_kind(&e), format!("{context}: {e}"))
        .with_source(e)
        .into()
}
