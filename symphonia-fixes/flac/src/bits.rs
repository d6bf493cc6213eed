// Symphonia
// Copyright (c) 2019-2026 The Project Symphonia Developers.
//
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.
//
// Modified by audiostream: new file. The subframes were read with symphonia-core's `BitReaderLtr`,
// which refills its 64-bit cache from a byte slice copied into a temporary array, and reads a Rice
// code as two calls (unary, then k bits) each checking for a refill. This reader refills with one
// 8-byte load while 8 bytes remain and decodes a whole Rice partition from its register, as
// libFLAC's `FLAC__bitreader_read_rice_signed_block` does (bitreader.c). Same results and the same
// end-of-data error as `BitReaderLtr`.

use std::io;

/// A most-significant-bit-first reader of the bits of a byte slice (a FLAC frame's subframes).
///
/// It never reads past the slice: a read of more bits than remain is an error
/// ("unexpected end of bitstream", as symphonia-core's `BitReaderLtr`) and leaves the reader at the
/// end.
pub(crate) struct BitReader<'a> {
    buf: &'a [u8],
    /// Index in `buf` of the first byte not yet loaded into `cache`.
    pos: usize,
    /// The next `n` bits of the stream, most significant first. The bits after them are zero or
    /// the bits that follow in the stream (a refill ORs those same bits in again).
    cache: u64,
    /// The number of valid bits in `cache`, at most 63.
    n: u32,
}

