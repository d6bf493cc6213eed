//! What `audiostream effects` prints: every effect with its synopsis, arguments, defaults and
//! ranges (from SoX's manual, sox(1)).
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
    /// SoX's name of the effect.
    pub name: &'static str,
    /// SoX's synopsis: `overdrive [gain(20) [colour(20)]]`.
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

const fn arg(name: &'static str, default: &'static str, range: &'static str) -> ArgInfo {
    ArgInfo {
        name,
        default,
        range,
    }
}

const WIDTH: &str = "> 0, unit suffix q (Q), o (octaves), h (Hz), k (kHz)";
const FREQ: &str = "Hz > 0, at most half the sample rate; k suffix for kHz";

const BASIC: &[EffectInfo] = &[
    EffectInfo {
        name: "allpass",
        usage: "allpass frequency width[h|k|q|o]",
        description: "Two-pole all-pass filter: phase shift around frequency, flat amplitude.",
        arguments: &[
            arg("frequency", "required", FREQ),
            arg("width", "required", WIDTH),
        ],
    },
    EffectInfo {
        name: "bandpass",
        usage: "bandpass [-c] frequency width[h|k|q|o]",
        description: "Two-pole band-pass filter; -c: constant skirt gain (peak gain = Q).",
        arguments: &[
            arg("frequency", "required", FREQ),
            arg("width", "required", WIDTH),
        ],
    },
    EffectInfo {
        name: "bandreject",
        usage: "bandreject frequency width[h|k|q|o]",
        description: "Two-pole band-reject (notch) filter.",
        arguments: &[
            arg("frequency", "required", FREQ),
            arg("width", "required", WIDTH),
        ],
    },
    EffectInfo {
        name: "bass",
        usage: "bass gain [frequency(100) [width(0.5s)[s|h|k|q|o]]]",
        description: "Low-shelf filter: boost or cut the bass.",
        arguments: &[
            arg("gain", "required", "dB"),
            arg("frequency", "100", FREQ),
            arg(
                "width",
                "0.5s",
                "slope 0 < s <= 1, or a width with unit q, o, h, k",
            ),
        ],
    },
    EffectInfo {
        name: "equalizer",
        usage: "equalizer frequency width[q|o|h|k] gain",
        description: "Two-pole peaking equalizer: boost or cut around frequency.",
        arguments: &[
            arg("frequency", "required", FREQ),
            arg("width", "required", WIDTH),
            arg("gain", "required", "dB"),
        ],
    },
    EffectInfo {
        name: "fade",
        usage: "fade [q|h|t|l|p] fade-in-length [stop-position(0) [fade-out-length]]",
        description: "Fade in and out; shapes quarter-sine, half-sine, linear, logarithmic, \
                      inverted parabola; stop-position 0 means the end of the audio.",
        arguments: &[
            arg(
                "fade_in_length",
                "required",
                "time >= 0: seconds, [[hh:]mm:]ss[.frac], or NNNs samples",
            ),
            arg(
                "stop_position",
                "none (no fade-out)",
                "time >= 0; 0 = end of audio",
            ),
            arg("fade_out_length", "fade-in-length", "time >= 0"),
        ],
    },
    EffectInfo {
        name: "highpass",
        usage: "highpass [-1|-2] frequency [width(0.707q)[q|o|h|k]]",
        description: "High-pass filter: one pole (-1) or two poles (-2, default).",
        arguments: &[
            arg("frequency", "required", FREQ),
            arg("width", "0.707q", WIDTH),
        ],
    },
    EffectInfo {
        name: "lowpass",
        usage: "lowpass [-1|-2] frequency [width(0.707q)[q|o|h|k]]",
        description: "Low-pass filter: one pole (-1) or two poles (-2, default).",
        arguments: &[
            arg("frequency", "required", FREQ),
            arg("width", "0.707q", WIDTH),
        ],
    },
    EffectInfo {
        name: "overdrive",
        usage: "overdrive [gain(20) [colour(20)]]",
        description: "Non-linear distortion (soft clipping) with even harmonics from colour.",
        arguments: &[
            arg("gain", "20", "dB, 0 to 100"),
            arg("colour", "20", "0 to 100"),
        ],
    },
    EffectInfo {
        name: "reverse",
        usage: "reverse",
        description: "Reverse the audio (holds it all until the end of the stream).",
        arguments: &[],
    },
    EffectInfo {
        name: "treble",
        usage: "treble gain [frequency(3000) [width(0.5s)[s|h|k|q|o]]]",
        description: "High-shelf filter: boost or cut the treble.",
        arguments: &[
            arg("gain", "required", "dB"),
            arg("frequency", "3000", FREQ),
            arg(
                "width",
                "0.5s",
                "slope 0 < s <= 1, or a width with unit q, o, h, k",
            ),
        ],
    },
    EffectInfo {
        name: "vol",
        usage: "vol gain [amplitude|power|dB]",
        description: "Change the volume: an amplitude ratio (default), a power ratio, or dB.",
        arguments: &[arg(
            "gain",
            "required",
            "finite number; negative amplitude inverts",
        )],
    },
];

/// Every effect, sorted by name.
///
/// ```
/// let names: Vec<_> = audiostream::effects::list().iter().map(|e| e.name).collect();
/// assert!(names.contains(&"reverb") && names.contains(&"overdrive"));
/// ```
pub fn list() -> Vec<EffectInfo> {
    let mut all: Vec<EffectInfo> = BASIC.to_vec();
    all.extend([
        super::chorus::INFO_CHORUS,
        super::echo::INFO_ECHO,
        super::echo::INFO_ECHOS,
        super::flanger::INFO_FLANGER,
        super::gain::INFO_GAIN,
        super::gain::INFO_NORM,
        super::pad::INFO_PAD,
        super::phaser::INFO_PHASER,
        super::reverb::INFO_REVERB,
        super::speed::INFO_SPEED,
        super::tempo::INFO_TEMPO,
        super::tempo::INFO_PITCH,
        super::tremolo::INFO_TREMOLO,
    ]);
    all.sort_by_key(|e| e.name);
    all
}
