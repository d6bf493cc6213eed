// Symphonia
// Copyright (c) 2019-2026 The Project Symphonia Developers.
//
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.
//
// Modified by audiostream: the fixed and LPC predictors of decoder.rs moved here and made faster
// (performance only; the output is unchanged for every stream whose samples fit its bit depth):
//  - The fixed predictors compute in wrapping 32-bit arithmetic. Their result was already
//    truncated to 32 bits and they only add and multiply, so this is the same value modulo 2^32.
//  - LPC accumulates in 32 bits when the sum cannot overflow, in 64 bits otherwise (libFLAC's
//    choice between `FLAC__lpc_restore_signal` and `FLAC__lpc_restore_signal_wide`,
//    stream_decoder.c `read_subframe_lpc_`, libFLAC 1.4+/1.5.0).
//  - One loop per order up to 12 (the subset's maximum), unrolled by the compiler, restoring two
//    samples per iteration (see `lpc_32`); orders 13-32 use a loop over the order.

/// Restores the samples of a fixed-predictor subframe in place: `buf` holds `order` warm-up
/// samples followed by residuals, which become samples.
///
/// The coefficients (RFC 9639 section 9.2.5) are small, and the prediction was always truncated to
/// 32 bits before being added to the residual: computing it with wrapping 32-bit operations gives
/// the same result for every input.
pub(crate) fn fixed_restore(order: u32, buf: &mut [i32]) {
    debug_assert!(order <= 4);

    match order {
        // A 0th order predictor always predicts 0.
        0 => (),
        // s(i) = s(i-1)
        1 => {
            for i in 1..buf.len() {
                buf[i] = buf[i].wrapping_add(buf[i - 1]);
            }
        }
        // s(i) = 2*s(i-1) - s(i-2)
        2 => {
            for i in 2..buf.len() {
                let p = buf[i - 1].wrapping_mul(2).wrapping_sub(buf[i - 2]);
                buf[i] = buf[i].wrapping_add(p);
            }
        }
        // s(i) = 3*s(i-1) - 3*s(i-2) + s(i-3)
        3 => {
            for i in 3..buf.len() {
                let p = buf[i - 1]
                    .wrapping_sub(buf[i - 2])
                    .wrapping_mul(3)
                    .wrapping_add(buf[i - 3]);
                buf[i] = buf[i].wrapping_add(p);
            }
        }
        // s(i) = 4*s(i-1) - 6*s(i-2) + 4*s(i-3) - s(i-4)
        4 => {
            for i in 4..buf.len() {
                let p = buf[i - 1]
                    .wrapping_add(buf[i - 3])
                    .wrapping_mul(4)
                    .wrapping_sub(buf[i - 2].wrapping_mul(6))
                    .wrapping_sub(buf[i - 4]);
                buf[i] = buf[i].wrapping_add(p);
            }
        }
        _ => (),
    }
}

/// Whether the LPC prediction of a subframe of `bps` bits per sample (at most 32) with these
/// coefficients always fits 32 bits before the shift, for samples that fit `bps` bits.
///
/// Every partial sum is bounded by `sum(|c|) * 2^(bps-1)`, so this also bounds the intermediate
/// sums. libFLAC 1.4+ decides the same way (`FLAC__lpc_max_prediction_before_shift_bps(...) <= 32`
/// in stream_decoder.c `read_subframe_lpc_`; lpc.c: the sum of the absolute coefficients, not
/// the coefficient precision, since the coefficients are known).
fn fits_32_bits(bps: u32, coeffs: &[i32]) -> bool {
    // |c| <= 2^14 (15-bit coefficients), at most 32 of them: the sum fits 20 bits, the product 52.
    let abs_sum: u64 = coeffs.iter().map(|c| u64::from(c.unsigned_abs())).sum();
    bps <= 32 && (abs_sum << bps.saturating_sub(1)) <= i32::MAX as u64
}

/// Restores the samples of an LPC subframe in place: `buf` holds `coeffs.len()` warm-up samples
/// followed by residuals, which become samples.
///
/// `coeffs` are in stream order reversed: `coeffs[j]` multiplies the sample `order - j` places
/// before the predicted one (the last coefficient applies to the previous sample). `shift` is the
/// (non-negative) quantization shift, at most 15. `bps` is the subframe's bits per sample (after
/// wasted bits), which selects 32- or 64-bit accumulation.
///
/// For samples that fit `bps` bits the result equals that of 64-bit accumulation. A corrupt
/// stream whose samples exceed its bit depth may wrap differently in the 32-bit loop (as in
/// libFLAC): the arithmetic wraps and never panics.
pub(crate) fn lpc_restore(bps: u32, coeffs: &[i32], shift: u32, buf: &mut [i32]) {
    let order = coeffs.len();
    debug_assert!(order <= buf.len() && shift < 32);

    let narrow = fits_32_bits(bps, coeffs);

    // One loop per order up to 12 (the FLAC subset's maximum): `N` is the exact order, so the dot
    // product is unrolled and the window of previous samples has a length known to the compiler.
    // Orders 13 to 32 run a loop over the order.
    macro_rules! by_order {
        ($($n:literal)*) => {
            match order {
                $($n => {
                    let c: &[i32; $n] = match coeffs.try_into() {
                        Ok(c) => c,
                        Err(_) => return,
                    };
                    if narrow {
                        lpc_32::<$n>(c, shift, buf)
                    } else {
                        lpc_64::<$n>(c, shift, buf)
                    }
                })*
                _ => {
                    if narrow {
                        lpc_32_any(coeffs, shift, buf)
                    } else {
                        lpc_64_any(coeffs, shift, buf)
                    }
                }
            }
        };
    }
    by_order!(1 2 3 4 5 6 7 8 9 10 11 12);
}

