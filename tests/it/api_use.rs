//! The API as people use it (issue 14, part 4): readers over borrowed and owned bytes and over
//! `Box<dyn Read + Send>`, paths of every kind, writers that give their sink back (an MP3 with
//! tags written into memory, no wrapper), a reader chunk's pts passed to the writer as it is,
//! the single-output chunk iterator, interleaved samples in and out. Outputs are checked with
//! FFmpeg.

use crate::common;

use audiostream::ndarray::Array2;
use audiostream::{Error, Options, StreamReader, StreamWriter};
use common::oracle::{ffmpeg_decode, fixture};
use common::ours;
use common::signals::{ffprobe_value, TempDir};
use std::io::Read;
use std::path::{Path, PathBuf};

fn decode_all(mut reader: StreamReader) -> Vec<Vec<f32>> {
    reader.add_basic_audio_stream(4096, 4).unwrap();
    let chunks: Vec<_> = reader.chunks().map(|c| c.unwrap()).collect();
    ours::concat(&chunks)
}

#[test]
fn borrowed_and_owned_bytes_decode_as_ffmpeg_does() {
    let path = fixture("flac_16_stereo_44100.flac");
    let reference = ffmpeg_decode(&path, 0, &[]).channels;
    let bytes: Vec<u8> = std::fs::read(&path).unwrap();
    // Borrowed: a slice of a larger buffer, dropped before the reader is.
    let mut framed = vec![0u8; 7];
    framed.extend_from_slice(&bytes);
    let reader = StreamReader::from_slice(&framed[7..], None).unwrap();
    drop(framed);
    assert_eq!(decode_all(reader), reference, "from_slice");
    // Owned, without a copy: Vec, Arc<[u8]>, &'static.
    assert_eq!(
        decode_all(StreamReader::from_bytes(bytes.clone(), None).unwrap()),
        reference
    );
    let shared: std::sync::Arc<[u8]> = bytes.clone().into();
    assert_eq!(
        decode_all(StreamReader::from_bytes(shared, None).unwrap()),
        reference
    );
    let leaked: &'static [u8] = Box::leak(bytes.clone().into_boxed_slice());
    assert_eq!(
        decode_all(StreamReader::from_bytes(leaked, Some("flac")).unwrap()),
        reference
    );
}

/// A reader that is `Send` but not `Sync` (a `Cell` inside), boxed as `dyn Read + Send`.
struct CountingRead {
    inner: std::io::Cursor<Vec<u8>>,
    reads: std::cell::Cell<u64>,
}

impl Read for CountingRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.reads.set(self.reads.get() + 1);
        self.inner.read(buf)
    }
}

#[test]
fn a_boxed_read_that_is_not_sync_is_a_source() {
    let path = fixture("mp3_cbr128_stereo_44100.mp3");
    let src: Box<dyn Read + Send> = Box::new(CountingRead {
        inner: std::io::Cursor::new(std::fs::read(&path).unwrap()),
        reads: std::cell::Cell::new(0),
    });
    let reader = StreamReader::from_stream(src, Some("mp3")).unwrap();
    assert_eq!(decode_all(reader), ours::decode(&path, None));
    // Seekable readers need only Send too.
    let cursor = std::io::Cursor::new(std::fs::read(&path).unwrap());
    let boxed: Box<dyn ReadSeekSend> = Box::new(cursor);
    let reader = StreamReader::from_reader(boxed, None).unwrap();
    assert_eq!(decode_all(reader), ours::decode(&path, None));
}

trait ReadSeekSend: Read + std::io::Seek + Send {}
impl<T: Read + std::io::Seek + Send> ReadSeekSend for T {}

