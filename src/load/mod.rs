//! One-call loading: a whole file (or a part of it) into one `(channels, frames)` array —
//! [`load`], [`load_with`], [`load_bytes`], [`load_bytes_with`], and [`load_as`] /
//! [`load_bytes_as`] for other sample types (the exact integers of a 24- or 32-bit file).
//!
//! Everything goes through [`StreamReader`]: the samples are those a reader delivers, with the
//! same remix and resampler ([`LoadOptions::sample_rate`], [`LoadOptions::num_channels`]).
//!
//! **Parallel decoding.** A long seekable source (a file or bytes, at least
//! [`PARALLEL_MIN_SECONDS`] of audio) whose codec seeks bit-exactly is cut into one part per
//! core: each part is decoded by its own reader, seeked to the part's first frame
//! ([`StreamReader::seek`] is exact to the sample: it starts the decoder early enough to
//! rebuild its state — MP3's bit reservoir and overlap, the MDCT overlap of Vorbis and AAC —
//! and restarts the resampler on its block grid), and the parts are joined end to end. The
//! result is bit for bit the single-threaded decode's; `tests/it/load.rs` checks it on every
//! codec that is split. Codecs split: PCM (WAV, AIFF, CAF, raw), FLAC, ALAC, MP3, Vorbis, and
//! AAC, whose noise generator (perceptual noise substitution runs one from the first packet)
//! each part's decoder records and, where a part started it elsewhere than a decode from the
//! start has it, sets right and decodes again where that part's packets with noise bands
//! reach (their frames and the next packet's; the whole part where the output resamples:
//! `src/load/pns.rs`); and Opus, whose decoder state a seek does not rebuild at once: each
//! part but the last decodes on through a window past its end, and the next part's frames are
//! taken from the packet after which both decoders' states are equal, bit for bit (compared,
//! not assumed: `src/load/opus.rs`). CELT comes back to the same state within a few hundred
//! milliseconds; SILK's fixed-point filters do not, so a stream with SILK or hybrid packets
//! where a part would start is decoded by the first part alone (the output resampled too: the
//! parts are joined at a packet). Effects run after the parts are joined, on the whole
//! excerpt, so they see the audio a single-threaded load gives them.
//!
//! **Plain WAV** (PCM or float, the layouts `src/load/wav.rs` lists) takes a direct path: the samples are
//! converted from the `data` chunk straight into the output array (in parallel for a long
//! file), with no demuxer or packet loop; they are those the general path gives, bit for bit.
//! A file (up to [`DIRECT_MAX_BYTES`]) is not read into memory whole: each thread reads its
//! run of frames at offsets, a block of 256 KiB at a time, into a small buffer of
//! its own and converts it into its slice of the output, so the peak memory is the output's.

mod opus;
mod pns;
#[cfg(feature = "decode-wav")]
mod pread;
#[cfg(feature = "decode-wav")]
mod wav;

use crate::{AudioEffector, AudioStreamOptions, Error, Metadata, Result, Sample, StreamReader};
use audiostream_codecs::SampleFormat;
use ndarray::{concatenate, Array2, ArrayView2, Axis};
use std::io::Cursor;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Sources at least this long (at the output rate, after `start`/`duration`) are decoded in
/// parallel; shorter ones on one thread (a part's start-up, a few milliseconds, is not worth
/// it below).
pub const PARALLEL_MIN_SECONDS: f64 = 30.0;

/// Largest WAV file the direct path takes (larger ones are streamed by the general path): it
/// bounds the output a header can make `load` allocate before anything is converted.
pub const DIRECT_MAX_BYTES: u64 = 1 << 31;

/// The shortest part a parallel load gives one thread, in seconds.
const MIN_PART_SECONDS: f64 = 10.0;

/// Most samples (frames × channels) one chunk of a load holds: 16 MiB of `f32`. The frame count
/// a header states sizes the chunks of a load, bounded by this.
const MAX_CHUNK_SAMPLES: u64 = 1 << 22;

/// Frames per chunk of a load whose output is preallocated (the chunks are copied into it):
/// 256 KiB of stereo `f32`, within a core's L2 cache.
const COPY_CHUNK_FRAMES: usize = 1 << 15;

/// Codecs whose decode after [`StreamReader::seek`] is bit for bit a full decode's (tested in
/// `tests/it/load.rs`): the parallel load splits these, and AAC with its noise generator set
/// right (`pns`).
const SPLIT_CODECS: &[&str] = &["flac", "alac", "mp3", "mp2", "mp1", "vorbis"];

/// What [`load_with`] loads: output rate and channels, the excerpt, effects, threads.
///
/// ```
/// use audiostream::LoadOptions;
/// let opts = LoadOptions::new().sample_rate(16_000).num_channels(1).start(1.5).duration(10.0);
/// assert_eq!(opts.sample_rate, Some(16_000));
/// assert_eq!(opts.start, 1.5);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadOptions {
    /// Output sample rate in Hz; default the source's. Another rate resamples as a reader
    /// output does ([`AudioStreamOptions::sample_rate`]).
    pub sample_rate: Option<u32>,
    /// Output channel count; default the source's. Another count remixes
    /// ([`AudioStreamOptions::num_channels`]).
    pub num_channels: Option<usize>,
    /// Where the excerpt starts, in seconds (default 0): frame `round(start * rate)` of the
    /// output, exact to the sample. A start past the end gives no frames.
    pub start: f64,
    /// How long the excerpt is, in seconds; default up to the end. The excerpt holds
    /// `round(duration * rate)` frames, fewer where the source ends first.
    pub duration: Option<f64>,
    /// Effects applied to the excerpt after it is decoded (and converted), as
    /// [`AudioEffector::apply`] does: tails (reverb, echo) make the result longer than
    /// `duration`, as `sox in out trim start duration effect` does.
    pub effect: Option<AudioEffector>,
    /// Threads for a long seekable source; default every core
    /// (`std::thread::available_parallelism`); 1 decodes on the calling thread.
    pub threads: Option<usize>,
    /// Container override (as [`StreamReader::new`]'s `format`): e.g. `"mp3"` for bytes the
    /// probe does not recognise.
    pub format: Option<String>,
    /// Source stream to load; default the default audio stream.
    pub stream_index: Option<usize>,
}

impl LoadOptions {
    /// The defaults: the whole default audio stream at its own rate and channels.
    ///
    /// ```
    /// assert_eq!(audiostream::LoadOptions::new().start, 0.0);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Output sample rate in Hz.
    ///
    /// ```
    /// assert_eq!(audiostream::LoadOptions::new().sample_rate(16_000).sample_rate, Some(16_000));
    /// ```
    pub fn sample_rate(mut self, hz: u32) -> Self {
        self.sample_rate = Some(hz);
        self
    }

    /// Output channel count.
    ///
    /// ```
    /// assert_eq!(audiostream::LoadOptions::new().num_channels(1).num_channels, Some(1));
    /// ```
    pub fn num_channels(mut self, n: usize) -> Self {
        self.num_channels = Some(n);
        self
    }

    /// Start of the excerpt, in seconds.
    ///
    /// ```
    /// assert_eq!(audiostream::LoadOptions::new().start(2.0).start, 2.0);
    /// ```
    pub fn start(mut self, seconds: f64) -> Self {
        self.start = seconds;
        self
    }

    /// Length of the excerpt, in seconds.
    ///
    /// ```
    /// assert_eq!(audiostream::LoadOptions::new().duration(3.0).duration, Some(3.0));
    /// ```
    pub fn duration(mut self, seconds: f64) -> Self {
        self.duration = Some(seconds);
        self
    }

    /// Effects applied to the loaded excerpt.
    ///
    /// ```
    /// use audiostream::{AudioEffector, LoadOptions};
    /// let opts = LoadOptions::new().effect("highpass 80 gain -3".parse::<AudioEffector>()?);
    /// assert!(opts.effect.is_some());
    /// # Ok::<(), audiostream::Error>(())
    /// ```
    pub fn effect(mut self, effector: AudioEffector) -> Self {
        self.effect = Some(effector);
        self
    }

    /// Threads for a long seekable source (1: the calling thread only).
    ///
    /// ```
    /// assert_eq!(audiostream::LoadOptions::new().threads(1).threads, Some(1));
    /// ```
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = Some(n);
        self
    }

    /// Container override.
    ///
    /// ```
    /// assert_eq!(audiostream::LoadOptions::new().format("mp3").format.as_deref(), Some("mp3"));
    /// ```
    pub fn format(mut self, name: &str) -> Self {
        self.format = Some(name.to_string());
        self
    }

    /// Source stream to load.
    ///
    /// ```
    /// assert_eq!(audiostream::LoadOptions::new().stream_index(1).stream_index, Some(1));
    /// ```
    pub fn stream_index(mut self, i: usize) -> Self {
        self.stream_index = Some(i);
        self
    }

    fn check(&self) -> Result<()> {
        if !(self.start.is_finite() && self.start >= 0.0) {
            return Err(Error::invalid_argument(
                "start",
                self.start,
                "a time in seconds >= 0",
            ));
        }
        if let Some(d) = self.duration {
            if !(d.is_finite() && d >= 0.0) {
                return Err(Error::invalid_argument(
                    "duration",
                    d,
                    "a time in seconds >= 0",
                ));
            }
        }
        if let Some(hz) = self.sample_rate {
            crate::limits::check_sample_rate("sample_rate", hz)?;
        }
        if let Some(n) = self.num_channels {
            crate::limits::check_channels("num_channels", n)?;
        }
        if self.threads == Some(0) {
            return Err(Error::invalid_argument("threads", 0, "1 or more"));
        }
        Ok(())
    }
}

