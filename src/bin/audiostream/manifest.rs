//! The file lists `convert --manifest LIST` reads: one path a line, TSV with a header naming
//! its columns, or JSON Lines. This module only parses: it turns the text into entries (a path,
//! an optional output name and per-file options as `key = value` text) and checks the keys;
//! the values are checked by the same parsers as the command line's (`corpus`).
//!
//! In every format, blank lines and lines whose first non-blank character is `#` are skipped,
//! and a `\r` before a line's end is dropped (lists written on Windows).
//!
//! - **Plain**: one path a line; spaces around it are trimmed.
//! - **TSV**: the first line names the columns (`path` required, then any of [`KEYS`]); each
//!   following line gives their values, tab-separated (no quoting, as in IANA's
//!   text/tab-separated-values). An empty cell leaves the command line's value; a line may have
//!   fewer cells than the header (the rest are empty), not more.
//! - **JSONL**: one JSON object a line: `"path"` (a string, required) and any of [`KEYS`];
//!   values are strings or numbers (`"rate": 16000` and `"rate": "16k"` are the same), `null`
//!   leaves the command line's value; `"option"` also takes an array of `"KEY=VALUE"` strings.
//!
//! The format is the extension's (`.tsv`; `.jsonl`, `.ndjson`), else the first entry line's
//! look: `{` starts JSONL, a tab makes TSV, anything else is a plain list.

/// Per-file keys (TSV columns, JSONL fields) besides `path`: `out` (the output's path under the
/// output directory) and `convert`'s options by their long names (`-` or `_` alike).
pub const KEYS: &[&str] = &[
    "out",
    "to",
    "rate",
    "channels",
    "codec",
    "bitrate",
    "quality",
    "compression_level",
    "sample_format",
    "start",
    "duration",
    "effect",
    "format",
    "option",
];

/// The largest list read (bytes): ten million paths of a hundred bytes.
pub const MAX_LIST_BYTES: u64 = 1 << 30;

/// How a list is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    /// One path a line.
    Plain,
    /// Tab-separated values with a header line.
    Tsv,
    /// One JSON object a line.
    Jsonl,
}

/// One file of the list.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The line it was on (1-based), for messages.
    pub line: usize,
    /// The input path, as written.
    pub path: String,
    /// `(key, value)` pairs, keys among [`KEYS`] (`option` may repeat), in the order written.
    pub fields: Vec<(String, String)>,
}

/// The format of a list named `name` (its extension), else from its first entry line.
pub fn detect(name: &str, text: &str) -> ListFormat {
    let ext = std::path::Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("tsv") => return ListFormat::Tsv,
        Some("jsonl" | "ndjson") => return ListFormat::Jsonl,
        _ => {}
    }
    match lines(text).next() {
        Some((_, l)) if l.trim_start().starts_with('{') => ListFormat::Jsonl,
        Some((_, l)) if l.contains('\t') => ListFormat::Tsv,
        _ => ListFormat::Plain,
    }
}

/// The lines that hold something: `(1-based line number, text without its line end)`.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .filter(|(_, l)| {
            let t = l.trim_start();
            !t.is_empty() && !t.starts_with('#')
        })
}

/// A key in its canonical spelling (`compression-level` → `compression_level`), if allowed.
fn canonical_key(key: &str) -> Option<&'static str> {
    let k = key.trim().to_ascii_lowercase().replace('-', "_");
    KEYS.iter().copied().find(|known| *known == k)
}

/// The message for a key we do not know, with a hint for likely slips.
fn unknown_key(line: usize, key: &str) -> String {
    let hint = match key.trim().to_ascii_lowercase().as_str() {
        "effects" => "; did you mean \"effect\"?",
        "output" => "; did you mean \"out\"?",
        "input" | "file" => "; did you mean \"path\"?",
        "sample_rate" | "sr" => "; did you mean \"rate\"?",
        _ => "",
    };
    format!(
        "line {line}: unknown key {key:?}{hint} (allowed: path, {})",
        KEYS.join(", ")
    )
}

/// Checks an input path: not empty, not `-` (stdin is not a file of a list).
fn check_path(line: usize, path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err(format!("line {line}: the path is empty"));
    }
    if path == "-" {
        return Err(format!(
            "line {line}: \"-\" (stdin) cannot be a file of a list; write ./- for a file named -"
        ));
    }
    Ok(())
}

