//! The plan of `convert --manifest`: each entry of the list with its options (the command
//! line's, overridden by the entry's), its input path and its output name under the output
//! directory; the check that no two entries write the same output; and the shard this process
//! takes. Nothing is read or written here but the list; `corpus_run` does the work.
//!
//! Names: a relative input path is taken relative to the input root (`--input-root`, default
//! the list's directory; the current directory for a list on stdin); the output is the input's
//! path relative to that root, under the output directory, with the output format's extension
//! (`a/b.mp3` → `OUT/a/b.flac`). An absolute input path must lie under the root, and a relative
//! one must not leave it (`..`): otherwise the entry needs an `out` (a relative path under the
//! output directory). The whole list is planned before anything is converted, by every shard
//! alike, so a bad value or two entries with one output stop every shard at once.

use crate::args::{
    parse_bitrate, parse_channels, parse_container, parse_effect, parse_options, parse_quality,
    parse_rate, parse_time, SampleFmt,
};
use crate::convert::{Failure, Settings};
use crate::manifest::{self, Entry};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

// Defined beside their parsers (args.rs, which the cli_args fuzz target compiles alone).
pub use crate::args::Shard;

/// The options of one file: the command line's, then the entry's.
#[derive(Clone, Debug, Default)]
pub struct FileOptions {
    /// Output format (`--to`).
    pub to: Option<String>,
    /// Rate, channels, codec settings, effects.
    pub settings: Settings,
    /// Forced input demuxer (`-f`).
    pub input_format: Option<String>,
    /// Input format options (`-o KEY=VALUE`).
    pub input_options: Vec<String>,
    /// `--start`.
    pub start: Option<f64>,
    /// `--duration`.
    pub duration: Option<f64>,
}

impl FileOptions {
    /// Sets `key` (one of [`manifest::KEYS`] but `out`) from its text, with the parser of the
    /// flag of the same name.
    fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let s = &mut self.settings;
        match key {
            "to" => self.to = Some(parse_container(value)?),
            "rate" => s.rate = Some(parse_rate(value)?),
            "channels" => s.channels = Some(parse_channels(value)?),
            "codec" => s.codec = Some(value.to_string()),
            "bitrate" => s.bit_rate = Some(parse_bitrate(value)?),
            "quality" => s.qscale = Some(parse_quality(value)?),
            "compression_level" => {
                s.compression_level = Some(value.trim().parse().map_err(|_| {
                    format!("{value:?} is not a compression level (a whole number)")
                })?)
            }
            "sample_format" => {
                s.sample_format = Some(
                    <SampleFmt as clap::ValueEnum>::from_str(value.trim(), true).map_err(|_| {
                        format!("{value:?} is not a sample format (s16, s24, s32, f32)")
                    })?,
                )
            }
            "start" => self.start = Some(parse_time(value)?),
            "duration" => self.duration = Some(parse_time(value)?),
            "effect" => s.effect = Some(parse_effect(value)?),
            "format" => self.input_format = Some(value.trim().to_string()),
            "option" => {
                parse_options(&[value.to_string()])?;
                self.input_options.push(value.to_string());
            }
            other => return Err(format!("{other:?} is not a per-file option")),
        }
        Ok(())
    }
}

/// One file to convert.
#[derive(Debug)]
pub struct Planned {
    /// Its line in the list (1-based).
    pub line: usize,
    /// The input path as the list wrote it (what the report and manifest say).
    pub input_text: String,
    /// The input path to open.
    pub input: PathBuf,
    /// The output path relative to the output directory, `/`-separated.
    pub output: String,
    /// Output container.
    pub container: String,
    /// Its options.
    pub options: FileOptions,
}

/// Reads the list (`-`: stdin), at most [`manifest::MAX_LIST_BYTES`].
pub fn read_list(list: &str) -> Result<String, Failure> {
    let io = |e: std::io::Error| Failure::runtime("io", format!("reading the list {list}: {e}"));
    let mut bytes = Vec::new();
    let limit = manifest::MAX_LIST_BYTES;
    if list == "-" {
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
    } else {
        std::fs::File::open(list)
            .map_err(io)?
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
    }
    if bytes.len() as u64 > limit {
        return Err(Failure::usage(
            "invalid_argument",
            format!("the list {list} is over {limit} bytes; split it into several lists"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        Failure::usage(
            "invalid_argument",
            format!("the list {list} is not UTF-8 text ({e})"),
        )
    })
}

/// `p` with `.` and `..` resolved without the file system; `None` if `..` climbs above its
/// start (or above the root).
fn lexical(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    let mut depth = 0usize;
    for c in p.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => out.push(c.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                if depth == 0 {
                    return None;
                }
                out.pop();
                depth -= 1;
            }
            Component::Normal(n) => {
                out.push(n);
                depth += 1;
            }
        }
    }
    Some(out)
}

