//! The house's arrows point one way (DESIGN.md): the openers (`src/open.rs`, `net`, `device`)
//! sit above the reader and the writer; the pipeline sits above `dsp` and `effects`, which
//! know nothing of each other. This test reads the sources and fails on any arrow that points
//! the other way, naming the file, the line and the module it reaches.
//!
//! Unit tests inside a module (`#[cfg(test)] mod tests`, at the end of a file by the house's
//! convention) may assemble pieces from above; only the library's own code is checked.

use std::path::{Path, PathBuf};

/// (folder under `src/`, modules of the crate it must not name, why).
const RULES: &[(&str, &[&str], &str)] = &[
    (
        "reader",
        &["net", "device", "writer", "open"],
        "the reader takes a source; choosing one (URL, device) is the openers' job",
    ),
    (
        "writer",
        &["net", "device", "reader", "open"],
        "the writer takes a sink or an encoder factory; the openers choose them",
    ),
    (
        "dsp",
        &["effects", "pipeline", "reader", "writer", "net", "device"],
        "dsp holds the remixer and the resampler, below everything that uses them",
    ),
    (
        "effects",
        &["dsp", "pipeline", "reader", "writer", "net", "device"],
        "effects get a resampler injected; the pipeline composes them",
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crate modules the `crate::` path at the start of `code` names: `crate::x::y` names
/// `x`; a use group `crate::{x, y::z}` (which may span lines) names `x` and `y`.
fn crate_modules(code: &str) -> Vec<String> {
    let Some(i) = code.find("crate::") else {
        return Vec::new();
    };
    let after = &code[i + "crate::".len()..];
    let mut found = Vec::new();
    if let Some(group) = after.strip_prefix('{') {
        let mut depth = 0;
        let mut item = String::new();
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    found.push(first_segment(&item));
                    item.clear();
                    continue;
                }
                _ => {}
            }
            item.push(c);
        }
        found.push(first_segment(&item));
    } else {
        found.push(first_segment(after));
    }
    found.retain(|m| !m.is_empty());
    found
}

fn first_segment(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

#[test]
fn arrows_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    let mut checked = 0;
    for (folder, forbidden, why) in RULES {
        let mut files = Vec::new();
        rust_files(&src.join(folder), &mut files);
        assert!(!files.is_empty(), "src/{folder} has no Rust files");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            // The file's code without comments, up to its unit tests; `use` groups may span
            // lines, so paths are found in the whole text and mapped back to their line.
            let mut code = String::new();
            for line in text.lines() {
                let line_start = line.trim_start();
                if line_start.starts_with("#[cfg(test)]")
                    || line_start.starts_with("#[cfg(all(test")
                {
                    break;
                }
                code.push_str(line.split("//").next().unwrap_or(""));
                code.push('\n');
                checked += 1;
            }
            for (at, _) in code.match_indices("crate::") {
                let line = code[..at].matches('\n').count();
                let statement = code[at..].split(';').next().unwrap_or("");
                for module in crate_modules(statement) {
                    if forbidden.contains(&module.as_str()) {
                        violations.push(format!(
                            "{}:{}: names crate::{module} ({why})\n    {}",
                            file.strip_prefix(&src).unwrap().display(),
                            line + 1,
                            text.lines().nth(line).unwrap_or("").trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        checked > 1000,
        "only {checked} lines read: the source layout changed"
    );
    assert!(
        violations.is_empty(),
        "arrows pointing up:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_checker_sees_grouped_and_plain_paths() {
    assert_eq!(crate_modules("use crate::net::open_sink;"), ["net"]);
    assert_eq!(
        crate_modules("use crate::{device::SinkTarget, Error, net};"),
        ["device", "Error", "net"]
    );
    assert_eq!(
        crate_modules("use crate::{pipeline::{self, Stage}, Result};"),
        ["pipeline", "Result"]
    );
    assert_eq!(
        crate_modules("let x = crate::dsp::Remixer::new();"),
        ["dsp"]
    );
    assert_eq!(
        crate_modules("use crate::{\n    Error,\n    net::pump,\n}"),
        ["Error", "net"]
    );
}