/// A loaded excerpt in sample type `T`, with the source's metadata ([`load_as`]).
///
/// ```no_run
/// let loaded = audiostream::load_as::<i32>("hi-res.flac", Default::default())?;
/// println!("{} bits, {} frames", loaded.metadata.bits_per_sample.unwrap_or(0), loaded.audio.ncols());
/// # Ok::<(), audiostream::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded<T = f32> {
    /// `(channels, frames)` samples.
    pub audio: Array2<T>,
    /// Rate of `audio` in Hz (the output rate).
    pub sample_rate: u32,
    /// The source's metadata (its own rate, channels, codec, bits per sample, tags).
    pub metadata: Metadata,
    /// How many parts the source was decoded in, each on its own thread (1: on the calling
    /// thread; see the [module docs](self)).
    pub parts: usize,
    /// Output frames a parallel load decoded a second time: an AAC part decoded from a seek
    /// is decoded again where its noise bands are, an Opus part decodes on through a window
    /// past its end (see the [module docs](self)); 0 for every other load.
    pub redecoded: u64,
}

/// Loads a whole file: `(channels, frames)` `f32` samples and the file's sample rate
/// (`torchaudio.load`, `soundfile.read`). Long files are decoded on every core (see the
/// [module docs](self)), with the same result.
///
/// ```no_run
/// let (audio, rate) = audiostream::load("speech.flac")?;
/// println!("{} channels, {:.1} s", audio.nrows(), audio.ncols() as f64 / f64::from(rate));
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn load(path: impl AsRef<Path>) -> Result<(Array2<f32>, u32)> {
    load_with(path, LoadOptions::new())
}

/// Loads a file as `opts` says: another rate or channel count, an excerpt, effects.
///
/// ```no_run
/// use audiostream::LoadOptions;
/// // 16 kHz mono, 10 s from 1 min, for a speech model.
/// let (audio, rate) = audiostream::load_with(
///     "talk.mp3",
///     LoadOptions::new().sample_rate(16_000).num_channels(1).start(60.0).duration(10.0),
/// )?;
/// assert_eq!((audio.nrows(), rate), (1, 16_000));
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn load_with(path: impl AsRef<Path>, opts: LoadOptions) -> Result<(Array2<f32>, u32)> {
    if let Some((audio, rate, _)) = path_direct::<f32>(path.as_ref(), &opts)? {
        return Ok((audio, rate));
    }
    let l = load_source::<f32>(&Source::Path(path.as_ref().to_path_buf()), &opts)?;
    Ok((l.audio, l.sample_rate))
}

/// Loads a file in sample type `T` (`f32`, `f64`, `i16`, `i32`, `u8`), with its metadata: the
/// exact samples of an integer source in an integer type (a 24-bit FLAC as `i32`: the 24-bit
/// values shifted left by 8, as FFmpeg's `s32`; `metadata.bits_per_sample` says 24).
/// Effects take `f32` only.
///
/// ```no_run
/// use audiostream::{load_as, save_with, SaveOptions};
/// let hi = load_as::<i32>("master.flac", Default::default())?;
/// let bits = hi.metadata.bits_per_sample.unwrap_or(16);
/// save_with("copy.flac", hi.audio.view(), hi.sample_rate, SaveOptions::new().bits_per_sample(bits))?;
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn load_as<T: Sample>(path: impl AsRef<Path>, opts: LoadOptions) -> Result<Loaded<T>> {
    let path = path.as_ref();
    if let Some((audio, sample_rate, parts)) = path_direct::<T>(path, &opts)? {
        // The metadata (tags, codec, length) as the reader describes the file.
        let metadata = Source::Path(path.to_path_buf()).metadata(&opts)?;
        return Ok(Loaded {
            audio,
            sample_rate,
            metadata,
            parts,
            redecoded: 0,
        });
    }
    load_source(&Source::Path(path.to_path_buf()), &opts)
}

/// Calls `$f` (generic over `X`) in the sample type `X` that `$t` is (one of the five
/// [`Sample`] types, by [`Sample::FORMAT`]): `Ok(Some(array))` as an `Array2<$t>`, `Ok(None)`
/// for a `Sample` type of the user's own.
#[cfg(feature = "decode-wav")]
macro_rules! in_sample_type {
    ($t:ty, |$x:ident| $f:expr) => {{
        fn go<$x: Sample + symphonia::core::audio::conv::ConvertibleSample, T: 'static>(
            f: impl FnOnce() -> std::io::Result<Array2<$x>>,
        ) -> std::io::Result<Option<Array2<T>>> {
            f().map(cast::<$x, T>)
        }
        match <$t as Sample>::FORMAT {
            SampleFormat::F32 => {
                type $x = f32;
                go::<$x, $t>(|| $f)
            }
            SampleFormat::F64 => {
                type $x = f64;
                go::<$x, $t>(|| $f)
            }
            SampleFormat::S16 => {
                type $x = i16;
                go::<$x, $t>(|| $f)
            }
            SampleFormat::S24 | SampleFormat::S32 => {
                type $x = i32;
                go::<$x, $t>(|| $f)
            }
            SampleFormat::U8 => {
                type $x = u8;
                go::<$x, $t>(|| $f)
            }
        }
    }};
}

/// The direct path for a file, when it is a plain WAV file (see [`wav_path_direct`]).
fn path_direct<T: Sample>(
    path: &Path,
    opts: &LoadOptions,
) -> Result<Option<(Array2<T>, u32, usize)>> {
    opts.check()?;
    #[cfg(feature = "decode-wav")]
    return wav_path_direct(path, opts);
    #[cfg(not(feature = "decode-wav"))]
    {
        let _ = path;
        Ok(None)
    }
}

/// The direct path for a plain WAV file from its path: the header parsed from its first bytes,
/// the frames read at offsets and converted by every thread, block by block
/// ([`wav::decode_file`]). `Ok(None)` for what the general path reads: another container or
/// layout, or a file cut after its header was read (the general path then reads what is left,
/// as it reads any truncated file).
#[cfg(feature = "decode-wav")]
fn wav_path_direct<T: Sample>(
    path: &Path,
    opts: &LoadOptions,
) -> Result<Option<(Array2<T>, u32, usize)>> {
    if !direct_options::<T>(opts) {
        return Ok(None);
    }
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(None); // the general path says why
    };
    let len = match file.metadata() {
        Ok(m) if m.is_file() && m.len() <= DIRECT_MAX_BYTES => m.len(),
        _ => return Ok(None),
    };
    let file = pread::PositionedFile::new(file);
    let Some(layout) = wav::parse_file(&file, len) else {
        return Ok(None);
    };
    let Some((range, parts)) = direct_plan(&layout, opts) else {
        return Ok(None);
    };
    let block = (wav::BLOCK_BYTES / (layout.channels * wav::packed_bytes(layout.encoding))).max(1);
    let audio = in_sample_type!(T, |X| wav::decode_file::<X>(
        &file,
        &layout,
        range.clone(),
        parts,
        block
    ));
    match audio {
        Ok(Some(audio)) => {
            let rate = layout.sample_rate;
            apply_effect(audio, opts, rate).map(|a| Some((a, rate, parts)))
        }
        // A `Sample` type of the user's own (not one of the five): the general path.
        Ok(None) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            log::warn!(
                "{path:?} is shorter than its header said when it was opened (cut while loading?): read again by the general path"
            );
            Ok(None)
        }
        Err(e) => Err(Error::io(format!("reading {path:?}"), e)),
    }
}

/// Loads a file held in memory (any container [`StreamReader`] reads; the content is probed).
///
/// ```
/// # fn wav() -> Vec<u8> { let mut v = b"RIFF\x2c\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x80\x3e\0\0\x02\0\x10\0data\x08\0\0\0".to_vec(); v.extend([0,0,0,64,0,192,255,127]); v }
/// let bytes: Vec<u8> = wav(); // a WAV file: 8 kHz mono s16, 4 frames
/// let (audio, rate) = audiostream::load_bytes(&bytes)?;
/// assert_eq!((audio.dim(), rate), ((1, 4), 8000));
/// assert_eq!(audio[[0, 1]], 0.5);
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn load_bytes(bytes: &[u8]) -> Result<(Array2<f32>, u32)> {
    load_bytes_with(bytes, LoadOptions::new())
}