/// `p` relative to the root, `/`-separated.
fn slashed(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The planner: the list's name (for messages) and where names are taken from.
pub struct Planner<'a> {
    /// The list's name as given.
    pub list: &'a str,
    /// Relative inputs are relative to it, and outputs named after the path below it
    /// (absolute, `.`/`..` resolved).
    pub root: PathBuf,
    /// The command line's options.
    pub defaults: &'a FileOptions,
}

impl Planner<'_> {
    /// The root: `--input-root`, else the list's directory (the current one for stdin), made
    /// absolute without following links.
    pub fn root_for(list: &str, input_root: Option<&str>) -> Result<PathBuf, Failure> {
        let dir = match input_root {
            Some(r) => PathBuf::from(r),
            None if list == "-" => PathBuf::from("."),
            None => Path::new(list)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        };
        std::path::absolute(&dir)
            .ok()
            .and_then(|d| lexical(&d))
            .ok_or_else(|| {
                Failure::usage(
                    "invalid_argument",
                    format!("cannot make {} an absolute input root", dir.display()),
                )
            })
    }

    fn at(&self, e: &Entry, msg: impl std::fmt::Display) -> Failure {
        Failure::usage(
            "invalid_argument",
            format!("the list {} line {} ({}): {msg}", self.list, e.line, e.path),
        )
    }

    /// Plans every entry, in order; checks that no two share an output.
    pub fn plan(&self, entries: &[Entry]) -> Result<Vec<Planned>, Failure> {
        let mut planned = Vec::with_capacity(entries.len());
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(entries.len());
        for e in entries {
            let p = self.plan_one(e)?;
            if let Some(&first) = seen.get(&p.output) {
                let other: &Planned = &planned[first];
                return Err(Failure::usage(
                    "invalid_argument",
                    format!(
                        "the list {} line {} ({}) and line {} ({}) would both be written to {}; \
                         give one of them an \"out\" (TSV or JSONL list) or drop one",
                        self.list, other.line, other.input_text, p.line, p.input_text, p.output
                    ),
                ));
            }
            seen.insert(p.output.clone(), planned.len());
            planned.push(p);
        }
        Ok(planned)
    }

    fn plan_one(&self, e: &Entry) -> Result<Planned, Failure> {
        let mut options = self.defaults.clone();
        // An entry's --bitrate replaces the command line's --quality and the other way round
        // (the two exclude each other on the command line).
        if e.fields
            .iter()
            .any(|(k, _)| k == "bitrate" || k == "quality")
        {
            options.settings.bit_rate = None;
            options.settings.qscale = None;
        }
        let mut out = None;
        for (key, value) in &e.fields {
            if key == "out" {
                out = Some(value.as_str());
            } else {
                options
                    .set(key, value)
                    .map_err(|m| self.at(e, format!("{key}: {m}")))?;
            }
        }
        // The entry's "to", else its "out"'s extension, else --to.
        let entry_to = e.fields.iter().any(|(k, _)| k == "to");
        let out_container = out.and_then(crate::args::container_of_path);
        let container = match (&options.to, out_container) {
            (Some(to), _) if entry_to => to.clone(),
            (_, Some(c)) => c,
            (Some(to), None) => to.clone(),
            (None, None) => {
                return Err(self.at(
                    e,
                    format!(
                        "no output format: give --to {} (or a \"to\" per file, or an \"out\" \
                         named .wav, .flac, .mp3, .ogg or .opus)",
                        crate::args::CONTAINERS.join("|")
                    ),
                ))
            }
        };
        let raw = Path::new(&e.path);
        let input = if raw.is_absolute() {
            raw.to_path_buf()
        } else {
            self.root.join(raw)
        };
        let rel = match out {
            Some(o) => {
                let p = Path::new(o);
                lexical(p)
                    .filter(|l| !p.is_absolute() && !l.as_os_str().is_empty())
                    .ok_or_else(|| {
                        self.at(
                            e,
                            format!(
                                "\"out\" {o:?} must be a relative path that stays inside the \
                                 output directory"
                            ),
                        )
                    })?
            }
            None => self.relative_input(e, raw)?.with_extension(&container),
        };
        if matches!(
            rel.extension().and_then(|x| x.to_str()),
            Some("part" | "jsonl")
        ) {
            return Err(self.at(
                e,
                format!(
                    "the output {} ends in .part or .jsonl, the names of our temporary files, \
                     reports and manifests",
                    rel.display()
                ),
            ));
        }
        Ok(Planned {
            line: e.line,
            input_text: e.path.clone(),
            input,
            output: slashed(&rel),
            container,
            options,
        })
    }

    /// The input's path below the root.
    fn relative_input(&self, e: &Entry, raw: &Path) -> Result<PathBuf, Failure> {
        let below = if raw.is_absolute() {
            lexical(raw).and_then(|p| p.strip_prefix(&self.root).ok().map(Path::to_path_buf))
        } else {
            lexical(raw)
        };
        below.filter(|p| !p.as_os_str().is_empty()).ok_or_else(|| {
            self.at(
                e,
                format!(
                    "the path is not below the input root {}, so it names no output: give \
                         --input-root, or an \"out\" for it (TSV or JSONL list)",
                    self.root.display()
                ),
            )
        })
    }
}