fn end_of_bitstream<T>() -> io::Result<T> {
    Err(io::Error::other("unexpected end of bitstream"))
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        BitReader {
            buf,
            pos: 0,
            cache: 0,
            n: 0,
        }
    }

    /// Loads bytes into the cache: afterwards it holds at least 56 bits, or every bit left.
    #[inline(always)]
    fn refill(&mut self) {
        // Fast path (F. Giesen, "Reading bits in far too many ways", part 2, variant 4): one
        // unaligned 8-byte load; whole bytes are counted, the partial byte is loaded again next
        // time.
        if let Some(chunk) = self
            .buf
            .get(self.pos..)
            .and_then(|rest| rest.first_chunk::<8>())
        {
            self.cache |= u64::from_be_bytes(*chunk) >> self.n;
            self.pos += ((63 - self.n) >> 3) as usize;
            self.n |= 56;
        } else {
            self.refill_tail();
        }
    }

    /// Loads the last (fewer than 8) bytes one at a time.
    #[cold]
    fn refill_tail(&mut self) {
        while self.n <= 55 {
            let Some(&byte) = self.buf.get(self.pos) else {
                break;
            };
            self.cache |= u64::from(byte) << (56 - self.n);
            self.pos += 1;
            self.n += 8;
        }
    }

    /// Drops `k` (at most `self.n`) bits.
    #[inline(always)]
    fn consume(&mut self, k: u32) {
        debug_assert!(k <= self.n);
        self.cache <<= k;
        self.n -= k;
    }

    /// Reads `k` (at most 32) bits as an unsigned integer.
    #[inline(always)]
    pub(crate) fn read_bits_leq32(&mut self, k: u32) -> io::Result<u32> {
        debug_assert!(k <= 32);
        if self.n < k {
            self.refill();
            if self.n < k {
                return self.exhaust();
            }
        }
        // Two shifts: a shift by 64 (k = 0) is not defined.
        let value = ((self.cache >> 1) >> (63 - k)) as u32;
        self.consume(k);
        Ok(value)
    }

    /// Reads `k` (at most 64) bits as an unsigned integer.
    pub(crate) fn read_bits_leq64(&mut self, k: u32) -> io::Result<u64> {
        debug_assert!(k <= 64);
        if k > 32 {
            let high = u64::from(self.read_bits_leq32(k - 32)?);
            let low = u64::from(self.read_bits_leq32(32)?);
            Ok((high << 32) | low)
        } else {
            self.read_bits_leq32(k).map(u64::from)
        }
    }

    /// Reads one bit.
    #[inline(always)]
    pub(crate) fn read_bool(&mut self) -> io::Result<bool> {
        Ok(self.read_bits_leq32(1)? == 1)
    }

    /// Reads a unary code: counts 0 bits up to a 1 bit, which is consumed too.
    #[inline(always)]
    pub(crate) fn read_unary_zeros(&mut self) -> io::Result<u32> {
        let zeros = self.cache.leading_zeros();
        if zeros < self.n {
            // `zeros + 1 <= n <= 63`: one shift is defined.
            self.consume(zeros + 1);
            Ok(zeros)
        } else {
            self.read_unary_zeros_slow()
        }
    }

    /// `read_unary_zeros` when the cache holds no 1 bit: refill and count on.
    #[inline(never)]
    fn read_unary_zeros_slow(&mut self) -> io::Result<u32> {
        let mut count = 0u32;
        loop {
            let zeros = self.cache.leading_zeros();
            if zeros < self.n {
                self.consume(zeros + 1);
                return Ok(count.saturating_add(zeros));
            }
            // Every valid bit is 0. The bits after them are reloaded from `buf` by the refill.
            count = count.saturating_add(self.n);
            self.cache = 0;
            self.n = 0;
            self.refill();
            if self.n == 0 {
                return end_of_bitstream();
            }
        }
    }

    /// Decodes one Rice-coded partition of `out.len()` residuals with parameter `k` (at most 30:
    /// 31 is the escape code of the 5-bit parameter), each a unary quotient and `k` low bits,
    /// zigzag-mapped to a signed value (RFC 9639 section 9.2.7).
    ///
    /// The reader's state lives in registers for the whole partition: a code that fits the bits
    /// in the cache is decoded with one leading-zero count and two shifts. A code that does not
    /// (a long quotient, or the last bytes of the data) is read by `read_rice_slow`.
    ///
    /// The quotient is shifted as a `u32` (bits past 32 are dropped, as before): a corrupt stream
    /// gives wrong residuals, never a panic.
    pub(crate) fn read_rice_block(&mut self, k: u32, out: &mut [i32]) -> io::Result<()> {
        debug_assert!(k <= 30);
        let buf = self.buf;
        let (mut cache, mut n, mut pos) = (self.cache, self.n, self.pos);

        for sample in out.iter_mut() {
            if n < 32 {
                // The fast refill of `refill`, on the local copies.
                if let Some(chunk) = buf.get(pos..).and_then(|rest| rest.first_chunk::<8>()) {
                    cache |= u64::from_be_bytes(*chunk) >> n;
                    pos += ((63 - n) >> 3) as usize;
                    n |= 56;
                }
            }
            let zeros = cache.leading_zeros();
            // `zeros >= n` (no 1 bit in the cache) also gives `len > n`.
            let len = zeros + 1 + k;
            if len <= n {
                // `zeros + 1 <= n - k <= 63`, `k <= 30`: every shift is defined.
                let rest = cache << (zeros + 1);
                let low = ((rest >> 1) >> (63 - k)) as u32;
                cache = rest << k;
                n -= len;
                *sample = rice_signed_to_i32(zeros.wrapping_shl(k) | low);
            } else {
                (self.cache, self.n, self.pos) = (cache, n, pos);
                *sample = self.read_rice_slow(k)?;
                (cache, n, pos) = (self.cache, self.n, self.pos);
            }
        }

        (self.cache, self.n, self.pos) = (cache, n, pos);
        Ok(())
    }

    /// One Rice code read field by field (any quotient length, refills from the last bytes).
    #[cold]
    #[inline(never)]
    fn read_rice_slow(&mut self, k: u32) -> io::Result<i32> {
        let q = self.read_unary_zeros()?;
        let low = self.read_bits_leq32(k)?;
        Ok(rice_signed_to_i32(q.wrapping_shl(k) | low))
    }

    /// A read past the end: the reader is left at the end (as `BitReaderLtr` is), and the error
    /// is returned.
    #[cold]
    fn exhaust<T>(&mut self) -> io::Result<T> {
        self.pos = self.buf.len();
        self.cache = 0;
        self.n = 0;
        end_of_bitstream()
    }
}

