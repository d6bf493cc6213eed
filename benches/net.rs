//! Network benchmark program (`harness = false`), driven by `benches/bench_net.sh`:
//!
//! * `net first-chunk URL N` – N times: open a new `StreamReader` on URL (a live stream) and
//!   read until the first chunk of 1024 frames is ready; prints one line per run,
//!   `first_chunk_ms=<from the start of StreamReader::new> open_ms=<StreamReader::new alone>`.
//! * `net listen URL SECONDS` – listens to a live stream for SECONDS (chunks of 1024 frames,
//!   `process_packet_with(1 s, 10 ms)`), printing every 10 s
//!   `t=<s> rss_kib=<VmRSS> frames=<decoded> timeouts=<n> reconnects=<n> title=<tag>`.
//!
//! Running it with no arguments (as `cargo bench` does) prints the usage and exits 0.

use audiostream::{Error, Options, StreamReader};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// This process's resident set size in KiB (Linux), 0 where unknown.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn first_chunk(url: &str, runs: usize) -> audiostream::Result<()> {
    for _ in 0..runs {
        let t0 = Instant::now();
        let mut r = StreamReader::new(url, None, None)?;
        let open = t0.elapsed();
        r.add_basic_audio_stream(1024, 8)?;
        loop {
            if r.process_packet_with(Some(Duration::from_secs(5)), Duration::from_millis(1))? == 0 {
                return Err(Error::decode("the stream ended before its first chunk"));
            }
            if r.pop_chunks()[0].is_some() {
                break;
            }
        }
        let first = t0.elapsed();
        println!(
            "first_chunk_ms={:.2} open_ms={:.2}",
            first.as_secs_f64() * 1e3,
            open.as_secs_f64() * 1e3
        );
        r.close()?;
        // Let the server see the listener go before the next one comes.
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}

fn listen(url: &str, seconds: f64) -> audiostream::Result<()> {
    let opts = Options::from([("reconnect".to_string(), "true".to_string())]);
    let mut r = StreamReader::new(url, None, Some(&opts))?;
    r.add_basic_audio_stream(1024, 8)?;
    let rate = f64::from(r.get_metadata().sample_rate.max(1));
    let start = Instant::now();
    let mut next_report = 0.0;
    let (mut frames, mut timeouts) = (0u64, 0u64);
    loop {
        let t = start.elapsed().as_secs_f64();
        if t >= next_report {
            let title = r
                .get_metadata()
                .tags
                .get("title")
                .cloned()
                .unwrap_or_default();
            println!(
                "t={t:.1} rss_kib={} frames={frames} audio_s={:.1} timeouts={timeouts} reconnects={} title={title:?}",
                rss_kib(),
                frames as f64 / rate,
                r.stats().reconnects
            );
            next_report += 10.0;
        }
        if t >= seconds {
            break;
        }
        match r.process_packet_with(Some(Duration::from_secs(1)), Duration::from_millis(10)) {
            Ok(0) => {
                println!("end of stream at t={t:.1}");
                break;
            }
            Ok(_) => {}
            Err(Error::Timeout(_)) => timeouts += 1,
            Err(e) => return Err(e),
        }
        while let Some(c) = r.pop_chunks().remove(0) {
            frames += c.ncols() as u64;
            std::hint::black_box(&c.data);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => {
            eprintln!("net: nothing to do (usage: net first-chunk URL N | net listen URL SECONDS; see benches/bench_net.sh)");
            return ExitCode::SUCCESS;
        }
        ["first-chunk", url, n] => match n.parse() {
            Ok(n) => first_chunk(url, n),
            Err(_) => return usage(),
        },
        ["listen", url, s] => match s.parse() {
            Ok(s) => listen(url, s),
            Err(_) => return usage(),
        },
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("net: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: net first-chunk URL N | net listen URL SECONDS");
    ExitCode::from(2)
}
