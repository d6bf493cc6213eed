//! Helper of `benches/bench_device.sh` (Linux, ALSA): live capture latency, and a real-time
//! feeder for measuring `audiostream monitor`.
//!
//! ```sh
//! device_bench latency --chunk 256 --seconds 12 [--buffer-frames 256]
//! device_bench feed FIFO --seconds 15
//! ```
//!
//! `latency` needs no sound card: it writes an ALSA configuration of its own (a `file` plugin
//! PCM whose capture reads a FIFO) into a temporary directory, points `ALSA_CONFIG_PATH` at
//! it before ALSA is used, feeds the FIFO with a 48 kHz stereo f32 tone in real time (periods
//! of 256 frames on an absolute clock), and reads the device through
//! `StreamReader` (`process_packet_with(1 s, 1 ms)` then `pop_chunks`). For every frame it
//! takes the time from the capture callback that delivered it
//! (`CaptureMonitor::take_arrivals`) to the `pop_chunks` call that returned it, and prints
//! one JSON line with the frame-weighted p50/p99/max (the first frames of a chunk wait for
//! the chunk to fill: the target is p99 ≤ chunk duration + 5 ms) and the per-chunk latency
//! of the last frame.

#[cfg(target_os = "linux")]
mod bench {
    use audiostream::{device, Options};
    use std::fs::OpenOptions;
    use std::io::{ErrorKind, Write};
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    const RATE: u32 = 48000;
    const O_NONBLOCK: i32 = 0o4000;

    /// Writes a stereo f32 tone into `fifo` in real time until `stop` (or `seconds`).
    pub fn feed(fifo: &Path, seconds: f64, stop: &AtomicBool) -> std::io::Result<()> {
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(O_NONBLOCK)
            .open(fifo)?;
        // Whole device periods (256 frames, 2 KiB: one atomic pipe write), as a sound card
        // delivers them. (ALSA's file plugin does not wait for a whole period from its
        // infile: a read that finds part of one hands out stale frames for the rest.)
        const BLOCK: usize = 256;
        let begin = Instant::now();
        let mut start = begin;
        let mut frame = 0u64;
        let mut buf = Vec::with_capacity(BLOCK * 8);
        while !stop.load(Ordering::Relaxed) && begin.elapsed().as_secs_f64() < seconds {
            let due = start + Duration::from_secs_f64(frame as f64 / f64::from(RATE));
            let now = Instant::now();
            match due.checked_duration_since(now) {
                Some(wait) => std::thread::sleep(wait),
                // Behind (the device was not reading yet): start the clock again rather than
                // catch up in a burst, which would not be real time.
                None if now.duration_since(due) > Duration::from_millis(10) => {
                    start = now - Duration::from_secs_f64(frame as f64 / f64::from(RATE));
                }
                None => {}
            }
            buf.clear();
            for i in 0..BLOCK as u64 {
                let t = (frame + i) as f32 / RATE as f32;
                let v = 0.25 * (std::f32::consts::TAU * 440.0 * t).sin();
                buf.extend_from_slice(&v.to_le_bytes());
                buf.extend_from_slice(&v.to_le_bytes());
            }
            loop {
                match f.write(&buf) {
                    Ok(_) => break,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        // The device is not reading (not started yet): wait.
                        if stop.load(Ordering::Relaxed) {
                            return Ok(());
                        }
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    Err(e) => return Err(e),
                }
            }
            frame += BLOCK as u64;
        }
        Ok(())
    }

    fn percentile(sorted: &[(f64, u64)], q: f64) -> f64 {
        let total: u64 = sorted.iter().map(|s| s.1).sum();
        let target = (q * total as f64).ceil() as u64;
        let mut acc = 0;
        for &(v, w) in sorted {
            acc += w;
            if acc >= target {
                return v;
            }
        }
        sorted.last().map_or(0.0, |s| s.0)
    }

