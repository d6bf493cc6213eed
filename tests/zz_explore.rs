mod common;
use audiostream::*;
use common::oracle::fixture;
use std::time::Instant;

fn p(r: Result<StreamReader>) {
    match r {
        Ok(x) => println!("OK {:?} {:?}", x, x.get_metadata()),
        Err(e) => println!("ERR {e:?} | {e}"),
    }
}

#[test]
fn explore() {
    p(StreamReader::new("/nonexistent/x.wav", None, None));
    p(StreamReader::new("fixtures", None, None));
    for f in ["empty.wav", "random_bytes.bin", "text_named.mp3"] {
        p(StreamReader::new(fixture(f).to_str().unwrap(), None, None));
    }
    let w = fixture("wav_s16_stereo_44100.wav");
    let w = w.to_str().unwrap();
    p(StreamReader::new(w, Some("xyz"), None));
    p(StreamReader::new(w, Some("flac"), None));
    p(StreamReader::new(
        w,
        None,
        Some(&Options::from([("foo".into(), "1".into())])),
    ));
    for f in std::fs::read_dir("fixtures").unwrap() {
        let f = f.unwrap().path();
        let t = Instant::now();
        let r = StreamReader::new(f.to_str().unwrap(), None, None);
        match r {
            Ok(mut r) => {
                println!("{} {:?}", f.display(), r.get_metadata());
                for i in 0..r.num_src_streams() {
                    println!("   {:?}", r.get_src_stream_info(i));
                }
                if r.add_basic_audio_stream(1024, usize::MAX).is_ok() {
                    let res = r.process_all_packets();
                    let n: usize = common::ours::drain(&mut r).iter().map(|c| c.ncols()).sum();
                    println!(
                        "   decode {:?} frames {n} stats {:?} in {:?}",
                        res,
                        r.stats(),
                        t.elapsed()
                    );
                }
            }
            Err(e) => println!("{} ERR {e}", f.display()),
        }
    }
}