#[inline(always)]
fn lpc_32<const N: usize>(coeffs: &[i32; N], shift: u32, buf: &mut [i32]) {
    // Two samples per iteration, each loaded sample used by both sums (FFmpeg's
    // `flac_lpc_16_c`, libavcodec/flacdsp.c): the second sample's newest term comes from a
    // register, not from memory. Why not one sample per iteration: with fat LTO and one codegen
    // unit, LLVM's SLP vectorizer turned that loop's dot product into vector loads of the window,
    // which includes the sample stored by the previous iteration, and every iteration stalled on
    // store-to-load forwarding: music10.flac (-5) decoded in 0.66 s instead of 0.31 s, and the
    // .wasm is built that way. This form is as fast in both profiles for orders up to 8 (flac -5),
    // 16 % slower than the one-sample loop in a non-LTO build at order 12 (flac -8), 40 % faster
    // than it with fat LTO.
    let mut i = N;
    while i + 1 < buf.len() {
        let window = &buf[i - N..i];
        let mut first = 0i32;
        let mut second = 0i32;
        for j in 0..N {
            first = first.wrapping_add(coeffs[j].wrapping_mul(window[j]));
            if j > 0 {
                second = second.wrapping_add(coeffs[j - 1].wrapping_mul(window[j]));
            }
        }
        let restored = buf[i].wrapping_add(first >> shift);
        buf[i] = restored;
        second = second.wrapping_add(coeffs[N - 1].wrapping_mul(restored));
        buf[i + 1] = buf[i + 1].wrapping_add(second >> shift);
        i += 2;
    }
    if i < buf.len() {
        let window = &buf[i - N..i];
        let mut sum = 0i32;
        for j in 0..N {
            sum = sum.wrapping_add(coeffs[j].wrapping_mul(window[j]));
        }
        buf[i] = buf[i].wrapping_add(sum >> shift);
    }
}

#[inline(always)]
fn lpc_64<const N: usize>(coeffs: &[i32; N], shift: u32, buf: &mut [i32]) {
    // Two samples per iteration, as `lpc_32`.
    let mut i = N;
    while i + 1 < buf.len() {
        let window = &buf[i - N..i];
        let mut first = 0i64;
        let mut second = 0i64;
        for j in 0..N {
            first = first.wrapping_add(i64::from(coeffs[j]) * i64::from(window[j]));
            if j > 0 {
                second = second.wrapping_add(i64::from(coeffs[j - 1]) * i64::from(window[j]));
            }
        }
        let restored = buf[i].wrapping_add((first >> shift) as i32);
        buf[i] = restored;
        second = second.wrapping_add(i64::from(coeffs[N - 1]) * i64::from(restored));
        buf[i + 1] = buf[i + 1].wrapping_add((second >> shift) as i32);
        i += 2;
    }
    if i < buf.len() {
        let window = &buf[i - N..i];
        let mut sum = 0i64;
        for j in 0..N {
            sum = sum.wrapping_add(i64::from(coeffs[j]) * i64::from(window[j]));
        }
        buf[i] = buf[i].wrapping_add((sum >> shift) as i32);
    }
}

fn lpc_32_any(coeffs: &[i32], shift: u32, buf: &mut [i32]) {
    let order = coeffs.len();
    for i in order..buf.len() {
        let sum = coeffs
            .iter()
            .zip(&buf[i - order..i])
            .fold(0i32, |acc, (&c, &s)| acc.wrapping_add(c.wrapping_mul(s)));
        buf[i] = buf[i].wrapping_add(sum >> shift);
    }
}