/// Parses a list written as `format`. Errors name the line and what is allowed.
pub fn parse(text: &str, format: ListFormat) -> Result<Vec<Entry>, String> {
    match format {
        ListFormat::Plain => lines(text)
            .map(|(line, l)| {
                let path = l.trim();
                check_path(line, path)?;
                Ok(Entry {
                    line,
                    path: path.to_string(),
                    fields: Vec::new(),
                })
            })
            .collect(),
        ListFormat::Tsv => parse_tsv(text),
        ListFormat::Jsonl => lines(text)
            .map(|(line, l)| parse_json_line(line, l))
            .collect(),
    }
}

fn parse_tsv(text: &str) -> Result<Vec<Entry>, String> {
    let mut rows = lines(text);
    let Some((header_line, header)) = rows.next() else {
        return Ok(Vec::new());
    };
    // Column i: None for `path`, Some(key) otherwise.
    let mut columns: Vec<Option<&'static str>> = Vec::new();
    for name in header.split('\t') {
        if name.trim().eq_ignore_ascii_case("path") {
            if columns.contains(&None) {
                return Err(format!(
                    "line {header_line}: the column \"path\" is named twice"
                ));
            }
            columns.push(None);
            continue;
        }
        let key = canonical_key(name).ok_or_else(|| unknown_key(header_line, name))?;
        if columns.contains(&Some(key)) {
            return Err(format!(
                "line {header_line}: the column {key:?} is named twice"
            ));
        }
        columns.push(Some(key));
    }
    let path_col = columns.iter().position(Option::is_none).ok_or_else(|| {
        format!(
            "line {header_line}: a TSV list's first line names its columns, and one must be \
             \"path\" (found {header:?})"
        )
    })?;
    rows.map(|(line, l)| {
        let cells: Vec<&str> = l.split('\t').collect();
        if cells.len() > columns.len() {
            return Err(format!(
                "line {line}: {} cells, but the header names {} columns",
                cells.len(),
                columns.len()
            ));
        }
        let path = cells.get(path_col).map_or("", |c| c.trim());
        check_path(line, path)?;
        let fields = columns
            .iter()
            .zip(&cells)
            .filter_map(|(col, cell)| Some(((*col)?, cell.trim())))
            .filter(|(_, v)| !v.is_empty())
            .flat_map(|(key, v)| split_option(key, v))
            .collect();
        Ok(Entry {
            line,
            path: path.to_string(),
            fields,
        })
    })
    .collect()
}

/// A TSV `option` cell holds `KEY=VALUE` pairs separated by commas; other cells one value.
fn split_option(key: &'static str, value: &str) -> Vec<(String, String)> {
    if key == "option" {
        value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| (key.to_string(), v.to_string()))
            .collect()
    } else {
        vec![(key.to_string(), value.to_string())]
    }
}

