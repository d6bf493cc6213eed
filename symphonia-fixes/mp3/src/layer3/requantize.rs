// Modified by audiostream: the 2^(e/4) requantization factors from a table (POW2_QUARTER, same values); Huffman decoding from one 64-bit window per code (BitWindow, codebooks::HuffmanTable) in place of symphonia-core's bit reader (same samples and errors, fewer instructions); requantize the whole long part of mixed blocks (its last band, 30..36, was left unscaled: up to 240x full scale on l3-si_block); the x^(4/3) table computed in f64 (f32::powf differs between libms: WebAssembly decoded other samples than x86_64 glibc).
// Symphonia
// Copyright (c) 2019-2026 The Project Symphonia Developers.
//
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

use symphonia_core::errors::{Result, decode_error};

use crate::common::FrameHeader;

use super::{GranuleChannel, codebooks, common::*};

use std::cmp::min;
use std::{f32, f64};

use lazy_static::lazy_static;

use log::info;

/// The length of the `POW43` table.
const POW43_LEN: usize = 8207;

lazy_static! {
    /// Lookup table for computing x(i) = s(i)^(4/3) where s(i) is a decoded Huffman sample. The
    /// value of s(i) is bound between 0..8207. Computed in f64 and rounded once to f32, so the
    /// table is the same whichever libm `powf` comes from (glibc's and the one Rust ships for
    /// wasm32 differ by an ulp on some entries, which made WebAssembly decodes differ).
    static ref POW43: Box<[f32; POW43_LEN]> = {
        let pow43: Vec<f32> =
            (0..POW43_LEN).map(|i| f64::powf(i as f64, 4.0 / 3.0) as f32).collect();
        pow43.into_boxed_slice().try_into().expect("vec initialized to POW43_LEN")
    };
}

/// The smallest exponent e of the 2^(e/4) factors of requantization: A = global_gain - 210 -
/// 8 * subblock_gain >= -266 and B (an 8-bit scale factor term) <= 255.
const POW2_QUARTER_MIN: i32 = -266 - 255;

/// The largest exponent: A <= 255 - 210 and B >= 0.
const POW2_QUARTER_MAX: i32 = 45;

lazy_static! {
    /// 2^(e/4) for e in POW2_QUARTER_MIN..=POW2_QUARTER_MAX, computed exactly as the requantizer
    /// computed each factor before (f64 `powf`, rounded once to f32), so the factors are the same.
    ///
    /// audiostream: a table in place of a `powf` per scale factor band (one call of libm's `pow`
    /// per band and granule was ~2 % of the decode).
    static ref POW2_QUARTER: Box<[f32]> =
        (POW2_QUARTER_MIN..=POW2_QUARTER_MAX).map(pow2_quarter_exact).collect();
}

/// 2^(e/4), as the requantizer computes it.
fn pow2_quarter_exact(e: i32) -> f32 {
    f64::powf(2.0, 0.25 * f64::from(e)) as f32
}

/// 2^(e/4) from `table` (`POW2_QUARTER`), or computed for an exponent outside it.
#[inline(always)]
fn pow2_quarter(table: &[f32], e: i32) -> f32 {
    usize::try_from(e - POW2_QUARTER_MIN)
        .ok()
        .and_then(|i| table.get(i))
        .copied()
        .unwrap_or_else(|| pow2_quarter_exact(e))
}

/// Zero a sample buffer.
#[inline(always)]
pub(super) fn zero(buf: &mut [f32; 576]) {
    buf.fill(0.0);
}

/// A reader of the bits of the main data, most significant bit first, that gives the next 57 or
/// more bits at once (zeros past the end of the data).
///
/// audiostream: replaces symphonia-core's `BitReaderLtr` in the Huffman decoding loop, whose
/// per-call refill checks and one-bit sign reads cost more than the table lookups themselves.
struct BitWindow<'a> {
    buf: &'a [u8],
    /// The position of the next bit, counted from the start of `buf`.
    pos: usize,
    /// The number of bits in `buf`.
    end: usize,
}