/// [`load_bytes`] with options, as [`load_with`].
///
/// ```
/// # fn wav() -> Vec<u8> { let mut v = b"RIFF\x2c\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x80\x3e\0\0\x02\0\x10\0data\x08\0\0\0".to_vec(); v.extend([0,0,0,64,0,192,255,127]); v }
/// use audiostream::LoadOptions;
/// let (audio, _) = audiostream::load_bytes_with(&wav(), LoadOptions::new().num_channels(2).start(0.00025))?;
/// assert_eq!(audio.dim(), (2, 2)); // frames 2 and 3, on both channels
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn load_bytes_with(bytes: &[u8], opts: LoadOptions) -> Result<(Array2<f32>, u32)> {
    opts.check()?;
    // A plain WAV file: no reader at all (no copy of the bytes, no metadata to describe).
    if let Some(r) = direct::<f32>(bytes, &opts) {
        let (audio, rate, _) = r?;
        return Ok((audio, rate));
    }
    let l = load_bytes_as::<f32>(bytes, opts)?;
    Ok((l.audio, l.sample_rate))
}

/// [`load_as`] for a file held in memory.
///
/// ```
/// # fn wav() -> Vec<u8> { let mut v = b"RIFF\x2c\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x80\x3e\0\0\x02\0\x10\0data\x08\0\0\0".to_vec(); v.extend([0,0,0,64,0,192,255,127]); v }
/// let loaded = audiostream::load_bytes_as::<i16>(&wav(), Default::default())?;
/// assert_eq!(loaded.audio.row(0).to_vec(), [0, 16384, -16384, 32767]);
/// assert_eq!(loaded.metadata.bits_per_sample, Some(16));
/// # Ok::<(), audiostream::Error>(())
/// ```
pub fn load_bytes_as<T: Sample>(bytes: &[u8], opts: LoadOptions) -> Result<Loaded<T>> {
    if bytes.is_empty() {
        return Err(Error::invalid_argument(
            "bytes",
            "an empty slice",
            "the bytes of an audio file",
        ));
    }
    opts.check()?;
    let src = Source::Bytes(SharedBytes(Arc::from(bytes)));
    if let Some(r) = direct::<T>(bytes, &opts) {
        let (audio, sample_rate, parts) = r?;
        return Ok(Loaded {
            audio,
            sample_rate,
            metadata: src.metadata(&opts)?,
            parts,
            redecoded: 0,
        });
    }
    load_source(&src, &opts)
}

