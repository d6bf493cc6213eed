//! Compile-time checks that the streaming types can move to another thread (issue 14: a
//! decode thread feeding a model, an encoder thread behind a channel). A type that stops being
//! `Send` fails the build of this file, not a run: the `#[test]` below only names the checks.

use audiostream::dsp::{Remixer, Resampler};
use audiostream::{AudioEffector, Chunk, EffectStream, Error, StreamReader, StreamWriter};

fn assert_send<T: Send>() {}

/// The value's type is `Send` (for types that cannot be named, such as `stream()`'s iterator).
fn assert_send_value<T: Send>(_: &T) {}

/// Never called: it type-checks that the chunk iterator of `StreamReader::stream` is `Send`.
#[allow(dead_code)]
fn chunk_iterator_is_send(reader: &mut StreamReader) {
    let chunks = reader.stream();
    assert_send_value(&chunks);
}

#[test]
fn streaming_types_are_send() {
    assert_send::<StreamReader>();
    assert_send::<StreamWriter>();
    assert_send::<EffectStream>();
    assert_send::<AudioEffector>();
    assert_send::<Resampler>();
    assert_send::<Remixer>();
    assert_send::<Chunk>();
    assert_send::<Error>();
}

/// Every frame of a file, read by a reader that was opened here and used on another thread.
fn frames_read(reader: StreamReader) -> Result<usize, Error> {
    let mut reader = reader;
    reader.add_basic_audio_stream(1000, 4)?;
    let mut frames = 0;
    for chunks in reader.stream() {
        if let Some(chunk) = &chunks?[0] {
            frames += chunk.ncols();
        }
    }
    Ok(frames)
}

#[test]
fn reader_opened_here_reads_on_another_thread() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/flac_16_stereo_44100.flac"
    );
    let reader = StreamReader::new(path, None, None).unwrap();
    let frames = std::thread::spawn(move || frames_read(reader))
        .join()
        .expect("the reader thread panicked")
        .unwrap();
    // libFLAC's tools as the oracle: the file's total samples per channel.
    let out = std::process::Command::new("metaflac")
        .args(["--show-total-samples", path])
        .output()
        .expect("metaflac (Debian's flac package) runs");
    let expected: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert_eq!(frames, expected);
}