impl<'a> BitWindow<'a> {
    /// The next bits from `pos` on: at least 57 of them valid, zeros past the end of the data.
    #[inline(always)]
    fn peek(&self) -> u64 {
        let byte = self.pos >> 3;
        let word = match self.buf.get(byte..byte + 8) {
            Some(bytes) => {
                let mut word = [0u8; 8];
                word.copy_from_slice(bytes);
                u64::from_be_bytes(word)
            }
            None => {
                // Fewer than 8 bytes are left: pad with zeros.
                let tail = self.buf.get(byte..).unwrap_or(&[]);
                let mut word = [0u8; 8];
                word[..tail.len()].copy_from_slice(tail);
                u64::from_be_bytes(word)
            }
        };
        word << (self.pos & 7)
    }

    /// Consumes `n` bits, or fails, as symphonia's bit reader does, when fewer are left.
    #[inline(always)]
    fn consume(&mut self, n: u32) -> Result<()> {
        let pos = self.pos + n as usize;
        if pos > self.end {
            return decode_error("mpa: huffman decode overrun");
        }
        self.pos = pos;
        Ok(())
    }
}

/// Reads the Huffman coded spectral samples for a given channel in a granule, which start at bit
/// `start_bit` of `main_data`, into a provided sample buffer. Returns the number of decoded samples
/// (the starting index of the rzero partition).
///
/// Note, each spectral sample is raised to the (4/3)-rd power. This is not actually part of the
/// Huffman decoding process, but, by converting the integer sample to floating point here we don't
/// need to do pointless casting or use an extra buffer.
///
/// audiostream: reads from one 64-bit window per code (`BitWindow`): the longest big_values code
/// (19 bits), two times 13 linbits and two sign bits are 47 bits. The samples, the bits consumed
/// and the errors (any read past the end of the main data) are those of the symphonia 0.6.1 loop,
/// which read the code, linbits and each sign bit one call at a time.
pub(super) fn read_huffman_samples(
    main_data: &[u8],
    start_bit: usize,
    channel: &GranuleChannel,
    part3_bits: u32,
    buf: &mut [f32; 576],
) -> Result<usize> {
    // If there are no Huffman code bits, zero all samples and return immediately.
    if part3_bits == 0 {
        buf.fill(0.0);
        return Ok(0);
    }

    // Dereference the POW43 table once per granule since there is a tiny overhead each time a
    // lazy_static is dereferenced that should be amortized over as many samples as possible.
    let pow43: &[f32; POW43_LEN] = &POW43;

    let mut bs = BitWindow {
        buf: main_data,
        pos: start_bit,
        end: main_data.len() * 8,
    };

    let mut bits_read = 0;
    let mut i = 0;

    // There are two samples per big_value, therefore multiply big_values by 2 to get number of
    // samples in the big_value partition.
    let big_values_len = 2 * channel.big_values as usize;

    // There are up-to 3 regions in the big_value partition. Determine the sample index denoting the
    // end of each region (non-inclusive). Clamp to the end of the big_values partition.
    let regions: [usize; 3] = [
        min(channel.region1_start, big_values_len),
        min(channel.region2_start, big_values_len),
        min(576, big_values_len),
    ];

    // Iterate over each region in big_values.
    for (region_idx, region_end) in regions.iter().enumerate() {
        // Select the Huffman table based on the region's table select value.
        let table_select = channel.table_select[region_idx] as usize;

        // Tables 0..16 are all unique, while tables 16..24 and 24..32 each use one table but
        // differ in the number of linbits to use.
        let codebook = match table_select {
            0..=15 => &codebooks::CODEBOOK_TABLES[table_select],
            16..=23 => &codebooks::CODEBOOK_TABLES[16],
            24..=31 => &codebooks::CODEBOOK_TABLES[17],
            _ => unreachable!(),
        };

        let linbits = codebooks::CODEBOOK_LINBITS[table_select];

        // If the table for a region is empty, fill the region with zeros and move on to the next
        // region.
        if codebook.is_empty() {
            while i < *region_end {
                buf[i] = 0.0;
                i += 1;
                buf[i] = 0.0;
                i += 1;
            }
            continue;
        }

        // Otherwise, read the big_values.
        while i < *region_end && bits_read < part3_bits {
            // Decode the next Huffman code.
            let window = bs.peek();
            let (value, code_len) = codebook.decode(window);
            let mut n = code_len;

            // In the big_values partition, each Huffman code decodes to two sample, x and y. Each
            // sample being 4-bits long.
            let mut x = (value >> 4) as usize;
            let mut y = (value & 0xf) as usize;

            // If x is saturated (it is at the maximum possible value), and the table specifies
            // linbits, then read linbits more bits and add it to the sample.
            if x == 15 && linbits > 0 {
                x += ((window << n) >> (64 - linbits)) as usize;
                n += linbits;
            }

            // If x is not 0, the next bit is its sign bit: if it is 1, the sample is negative.
            // The value of the sample is raised to the (4/3) power. Without branches (the signs
            // and zeros are random, so branches on them were mispredicted half of the time):
            // pow43[0] is 0.0, and the sign is applied to the bits (only when x is not 0, so 0
            // stays +0.0 as before).
            let x_nonzero = u32::from(x != 0);
            let sign = ((window << n) >> 63) as u32 & x_nonzero;
            n += x_nonzero;
            buf[i] = f32::from_bits(pow43[x].to_bits() ^ (sign << 31));

            i += 1;

            // Likewise, repeat the previous two steps for the second sample, y.
            if y == 15 && linbits > 0 {
                y += ((window << n) >> (64 - linbits)) as usize;
                n += linbits;
            }

            let y_nonzero = u32::from(y != 0);
            let sign = ((window << n) >> 63) as u32 & y_nonzero;
            n += y_nonzero;
            buf[i] = f32::from_bits(pow43[y].to_bits() ^ (sign << 31));

            i += 1;

            bs.consume(n)?;
            bits_read += n;
        }
    }

    let count1_codebook = &codebooks::QUADS_CODEBOOK_TABLE[usize::from(channel.count1table_select)];

    // Read the count1 partition.
    while i <= 572 && bits_read < part3_bits {
        // In the count1 partition, each Huffman code decodes to 4 samples: v, w, x, and y.
        // Each sample is 1-bit long (1 or 0).
        //
        // For each 1-bit sample, if it is 0, then the dequantized sample value is 0 as well. If
        // the 1-bit sample is 1, then a sign bit is read. The dequantized sample is then either
        // +/-1.0 depending on the sign bit.

        // Decode the next Huffman code.
        let window = bs.peek();
        let (value, code_len) = count1_codebook.decode(window);

        // The first 4 bits indicate if a sample if 0 or 1. Count the number of samples with a
        // non-zero value.
        let num_ones = (value & 0xf).count_ones();

        // Read the sign bits for each non-zero sample in a single read (code_len <= 6, so they
        // are in the window).
        // (Shifted in two steps so that num_ones = 0 gives 0.)
        let mut signs = (((window << code_len) >> 1) >> (63 - num_ones)) as u32;

        bs.consume(code_len + num_ones)?;
        bits_read += code_len + num_ones;

        // Unpack the samples (flag 0x8 is v at i, 0x1 is y at i + 3; the last sign bit read is
        // the lowest of `signs`): +/-1.0 where the flag is set, +0.0 elsewhere. Without
        // branches, as above: the bits of 1.0 with the sign bit set for a negative sample.
        for (flag, offset) in [(0x1, 3), (0x2, 2), (0x4, 1), (0x8, 0)] {
            let on = u32::from(value & flag != 0);
            let negative = signs & 1 & on;
            buf[i + offset] = f32::from_bits((on * 0x3f80_0000) | (negative << 31));
            signs >>= on;
        }

        i += 4;
    }

    // Ignore any extra "stuffing" bits.
    if bits_read < part3_bits {
        bs.consume(part3_bits - bits_read)?;
    }
    // Word on the street is that some encoders are poor at "stuffing" bits, resulting in part3_len
    // being ever so slightly too large. This causes the Huffman decode loop to decode the next few
    // bits as spectral samples. However, these bits are actually random data and are not real
    // samples, therefore, undo them! The caller will be reponsible for re-aligning the bitstream
    // reader. Candy Pop confirms this.
    else if bits_read > part3_bits && i > big_values_len {
        info!("count1 overrun, malformed bitstream");
        i -= 4;
    } else if bits_read > part3_bits {
        // It seems that most other decoders don't undo overruns of the big values. We'll just print
        // a message for now.
        info!("big_values overrun, malformed bitstream");
    }

    // The final partition after the count1 partition is the rzero partition. Samples in this
    // partition are all 0.
    buf[i..].fill(0.0);

    Ok(i)
}