fn parse_json_line(line: usize, l: &str) -> Result<Entry, String> {
    use serde_json::Value;
    let object: serde_json::Map<String, Value> =
        serde_json::from_str(l).map_err(|e| format!("line {line}: not a JSON object ({e})"))?;
    let mut path = None;
    let mut fields = Vec::new();
    for (key, value) in object {
        if key == "path" {
            match value {
                Value::String(p) => path = Some(p),
                other => {
                    return Err(format!(
                        "line {line}: \"path\" must be a string, not {other}"
                    ))
                }
            }
            continue;
        }
        let k = canonical_key(&key).ok_or_else(|| unknown_key(line, &key))?;
        let scalar = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match &value {
            Value::Null => {}
            Value::Array(items) if k == "option" => {
                for item in items {
                    match item {
                        Value::String(s) => fields.push((k.to_string(), s.clone())),
                        other => {
                            return Err(format!(
                                "line {line}: \"option\" items are \"KEY=VALUE\" strings, not \
                                 {other}"
                            ))
                        }
                    }
                }
            }
            v => match scalar(v) {
                Some(s) => fields.push((k.to_string(), s)),
                None => {
                    return Err(format!(
                        "line {line}: {key:?} must be a string or a number, not {value}"
                    ))
                }
            },
        }
    }
    let path = path.ok_or_else(|| format!("line {line}: no \"path\" (a string) in {l}"))?;
    check_path(line, &path)?;
    Ok(Entry { line, path, fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(e: &Entry, key: &str) -> Vec<String> {
        e.fields
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    #[test]
    fn plain_lists_skip_comments_and_blank_lines() {
        let text = "# a corpus\n\na/b.wav\r\n  c d.mp3  \n   # indented comment\nx.flac";
        assert_eq!(detect("list.txt", text), ListFormat::Plain);
        let e = parse(text, ListFormat::Plain).unwrap();
        let paths: Vec<_> = e.iter().map(|e| (e.line, e.path.as_str())).collect();
        assert_eq!(paths, [(3, "a/b.wav"), (4, "c d.mp3"), (6, "x.flac")]);
        assert!(e.iter().all(|e| e.fields.is_empty()));
        assert!(parse("a.wav\n-\n", ListFormat::Plain)
            .unwrap_err()
            .contains("line 2"));
        assert_eq!(parse("# nothing\n\n", ListFormat::Plain).unwrap(), []);
    }

    #[test]
    fn tsv_lists_have_a_header() {
        let text = "# made by find\npath\trate\tCompression-Level\toption\n\
                    a.wav\t16k\t\t\nb.raw\t\t8\tsample_rate=8000, channels=1\nc.wav\n";
        assert_eq!(detect("l", text), ListFormat::Tsv);
        assert_eq!(detect("l.tsv", "path\n"), ListFormat::Tsv);
        let e = parse(text, ListFormat::Tsv).unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!((e[0].line, e[0].path.as_str()), (3, "a.wav"));
        assert_eq!(field(&e[0], "rate"), ["16k"]);
        assert_eq!(e[0].fields.len(), 1, "empty cells are not set");
        assert_eq!(field(&e[1], "compression_level"), ["8"]);
        assert_eq!(field(&e[1], "option"), ["sample_rate=8000", "channels=1"]);
        assert!(e[2].fields.is_empty(), "short rows are allowed");

        let err = parse("path\teffects\na.wav\tgain 1\n", ListFormat::Tsv).unwrap_err();
        assert!(
            err.contains("\"effects\"") && err.contains("\"effect\""),
            "{err}"
        );
        let err = parse("file\trate\na.wav\t8k\n", ListFormat::Tsv).unwrap_err();
        assert!(err.contains("line 1"), "{err}");
        let err = parse("path\trate\na.wav\t8k\tx\n", ListFormat::Tsv).unwrap_err();
        assert!(err.contains("line 2") && err.contains("3 cells"), "{err}");
        let err = parse("path\trate\n\t8k\n", ListFormat::Tsv).unwrap_err();
        assert!(err.contains("empty"), "{err}");
    }

    #[test]
    fn jsonl_lists_take_numbers_strings_and_nulls() {
        let text = "{\"path\": \"a.wav\", \"rate\": 16000, \"channels\": \"1\", \"to\": null}\n\
                    # skipped\n\
                    {\"path\": \"b.mp3\", \"out\": \"x/b.flac\", \"quality\": 2.5, \
                     \"option\": [\"sample_rate=8000\", \"channels=2\"], \"sample-format\": \"s24\"}\n";
        assert_eq!(detect("list", text), ListFormat::Jsonl);
        assert_eq!(detect("l.ndjson", "a.wav\n"), ListFormat::Jsonl);
        let e = parse(text, ListFormat::Jsonl).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(field(&e[0], "rate"), ["16000"]);
        assert_eq!(field(&e[0], "channels"), ["1"]);
        assert!(field(&e[0], "to").is_empty(), "null is not set");
        assert_eq!((e[1].line, e[1].path.as_str()), (3, "b.mp3"));
        assert_eq!(field(&e[1], "out"), ["x/b.flac"]);
        assert_eq!(field(&e[1], "quality"), ["2.5"]);
        assert_eq!(field(&e[1], "sample_format"), ["s24"]);
        assert_eq!(field(&e[1], "option"), ["sample_rate=8000", "channels=2"]);

        for (bad, says) in [
            ("{\"rate\": 8000}", "no \"path\""),
            ("{\"path\": 3}", "must be a string"),
            ("{\"path\": \"a\", \"rate\": true}", "string or a number"),
            (
                "{\"path\": \"a\", \"effects\": \"gain 1\"}",
                "did you mean \"effect\"",
            ),
            ("{\"path\": \"a\"", "not a JSON object"),
            ("[\"a.wav\"]", "not a JSON object"),
        ] {
            let err = parse(
                &format!("{{\"path\": \"ok.wav\"}}\n{bad}\n"),
                ListFormat::Jsonl,
            )
            .unwrap_err();
            assert!(
                err.starts_with("line 2: ") && err.contains(says),
                "{bad}: {err}"
            );
        }
    }
}