    pub fn latency(chunk: usize, seconds: f64, buffer_frames: u32) -> Result<(), String> {
        let dir = std::env::temp_dir().join(format!("audiostream-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let fifo = dir.join("in.fifo");
        let _ = std::fs::remove_file(&fifo);
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .map_err(|e| e.to_string())?
            .success();
        if !ok {
            return Err("mkfifo failed".into());
        }
        let conf = dir.join("asound.conf");
        std::fs::write(
            &conf,
            format!(
                "pcm.as_null {{ type null }}\npcm.as_bench {{ type file; slave.pcm \"as_null\"; \
                 file \"/dev/null\"; infile \"{}\"; format \"raw\"; \
                 hint {{ show on; description \"benchmark capture\" }} }}\n",
                fifo.display()
            ),
        )
        .map_err(|e| e.to_string())?;
        // Before anything touches ALSA (it reads its configuration once).
        std::env::set_var("ALSA_CONFIG_PATH", &conf);

        let stop = Arc::new(AtomicBool::new(false));
        let feeder = {
            let (fifo, stop) = (fifo.clone(), Arc::clone(&stop));
            std::thread::spawn(move || feed(&fifo, seconds + 30.0, &stop))
        };
        let opts = Options::from([
            ("sample_rate".to_string(), RATE.to_string()),
            ("channels".to_string(), "2".to_string()),
            ("buffer_frames".to_string(), buffer_frames.to_string()),
        ]);
        let (mut reader, monitor) =
            device::open_input("as_bench", Some(&opts)).map_err(|e| e.to_string())?;
        reader
            .add_basic_audio_stream(chunk, 64)
            .map_err(|e| e.to_string())?;
        let warmup = Duration::from_millis(500);
        let start = Instant::now();
        let mut arrivals: Vec<(u64, Instant)> = Vec::new();
        let mut frame_lat: Vec<(f64, u64)> = Vec::new();
        let mut chunk_lat: Vec<(f64, u64)> = Vec::new();
        let mut chunks = 0u64;
        let mut frames_measured = 0u64;
        while start.elapsed() < warmup + Duration::from_secs_f64(seconds) {
            reader
                .process_packet_with(Some(Duration::from_secs(1)), Duration::from_millis(1))
                .map_err(|e| e.to_string())?;
            while let Some(c) = reader.pop_chunks().remove(0) {
                let now = Instant::now();
                arrivals.extend(monitor.take_arrivals().iter().map(|a| (a.frames_end, a.at)));
                let first = (c.pts * f64::from(RATE)).round() as u64;
                let end = first + c.ncols() as u64;
                if start.elapsed() < warmup {
                    continue;
                }
                // Frames [prev_end, frames_end) came with the callback at `at`.
                let mut prev_end = 0u64;
                let mut last = None;
                for &(frames_end, at) in &arrivals {
                    let lo = prev_end.max(first);
                    let hi = frames_end.min(end);
                    if hi > lo {
                        let ms = now.duration_since(at).as_secs_f64() * 1e3;
                        frame_lat.push((ms, hi - lo));
                        last = Some(ms);
                    }
                    prev_end = frames_end;
                }
                if let Some(ms) = last {
                    chunk_lat.push((ms, 1));
                }
                chunks += 1;
                frames_measured += c.ncols() as u64;
                // Keep the arrivals that can still matter: the one that ends at or before
                // `end` (it marks where the next one starts) and those after it.
                let keep_from = arrivals
                    .iter()
                    .rposition(|&(frames_end, _)| frames_end <= end)
                    .unwrap_or(0);
                arrivals.drain(..keep_from);
            }
        }
        let overruns = reader.stats().overruns;
        eprintln!(
            "device_bench: {} Hz, {} channels, {}; {:.2} s, {} frames captured",
            monitor.sample_rate(),
            monitor.channels(),
            monitor.sample_format(),
            start.elapsed().as_secs_f64(),
            monitor.frames_captured()
        );
        let callbacks = monitor.frames_captured() / u64::from(buffer_frames.max(1));
        stop.store(true, Ordering::Relaxed);
        drop(reader);
        let _ = feeder.join();
        let _ = std::fs::remove_dir_all(&dir);
        frame_lat.sort_by(|a, b| a.0.total_cmp(&b.0));
        chunk_lat.sort_by(|a, b| a.0.total_cmp(&b.0));
        println!(
            "{{\"chunk\": {chunk}, \"buffer_frames\": {buffer_frames}, \"seconds\": {seconds}, \
             \"chunks\": {chunks}, \"frames\": {frames_measured}, \"callbacks\": {callbacks}, \
             \"overruns\": {overruns}, \"p50_ms\": {:.3}, \"p99_ms\": {:.3}, \"max_ms\": {:.3}, \
             \"chunk_p50_ms\": {:.3}, \"chunk_p99_ms\": {:.3}}}",
            percentile(&frame_lat, 0.5),
            percentile(&frame_lat, 0.99),
            frame_lat.last().map_or(0.0, |s| s.0),
            percentile(&chunk_lat, 0.5),
            percentile(&chunk_lat, 0.99),
        );
        Ok(())
    }
}

#[cfg(target_os = "linux")]
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let result = match args.first().map(String::as_str) {
        Some("latency") => {
            let chunk = value("--chunk").and_then(|v| v.parse().ok()).unwrap_or(256);
            let seconds = value("--seconds").and_then(|v| v.parse().ok()).unwrap_or(12.0);
            let buffer = value("--buffer-frames")
                .and_then(|v| v.parse().ok())
                .unwrap_or(256);
            bench::latency(chunk, seconds, buffer)
        }
        Some("feed") => match args.get(1) {
            Some(fifo) => {
                let seconds = value("--seconds").and_then(|v| v.parse().ok()).unwrap_or(15.0);
                let stop = std::sync::atomic::AtomicBool::new(false);
                bench::feed(std::path::Path::new(fifo), seconds, &stop).map_err(|e| e.to_string())
            }
            None => Err("feed needs a FIFO".into()),
        },
        _ => Err("usage: device_bench latency --chunk N --seconds S [--buffer-frames B] | feed FIFO --seconds S".into()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("device_bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("device_bench: Linux (ALSA) only");
}
