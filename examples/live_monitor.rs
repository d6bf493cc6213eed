//! The seed's "Live Audio Monitoring" example: read a source in chunks of 2048 frames and draw
//! each chunk's waveform (first channel) in the terminal, where the seed used matplotlib.
//!
//! ```sh
//! cargo run --example live_monitor -- [SOURCE | --device NAME] [--max-chunks N] [--no-pace] [--width W] [--height H]
//! ```
//!
//! Without a SOURCE it monitors the default capture device (`--device NAME` picks another; see
//! `audiostream devices`), waiting for audio with `process_packet_with(timeout = 0.1 s)` as the
//! seed does. When no capture device can be opened (a machine without a sound card) it says
//! so and shows the bundled `fixtures/vorbis_q5_stereo_44100.ogg` instead. SOURCE may also be
//! a file, `-` (stdin) or a URL. File chunks are shown at the pace they would play (a file
//! would otherwise flash by); `--no-pace` draws them as fast as they come. `--max-chunks N`
//! stops after N chunks. Ctrl-C stops cleanly.
//!
//! On a terminal the plot is redrawn in place; otherwise each chunk's plot is printed after
//! the previous one.

use audiostream::ndarray::ArrayView1;
use audiostream::{Error, StreamReader};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

#[path = "common/interrupt.rs"]
mod interrupt;

/// An ASCII plot of a waveform in a fixed box, `width` columns by `height` rows.
struct Plot {
    width: usize,
    height: usize,
    in_place: bool,
    drawn: bool,
}

impl Plot {
    /// Renders `waveform` (values in [-1, 1]): each column shows the min..max of its samples.
    fn render(&self, waveform: ArrayView1<'_, f32>, title: &str) -> Vec<String> {
        let (w, h) = (self.width, self.height);
        let mut grid = vec![vec![' '; w]; h];
        let mid = h / 2;
        for cell in grid[mid].iter_mut() {
            *cell = '-';
        }
        let n = waveform.len();
        if n > 0 {
            // Row r covers amplitudes from top(r) down to top(r + 1).
            let top = |r: usize| 1.0 - 2.0 * r as f32 / h as f32;
            for col in 0..w {
                let (a, b) = (col * n / w, ((col + 1) * n / w).max(col * n / w + 1).min(n));
                if a >= n {
                    break;
                }
                let bin = waveform.slice(audiostream::ndarray::s![a..b]);
                let lo = bin.iter().fold(f32::INFINITY, |m, &v| m.min(v)).max(-1.0);
                let hi = bin
                    .iter()
                    .fold(f32::NEG_INFINITY, |m, &v| m.max(v))
                    .min(1.0);
                for (r, row) in grid.iter_mut().enumerate() {
                    if hi >= top(r + 1) && lo <= top(r) {
                        row[col] = '#';
                    }
                }
            }
        }
        let mut lines = Vec::with_capacity(h + 2);
        lines.push(format!("{title:<width$}", width = w + 5));
        for (r, row) in grid.into_iter().enumerate() {
            let label = match r {
                0 => "+1 |",
                r if r == mid => " 0 |",
                r if r == h - 1 => "-1 |",
                _ => "   |",
            };
            lines.push(format!("{label}{}|", row.into_iter().collect::<String>()));
        }
        lines
    }

    /// Draws a plot: over the previous one on a terminal, after it otherwise.
    fn draw(&mut self, lines: &[String]) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        if self.in_place && self.drawn {
            write!(out, "\x1b[{}A", lines.len())?;
        }
        for line in lines {
            if self.in_place {
                write!(out, "\r\x1b[2K")?;
            }
            writeln!(out, "{line}")?;
        }
        if !self.in_place {
            writeln!(out)?;
        }
        self.drawn = true;
        out.flush()
    }
}

/// Peak and RMS level of a waveform, in dBFS.
fn levels(waveform: ArrayView1<'_, f32>) -> (f64, f64) {
    let n = waveform.len().max(1) as f64;
    let peak = waveform.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let rms = (waveform.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / n).sqrt();
    let db = |x: f64| 20.0 * x.max(1e-10).log10();
    (db(f64::from(peak)), db(rms))
}

struct Settings {
    /// What is shown in titles: the file, or the device name.
    source: String,
    /// Capture from this device instead of reading `source` as a file.
    device: Option<String>,
    max_chunks: Option<usize>,
    pace: bool,
    width: usize,
    height: usize,
}

