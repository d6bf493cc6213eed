//! Native side of benches/bench_web.sh: decodes each file with the same code the WebAssembly
//! package runs (`session::Session`, chunks of 4096 frames), `REPS` times, and prints one JSON
//! line per run: `{"file", "frames", "seconds"}` (in-process time: open + decode).
//!
//! Usage: decode_speed REPS FILE...

use audiostream_web::session::{Request, Session};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let reps: usize = args
        .next()
        .and_then(|r| r.parse().ok())
        .expect("usage: decode_speed REPS FILE...");
    let files: Vec<String> = args.collect();
    for _ in 0..reps {
        for file in &files {
            let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
            let started = Instant::now();
            let mut s =
                Session::new(std::io::Cursor::new(bytes), &Request::default()).expect("open");
            let mut frames = 0u64;
            while let Some(c) = s.next_chunk().expect("decode") {
                frames += c.ncols() as u64;
                std::hint::black_box(&c);
            }
            let seconds = started.elapsed().as_secs_f64();
            println!("{{\"file\": {file:?}, \"frames\": {frames}, \"seconds\": {seconds}}}");
        }
    }
}
