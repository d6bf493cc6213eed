//! Getting chunks out: processing until chunks are ready, popping them in any sample type,
//! and iterating over them without dropping any (`stream()`, [`ChunkStream`]).

use super::StreamReader;
use crate::{Chunk, Result};

impl StreamReader {
    /// Processes packets until the end of the stream, popping nothing: each output keeps its
    /// newest `buffer_chunk_size` chunks (the others are dropped and counted, as in torchaudio).
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// reader.add_basic_audio_stream(44100, 1000)?;
    /// reader.process_all_packets()?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn process_all_packets(&mut self) -> Result<()> {
        while self.process_packet()? != 0 {}
        Ok(())
    }

    /// Processes packets until every output has a chunk ready. Returns the number of packets
    /// processed (at least 1 when chunks are ready), or 0 once the stream has ended and no
    /// chunk is left to pop, so `while fill_buffer()? != 0 { pop_chunks() }` gets every chunk
    /// of a single output. With several outputs that make chunks at different paces, the
    /// faster one's oldest chunks beyond `buffer_chunk_size` are dropped while the slower one
    /// fills; [`stream`](Self::stream) drops nothing.
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// while reader.fill_buffer()? != 0 {
    ///     let chunks = reader.pop_chunks();
    /// }
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn fill_buffer(&mut self) -> Result<usize> {
        self.require_outputs()?;
        let mut total = 0;
        while !self.is_buffer_ready() {
            let n = self.read_packet(false)?;
            if n == 0 {
                return Ok(usize::from(
                    self.outputs.iter().any(|o| o.buffer.has_chunk()),
                ));
            }
            total += n;
        }
        Ok(total.max(1))
    }

    /// Whether every output has at least one chunk ready.
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// assert!(!reader.is_buffer_ready());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn is_buffer_ready(&self) -> bool {
        self.outputs.iter().all(|o| o.buffer.has_chunk())
    }

    /// Pops one chunk from every output, in output order; `None` where none is ready (seed:
    /// `pop_chunks()`).
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.wav", None, None)?;
    /// reader.add_basic_audio_stream(1024, 3)?;
    /// reader.fill_buffer()?;
    /// let chunk = reader.pop_chunks().remove(0).expect("a chunk");
    /// assert_eq!(chunk.pts, 0.0);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn pop_chunks(&mut self) -> Vec<Option<Chunk>> {
        self.pop_chunks_as::<f32>()
    }

    /// [`pop_chunks`](Self::pop_chunks) in sample type `T` (`f32`, `f64`, `i16`, `i32`, `u8`):
    /// exact for an output whose [`format`](super::AudioStreamOptions::format) is `T` (e.g. the
    /// 32-bit integers of a 32-bit FLAC with `format("s32")`), converted by FFmpeg's rules
    /// otherwise.
    ///
    /// ```no_run
    /// use audiostream::{AudioStreamOptions, StreamReader};
    /// let mut reader = StreamReader::new("hi-res.flac", None, None)?;
    /// reader.add_audio_stream(AudioStreamOptions::new(4096).format("s32"))?;
    /// reader.fill_buffer()?;
    /// let chunk = reader.pop_chunks_as::<i32>().remove(0).expect("a chunk");
    /// println!("{} frames of i32 at {} s", chunk.ncols(), chunk.pts);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn pop_chunks_as<T: crate::Sample>(&mut self) -> Vec<Option<Chunk<T>>> {
        self.popped = true;
        self.outputs
            .iter_mut()
            .map(|o| o.buffer.pop::<T>())
            .collect()
    }

    /// Pops one chunk from output `output` alone, in sample type `T`: outputs of different
    /// sample types (an `s16` output beside an `f32` one) each popped in their own type. The
    /// other outputs keep their chunks. `InvalidArgument` for an index that is not an output.
    ///
    /// ```no_run
    /// use audiostream::{AudioStreamOptions, StreamReader};
    /// let mut reader = StreamReader::new("in.flac", None, None)?;
    /// reader.add_audio_stream(AudioStreamOptions::new(4096).format("s16"))?;
    /// reader.add_audio_stream(AudioStreamOptions::new(4096).sample_rate(16000))?;
    /// reader.fill_buffer()?;
    /// let pcm = reader.pop_chunk_as::<i16>(0)?;
    /// let resampled = reader.pop_chunk_as::<f32>(1)?;
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn pop_chunk_as<T: crate::Sample>(&mut self, output: usize) -> Result<Option<Chunk<T>>> {
        self.check_output_index(output)?;
        self.popped = true;
        Ok(self.outputs[output].buffer.pop::<T>())
    }

    /// Processes packets, dropping nothing, until [`stream`](Self::stream) would yield: `true`
    /// when chunks are due (every output has one, or one output holds `buffer_chunk_size`),
    /// to be popped with [`pop_chunks`](Self::pop_chunks) or, output by output in their own
    /// sample types, [`pop_chunk_as`](Self::pop_chunk_as); `false` once the stream has ended
    /// and no chunk is left.
    ///
    /// ```no_run
    /// use audiostream::{AudioStreamOptions, StreamReader};
    /// let mut reader = StreamReader::new("in.wav", None, None)?;
    /// reader.add_audio_stream(AudioStreamOptions::new(1024).format("s16"))?;
    /// reader.add_audio_stream(AudioStreamOptions::new(1024).sample_rate(16000))?;
    /// while reader.chunks_due()? {
    ///     let pcm = reader.pop_chunk_as::<i16>(0)?;
    ///     let resampled = reader.pop_chunk_as::<f32>(1)?;
    /// }
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn chunks_due(&mut self) -> Result<bool> {
        self.require_outputs()?;
        loop {
            if self.ended {
                return Ok(self.outputs.iter().any(|o| o.buffer.has_chunk()));
            }
            // Every output has a chunk, or one output holds `buffer_chunk_size` of them (it
            // makes more chunks per packet than another: a higher rate, smaller chunks): pop
            // before reading on, `None` for the outputs with none yet. Reading on until every
            // output had a chunk queued the faster output's surplus for the whole file.
            if self.is_buffer_ready() || self.outputs.iter().any(|o| o.buffer.is_full()) {
                return Ok(true);
            }
            self.read_packet(true)?;
        }
    }

    /// Iterates over `pop_chunks()` results until every output is drained; never drops a chunk,
    /// whatever `buffer_chunk_size` is. An item has a chunk for every output while they keep
    /// pace; when one output makes more chunks per packet than another (a higher rate, smaller
    /// chunks), it is popped as soon as it holds `buffer_chunk_size` chunks, with `None` for
    /// the outputs that have none yet, so each output holds at most `buffer_chunk_size` chunks
    /// plus what one packet makes, however long the stream.
    ///
    /// ```no_run
    /// let mut reader = audiostream::StreamReader::new("in.flac", None, None)?;
    /// reader.add_basic_audio_stream(4096, 3)?;
    /// for chunks in reader.stream() {
    ///     let chunk = chunks?.remove(0);
    /// }
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn stream(&mut self) -> impl Iterator<Item = Result<Vec<Option<Chunk>>>> + '_ {
        ChunkStream {
            reader: self,
            done: false,
        }
    }
}