/// Bytes shared by the readers of a parallel load (copied once from the caller's slice: a
/// reader's source must be `'static`).
#[derive(Clone)]
struct SharedBytes(Arc<[u8]>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Where a load reads from.
enum Source {
    Path(PathBuf),
    Bytes(SharedBytes),
}

impl Source {
    /// Whether other readers can be opened on the source and seeked (files and bytes; not
    /// stdin, URLs, pipes and devices).
    fn splittable(&self) -> bool {
        match self {
            Source::Bytes(_) => true,
            Source::Path(p) => std::fs::metadata(p).is_ok_and(|m| m.is_file()),
        }
    }

    /// The source's metadata, as a reader opened on it describes it.
    fn metadata(&self, opts: &LoadOptions) -> Result<Metadata> {
        let reader = match self {
            Source::Bytes(b) => StreamReader::from_bytes(b.clone(), opts.format.as_deref())?,
            Source::Path(p) => {
                let name = p.display().to_string();
                let file = std::fs::File::open(p)
                    .map_err(|e| Error::io(format!("opening {name:?}"), e))?;
                StreamReader::from_named_reader(file, &name, opts.format.as_deref(), None)?
            }
        };
        Ok(reader.get_metadata())
    }

    /// A reader with one output stream as `opts` asks, in chunks sized for the excerpt (or of
    /// `chunk_frames`); an AAC decoder gets `ledger` ([`pns`]), an Opus decoder `states`
    /// ([`opus`]).
    fn open(
        &self,
        opts: &LoadOptions,
        format: &str,
        ledger: &pns::Ledger,
        states: &opus::States,
        chunk_frames: Option<usize>,
    ) -> Result<StreamReader> {
        let mut reader = match self {
            Source::Bytes(b) => {
                StreamReader::from_reader(Cursor::new(b.clone()), opts.format.as_deref())?
            }
            Source::Path(p) => match p.to_str() {
                Some(s) => StreamReader::new(s, opts.format.as_deref(), None)?,
                // A path that is not UTF-8: opened here, named as it is shown.
                None => {
                    let name = p.display().to_string();
                    let file = std::fs::File::open(p)
                        .map_err(|e| Error::io(format!("opening {name:?}"), e))?;
                    StreamReader::from_named_reader(file, &name, opts.format.as_deref(), None)?
                }
            },
        };
        let mut out = AudioStreamOptions::new(1 << 16)
            .buffer_chunk_size(usize::MAX)
            .format(format);
        if let Some(i) = opts.stream_index {
            out = out.stream_index(i);
        }
        if let Some(hz) = opts.sample_rate {
            out = out.sample_rate(hz);
        }
        if let Some(n) = opts.num_channels {
            out = out.num_channels(n);
        }
        // Chunk size: the whole excerpt where the header says how long it is (one chunk, no
        // copy when it is exact), bounded so that a header cannot make a huge allocation.
        let meta = reader.get_metadata();
        let channels = opts.num_channels.unwrap_or(meta.num_channels).max(1) as u64;
        let rate = opts.sample_rate.unwrap_or(meta.sample_rate);
        let frames = meta
            .num_frames
            .map(|n| crate::dsp::output_frames(meta.sample_rate.max(1), rate.max(1), n))
            .map(|n| {
                let start = (opts.start * f64::from(rate)).round() as u64;
                let left = n.saturating_sub(start);
                opts.duration
                    .map_or(left, |d| left.min((d * f64::from(rate)).round() as u64))
            })
            .unwrap_or(1 << 16);
        // An excerpt longer than one chunk is copied chunk by chunk into the preallocated
        // output: chunks that stay in the cache make that copy cheap (and the reader's
        // buffers small), where 16 MiB chunks went through memory twice. So is one long
        // enough to be split: a part's reader decodes to the end of its chunk, which must not
        // be far past the part's end.
        out.frames_per_chunk = if let Some(n) = chunk_frames {
            n
        } else if in_one_chunk(frames, channels, rate) {
            frames.clamp(1024, MAX_CHUNK_SAMPLES / channels) as usize
        } else {
            COPY_CHUNK_FRAMES
        };
        ledger.attach(&mut reader);
        states.attach(&mut reader);
        reader.add_audio_stream(out)?;
        Ok(reader)
    }
}

fn load_source<T: Sample>(src: &Source, opts: &LoadOptions) -> Result<Loaded<T>> {
    opts.check()?;
    if opts.effect.is_some() && T::FORMAT != SampleFormat::F32 {
        return Err(Error::InvalidArgument(format!(
            "effect with samples of type {}: effects take f32 (load as f32, or without effect)",
            T::FORMAT.name()
        )));
    }
    let format = T::FORMAT.name();
    let first_ledger = pns::Ledger::recording();
    let first_states = opus::States::keeping();
    let mut first = src.open(opts, format, &first_ledger, &first_states, None)?;
    let metadata = first.get_metadata();
    let stream = match opts.stream_index {
        Some(i) => first.get_src_stream_info(i)?,
        None => first.get_src_stream_info(first.default_audio_stream().unwrap_or(0))?,
    };
    let src_rate = stream.sample_rate.unwrap_or(metadata.sample_rate).max(1);
    let rate = opts.sample_rate.unwrap_or(src_rate);
    let channels = opts
        .num_channels
        .unwrap_or(stream.num_channels.unwrap_or(metadata.num_channels));
    let (from, to) = excerpt(opts, rate);
    // Where the source ends (output frames), when its header says exactly.
    let known_end = stream
        .num_frames
        .or(metadata.num_frames)
        .filter(|_| !stream.duration_estimated && !metadata.duration_estimated)
        .map(|n| crate::dsp::output_frames(src_rate, rate, n));
    let threads = threads(opts);
    let codec = stream.codec.as_str();
    // Opus where the output keeps the stream's frames (its parts are joined at a packet).
    let opus_joins = opus::splits(codec) && first.output_frame_of_packet(0).is_some();
    let splits = codec.starts_with("pcm_")
        || SPLIT_CODECS.contains(&codec)
        || pns::splits(codec)
        || opus_joins;
    let parts = match known_end.map(|end| to.map_or(end, |t| t.min(end))) {
        Some(end) if splits && threads > 1 && src.splittable() => {
            let len = end.saturating_sub(from);
            if (len as f64) < PARALLEL_MIN_SECONDS * f64::from(rate) {
                1
            } else {
                let by_length = (len as f64 / (MIN_PART_SECONDS * f64::from(rate))) as usize;
                let most = if opus_joins {
                    opus::MAX_PARTS
                } else {
                    usize::MAX
                };
                threads.min(by_length).min(most).max(1)
            }
        }
        _ => 1,
    };
    // The parts are cut inside the excerpt the header describes; the last one reads to `to`
    // or the real end, whatever the header said.
    let end = known_end
        .map_or(from, |e| to.map_or(e, |t| t.min(e)))
        .max(from);
    let bounds: Vec<u64> = (0..=parts)
        .map(|k| from + (end - from) * k as u64 / parts as u64)
        .collect();
    // One output array for the whole excerpt, when the header's length is plausible (see
    // `preallocate`); each part decodes into its slice of each row.
    let planned = usize::try_from(end - from).unwrap_or(usize::MAX);
    let mut out: Vec<T> = match preallocate(src, channels, planned, parts, rate) {
        true => vec![T::SILENCE; channels * planned],
        false => Vec::new(),
    };
    let mut slots: Vec<Vec<&mut [T]>> = (0..parts).map(|_| Vec::new()).collect();
    if !out.is_empty() {
        for row in out.chunks_mut(planned) {
            let mut rest = row;
            for (k, slot) in slots.iter_mut().enumerate() {
                let (mine, tail) = rest.split_at_mut((bounds[k + 1] - bounds[k]) as usize);
                slot.push(mine);
                rest = tail;
            }
        }
    }
    let mut targets = slots.into_iter().map(Target::new);
    // Opus: each part but the last decodes on through a window past its end, and the states
    // in each window are kept by both parts that decode it (see `opus`).
    let window = if opus_joins && parts > 1 {
        (opus::JOIN_WINDOW_SECONDS * f64::from(rate)).round() as u64
    } else {
        0
    };
    // (frames, whether the states are kept): every part's start is checked, the states kept
    // at every join.
    let windows: Vec<(Range<u64>, bool)> = bounds[1..parts]
        .iter()
        .map(|&b| (b..b + window, true))
        .collect();
    if window > 0 {
        // The window at its start too: a stream that starts in SILK is not split.
        first_states.set_windows(&first, &[(from..from + window, false), windows[0].clone()]);
    }
    // Set by an Opus part that cannot be joined (see `decode_opus_part`): the parts after the
    // first stop, and the first decodes to the end.
    let gave_up = std::sync::atomic::AtomicBool::new(false);
    // Set when the first part then decoded the whole excerpt.
    let mut first_whole = false;
    // Each part: its target, its ledger, its states, and whether it can be joined (see
    // `decode_part`).
    let mut first_target = targets.next().unwrap_or_else(|| Target::new(Vec::new()));
    // Opus: the first part decodes the window at its start before the others are started; a
    // stream whose start cannot be joined (SILK or hybrid packets there, a multistream) is
    // then decoded by it alone, without opening the other parts.
    let mut first_alone = false;
    if window > 0 {
        let expect = seek_to(&mut first, rate, from)?;
        let through = bounds[1] + window - from;
        let head = pump(
            &mut first,
            rate,
            expect,
            Some(through),
            &mut first_target,
            &mut |got| got < window,
        )?;
        if head == Some(false) {
            log::warn!("the first part of a parallel load did not start where it was asked to; decoding again on one thread");
            return load_on_one_thread(src, opts);
        }
        first_alone = first_states.hopeless();
    }
    let results: Vec<Result<Part<'_, T>>> = if parts == 1 {
        vec![
            decode_range::<T>(&mut first, rate, from, to, &mut first_target)
                .map(|_| (first_target, first_ledger, first_states, true)),
        ]
    } else if first_alone {
        first_whole = true;
        let rest = move || targets.map(|t| Ok(alone_part(t, true))).collect();
        parts_of_first_alone(first_to_the_end(
            &mut first,
            rate,
            (from, to),
            first_target,
            rest,
        ))
    } else {
        std::thread::scope(|scope| {
            let gave_up = &gave_up;
            let handles: Vec<_> = targets
                .enumerate()
                .map(|(i, mut t)| {
                    let k = i + 1;
                    let (a, b) = (bounds[k], bounds[k + 1]);
                    let last = k + 1 == parts;
                    let windows = &windows;
                    scope.spawn(move || {
                        let ledger = pns::Ledger::recording();
                        let states = opus::States::keeping();
                        let mut reader = src.open(opts, format, &ledger, &states, None)?;
                        if window > 0 {
                            // The window at its start, and the one past its end.
                            states.set_windows(&reader, &windows[i..windows.len().min(k + 1)]);
                        }
                        let to = if last { to } else { Some(b + window) };
                        let joinable = if window > 0 {
                            decode_opus_part::<T>(
                                &mut reader,
                                rate,
                                (a, to),
                                window,
                                &states,
                                gave_up,
                                &mut t,
                            )?
                        } else {
                            decode_part::<T>(&mut reader, rate, a, to, &mut t)?
                        };
                        Ok((t, ledger, states, joinable))
                    })
                })
                .collect();
            let first_part = if window > 0 {
                let taken = first_target.frames();
                continue_first_opus_part::<T>(
                    &mut first,
                    rate,
                    (bounds[1] + window - from).saturating_sub(taken),
                    gave_up,
                    &mut first_target,
                )
            } else {
                decode_part::<T>(
                    &mut first,
                    rate,
                    bounds[0],
                    Some(bounds[1]),
                    &mut first_target,
                )
                .map(Some)
            };
            match first_part {
                // An Opus part gave up (see `decode_opus_part`): the others stop, and
                // the first part decodes on into every place.
                Ok(None) => {
                    first_whole = true;
                    let rest = move || handles.into_iter().map(joined).collect();
                    parts_of_first_alone(first_to_the_end(
                        &mut first,
                        rate,
                        (bounds[0], to),
                        first_target,
                        rest,
                    ))
                }
                first_part => {
                    let mut results = vec![first_part
                        .map(|j| (first_target, first_ledger, first_states, j.unwrap_or(false)))];
                    results.extend(handles.into_iter().map(joined));
                    results
                }
            }
        })
    };
    let mut targets = Vec::with_capacity(parts);
    let mut ledgers = Vec::with_capacity(parts);
    let mut states = Vec::with_capacity(parts);
    let mut joinable = Vec::with_capacity(parts);
    for r in results {
        let (t, l, s, j) = r?;
        targets.push(t);
        ledgers.push(l);
        states.push(s);
        joinable.push(j);
    }
    // What `Loaded::parts` says.
    let decoded_in = if first_whole { 1 } else { parts };
    if first_whole {
        // An Opus part could not be joined: the first part decoded the whole excerpt.
        log::debug!("Opus load: a part cannot be joined (SILK or hybrid packets, or a multistream); decoded by the first part alone");
        states.clear();
    }
    if joinable.contains(&false) {
        log::warn!("a part of a parallel load did not start where it was asked to, met a packet that failed to decode or went missing, or its stream changed rate mid-stream; decoding again on one thread");
        return load_on_one_thread(src, opts);
    }
    // Frames decoded a second time (AAC parts whose noise generator had to be set; the
    // windows Opus parts decode past their ends).
    let mut redecoded = 0u64;
    if window > 0 && !states.is_empty() {
        let joined_up = join_opus(&first, &bounds, window, &states, &mut targets);
        // The decoder states kept for the joins (tens of MB) are not needed any more.
        states.clear();
        if !joined_up {
            log::warn!("the decoders of two parts of a parallel Opus load did not come to the same state within {} s; decoding again on one thread", opus::JOIN_WINDOW_SECONDS);
            return load_on_one_thread(src, opts);
        }
        redecoded = window * (parts as u64 - 1);
    }
    // AAC: the parts whose noise generator did not start where a decode from the start has it
    // are decoded again with it set there (see `pns`): only around the packets with noise
    // bands where the output keeps the source's frames, else whole.
    if parts > 1 && pns::splits(codec) {
        let Some(again) = pns::redo(&ledgers) else {
            log::warn!("the parts of a parallel load disagree on what a packet decodes to; decoding again on one thread");
            return load_on_one_thread(src, opts);
        };
        if !again.parts.is_empty() {
            let plan = Redo {
                src,
                opts,
                format,
                rate,
                to,
                bounds: &bounds,
                threads,
            };
            let done = match plan.noise_ranges(&first, &again, &targets) {
                Some(ranges) => {
                    redecoded = ranges.iter().map(|(_, r)| r.end - r.start).sum();
                    log::debug!(
                        "AAC load in {parts} parts: {} decoded again around their noise bands, {} ranges of {redecoded} frames",
                        again.parts.len(),
                        ranges.len(),
                    );
                    plan.run_ranges(&mut targets, &again, ranges)?
                }
                None => {
                    log::debug!(
                        "AAC load in {parts} parts: {} decoded again whole with the noise generator set",
                        again.parts.len()
                    );
                    redecoded = again
                        .parts
                        .iter()
                        .map(|&(k, _)| bounds[k + 1] - bounds[k])
                        .sum();
                    plan.run(&mut targets, &again)?
                }
            };
            if !done {
                log::warn!("a part decoded again did not fill its place (a header that says another length); decoding again on one thread");
                return load_on_one_thread(src, opts);
            }
        }
    }
    // What each part got: frames in its slot, frames past it.
    let mut got = Vec::with_capacity(parts);
    let mut short = false;
    for (k, t) in targets.into_iter().enumerate() {
        let n = t.frames();
        // A part that ends early is the end of the source (a header that said more): the
        // parts after it must be empty, or the join would not be the source's.
        if short && n > 0 {
            log::warn!("a parallel load found audio after a part ended early; decoding again on one thread");
            return load_on_one_thread(src, opts);
        }
        short = k + 1 < parts && n < bounds[k + 1] - bounds[k];
        got.push((t.filled, t.extra));
    }
    let exact = !out.is_empty()
        && got.iter().enumerate().all(|(k, (filled, extra))| {
            *filled as u64 == bounds[k + 1] - bounds[k] && extra.is_empty()
        });
    let audio = if exact {
        Array2::from_shape_vec((channels, planned), out)
            .map_err(|e| Error::decode(format!("assembling a load: {e}")))?
    } else {
        // No preallocation, or a header that was wrong: the pieces joined end to end.
        let whole =
            Array2::from_shape_vec((channels, if out.is_empty() { 0 } else { planned }), out)
                .map_err(|e| Error::decode(format!("assembling a load: {e}")))?;
        let mut pieces = Vec::new();
        for (k, (filled, extra)) in got.into_iter().enumerate() {
            let at = (bounds[k] - bounds[0]) as usize;
            if whole.ncols() > 0 && filled > 0 {
                pieces.push(whole.slice(ndarray::s![.., at..at + filled]).to_owned());
            }
            pieces.extend(extra);
        }
        join(pieces, channels)?
    };
    let audio = apply_effect(audio, opts, rate)?;
    Ok(Loaded {
        audio,
        sample_rate: rate,
        metadata,
        parts: decoded_in,
        redecoded,
    })
}

