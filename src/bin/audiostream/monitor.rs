//! `audiostream monitor`: a live level meter of a capture device, one line per channel
//! redrawn in place on a terminal (a line per update otherwise). Ctrl-C ends it cleanly.

use audiostream::{Error, Options, StreamReader};
use clap::Args;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// The capture device and its settings, as `monitor` and `record` take them.
#[derive(Args)]
pub struct CaptureArgs {
    /// Capture device (see `audiostream devices`); default: the host's default device.
    #[arg(long, short = 'd', value_name = "NAME", default_value = "default")]
    pub device: String,
    /// Capture rate in Hz; default: the device's.
    #[arg(long, value_name = "HZ", value_parser = crate::args::parse_rate)]
    rate: Option<u32>,
    /// Capture channels; default: the device's.
    #[arg(long, value_name = "N", value_parser = crate::args::parse_channels)]
    channels: Option<usize>,
    /// Frames per device callback (lower: less latency, more wake-ups); default: the host's.
    #[arg(long, value_name = "N")]
    buffer_frames: Option<u32>,
}

impl CaptureArgs {
    /// Opens the device as a reader, with `--rate`, `--channels` and `--buffer-frames`.
    pub fn open(&self) -> Result<StreamReader, String> {
        let mut o = Options::new();
        if let Some(b) = self.buffer_frames {
            o.insert("buffer_frames".into(), b.to_string());
        }
        if let Some(r) = self.rate {
            o.insert("sample_rate".into(), r.to_string());
        }
        if let Some(c) = self.channels {
            o.insert("channels".into(), c.to_string());
        }
        StreamReader::new(&self.device, Some("device"), Some(&o)).map_err(|e| e.to_string())
    }
}

#[derive(Args)]
pub struct MonitorArgs {
    #[command(flatten)]
    capture: CaptureArgs,
    /// Seconds between meter updates.
    #[arg(long, value_name = "S", default_value_t = 0.1)]
    interval: f64,
    /// Stop after this many seconds (default: until Ctrl-C).
    #[arg(long, short = 't', value_name = "D", value_parser = crate::args::parse_time)]
    duration: Option<f64>,
}

/// The Ctrl-C flag, installed once (playing, recording and monitoring stop cleanly on it).
pub fn ctrl_c() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    Arc::clone(FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let f = Arc::clone(&flag);
        if let Err(e) = ctrlc::set_handler(move || f.store(true, Ordering::SeqCst)) {
            log::warn!("Ctrl-C handler not installed: {e}");
        }
        flag
    }))
}

/// dBFS of a linear level (-inf shown as -99.9).
fn db(x: f32) -> f32 {
    if x > 0.0 {
        (20.0 * x.log10()).max(-99.9)
    } else {
        -99.9
    }
}

/// A 40-column bar for -60..0 dBFS.
fn bar(level_db: f32) -> String {
    let n = (((level_db + 60.0) / 60.0).clamp(0.0, 1.0) * 40.0).round() as usize;
    format!("{:<40}", "#".repeat(n))
}

pub fn run(args: MonitorArgs, quiet: bool) -> Result<(), String> {
    if args.interval.is_nan() || args.interval <= 0.0 {
        return Err(format!("--interval {}: must be positive", args.interval));
    }
    let stop = ctrl_c();
    let mut reader = args.capture.open()?;
    let meta = reader.get_metadata();
    let channels = meta.num_channels;
    // Chunks of 10 ms; levels are gathered over `interval`.
    let chunk = (meta.sample_rate as usize / 100).max(1);
    reader
        .add_basic_audio_stream(chunk, 100)
        .map_err(|e| e.to_string())?;
    let in_place = std::io::stdout().is_terminal();
    if !quiet {
        eprintln!(
            "audiostream: monitoring {:?} ({} Hz, {channels} channels); Ctrl-C ends",
            args.capture.device, meta.sample_rate
        );
    }
    let interval = Duration::from_secs_f64(args.interval);
    let end = args
        .duration
        .map(|d| Instant::now() + Duration::from_secs_f64(d.max(0.0)));
    let mut peak = vec![0.0f32; channels];
    let mut sum_sq = vec![0.0f64; channels];
    let mut frames = 0usize;
    let mut next = Instant::now() + interval;
    let mut drawn = false;
    let mut out = std::io::stdout();
    let mut updates = 0u64;
    loop {
        if stop.load(Ordering::SeqCst) || end.is_some_and(|e| Instant::now() >= e) {
            break;
        }
        match reader
            .process_packet_with(Some(Duration::from_millis(100)), Duration::from_millis(10))
        {
            Ok(_) | Err(Error::Timeout(_)) => {}
            Err(e) => return Err(e.to_string()),
        }
        while let Some(c) = reader.pop_chunks().remove(0) {
            for (ch, row) in c.rows().into_iter().enumerate() {
                for &v in row {
                    peak[ch] = peak[ch].max(v.abs());
                    sum_sq[ch] += f64::from(v) * f64::from(v);
                }
            }
            frames += c.ncols();
        }
        if Instant::now() >= next && frames > 0 {
            next += interval;
            let mut text = String::new();
            if in_place && drawn {
                text += &format!("\x1b[{channels}A");
            }
            for ch in 0..channels {
                let rms = (sum_sq[ch] / frames as f64).sqrt() as f32;
                let (p, r) = (db(peak[ch]), db(rms));
                if in_place {
                    text += "\r\x1b[2K";
                }
                text += &format!(
                    "ch{ch:<2} |{}| peak {p:6.1} dBFS  rms {r:6.1} dBFS\n",
                    bar(p)
                );
            }
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            drawn = true;
            updates += 1;
            peak.iter_mut().for_each(|p| *p = 0.0);
            sum_sq.iter_mut().for_each(|s| *s = 0.0);
            frames = 0;
        }
    }
    let overruns = reader.stats().overruns;
    drop(reader);
    if !quiet {
        eprintln!(
            "audiostream: monitoring stopped after {updates} updates{}",
            if overruns > 0 {
                format!(" ({overruns} overruns)")
            } else {
                String::new()
            }
        );
    }
    Ok(())
}
