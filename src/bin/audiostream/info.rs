//! `audiostream info`: what a reader knows about each file, as text or JSON.

use audiostream::{Options, StreamReader};

/// The metadata of `path` and of each of its streams, as one JSON object: `path` first, then
/// [`audiostream::info::describe`]'s fields.
pub fn describe(
    path: &str,
    format: Option<&str>,
    options: &Options,
) -> audiostream::Result<serde_json::Value> {
    let reader = StreamReader::new(path, format, Some(options))?;
    let mut doc = serde_json::Map::new();
    doc.insert("path".into(), path.into());
    if let serde_json::Value::Object(fields) = audiostream::info::describe(&reader)? {
        doc.extend(fields);
    }
    Ok(serde_json::Value::Object(doc))
}

/// Prints what [`describe`] returned as indented text.
pub fn print_text(v: &serde_json::Value) {
    let get = |k: &str| match &v[k] {
        serde_json::Value::Null => "unknown".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    println!("{}", get("path"));
    println!("  format:       {}", get("format"));
    println!("  codec:        {}", get("codec"));
    println!("  sample rate:  {} Hz", get("sample_rate"));
    println!("  channels:     {}", get("num_channels"));
    let duration = v["duration"]
        .as_f64()
        .map_or("unknown".into(), |d| format!("{d:.3} s"));
    if v["duration_estimated"].as_bool() == Some(true) {
        println!("  duration:     about {duration} (estimated: nothing in the file says)");
    } else {
        println!("  duration:     {duration} ({} frames)", get("num_frames"));
    }
    let bit_rate = v["bit_rate"]
        .as_u64()
        .map_or("unknown".into(), |b| format!("{} kb/s", b / 1000));
    println!("  bit rate:     {bit_rate}");
    if !v["bits_per_sample"].is_null() {
        println!("  bits/sample:  {}", get("bits_per_sample"));
    }
    if let Some(tags) = v["tags"].as_object().filter(|t| !t.is_empty()) {
        println!("  tags:");
        for (k, val) in tags {
            println!("    {k}: {}", val.as_str().unwrap_or_default());
        }
    }
    if let Some(streams) = v["streams"].as_array() {
        println!("  streams:");
        for s in streams {
            let mut line = format!(
                "    #{} {}: {}",
                s["index"],
                s["media_type"].as_str().unwrap_or("?"),
                s["codec"].as_str().unwrap_or("?")
            );
            if let (Some(r), Some(c)) = (s["sample_rate"].as_u64(), s["num_channels"].as_u64()) {
                line.push_str(&format!(", {r} Hz, {c} ch"));
            }
            if let Some(l) = s["language"].as_str() {
                line.push_str(&format!(", language {l}"));
            }
            println!("{line}");
        }
    }
}

/// `audiostream info FILE...`: describes each file; a file that cannot be read gets one error
/// line naming it, and the others are still described. Returns whether every file was read.
pub fn run(files: &[String], json: bool, format: Option<&str>, options: &Options) -> bool {
    let mut all = Vec::new();
    let mut ok = true;
    for f in files {
        match describe(f, format, options) {
            Ok(v) => {
                if !json {
                    print_text(&v);
                }
                all.push(v);
            }
            Err(e) => {
                let line = format!("audiostream: {f}: {e}");
                eprintln!("{}", audiostream::redact_credentials(&line));
                ok = false;
            }
        }
    }
    if json {
        match serde_json::to_string_pretty(&all) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("audiostream: error: {e}");
                ok = false;
            }
        }
    }
    ok
}