/// One part of a parallel load once decoded: where it went, its AAC ledger, its Opus states,
/// and whether it can be joined to the others (see `decode_part`).
type Part<'a, T> = (Target<'a, T>, pns::Ledger, opus::States, bool);

/// A part whose place the first part filled ([`first_to_the_end`]): no ledger or states of its
/// own, `ok` as the first part's decode.
fn alone_part<T>(target: Target<'_, T>, ok: bool) -> Part<'_, T> {
    (target, pns::Ledger::default(), opus::States::default(), ok)
}

/// Every part's result once the first part decoded the whole excerpt ([`first_to_the_end`]).
fn parts_of_first_alone<'a, T>(
    decoded: Result<(Vec<Target<'a, T>>, bool)>,
) -> Vec<Result<Part<'a, T>>> {
    match decoded {
        Ok((all, ok)) => all.into_iter().map(|t| Ok(alone_part(t, ok))).collect(),
        Err(e) => vec![Err(e)],
    }
}

/// Joins the parts of an Opus load (see [`opus`]): for each part after the first, the frames
/// from its start to the packet where its decoder's state equals the part before's are taken
/// from the frames the part before decoded past its end (`window` of them), and those are
/// dropped. `false` when a pair of parts has no such packet, or the part before did not decode
/// far enough (then the parts cannot be joined).
fn join_opus<T: Sample>(
    reader: &StreamReader,
    bounds: &[u64],
    window: u64,
    states: &[opus::States],
    targets: &mut [Target<'_, T>],
) -> bool {
    for k in 1..targets.len() {
        let b = bounds[k];
        let Some(next) = states[k - 1].join_from(&states[k]) else {
            return false;
        };
        let Some(v) = reader.output_frame_of_packet(next) else {
            return false;
        };
        let take = (v.max(0) as u64).saturating_sub(b);
        let (before, after) = targets.split_at_mut(k);
        let (earlier, later) = (&mut before[k - 1], &mut after[0]);
        let past_end: u64 = earlier.extra.iter().map(|a| a.ncols() as u64).sum();
        if take > window
            || take > past_end
            || earlier
                .rows
                .first()
                .is_none_or(|r| earlier.filled != r.len())
        {
            return false;
        }
        if !later.overwrite_front(&earlier.extra, take as usize) {
            return false;
        }
        earlier.extra.clear();
    }
    true
}

/// The shortest sub-part a part decoded again ([`Redo`]) is cut into, in seconds: shorter than
/// [`MIN_PART_SECONDS`], as the part's reader costs a few milliseconds against seconds of
/// decoding.
const MIN_REDO_PART_SECONDS: f64 = 5.0;

/// Parts of a parallel AAC load to decode again with their noise generator set ([`pns`]).
struct Redo<'a> {
    src: &'a Source,
    opts: &'a LoadOptions,
    format: &'a str,
    rate: u32,
    /// Where the excerpt ends (`None`: at the end of the source).
    to: Option<u64>,
    /// The parts' first frames, and the end.
    bounds: &'a [u64],
    threads: usize,
}

