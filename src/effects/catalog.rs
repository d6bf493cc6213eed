//! What `audiostream effects` prints: every effect with its synopsis, arguments, defaults and
//! ranges (from SoX's manual, sox(1), and fundsp's documentation). Each family module writes
//! its entries; [`list`] gathers them from the registry.
//!
//! ```
//! let lowpass = audiostream::effects::list().into_iter().find(|e| e.name == "lowpass").unwrap();
//! assert!(lowpass.usage.starts_with("lowpass"));
//! ```

/// One effect as `audiostream effects` lists it.
///
/// ```
/// for e in audiostream::effects::list() {
///     println!("{}: {}", e.usage, e.description);
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EffectInfo {
    /// The effect's name (SoX's, or `fundsp.*`).
    pub name: &'static str,
    /// Its synopsis, SoX's way: `overdrive [gain(20) [colour(20)]]`.
    pub usage: &'static str,
    /// One line on what it does.
    pub description: &'static str,
    /// Its arguments, in order.
    pub arguments: &'static [ArgInfo],
}

/// One argument of an effect.
///
/// ```
/// let od = audiostream::effects::list().into_iter().find(|e| e.name == "overdrive").unwrap();
/// assert_eq!(od.arguments[0].name, "gain");
/// assert_eq!(od.arguments[0].default, "20");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArgInfo {
    /// The `param` name (snake_case of the manual's name).
    pub name: &'static str,
    /// Its default, or `required`.
    pub default: &'static str,
    /// What values it takes.
    pub range: &'static str,
}

/// An [`ArgInfo`], for the family modules' catalog entries.
pub(crate) const fn arg(name: &'static str, default: &'static str, range: &'static str) -> ArgInfo {
    ArgInfo {
        name,
        default,
        range,
    }
}

/// Every effect, sorted by name (the registry's catalog entries).
///
/// ```
/// let names: Vec<_> = audiostream::effects::list().iter().map(|e| e.name).collect();
/// assert!(names.contains(&"reverb") && names.contains(&"overdrive"));
/// assert!(names.contains(&"fundsp.reverb"));
/// ```
pub fn list() -> Vec<EffectInfo> {
    let mut all: Vec<EffectInfo> = super::registry::all().map(|r| r.info).collect();
    all.sort_by_key(|e| e.name);
    all
}