impl StreamReader {
    /// The chunks of the only output, one `Result<Chunk>` at a time, never dropping any (see
    /// [`stream`](Self::stream)). With no output, or several, the first item is an
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument).
    ///
    /// ```
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/wav_s16_stereo_44100.wav");
    /// let mut reader = audiostream::StreamReader::new(path, None, None)?;
    /// reader.add_basic_audio_stream(4096, 4)?;
    /// let mut frames = 0;
    /// for chunk in reader.chunks() {
    ///     frames += chunk?.frames();
    /// }
    /// assert_eq!(frames, 22050);
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn chunks(&mut self) -> impl Iterator<Item = Result<Chunk>> + '_ {
        let outputs = self.outputs.len();
        let refusal = (outputs != 1).then(|| {
            crate::Error::invalid_argument(
                "outputs",
                outputs,
                "exactly 1 for chunks(); use stream() for several",
            )
        });
        let items = refusal.is_none().then(|| {
            self.stream()
                .filter_map(|item| item.map(|mut c| c.pop().flatten()).transpose())
        });
        refusal
            .map(Err)
            .into_iter()
            .chain(items.into_iter().flatten())
    }
}

/// The iterator behind [`StreamReader::stream`].
struct ChunkStream<'a> {
    reader: &'a mut StreamReader,
    done: bool,
}

impl Iterator for ChunkStream<'_> {
    type Item = Result<Vec<Option<Chunk>>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.reader.chunks_due() {
            Ok(true) => Some(Ok(self.reader.pop_chunks())),
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