impl Redo<'_> {
    /// Decodes the parts `again` names once more, each with a ledger of `again`'s (shared by
    /// its sub-parts), into their targets, on
    /// every core: a part is cut into sub-parts when there are more threads than parts to
    /// decode (into sub-slices of its rows). `Ok(false)` when a sub-part did not fill its
    /// slice exactly (a header that said another length than the source has) or did not start
    /// where it was asked to.
    fn run<T: Sample>(&self, targets: &mut [Target<'_, T>], again: &pns::Again) -> Result<bool> {
        let parts = targets.len();
        let per_part = (self.threads / again.parts.len().max(1)).max(1);
        // (part, sub-part's first frame, where it stops, its target, its ledger).
        let mut jobs = Vec::new();
        for &(k, _) in &again.parts {
            let ledger = again.ledger();
            let Some(target) = targets.get_mut(k) else {
                continue;
            };
            let (a, b) = (self.bounds[k], self.bounds[k + 1]);
            let by_length =
                ((b - a) as f64 / (MIN_REDO_PART_SECONDS * f64::from(self.rate))) as usize;
            // Without preallocated rows (a header without a plausible length) a part is not cut.
            let m = if target.rows.is_empty() {
                1
            } else {
                per_part.min(by_length).max(1)
            };
            let cuts: Vec<u64> = (0..=m).map(|j| a + (b - a) * j as u64 / m as u64).collect();
            let rows = std::mem::take(&mut target.rows);
            target.clear();
            let lens: Vec<usize> = cuts.windows(2).map(|w| (w[1] - w[0]) as usize).collect();
            let subs = split_rows(rows, &lens);
            for (j, sub) in subs.into_iter().enumerate() {
                let stop = if j + 1 < m {
                    Some(cuts[j + 1])
                } else if k + 1 == parts {
                    self.to
                } else {
                    Some(b)
                };
                jobs.push((k, cuts[j], stop, sub, ledger.clone()));
            }
        }
        let done: Vec<(usize, Result<SubPart<'_, T>>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = jobs
                .into_iter()
                .map(|(k, from, stop, mut sub, ledger)| {
                    let handle = scope.spawn(move || {
                        let mut reader = self.src.open(
                            self.opts,
                            self.format,
                            &ledger,
                            &opus::States::default(),
                            None,
                        )?;
                        decode_range::<T>(&mut reader, self.rate, from, stop, &mut sub)
                            .map(|landed| (landed && joinable(&reader), sub))
                    });
                    (k, handle)
                })
                .collect();
            handles.into_iter().map(|(k, h)| (k, joined(h))).collect()
        });
        // Each part's sub-parts, in order: all but the last must fill their slices exactly;
        // the part then holds what they hold together, and what came past the last one.
        let mut last_k = usize::MAX;
        let mut slices_full = true;
        for (k, sub) in done {
            let (landed, sub) = sub?;
            if !landed {
                return Ok(false);
            }
            let target = &mut targets[k];
            if k == last_k && !slices_full {
                return Ok(false);
            }
            slices_full =
                sub.extra.is_empty() && sub.rows.first().is_none_or(|r| sub.filled == r.len());
            target.filled += sub.filled;
            target.extra = sub.extra;
            last_k = k;
        }
        Ok(true)
    }

    /// The output frames to decode again in each part of `again`: around each packet that drew
    /// noise (its own frames and the next packet's, which its MDCT overlap reaches), clamped
    /// to the part, nearby ones merged; `(part, frames)` in the order of the output. `None`
    /// when the frames a packet decodes to are not known exactly (the output resamples, the
    /// timestamps do not name frames) or a part did not fill its place exactly: then the parts
    /// are decoded again whole ([`Redo::run`]).
    fn noise_ranges<T: Sample>(
        &self,
        reader: &StreamReader,
        again: &pns::Again,
        targets: &[Target<'_, T>],
    ) -> Option<Vec<(usize, Range<u64>)>> {
        let n = pns::PACKET_FRAMES as i64;
        let mut ranges = Vec::new();
        for (k, drew) in &again.parts {
            let (a, b) = (self.bounds[*k], *self.bounds.get(k + 1)?);
            let target = targets.get(*k)?;
            if target.rows.is_empty() || !target.extra.is_empty() || target.frames() != b - a {
                return None;
            }
            let mut around: Vec<Range<u64>> = Vec::with_capacity(drew.len());
            for &ts in drew {
                let first = reader.output_frame_of_packet(ts)?;
                let from = (first.max(0) as u64).max(a);
                let to = (first.saturating_add(2 * n).max(0) as u64).min(b);
                if from < to {
                    around.push(from..to);
                }
            }
            around.sort_by_key(|r| r.start);
            let mut merged: Vec<Range<u64>> = Vec::with_capacity(around.len());
            for r in around {
                match merged.last_mut() {
                    // Decoding a short gap costs less than the seek and pre-roll of a new range.
                    Some(last)
                        if r.start <= last.end + REDO_MERGE_GAP_PACKETS * pns::PACKET_FRAMES =>
                    {
                        last.end = last.end.max(r.end);
                    }
                    _ => merged.push(r),
                }
            }
            ranges.extend(merged.into_iter().map(|r| (*k, r)));
        }
        Some(ranges)
    }

    /// Decodes the `ranges` of [`Redo::noise_ranges`] again into their parts' rows, with the
    /// noise generators set: the ranges are shared out in order between the threads (each
    /// thread one reader, seeking forward from range to range). `Ok(false)` when a range did
    /// not fill its frames exactly.
    fn run_ranges<T: Sample>(
        &self,
        targets: &mut [Target<'_, T>],
        again: &pns::Again,
        ranges: Vec<(usize, Range<u64>)>,
    ) -> Result<bool> {
        // Each range's rows: the part's rows cut at the ranges' edges.
        let mut jobs: Vec<(Range<u64>, Target<'_, T>)> = Vec::with_capacity(ranges.len());
        for (k, target) in targets.iter_mut().enumerate() {
            let mine: Vec<&Range<u64>> = ranges
                .iter()
                .filter(|(p, _)| *p == k)
                .map(|(_, r)| r)
                .collect();
            if mine.is_empty() {
                continue;
            }
            let a = self.bounds[k];
            let mut lens = Vec::with_capacity(2 * mine.len() + 1);
            let mut at = a;
            for r in &mine {
                lens.push((r.start - at) as usize);
                lens.push((r.end - r.start) as usize);
                at = r.end;
            }
            let rows: Vec<&mut [T]> = target.rows.iter_mut().map(|r| &mut **r).collect();
            let pieces = split_rows(rows, &lens);
            jobs.extend(
                mine.into_iter()
                    .cloned()
                    .zip(pieces.into_iter().skip(1).step_by(2)),
            );
        }
        // Shared out in order, each thread about the same frames (a range costs its seek's
        // pre-roll too).
        let cost = |r: &Range<u64>| r.end - r.start + REDO_RANGE_COST_FRAMES;
        let total: u64 = jobs.iter().map(|(r, _)| cost(r)).sum();
        let threads = self.threads.clamp(1, jobs.len().max(1));
        let mut groups: Vec<Vec<(Range<u64>, Target<'_, T>)>> = Vec::with_capacity(threads);
        let mut done_cost = 0u64;
        for job in jobs {
            let share = (done_cost * threads as u64 / total.max(1)) as usize;
            if groups.len() <= share.min(threads - 1) {
                groups.push(Vec::new());
            }
            done_cost += cost(&job.0);
            if let Some(g) = groups.last_mut() {
                g.push(job);
            }
        }
        let results: Vec<Result<bool>> = std::thread::scope(|scope| {
            let handles: Vec<_> = groups
                .into_iter()
                .map(|group| {
                    scope.spawn(move || {
                        let ledger = again.ledger();
                        let mut reader = self.src.open(
                            self.opts,
                            self.format,
                            &ledger,
                            &opus::States::default(),
                            Some(REDO_CHUNK_FRAMES),
                        )?;
                        for (range, mut sub) in group {
                            let landed = decode_range::<T>(
                                &mut reader,
                                self.rate,
                                range.start,
                                Some(range.end),
                                &mut sub,
                            )?;
                            let full = landed
                                && joinable(&reader)
                                && sub.extra.is_empty()
                                && sub.rows.first().is_none_or(|r| sub.filled == r.len());
                            if !full {
                                return Ok(false);
                            }
                        }
                        Ok(true)
                    })
                })
                .collect();
            handles.into_iter().map(joined).collect()
        });
        for r in results {
            if !r? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Ranges to decode again at most this many packets apart are decoded as one
/// ([`Redo::noise_ranges`]): a new range costs a seek and the packet before it (the seek's
/// preroll).
const REDO_MERGE_GAP_PACKETS: u64 = 1;

/// What starting a range costs, in frames decoded ([`Redo::run_ranges`]'s sharing out): the
/// seek's preroll.
const REDO_RANGE_COST_FRAMES: u64 = 1024;

/// Chunk size of the readers that decode ranges again: a range is a few packets, and a reader
/// decodes up to a chunk past where it is stopped.
const REDO_CHUNK_FRAMES: usize = 1024;

/// A sub-part decoded again ([`Redo::run`]): whether it started where it was asked to, and
/// what it decoded.
type SubPart<'a, T> = (bool, Target<'a, T>);

/// Cuts each row into consecutive slices of `lens` frames: one target per slice length.
fn split_rows<'a, T: Sample>(rows: Vec<&'a mut [T]>, lens: &[usize]) -> Vec<Target<'a, T>> {
    let mut subs: Vec<Vec<&'a mut [T]>> = lens.iter().map(|_| Vec::new()).collect();
    for row in rows {
        let mut rest = row;
        for (sub, &n) in subs.iter_mut().zip(lens) {
            let (mine, tail) = rest.split_at_mut(n.min(rest.len()));
            sub.push(mine);
            rest = tail;
        }
    }
    subs.into_iter().map(Target::new).collect()
}

/// [`load_source`] again with `threads(1)`: what a parallel load falls back on when its parts
/// cannot be joined.
fn load_on_one_thread<T: Sample>(src: &Source, opts: &LoadOptions) -> Result<Loaded<T>> {
    load_source(
        src,
        &LoadOptions {
            threads: Some(1),
            ..opts.clone()
        },
    )
}

/// The result of a decoding thread of a load (a panic in it as an error).
fn joined<R>(handle: std::thread::ScopedJoinHandle<'_, Result<R>>) -> Result<R> {
    handle.join().unwrap_or_else(|_| {
        Err(Error::Decode(crate::DecodeError::new(
            crate::DecodeErrorKind::Internal,
            "a decoding thread of load panicked",
        )))
    })
}

/// Applies the options' effects (if any) to a loaded excerpt.
fn apply_effect<T: Sample>(audio: Array2<T>, opts: &LoadOptions, rate: u32) -> Result<Array2<T>> {
    Ok(match &opts.effect {
        None => audio,
        Some(fx) => {
            let f: Array2<f32> = audio.mapv(f32::convert_from);
            fx.apply(f.view(), rate)?.mapv(T::convert_from)
        }
    })
}

/// The frames `[from, to)` an excerpt of `opts` covers at `rate` (`to`: `None` to the end).
fn excerpt(opts: &LoadOptions, rate: u32) -> (u64, Option<u64>) {
    let from = (opts.start * f64::from(rate)).round() as u64;
    let to = opts
        .duration
        .map(|d| from.saturating_add((d * f64::from(rate)).round() as u64));
    (from, to)
}

/// Threads a load may use (`opts.threads`, default every core).
fn threads(opts: &LoadOptions) -> usize {
    opts.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    })
}

/// The direct path for a plain WAV file in memory, in builds that read WAV (`decode-wav`;
/// without it WAV bytes get the general path's "not a recognised audio format").
fn direct<T: Sample>(bytes: &[u8], opts: &LoadOptions) -> Option<Result<(Array2<T>, u32, usize)>> {
    #[cfg(feature = "decode-wav")]
    return wav_direct(bytes, opts);
    #[cfg(not(feature = "decode-wav"))]
    {
        let _ = (bytes, opts);
        None
    }
}

/// Whether options allow the direct path at all (the default container and stream; effects
/// only in `f32`). `opts` must have been checked.
#[cfg(feature = "decode-wav")]
fn direct_options<T: Sample>(opts: &LoadOptions) -> bool {
    let forced = opts
        .format
        .as_deref()
        .map(|f| f.trim().to_ascii_lowercase());
    !(forced.is_some_and(|f| f != "wav" && f != "wave")
        || opts.stream_index.is_some_and(|i| i != 0)
        || (opts.effect.is_some() && T::FORMAT != SampleFormat::F32))
}

/// The frames of a plain WAV file `opts` asks for and the threads converting them, or `None`
/// when they need the general path (a conversion of rate or channels).
#[cfg(feature = "decode-wav")]
fn direct_plan(
    layout: &wav::Layout,
    opts: &LoadOptions,
) -> Option<(std::ops::Range<usize>, usize)> {
    let rate = layout.sample_rate;
    if opts.sample_rate.is_some_and(|r| r != rate)
        || opts.num_channels.is_some_and(|n| n != layout.channels)
    {
        return None;
    }
    let (from, to) = excerpt(opts, rate);
    let frames = layout.frames() as u64;
    let a = from.min(frames);
    let b = to.map_or(frames, |t| t.min(frames)).max(a);
    let threads = threads(opts);
    let parts = if threads > 1 && ((b - a) as f64) >= PARALLEL_MIN_SECONDS * f64::from(rate) {
        threads
    } else {
        1
    };
    // Both within the data's frame count, which is a `usize`.
    Some((a as usize..b as usize, parts))
}

#[cfg(feature = "decode-wav")]
/// The direct path for a plain WAV file in memory (see `wav.rs`): `(audio, rate, parts)`, or
/// `None` when the bytes or the options need the general path (a conversion of rate or
/// channels, another container or stream). `opts` must have been checked.
fn wav_direct<T: Sample>(
    bytes: &[u8],
    opts: &LoadOptions,
) -> Option<Result<(Array2<T>, u32, usize)>> {
    if !direct_options::<T>(opts) {
        return None;
    }
    let layout = wav::parse(bytes)?;
    let (range, parts) = direct_plan(&layout, opts)?;
    let rate = layout.sample_rate;
    // Converted in the type asked for (symphonia's conversions, as the reader's chunk buffer);
    // from memory nothing can fail but the cast (a `Sample` type of the user's own: the
    // general path converts it).
    let audio = in_sample_type!(T, |X| wav::decode::<X>(
        bytes,
        &layout,
        range.clone(),
        parts
    ))
    .ok()??;
    Some(apply_effect(audio, opts, rate).map(|a| (a, rate, parts)))
}

/// `a` as an array of `T`, when `T` is `X`.
#[cfg(feature = "decode-wav")]
fn cast<X: 'static, T: 'static>(a: Array2<X>) -> Option<Array2<T>> {
    let any: Box<dyn std::any::Any> = Box::new(a);
    any.downcast::<Array2<T>>().ok().map(|b| *b)
}

/// Where one part of a load goes: its slice of each row of the preallocated output, and past
/// them (a source longer than its header says, or no preallocation) chunks of its own.
struct Target<'a, T> {
    rows: Vec<&'a mut [T]>,
    /// Frames written into `rows`.
    filled: usize,
    extra: Vec<Array2<T>>,
}