fn lpc_64_any(coeffs: &[i32], shift: u32, buf: &mut [i32]) {
    let order = coeffs.len();
    for i in order..buf.len() {
        let sum = coeffs
            .iter()
            .zip(&buf[i - order..i])
            .fold(0i64, |acc, (&c, &s)| {
                acc.wrapping_add(i64::from(c) * i64::from(s))
            });
        buf[i] = buf[i].wrapping_add((sum >> shift) as i32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prediction as RFC 9639 section 9.2.6 states it, in 64 bits: the reference the 32-bit
    /// loops must equal whenever they are chosen.
    fn lpc_reference(coeffs: &[i32], shift: u32, buf: &mut [i32]) {
        let order = coeffs.len();
        for i in order..buf.len() {
            let sum: i64 = (0..order)
                .map(|j| i64::from(coeffs[j]) * i64::from(buf[i - order + j]))
                .sum();
            buf[i] = buf[i].wrapping_add((sum >> shift) as i32);
        }
    }

    /// A small deterministic generator (xorshift64*), to keep the crate free of dependencies.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// With the largest coefficients of each precision and samples at +-2^(bps-1), on both sides
    /// of the 32-bit criterion, every order gives the 64-bit result.
    #[test]
    fn narrow_and_wide_equal_the_reference_at_the_limits() {
        let mut state = 0x9e37_79b9_7f4a_7c15;
        for order in 1..=32usize {
            for bps in [4u32, 8, 16, 17, 20, 24, 25, 32] {
                for precision in [2u32, 8, 12, 15] {
                    let cmax = (1i32 << (precision - 1)) - 1;
                    let coeffs: Vec<i32> = (0..order)
                        .map(|j| {
                            if (next(&mut state) + j as u64) % 2 == 0 {
                                cmax
                            } else {
                                -cmax - 1
                            }
                        })
                        .collect();
                    let lo = -(1i64 << (bps - 1));
                    let hi = (1i64 << (bps - 1)) - 1;
                    // Samples at the extremes: warm-up and residuals chosen so that every restored
                    // sample is again an extreme value of the bit depth (a valid stream).
                    let mut expected: Vec<i32> = (0..200)
                        .map(|_| {
                            if next(&mut state) % 2 == 0 {
                                lo as i32
                            } else {
                                hi as i32
                            }
                        })
                        .collect();
                    let target = expected.clone();
                    // Residual = target - prediction, computed with the reference.
                    let mut residuals = target.clone();
                    for i in order..target.len() {
                        let sum: i64 = (0..order)
                            .map(|j| i64::from(coeffs[j]) * i64::from(target[i - order + j]))
                            .sum();
                        residuals[i] = target[i].wrapping_sub((sum >> 3) as i32);
                    }
                    expected.copy_from_slice(&residuals);
                    lpc_reference(&coeffs, 3, &mut expected);
                    assert_eq!(expected, target);

                    let mut got = residuals.clone();
                    lpc_restore(bps, &coeffs, 3, &mut got);
                    assert_eq!(
                        got, target,
                        "order {order}, bps {bps}, precision {precision}"
                    );
                }
            }
        }
        // Every block length around the order, odd and even (the loops restore two samples at a
        // time and finish with one), from a block of only warm-up samples up.
        for order in [1usize, 2, 7, 8, 12, 13] {
            let coeffs: Vec<i32> = (0..order as i32).map(|j| 5 - j).collect();
            for len in order..order + 6 {
                let residuals: Vec<i32> = (0..len as i32).map(|k| k * 37 - 100).collect();
                let mut expected = residuals.clone();
                lpc_reference(&coeffs, 2, &mut expected);
                let mut got = residuals.clone();
                lpc_restore(16, &coeffs, 2, &mut got);
                assert_eq!(got, expected, "order {order}, length {len}");
                let mut got_wide = residuals.clone();
                lpc_restore(32, &coeffs, 2, &mut got_wide);
                assert_eq!(got_wide, expected, "order {order}, length {len}, wide");
            }
        }
        // sum(|c|) * 2^(bps-1) against 2^31 - 1.
        assert!(fits_32_bits(16, &[-16384, -16384, -16384, -16383]));
        assert!(!fits_32_bits(16, &[-16384, -16384, -16384, -16384]));
        assert!(!fits_32_bits(32, &[1]));
        assert!(fits_32_bits(31, &[1]));
    }

    /// The fixed predictors in wrapping 32-bit arithmetic equal the 64-bit formulas truncated to
    /// 32 bits (the computation they replace), also for values that overflow.
    #[test]
    fn fixed_equals_the_truncated_64_bit_formula() {
        const COEFFS: [&[i64]; 5] = [&[], &[1], &[2, -1], &[3, -3, 1], &[4, -6, 4, -1]];
        let mut state = 0x1234_5678_9abc_def1;
        for order in 0..=4usize {
            let input: Vec<i32> = (0..500).map(|_| next(&mut state) as i32).collect();
            let mut expected = input.clone();
            for i in order..expected.len() {
                let p: i64 = (0..order)
                    .map(|j| COEFFS[order][j] * i64::from(expected[i - 1 - j]))
                    .sum();
                expected[i] = expected[i].wrapping_add(p as i32);
            }
            let mut got = input.clone();
            fixed_restore(order as u32, &mut got);
            assert_eq!(got, expected, "order {order}");
        }
    }
}