/// Zigzag decoding (from decoder.rs): 0, 1, 2, 3, 4 -> 0, -1, 1, -2, 2.
#[inline(always)]
fn rice_signed_to_i32(word: u32) -> i32 {
    // Halve, then flip every bit of odd inputs: -(w / 2) - 1 for odd w.
    ((word >> 1) as i32) ^ -((word & 1) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bit string a test writes, packed MSB-first (the layout RFC 9639 section 9 uses).
    struct BitWriter {
        bytes: Vec<u8>,
        n: usize,
    }

    impl BitWriter {
        fn new() -> Self {
            BitWriter {
                bytes: Vec::new(),
                n: 0,
            }
        }
        fn put(&mut self, value: u64, k: u32) {
            for i in (0..k).rev() {
                if self.n % 8 == 0 {
                    self.bytes.push(0);
                }
                let bit = ((value >> i) & 1) as u8;
                let last = self.bytes.len() - 1;
                self.bytes[last] |= bit << (7 - self.n % 8);
                self.n += 1;
            }
        }
    }

    fn next(state: &mut u64) -> u64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    #[test]
    fn verify_rice_signed_to_i32() {
        let expected = [0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5];
        for (word, value) in expected.into_iter().enumerate() {
            assert_eq!(rice_signed_to_i32(word as u32), value);
        }
        assert_eq!(rice_signed_to_i32(u32::MAX), i32::MIN);
        assert_eq!(rice_signed_to_i32(u32::MAX - 1), i32::MAX);
    }

    /// Fields of every width written by an independent bit-by-bit writer read back, across every
    /// refill boundary, and the end of the data is an error.
    #[test]
    fn reads_back_fields_of_every_width() {
        let mut state = 7u64;
        let mut w = BitWriter::new();
        let mut fields = Vec::new();
        for _ in 0..5000 {
            let k = (next(&mut state) % 65) as u32;
            let value = if k == 0 {
                0
            } else {
                next(&mut state) >> (64 - k)
            };
            w.put(value, k);
            fields.push((k, value));
        }
        let mut r = BitReader::new(&w.bytes);
        for &(k, value) in &fields {
            assert_eq!(r.read_bits_leq64(k).unwrap(), value, "width {k}");
        }
        let pad = (8 - w.n % 8) % 8;
        assert_eq!(r.read_bits_leq32(pad as u32).unwrap(), 0);
        assert!(r.read_bool().is_err());
        assert!(r.read_bits_leq32(0).is_ok());
    }

    /// Rice codes (long unary runs included) read back as the signed values written, and data
    /// that ends inside a code is an error, never a panic.
    #[test]
    fn rice_block_and_truncation() {
        let mut state = 11u64;
        for k in 0..=30u32 {
            let mut w = BitWriter::new();
            let mut values = Vec::new();
            for i in 0..700 {
                let q = match i % 97 {
                    0 => 200 + next(&mut state) % 300,
                    _ => next(&mut state) % 20,
                };
                let r = if k == 0 {
                    0
                } else {
                    next(&mut state) >> (64 - k)
                };
                for _ in 0..q {
                    w.put(0, 1);
                }
                w.put(1, 1);
                w.put(r, k);
                let folded = ((q << k) | r) as u32;
                let signed = if folded & 1 == 0 {
                    (folded >> 1) as i32
                } else {
                    -((folded >> 1) as i32) - 1
                };
                values.push(signed);
            }
            let mut out = vec![0i32; values.len()];
            BitReader::new(&w.bytes)
                .read_rice_block(k, &mut out)
                .unwrap();
            assert_eq!(out, values, "k = {k}");

            // Every truncation of the data: an error, or (if only padding was cut) the values.
            for cut in (0..w.bytes.len()).step_by(7) {
                let mut out = vec![0i32; values.len()];
                assert!(
                    BitReader::new(&w.bytes[..cut])
                        .read_rice_block(k, &mut out)
                        .is_err()
                );
            }
        }
        // All zeros: a unary code that never ends.
        let zeros = [0u8; 100];
        let mut out = [0i32; 1];
        assert!(BitReader::new(&zeros).read_rice_block(3, &mut out).is_err());
        assert!(BitReader::new(&zeros).read_unary_zeros().is_err());
    }
}