impl<'a, T: Sample> Target<'a, T> {
    fn new(rows: Vec<&'a mut [T]>) -> Self {
        Target {
            rows,
            filled: 0,
            extra: Vec::new(),
        }
    }

    /// Forgets what was received (the rows are written again from their start).
    fn clear(&mut self) {
        self.filled = 0;
        self.extra.clear();
    }

    /// Frames the rows still have room for (0 once anything went past them).
    fn room(&self) -> usize {
        match self.rows.first() {
            Some(r) if self.extra.is_empty() => r.len() - self.filled,
            _ => 0,
        }
    }

    /// Frames received.
    fn frames(&self) -> u64 {
        self.filled as u64 + self.extra.iter().map(|a| a.ncols() as u64).sum::<u64>()
    }

    /// Writes the first `n` frames of `pieces` (joined end to end) over the first `n` frames
    /// of the rows; `false` when there are not that many of either.
    fn overwrite_front(&mut self, pieces: &[Array2<T>], n: usize) -> bool {
        if self.filled < n || self.rows.is_empty() {
            return n == 0;
        }
        let mut at = 0;
        for piece in pieces {
            if at == n {
                break;
            }
            if piece.nrows() != self.rows.len() {
                return false;
            }
            let m = (n - at).min(piece.ncols());
            for (row, src) in self.rows.iter_mut().zip(piece.rows()) {
                for (d, s) in row[at..at + m].iter_mut().zip(src.iter()) {
                    *d = *s;
                }
            }
            at += m;
        }
        at == n
    }

    /// Takes a decoded chunk: copied into the rows while they have room, kept as it is after.
    fn push(&mut self, data: Array2<T>) {
        let room = if self.rows.len() == data.nrows() {
            self.room()
        } else {
            0
        };
        let n = room.min(data.ncols());
        if n == 0 {
            self.extra.push(data);
            return;
        }
        for (row, src) in self.rows.iter_mut().zip(data.rows()) {
            let dst = &mut row[self.filled..self.filled + n];
            match src.as_slice() {
                Some(s) => dst.copy_from_slice(&s[..n]),
                None => dst.iter_mut().zip(src.iter()).for_each(|(d, s)| *d = *s),
            }
        }
        self.filled += n;
        if n < data.ncols() {
            self.extra.push(data.slice(ndarray::s![.., n..]).to_owned());
        }
    }
}

/// Largest output a load preallocates from the length a header states (samples; 2 GiB of
/// `f32`). Longer sources grow piece by piece.
const PREALLOC_MAX_SAMPLES: usize = 1 << 29;

/// Most output samples per source byte a preallocation believes (FLAC's constant subframes of
/// digital silence come near); a header that claims more is not trusted.
const PREALLOC_MAX_SAMPLES_PER_BYTE: u64 = 1024;

/// Whether an excerpt of `frames` frames is read as one chunk (then moved into the result, not
/// copied): at most [`MAX_CHUNK_SAMPLES`], and too short to be split.
fn in_one_chunk(frames: u64, channels: u64, rate: u32) -> bool {
    frames.saturating_mul(channels) <= MAX_CHUNK_SAMPLES
        && (frames as f64) < PARALLEL_MIN_SECONDS * f64::from(rate)
}

/// Whether a load preallocates its output from the header's length: the excerpt is longer than
/// one chunk (a single chunk is moved, not copied) or split, and the claim is bounded both
/// absolutely and by the source's size, so a short file cannot make a huge allocation.
fn preallocate(src: &Source, channels: usize, frames: usize, parts: usize, rate: u32) -> bool {
    let samples = channels.saturating_mul(frames);
    let src_len = match src {
        Source::Bytes(b) => b.0.len() as u64,
        Source::Path(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
    };
    (parts > 1 || !in_one_chunk(frames as u64, channels as u64, rate))
        && samples > 0
        && samples <= PREALLOC_MAX_SAMPLES
        && samples as u64 <= src_len.saturating_mul(PREALLOC_MAX_SAMPLES_PER_BYTE)
}

/// Decodes one part of a parallel load ([`decode_range`]): `Ok(true)` when it can be joined
/// to the others (see [`joinable`]).
fn decode_part<T: Sample>(
    reader: &mut StreamReader,
    rate: u32,
    from: u64,
    to: Option<u64>,
    target: &mut Target<'_, T>,
) -> Result<bool> {
    let landed = decode_range(reader, rate, from, to, target)?;
    Ok(landed && joinable(reader))
}

/// Whether what a reader of a parallel load decoded can be joined to what the others did: its
/// stream did not change rate (the resampler back to the first rate carries state across the
/// parts' edges), and no packet failed to decode or went missing (a decoder's state after a
/// packet that failed part way is not what a seek rebuilds: measured on damaged AAC, whose
/// next packet then takes a stale MDCT overlap in one decode and none in the other).
fn joinable(reader: &StreamReader) -> bool {
    let stats = reader.stats();
    !reader.resampled_mid_stream() && stats.failed_packets == 0 && stats.gaps == 0
}

/// Decodes one part after the first of a parallel Opus load, `(from, to)` (see [`opus`]):
/// `Ok(true)` when it can be joined to the one before. Once the window at its start is decoded
/// it knows whether it cannot be (SILK or hybrid packets there, a multistream): then it says
/// so in `gave_up` and stops, as every part after the first does once `gave_up` is set.
fn decode_opus_part<T: Sample>(
    reader: &mut StreamReader,
    rate: u32,
    (from, to): (u64, Option<u64>),
    window: u64,
    states: &opus::States,
    gave_up: &std::sync::atomic::AtomicBool,
    target: &mut Target<'_, T>,
) -> Result<bool> {
    use std::sync::atomic::Ordering::Relaxed;
    let expect = seek_to(reader, rate, from)?;
    let want = to.map(|t| t.saturating_sub(from));
    let mut checked = false;
    let done = pump(reader, rate, expect, want, target, &mut |got| {
        if !checked && got >= window {
            checked = true;
            if states.hopeless() {
                gave_up.store(true, Relaxed);
            }
        }
        !gave_up.load(Relaxed)
    })?;
    if states.hopeless() {
        gave_up.store(true, Relaxed);
    }
    Ok(done == Some(true) && !gave_up.load(Relaxed) && joinable(reader))
}

/// Decodes on the first part of a parallel Opus load, whose first window
/// [`load_source`] decoded: `want` more frames, up to the window past its end, unless a part
/// gives up (`gave_up`). `Ok(Some(true))` when it decoded its place; `Ok(None)` when it stopped,
/// between two chunks, because a part gave up (then [`first_to_the_end`] goes on);
/// `Ok(Some(false))` when it cannot be used (a part gave up only after it was done: its last
/// chunk was cut at the end of the window, so it cannot go on).
fn continue_first_opus_part<T: Sample>(
    reader: &mut StreamReader,
    rate: u32,
    want: u64,
    gave_up: &std::sync::atomic::AtomicBool,
    target: &mut Target<'_, T>,
) -> Result<Option<bool>> {
    use std::sync::atomic::Ordering::Relaxed;
    let done = pump(reader, rate, None, Some(want), target, &mut |_| {
        !gave_up.load(Relaxed)
    })?;
    Ok(match done {
        Some(true) => Some(!gave_up.load(Relaxed) && joinable(reader)),
        other => other,
    })
}

/// The first part of a parallel load, stopped by [`continue_first_opus_part`] (or alone from
/// the start), decodes on to the
/// excerpt's end `to`: into its own place, then into the other parts' places, which `rest`
/// gives once it gets there (the other parts stopped long before: their decodes are dropped).
/// Returns every part's target, and whether they hold the excerpt.
fn first_to_the_end<'a, T: Sample>(
    reader: &mut StreamReader,
    rate: u32,
    (from, to): (u64, Option<u64>),
    mut first: Target<'a, T>,
    rest: impl FnOnce() -> Vec<Result<Part<'a, T>>>,
) -> Result<(Vec<Target<'a, T>>, bool)> {
    // What the first part took past its place goes on in the next places.
    let past = std::mem::take(&mut first.extra);
    let mut taken = first.filled as u64;
    let mut chain = Chain {
        targets: vec![first],
        at: 0,
        rest: Some(Box::new(rest)),
        failed: None,
    };
    for piece in past {
        taken += piece.ncols() as u64;
        chain.push(piece);
    }
    let more = to.map(|t| t.saturating_sub(from + taken));
    let done = pump(reader, rate, None, more, &mut chain, &mut |_| true);
    // The other parts are joined whatever happened (a panic in one becomes its error).
    let all = chain.finish();
    // The first part alone is the single-threaded decode itself.
    let ok = done? == Some(true);
    all.map(|all| (all, ok))
}

