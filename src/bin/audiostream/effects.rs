//! `audiostream effects`: every effect `--effect` takes (SoX's and fundsp.*), with its
//! synopsis, arguments, defaults and ranges.

use audiostream::effects::{list, EffectInfo};

/// Prints the effects named in `names` (all when empty); an unknown name is a usage error.
pub fn run(names: &[String]) -> Result<(), String> {
    let all = list();
    let chosen: Vec<&EffectInfo> = if names.is_empty() {
        all.iter().collect()
    } else {
        let mut chosen = Vec::new();
        for name in names {
            match all.iter().find(|e| e.name == name.as_str()) {
                Some(e) => chosen.push(e),
                None => {
                    let known: Vec<&str> = all.iter().map(|e| e.name).collect();
                    return Err(format!(
                        "unknown effect {name:?}; available: {}",
                        known.join(", ")
                    ));
                }
            }
        }
        chosen
    };
    let mut out = String::new();
    for (i, e) in chosen.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{}\n    {}\n", e.usage, e.description));
        for a in e.arguments {
            out.push_str(&format!(
                "    {:<16} default {:<12} {}\n",
                a.name, a.default, a.range
            ));
        }
    }
    print!("{out}");
    Ok(())
}
