//! The progress bar (on a terminal only), the log output that does not tear it, and the
//! formatting of the summary line.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The bar being drawn, if any: log lines are printed around it (`suspend`).
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// A log backend: env_logger's filtering (`RUST_LOG`, default warnings of this crate) and
/// one-line `audiostream: warning: ...` messages, which hide the progress bar while they print.
struct Logger(env_logger::Logger);

impl log::Log for Logger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        self.0.enabled(metadata)
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.0.matches(record) {
            return;
        }
        let bar = ACTIVE.lock().ok().and_then(|b| b.clone());
        match bar {
            Some(bar) => bar.suspend(|| self.0.log(record)),
            None => self.0.log(record),
        }
    }

    fn flush(&self) {
        self.0.flush();
    }
}

/// Installs the logger: warnings and errors of the library, as `audiostream: warning: ...`.
pub fn init_logger() {
    let inner = env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("audiostream=warn"),
    )
    .format(|buf, record| {
        let level = match record.level() {
            log::Level::Error => "error",
            log::Level::Warn => "warning",
            log::Level::Info => "info",
            log::Level::Debug => "debug",
            log::Level::Trace => "trace",
        };
        // Log messages name sources: a URL's password never reaches stderr.
        let message = audiostream::redact_credentials(&record.args().to_string());
        if record.level() <= log::Level::Warn {
            writeln!(buf, "audiostream: {level}: {message}")
        } else {
            writeln!(buf, "audiostream: {level}: {}: {message}", record.target())
        }
    })
    .build();
    let max = inner.filter();
    if log::set_boxed_logger(Box::new(Logger(inner))).is_ok() {
        log::set_max_level(max);
    }
}

/// Progress of one conversion: a bar on stderr when it is a terminal and not `-q`.
pub struct Progress {
    bar: Option<ProgressBar>,
    rate: f64,
    total_secs: Option<f64>,
    started: Instant,
    last_message: Instant,
}

impl Progress {
    /// A bar for `total_frames` input frames at `rate` Hz (a spinner when the total is not
    /// known); nothing is drawn unless `wanted` and stderr is a terminal.
    pub fn new(wanted: bool, total_frames: Option<u64>, rate: u32, label: &str) -> Self {
        let now = Instant::now();
        let bar = (wanted && std::io::stderr().is_terminal()).then(|| {
            let bar = match total_frames {
                Some(total) => ProgressBar::with_draw_target(
                    Some(total),
                    ProgressDrawTarget::stderr_with_hz(10),
                )
                .with_style(
                    ProgressStyle::with_template(
                        "{prefix} [{wide_bar:.cyan/blue}] {percent:>3}% {msg}, eta {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                ),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10))
                    .with_style(
                        ProgressStyle::with_template("{prefix} {spinner} {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    ),
            };
            let name = std::path::Path::new(label)
                .file_name()
                .map_or_else(|| label.to_string(), |n| n.to_string_lossy().into_owned());
            bar.set_prefix(name);
            if let Ok(mut active) = ACTIVE.lock() {
                *active = Some(bar.clone());
            }
            bar
        });
        Progress {
            bar,
            rate: f64::from(rate.max(1)),
            total_secs: total_frames.map(|f| f as f64 / f64::from(rate.max(1))),
            started: now,
            last_message: now,
        }
    }

    /// `frames` input frames are done.
    pub fn update(&mut self, frames: u64) {
        let Some(bar) = &self.bar else { return };
        bar.set_position(frames);
        let now = Instant::now();
        if now.duration_since(self.last_message) < Duration::from_millis(100) {
            return;
        }
        self.last_message = now;
        let done = frames as f64 / self.rate;
        let elapsed = self.started.elapsed().as_secs_f64();
        let mut msg = match self.total_secs {
            Some(t) => format!("{} / {}", clock(done), clock(t)),
            None => clock(done),
        };
        if elapsed > 0.0 {
            msg.push_str(&format!(", {}", speed(done / elapsed)));
        }
        bar.set_message(msg);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            if let Ok(mut active) = ACTIVE.lock() {
                *active = None;
            }
        }
    }
}

/// `m:ss.s` (or `h:mm:ss`) for a time in seconds.
pub fn clock(secs: f64) -> String {
    let secs = secs.max(0.0);
    let h = (secs / 3600.0).floor();
    let m = ((secs - h * 3600.0) / 60.0).floor();
    let s = secs - h * 3600.0 - m * 60.0;
    if h > 0.0 {
        format!("{h}:{m:02}:{:02}", s.floor())
    } else {
        format!("{m}:{s:04.1}")
    }
}

/// `35x realtime` with a precision that suits the number.
pub fn speed(x: f64) -> String {
    if !x.is_finite() {
        "fast".into()
    } else if x < 10.0 {
        format!("{x:.1}x realtime")
    } else {
        format!("{x:.0}x realtime")
    }
}

/// A byte count for people: `812 B`, `32.4 KiB`, `1.2 MiB`.
pub fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else if b < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    } else {
        format!("{:.2} GiB", b / (1024.0 * 1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(clock(0.0), "0:00.0");
        assert_eq!(clock(61.25), "1:01.2");
        assert_eq!(clock(3725.0), "1:02:05");
        assert_eq!(size(812), "812 B");
        assert_eq!(size(2048), "2.0 KiB");
        assert_eq!(speed(2.54), "2.5x realtime");
        assert_eq!(speed(152.4), "152x realtime");
    }
}