/// Requantize long block samples in `buf`.
fn requantize_long(channel: &GranuleChannel, bands: &[usize], buf: &mut [f32; 576]) {
    // For long blocks dequantization and scaling is governed by the following equation:
    //
    //                     xr(i) = s(i)^(4/3) * 2^(0.25*A) * 2^(-B)
    // where:
    //       s(i) is the decoded Huffman sample
    //      xr(i) is the dequantized sample
    // and:
    //      A = global_gain[gr] - 210
    //      B = scalefac_multiplier * (scalefacs[gr][ch][sfb] + (preflag[gr] * pretab[sfb]))
    //
    // Note: The samples in buf are the result of s(i)^(4/3) for each sample i.
    debug_assert!(bands.len() <= 23);

    // The preemphasis table is from table B.6 in ISO/IEC 11172-3.
    const PRE_EMPHASIS: [u8; 22] = [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 3, 2, 0,
    ];

    // Calculate A, it is constant for the entire requantization.
    let a = i32::from(channel.global_gain) - 210;

    let scalefac_shift = if channel.scalefac_scale { 2 } else { 1 };

    let pow2_quarter_table: &[f32] = &POW2_QUARTER;

    // Requantize each scale-factor band in buf.
    for (i, (start, end)) in bands.iter().zip(&bands[1..]).enumerate() {
        // Do not requantize bands starting after the rzero sample since all samples from there on
        // are 0.
        if *start >= channel.rzero {
            break;
        }

        // Lookup the pre-emphasis amount if required.
        let pre_emphasis = if channel.preflag { PRE_EMPHASIS[i] } else { 0 };

        // Calculate B.
        let b = i32::from((channel.scalefacs[i] + pre_emphasis) << scalefac_shift);

        // Calculate 2^(0.25*A) * 2^(-B). This can be rewritten as 2^{ 0.25 * (A - 4 * B) }.
        // Since scalefac_shift was multiplies by 4 above, the final equation becomes
        // 2^{ 0.25 * (A - B) }.
        let pow2ab = pow2_quarter(pow2_quarter_table, a - b);

        // Calculate the ending sample index for the scale-factor band, clamping it to the length of
        // the sample buffer.
        let band_end = min(*end, channel.rzero);

        // The sample buffer contains s(i)^(4/3), now multiply in 2^(0.25*A) * 2^(-B) to get xr(i).
        for sample in &mut buf[*start..band_end] {
            *sample *= pow2ab;
        }
    }
}