/// Monitor audio stream with real-time visualization.
fn monitor_audio_stream(settings: &Settings) -> audiostream::Result<usize> {
    let mut reader = match &settings.device {
        Some(name) => StreamReader::new(name, Some("device"), None)?,
        None => StreamReader::new(&settings.source, None, None)?,
    };
    reader.add_basic_audio_stream(2048, 3)?;
    // A device delivers in real time by itself.
    let pace = settings.pace && settings.device.is_none();
    let rate = f64::from(reader.get_metadata().sample_rate.max(1));

    let mut plot = Plot {
        width: settings.width,
        height: settings.height,
        in_place: std::io::stdout().is_terminal(),
        drawn: false,
    };
    interrupt::install();
    let started = Instant::now();
    let mut shown = 0;
    let result = (|| -> audiostream::Result<()> {
        loop {
            if interrupt::requested() {
                println!("Stopping monitoring...");
                return Ok(());
            }
            let code = match reader
                .process_packet_with(Some(Duration::from_millis(100)), Duration::from_millis(10))
            {
                Ok(code) => code,
                // A live source with nothing new: keep watching.
                Err(Error::Timeout(_)) => continue,
                Err(e) => return Err(e),
            };
            if code == 0 {
                // A file ends; a live source would not.
                return Ok(());
            }
            let chunks = reader.pop_chunks();
            if let Some(chunk) = &chunks[0] {
                // Visualize audio waveform
                let waveform = chunk.row(0); // First channel
                let (peak, rms) = levels(waveform);
                let title = format!(
                    "{}  chunk {}  t = {:.3} s  peak {peak:.1} dBFS  rms {rms:.1} dBFS",
                    settings.source, shown, chunk.pts
                );
                plot.draw(&plot.render(waveform, &title))
                    .map_err(|e| Error::io("drawing on stdout", e))?;
                shown += 1;
                if settings.max_chunks.is_some_and(|m| shown >= m) || interrupt::requested() {
                    return Ok(());
                }
                if pace {
                    // Like plt.pause: show each chunk for as long as it plays.
                    let due = Duration::from_secs_f64(chunk.pts + chunk.ncols() as f64 / rate);
                    if let Some(wait) = due.checked_sub(started.elapsed()) {
                        std::thread::sleep(wait);
                    }
                }
            }
        }
    })();
    // finally
    reader.close()?;
    result.map(|()| shown)
}

fn usage() -> ! {
    eprintln!(
        "usage: live_monitor [SOURCE | --device NAME] [--max-chunks N] [--no-pace] [--width W] [--height H]"
    );
    std::process::exit(2)
}

fn parse_args() -> Settings {
    let mut settings = Settings {
        source: String::new(),
        device: None,
        max_chunks: None,
        pace: true,
        width: 72,
        height: 9,
    };
    let mut args = std::env::args().skip(1);
    let number = |v: Option<String>| -> usize {
        v.and_then(|v| v.parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or_else(|| usage())
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--max-chunks" => settings.max_chunks = Some(number(args.next())),
            "--no-pace" => settings.pace = false,
            "--device" => settings.device = Some(args.next().unwrap_or_else(|| usage())),
            "--width" => settings.width = number(args.next()).max(8),
            "--height" => settings.height = number(args.next()).max(3),
            "-h" | "--help" => usage(),
            a if a.starts_with("--") => usage(),
            _ => settings.source = arg,
        }
    }
    if settings.source.is_empty() && settings.device.is_none() {
        // The default capture device, or (none can be opened, e.g. no sound card) the bundled
        // recording.
        match StreamReader::new("default", Some("device"), None) {
            Ok(_) => settings.device = Some("default".into()),
            Err(e) => {
                eprintln!("live_monitor: no capture device ({e}); showing the bundled recording");
                settings.source = concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/fixtures/vorbis_q5_stereo_44100.ogg"
                )
                .to_string();
            }
        }
    }
    if let Some(d) = &settings.device {
        settings.source = format!("device {d:?}");
    }
    settings
}

fn main() -> std::process::ExitCode {
    let settings = parse_args();
    match monitor_audio_stream(&settings) {
        Ok(shown) => {
            println!("{shown} chunks shown");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("live_monitor: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