#[test]
fn paths_of_every_kind_open() {
    let path: PathBuf = fixture("wav_s16_stereo_44100.wav");
    let expected = ours::decode(&path, None);
    assert_eq!(
        decode_all(StreamReader::new(&path, None, None).unwrap()),
        expected
    );
    assert_eq!(
        decode_all(StreamReader::new(path.as_path(), None, None).unwrap()),
        expected
    );
    assert_eq!(
        decode_all(StreamReader::new(path.clone(), None, None).unwrap()),
        expected
    );
    let text: String = path.to_str().unwrap().to_string();
    assert_eq!(
        decode_all(StreamReader::new(&text, None, None).unwrap()),
        expected
    );
    assert_eq!(
        decode_all(StreamReader::new(text.as_str(), None, None).unwrap()),
        expected
    );

    // A path that is not UTF-8 (Linux allows any bytes but '/' and NUL).
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let dir = TempDir::new("api-paths");
        let odd = dir
            .path("")
            .join(std::ffi::OsStr::from_bytes(b"take\xff.wav"));
        let mut writer = StreamWriter::new(&odd, None, None).unwrap();
        writer.add_audio_stream(8000, 1).unwrap();
        writer
            .write_audio_chunk(0, Array2::<f32>::zeros((1, 800)).view(), None)
            .unwrap();
        writer.close().unwrap();
        let mut reader = StreamReader::new(&odd, None, None).unwrap();
        assert_eq!(reader.get_metadata().sample_rate, 8000);
        reader.add_basic_audio_stream(100, 1).unwrap();
        assert_eq!(reader.chunks().count(), 8);
    }
}

#[test]
fn an_mp3_with_tags_is_written_into_memory_without_a_wrapper() {
    let audio = common::signals::music(2, 44100, 44100);
    let mut writer = StreamWriter::to_memory("mp3").unwrap();
    writer
        .set_metadata(Options::from([
            ("title".to_string(), "In memory".to_string()),
            ("artist".to_string(), "audiostream".to_string()),
        ]))
        .unwrap();
    writer.add_audio_stream(44100, 2).unwrap();
    writer.write_audio_chunk(0, audio.view(), None).unwrap();
    let mp3: Vec<u8> = writer.into_vec().unwrap();
    let dir = TempDir::new("api-mp3-memory");
    let file = dir.path("mem.mp3");
    std::fs::write(&file, &mp3).unwrap();
    assert_eq!(ffprobe_value(&file, "format_tags=title"), "In memory");
    assert_eq!(ffprobe_value(&file, "format_tags=artist"), "audiostream");
    // Gapless: the LAME tag was patched into the buffer, so FFmpeg gives the input's length.
    assert_eq!(ffmpeg_decode(&file, 0, &[]).num_frames(), 44100);
}

#[test]
fn into_inner_gives_the_sink_back_or_says_why_not() {
    // A WAV into a Vec (not seekable: an open-ended header), given back.
    let mut writer = StreamWriter::from_writer(Vec::<u8>::new(), "wav").unwrap();
    writer.add_audio_stream(8000, 1).unwrap();
    writer
        .write_audio_chunk(0, Array2::<f32>::from_elem((1, 80), 0.5).view(), None)
        .unwrap();
    let wav: Vec<u8> = writer.into_inner().unwrap();
    let dir = TempDir::new("api-into-inner");
    let file = dir.path("a.wav");
    std::fs::write(&file, &wav).unwrap();
    let decoded = ffmpeg_decode(&file, 0, &[]);
    assert_eq!(decoded.channels, vec![vec![0.5f32; 80]]);

    // The wrong type: an error naming it.
    let mut writer = StreamWriter::from_writer(Vec::<u8>::new(), "wav").unwrap();
    writer.add_audio_stream(8000, 1).unwrap();
    let e = writer.into_inner::<std::fs::File>().unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("std::fs::File")),
        "{e}"
    );

    // A writer on a path has no sink to give: an error, and the file is still finalized.
    let path = dir.path("b.flac");
    let mut writer = StreamWriter::new(&path, None, None).unwrap();
    writer.add_audio_stream(8000, 1).unwrap();
    writer
        .write_audio_chunk(0, Array2::<f32>::zeros((1, 800)).view(), None)
        .unwrap();
    let e = writer.into_vec().unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("b.flac")),
        "{e}"
    );
    assert_eq!(ffmpeg_decode(&path, 0, &[]).num_frames(), 800);
}