/// Requantize short block samples in `buf` starting at scale-factor band `sfb_init`.
fn requantize_short(
    channel: &GranuleChannel,
    bands: &[usize],
    switch: usize,
    buf: &mut [f32; 576],
) {
    // For short blocks dequantization and scaling is governed by the following equation:
    //
    //                     xr(i) = s(i)^(4/3) * 2^(0.25*A) * 2^(-B)
    // where:
    //       s(i) is the decoded Huffman sample
    //      xr(i) is the dequantized sample
    // and:
    //      A = global_gain[gr] - 210 - (8 * subblock_gain[gr][win])
    //      B = scalefac_multiplier * scalefacs[gr][ch][sfb][win]
    //
    // Note: The samples in buf are the result of s(i)^(4/3) for each sample i.
    debug_assert!(bands.len() <= 40);

    // Calculate the window-independant part of A: global_gain[gr] - 210.
    let gain = i32::from(channel.global_gain) - 210;

    // Calculate A for each window.
    let a = [
        gain - 8 * i32::from(channel.subblock_gain[0]),
        gain - 8 * i32::from(channel.subblock_gain[1]),
        gain - 8 * i32::from(channel.subblock_gain[2]),
    ];

    // Likweise, the scalefac_multiplier is constant for the granule. The actual scale is multiplied
    // by 4 to combine the two pow2 operations into one by adding the exponents. The sum of the
    // exponent is multiplied by 0.25 so B must be multiplied by 4 to counter the quartering. A
    // bitshift operation is used for the actual multiplication, so scalefac_multiplier is named
    // scalefac_shift in this case.
    let scalefac_shift = if channel.scalefac_scale { 2 } else { 1 };

    let pow2_quarter_table: &[f32] = &POW2_QUARTER;

    for (i, (start, end)) in bands.iter().zip(&bands[1..]).enumerate() {
        // Do not requantize bands starting after the rzero sample since all samples from there on
        // are 0.
        if *start >= channel.rzero {
            break;
        }

        // Calculate B.
        let b = i32::from(channel.scalefacs[switch + i] << scalefac_shift);

        // Calculate 2^(0.25*A) * 2^(-B). This can be rewritten as 2^{ 0.25 * (A - 4 * B) }.
        // Since scalefac_shift multiplies by 4 above, the final equation becomes
        // 2^{ 0.25 * (A - B) }.
        let pow2ab = pow2_quarter(pow2_quarter_table, a[i % 3] - b);

        // Clamp the ending sample index to the rzero sample index. Since samples starting from
        // rzero are 0, there is no point in requantizing them.
        let win_end = min(*end, channel.rzero);

        // The sample buffer contains s(i)^(4/3), now multiply in 2^(0.25*A) * 2^(-B) to get
        // xr(i).
        for sample in &mut buf[*start..win_end] {
            *sample *= pow2ab;
        }
    }
}

