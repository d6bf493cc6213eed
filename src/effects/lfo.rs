//! SoX's LFO wave tables (`lsx_generate_wave_table` in `effects_i.c`), which `chorus`,
//! `flanger` and `phaser` read their delays from.
//!
//! The tables are built the way SoX builds them (same phase offset, same double arithmetic,
//! same rounding to `int` or `float`) because the effects read their delays from them: a
//! table entry off by one sample would change the output by far more than 60 dB allows.
//!
//! ```
//! use audiostream::AudioEffector;
//! use audiostream::ndarray::Array2;
//! // Every effect of this family takes SoX's arguments, also through `new`.
//! let fx = AudioEffector::new("flanger", &[0.0, 2.0, 0.0, 71.0, 0.5])?;
//! let out = fx.apply(Array2::<f32>::zeros((2, 100)).view(), 8000)?;
//! assert_eq!(out.dim(), (2, 100));
//! # Ok::<(), audiostream::Error>(())
//! ```

use std::f64::consts::PI;

/// The LFO wave shapes SoX's effects offer (`lsx_wave_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wave {
    Sine,
    Triangle,
}

impl Wave {
    /// The shape SoX's `-s`/`-t` flags and the 0/1 `param` values select.
    pub(crate) fn from_triangle(triangle: bool) -> Wave {
        if triangle {
            Wave::Triangle
        } else {
            Wave::Sine
        }
    }
}

/// One period of `wave` in `size` entries between `min` and `max`, starting `phase` radians
/// into the period, before SoX converts it to the table's type.
fn wave_values(wave: Wave, size: usize, min: f64, max: f64, phase: f64) -> Vec<f64> {
    // SoX keeps the offset in a uint32_t, truncated after adding 0.5.
    let phase_offset = (phase / PI / 2.0 * size as f64 + 0.5) as u32 as usize;
    (0..size)
        .map(|t| {
            let point = (t + phase_offset) % size;
            let d = match wave {
                Wave::Sine => ((point as f64 / size as f64 * 2.0 * PI).sin() + 1.0) / 2.0,
                Wave::Triangle => {
                    let d = point as f64 * 2.0 / size as f64;
                    match 4 * point / size {
                        0 => d + 0.5,
                        1 | 2 => 1.5 - d,
                        _ => d - 1.5,
                    }
                }
            };
            d * (max - min) + min
        })
        .collect()
}

/// SoX's table of `int`s: the values rounded half away from zero.
pub(crate) fn wave_table_int(wave: Wave, size: usize, min: f64, max: f64, phase: f64) -> Vec<i64> {
    wave_values(wave, size, min, max, phase)
        .into_iter()
        .map(|d| (d + if d < 0.0 { -0.5 } else { 0.5 }) as i64)
        .collect()
}

/// SoX's table of `float`s.
pub(crate) fn wave_table_f32(wave: Wave, size: usize, min: f64, max: f64, phase: f64) -> Vec<f32> {
    wave_values(wave, size, min, max, phase)
        .into_iter()
        .map(|d| d as f32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_follow_sox() {
        // Triangle starting at its minimum (3π/2), as chorus and flanger ask for it.
        let t = wave_table_int(Wave::Triangle, 8, 0.0, 8.0, 3.0 * PI / 2.0);
        assert_eq!(t, vec![0, 2, 4, 6, 8, 6, 4, 2]);
        let s = wave_table_int(Wave::Sine, 4, 0.0, 2.0, 0.0);
        assert_eq!(s, vec![1, 2, 1, 0]);
        let f = wave_table_f32(Wave::Sine, 4, 1.0, 3.0, PI / 2.0);
        assert_eq!(f, vec![3.0, 2.0, 1.0, 2.0]);
    }
}