/// The other parts' results, once the first part needs their places ([`first_to_the_end`]).
type Rest<'f, 'a, T> = Box<dyn FnOnce() -> Vec<Result<Part<'a, T>>> + 'f>;

/// Several parts' places in order, filled one after the other (what does not fit stays past
/// the last one), the places after the first taken from `rest` when they are needed.
struct Chain<'f, 'a, T> {
    targets: Vec<Target<'a, T>>,
    /// The place being filled.
    at: usize,
    rest: Option<Rest<'f, 'a, T>>,
    /// The error a part in `rest` ended with.
    failed: Option<Error>,
}

impl<'a, T: Sample> Chain<'_, 'a, T> {
    /// Takes the places of `rest` (cleared: what their parts decoded is dropped).
    fn take_rest(&mut self) {
        if let Some(rest) = self.rest.take() {
            for r in rest() {
                match r {
                    Ok((mut t, ..)) => {
                        t.clear();
                        self.targets.push(t);
                    }
                    Err(e) => {
                        self.failed.get_or_insert(e);
                    }
                }
            }
        }
    }

    /// Every place, in order; the error of a part in `rest`, if one ended with one.
    fn finish(mut self) -> Result<Vec<Target<'a, T>>> {
        self.take_rest();
        match self.failed {
            Some(e) => Err(e),
            None => Ok(self.targets),
        }
    }
}

/// Where [`pump`] puts decoded chunks.
trait Sink<T> {
    fn push(&mut self, data: Array2<T>);
}

impl<T: Sample> Sink<T> for Target<'_, T> {
    fn push(&mut self, data: Array2<T>) {
        Target::push(self, data);
    }
}

impl<T: Sample> Sink<T> for Chain<'_, '_, T> {
    fn push(&mut self, mut data: Array2<T>) {
        loop {
            while self.at + 1 >= self.targets.len()
                && self.rest.is_some()
                && self.targets.get(self.at).is_none_or(|t| t.room() == 0)
            {
                self.take_rest();
            }
            let last = self.targets.len().saturating_sub(1);
            while self.at < last && self.targets[self.at].room() == 0 {
                self.at += 1;
            }
            let Some(target) = self.targets.get_mut(self.at) else {
                return;
            };
            let room = target.room();
            // Past the last place only once there are no more places to take.
            if room >= data.ncols() || (self.at == last && self.rest.is_none()) {
                target.push(data);
                return;
            }
            let tail = data.slice(ndarray::s![.., room..]).to_owned();
            target.push(data.slice(ndarray::s![.., ..room]).to_owned());
            data = tail;
        }
    }
}

/// Decodes output frames `from..to` (`to`: `None` to the end) of a reader's only output into
/// `target`, seeking to `from` first (from 0: a reader at its start, which does not seek).
/// `Ok(false)` when after the seek the first chunk did not start at `from` (nothing is then
/// taken).
fn decode_range<T: Sample>(
    reader: &mut StreamReader,
    rate: u32,
    from: u64,
    to: Option<u64>,
    target: &mut Target<'_, T>,
) -> Result<bool> {
    let expect = seek_to(reader, rate, from)?;
    let want = to.map(|t| t.saturating_sub(from));
    Ok(pump(reader, rate, expect, want, target, &mut |_| true)?.unwrap_or(true))
}

/// Seeks `reader` to output frame `from` (not from 0: a reader at its start); the frame its
/// next chunk must start at, if it seeked.
fn seek_to(reader: &mut StreamReader, rate: u32, from: u64) -> Result<Option<u64>> {
    if from == 0 {
        return Ok(None);
    }
    // `from / rate` in seconds names frame `from` exactly: the seek rounds `t * rate`, which
    // is within an ulp of `from`.
    reader.seek(from as f64 / f64::from(rate))?;
    Ok(Some(from))
}

/// Decodes the next `want` frames (`None`: to the end) of a reader's only output into
/// `target`, checking that the first chunk starts at frame `expect` (if given), and asking
/// `go_on` after each chunk, with the frames taken so far, whether to go on. `Ok(Some(false))`:
/// the first chunk was elsewhere; `Ok(None)`: `go_on` stopped it (between two chunks: another
/// `pump` goes on from there, nothing lost).
fn pump<T: Sample>(
    reader: &mut StreamReader,
    rate: u32,
    mut expect: Option<u64>,
    want: Option<u64>,
    target: &mut dyn Sink<T>,
    go_on: &mut dyn FnMut(u64) -> bool,
) -> Result<Option<bool>> {
    let mut got = 0u64;
    loop {
        if want.is_some_and(|w| got >= w) {
            break;
        }
        let n = reader.fill_buffer()?;
        let mut any = false;
        while want.is_none_or(|w| got < w) {
            let Some(chunk) = reader.pop_chunks_as::<T>().pop().flatten() else {
                break;
            };
            any = true;
            if let Some(first) = expect.take() {
                // The seek's promise (the next chunk starts at the target frame), checked:
                // a part or range elsewhere would be joined at the wrong place.
                if (chunk.pts * f64::from(rate)).round() as u64 != first {
                    return Ok(Some(false));
                }
            }
            let mut data = chunk.data;
            if let Some(w) = want {
                let keep = (w - got).min(data.ncols() as u64) as usize;
                if keep < data.ncols() {
                    data = data.slice(ndarray::s![.., ..keep]).to_owned();
                }
            }
            got += data.ncols() as u64;
            target.push(data);
            // Done once `want` is reached (its last chunk may have been cut: nothing could go
            // on from there); `go_on` is asked only between whole chunks.
            if want.is_some_and(|w| got >= w) {
                return Ok(Some(true));
            }
            if !go_on(got) {
                return Ok(None);
            }
        }
        if n == 0 && !any {
            break;
        }
    }
    Ok(Some(true))
}

/// Joins pieces end to end (moved, not copied, when there is one).
fn join<T: Sample>(mut pieces: Vec<Array2<T>>, channels: usize) -> Result<Array2<T>> {
    pieces.retain(|p| p.ncols() > 0);
    match pieces.len() {
        0 => Ok(Array2::from_elem((channels, 0), T::SILENCE)),
        1 => Ok(pieces.remove(0)),
        _ => {
            let views: Vec<ArrayView2<'_, T>> = pieces.iter().map(|p| p.view()).collect();
            concatenate(Axis(1), &views)
                .map_err(|e| Error::decode(format!("joining the parts of a load: {e}")))
        }
    }
}