/// A reader's chunks written with their own pts (seconds) after a seek: the writer puts the
/// silence before the first chunk, and the rest where it was.
#[test]
fn a_reader_chunks_pts_passes_to_the_writer_as_it_is() {
    let path = fixture("wav_s16_stereo_44100.wav");
    let whole = ffmpeg_decode(&path, 0, &[]).channels;
    let dir = TempDir::new("api-pts");
    let out = dir.path("shifted.wav");
    let mut reader = StreamReader::new(&path, None, None).unwrap();
    reader.add_basic_audio_stream(1000, 4).unwrap();
    reader.seek(0.25).unwrap();
    let mut writer = StreamWriter::new(&out, None, None).unwrap();
    writer.add_audio_stream(44100, 2).unwrap();
    while reader.process_packet().unwrap() != 0 {
        if let Some(chunk) = &reader.pop_chunks()[0] {
            writer
                .write_audio_chunk(0, chunk.view(), chunk.pts)
                .unwrap();
        }
    }
    writer.close().unwrap();
    let got = ffmpeg_decode(&out, 0, &[]).channels;
    let start = 11025; // 0.25 s at 44.1 kHz
    for (g, w) in got.iter().zip(&whole) {
        assert_eq!(g.len(), w.len(), "the same length: silence, then the rest");
        assert!(
            g[..start].iter().all(|&v| v == 0.0),
            "silence before the seek point"
        );
        assert_eq!(&g[start..], &w[start..], "the audio from the seek point on");
    }
    // Seconds that are not a time are refused.
    let mut writer = StreamWriter::to_memory("wav").unwrap();
    writer.add_audio_stream(8000, 1).unwrap();
    for bad in [f64::NAN, -1.0, f64::INFINITY] {
        let e = writer
            .write_audio_chunk(0, Array2::<f32>::zeros((1, 8)).view(), bad)
            .unwrap_err();
        assert!(
            matches!(&e, Error::InvalidArgument(m) if m.contains("pts")),
            "{e}"
        );
    }
}

#[test]
fn chunks_iterates_one_output_and_refuses_several() {
    let path = fixture("vorbis_q5_stereo_44100.ogg");
    let mut reader = StreamReader::new(&path, None, None).unwrap();
    reader.add_basic_audio_stream(1000, 1).unwrap();
    let chunks: Vec<_> = reader.chunks().collect::<Result<_, _>>().unwrap();
    assert_eq!(ours::concat(&chunks), ours::decode(&path, None));
    let mut reader = StreamReader::new(&path, None, None).unwrap();
    reader.add_basic_audio_stream(1000, 1).unwrap();
    reader.add_basic_audio_stream(500, 1).unwrap();
    let first = reader.chunks().next().expect("an item");
    assert!(matches!(first, Err(Error::InvalidArgument(m)) if m.contains("stream()")));
}

#[test]
fn interleaved_samples_in_and_out() {
    let path = fixture("wav_s16_stereo_44100.wav");
    let mut reader = StreamReader::new(&path, None, None).unwrap();
    reader.add_basic_audio_stream(4096, 4).unwrap();
    let mut interleaved: Vec<f32> = Vec::new();
    for chunk in reader.chunks() {
        interleaved.extend(chunk.unwrap().to_interleaved());
    }
    let reference = ffmpeg_decode(&path, 0, &[]);
    assert_eq!(interleaved, reference.interleaved());

    let dir = TempDir::new("api-interleaved");
    let out = dir.path("copy.wav");
    let mut writer = StreamWriter::new(Path::new(&out), None, None).unwrap();
    writer.add_audio_stream(44100, 2).unwrap();
    for piece in interleaved.chunks(2 * 1000) {
        writer.write_interleaved(0, piece, None).unwrap();
    }
    let e = writer.write_interleaved(0, &[0.0f32; 3], None).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("multiple")),
        "{e}"
    );
    writer.close().unwrap();
    assert_eq!(ffmpeg_decode(&out, 0, &[]).channels, reference.channels);
}