/// Requantize samples in `buf` regardless of block type.
pub(super) fn requantize(header: &FrameHeader, channel: &GranuleChannel, buf: &mut [f32; 576]) {
    match channel.block_type {
        BlockType::Short { is_mixed: false } => {
            requantize_short(channel, &SFB_SHORT_BANDS[header.sample_rate_idx], 0, buf);
        }
        BlockType::Short { is_mixed: true } => {
            // A mixed block is a combination of a long block and short blocks. The first few scale
            // factor bands, and thus samples, belong to a single long block, while the remaining
            // bands and samples belong to short blocks. Therefore, requantization for mixed blocks
            // can be decomposed into short and long block requantizations.
            //
            // As per ISO/IEC 11172-3, the short scale factor band at which the long block ends and
            // the short blocks begin is denoted by switch_point_s.
            let bands = SFB_MIXED_BANDS[header.sample_rate_idx];
            let switch = SFB_MIXED_SWITCH_POINT[header.sample_rate_idx];

            requantize_long(channel, &bands[..=switch], buf);
            requantize_short(channel, &bands[switch..], switch, buf);
        }
        _ => {
            requantize_long(channel, &SFB_LONG_BANDS[header.sample_rate_idx], buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table holds exactly what the requantizer computed per band before, and exponents
    /// outside it are computed the same way.
    #[test]
    fn verify_pow2_quarter() {
        let table: &[f32] = &POW2_QUARTER;
        for e in POW2_QUARTER_MIN - 8..=POW2_QUARTER_MAX + 8 {
            let expected = f64::powf(2.0, 0.25 * f64::from(e)) as f32;
            assert_eq!(
                pow2_quarter(table, e).to_bits(),
                expected.to_bits(),
                "e = {e}"
            );
        }
        assert_eq!(pow2_quarter(table, 0), 1.0);
        assert_eq!(pow2_quarter(table, -8), 0.25);
    }
}