/// The entries of shard `shard` (all of them without one), in list order.
pub fn take_shard(planned: Vec<Planned>, shard: Option<Shard>) -> Vec<Planned> {
    match shard {
        None => planned,
        Some(s) => planned
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % s.count == s.index)
            .map(|(_, p)| p)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{parse, ListFormat};

    fn plan(text: &str, format: ListFormat, to: Option<&str>) -> Result<Vec<Planned>, String> {
        let defaults = FileOptions {
            to: to.map(str::to_string),
            ..Default::default()
        };
        let planner = Planner {
            list: "list",
            root: PathBuf::from("/data/corpus"),
            defaults: &defaults,
        };
        planner.plan(&parse(text, format)?).map_err(|f| f.message)
    }

    #[test]
    fn outputs_are_named_after_the_input_below_the_root() {
        let p = plan(
            "a/b.mp3\n./c.wav\n/data/corpus/d/e.ogg\nx/../f\n",
            ListFormat::Plain,
            Some("flac"),
        )
        .unwrap();
        let outs: Vec<_> = p.iter().map(|p| p.output.as_str()).collect();
        assert_eq!(outs, ["a/b.flac", "c.flac", "d/e.flac", "f.flac"]);
        assert_eq!(p[0].input, Path::new("/data/corpus/a/b.mp3"));
        assert_eq!(p[0].input_text, "a/b.mp3");
    }

    #[test]
    fn bad_entries_are_named() {
        let err = plan(
            "a/b.mp3\nc/d.wav\na/b.wav\n",
            ListFormat::Plain,
            Some("flac"),
        )
        .unwrap_err();
        assert!(
            err.contains("line 1 (a/b.mp3)") && err.contains("line 3 (a/b.wav)"),
            "{err}"
        );
        let err = plan("a.wav\n", ListFormat::Plain, None).unwrap_err();
        assert!(err.contains("no output format"), "{err}");
        let err = plan("../up.wav\n", ListFormat::Plain, Some("wav")).unwrap_err();
        assert!(err.contains("not below the input root"), "{err}");
        let err = plan("/elsewhere/a.wav\n", ListFormat::Plain, Some("wav")).unwrap_err();
        assert!(err.contains("not below the input root"), "{err}");
        let err = plan("path\trate\na.wav\tfast\n", ListFormat::Tsv, Some("wav")).unwrap_err();
        assert!(err.contains("line 2 (a.wav): rate: \"fast\""), "{err}");
        let err = plan(
            "{\"path\": \"a.wav\", \"out\": \"../a.wav\"}",
            ListFormat::Jsonl,
            None,
        )
        .unwrap_err();
        assert!(err.contains("stays inside"), "{err}");
    }

    #[test]
    fn entries_override_the_command_line() {
        let p = plan(
            "{\"path\": \"/elsewhere/a.wav\", \"out\": \"x/a.mp3\", \"bitrate\": \"96k\"}\n\
             {\"path\": \"b.wav\", \"to\": \"ogg\", \"rate\": 8000}\n\
             {\"path\": \"c.wav\"}\n",
            ListFormat::Jsonl,
            Some("flac"),
        )
        .unwrap();
        assert_eq!(p[0].output, "x/a.mp3");
        assert_eq!(p[0].container, "mp3", "out's extension wins over --to");
        assert_eq!(p[0].options.settings.bit_rate, Some(96_000));
        assert_eq!(
            (p[1].output.as_str(), p[1].container.as_str()),
            ("b.ogg", "ogg")
        );
        assert_eq!(p[1].options.settings.rate, Some(8000));
        assert_eq!(p[2].options.settings.rate, None);
    }

    #[test]
    fn shards_take_every_nth_entry() {
        let text: String = (0..10).map(|k| format!("f{k}.wav\n")).collect();
        let all = plan(&text, ListFormat::Plain, Some("flac")).unwrap();
        let mut union = Vec::new();
        for i in 0..3 {
            let s = take_shard(
                plan(&text, ListFormat::Plain, Some("flac")).unwrap(),
                Some(Shard { index: i, count: 3 }),
            );
            assert!(s.iter().all(|p| (p.line - 1) % 3 == i));
            union.extend(s.into_iter().map(|p| p.output));
        }
        union.sort();
        let mut outs: Vec<_> = all.into_iter().map(|p| p.output).collect();
        outs.sort();
        assert_eq!(union, outs);
    }
}
