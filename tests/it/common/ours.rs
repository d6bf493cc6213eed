//! Decoding with our own reader, for comparison with the oracle, and writing with our writer.

use audiostream::ndarray::{s, Array2};
use audiostream::{
    AudioEncodeOptions, AudioStreamOptions, Chunk, Options, StreamReader, StreamWriter,
};
use std::path::Path;

/// Opens `path` with an optional forced format and options.
pub fn open(path: &Path, format: Option<&str>, options: Option<&Options>) -> StreamReader {
    let src = path.to_str().expect("utf-8 path");
    StreamReader::new(src, format, options)
        .unwrap_or_else(|e| panic!("opening {}: {e}", path.display()))
}

/// Pops every chunk of output 0 after the reader has been run to its end.
pub fn drain(reader: &mut StreamReader) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    while let Some(c) = reader.pop_chunks().remove(0) {
        chunks.push(c);
    }
    chunks
}

/// Concatenates chunks into planar channels.
pub fn concat(chunks: &[Chunk]) -> Vec<Vec<f32>> {
    let mut out: Vec<Vec<f32>> = Vec::new();
    for c in chunks {
        if out.is_empty() {
            out = vec![Vec::new(); c.nrows()];
        }
        for (ch, row) in c.rows().into_iter().enumerate() {
            out[ch].extend(row.iter());
        }
    }
    out
}

/// Decodes a whole stream with our reader (never dropping chunks) into planar channels.
pub fn decode_reader(mut reader: StreamReader, stream_index: Option<usize>) -> Vec<Vec<f32>> {
    let mut opts = AudioStreamOptions::new(4096).buffer_chunk_size(usize::MAX);
    if let Some(i) = stream_index {
        opts = opts.stream_index(i);
    }
    reader.add_audio_stream(opts).expect("add_audio_stream");
    reader.process_all_packets().expect("process_all_packets");
    concat(&drain(&mut reader))
}

/// Decodes a whole file with our reader.
pub fn decode(path: &Path, stream_index: Option<usize>) -> Vec<Vec<f32>> {
    decode_reader(open(path, None, None), stream_index)
}

/// Decodes a headerless PCM file with our reader.
pub fn decode_raw(path: &Path, format: &str, rate: u32, channels: usize) -> Vec<Vec<f32>> {
    let opts = Options::from([
        ("sample_rate".to_string(), rate.to_string()),
        ("channels".to_string(), channels.to_string()),
    ]);
    decode_reader(open(path, Some(format), Some(&opts)), None)
}

/// Writes `data` in chunks of `chunk` frames with `opts` into `path` (container from its
/// extension); returns the file's bytes.
pub fn write_chunked(
    path: &Path,
    opts: AudioEncodeOptions,
    data: &Array2<f32>,
    chunk: usize,
) -> Vec<u8> {
    let mut w = StreamWriter::new(path.to_str().unwrap(), None, None).unwrap();
    w.add_audio_stream_with(opts).unwrap();
    let mut at = 0;
    while at < data.ncols() {
        let end = (at + chunk).min(data.ncols());
        w.write_audio_chunk(0, data.slice(s![.., at..end]), None)
            .unwrap();
        at = end;
    }
    w.close().unwrap();
    std::fs::read(path).unwrap()
}
