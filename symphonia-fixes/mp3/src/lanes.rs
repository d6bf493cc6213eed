// audiostream: not part of symphonia-bundle-mp3 0.6.1 (see UPSTREAM-NOTES.md, "Speed").
//
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

//! Several independent transforms computed together, one per SIMD lane, in portable code.
//!
//! The 32-point DCT of the synthesis filterbank and the 36-point IMDCT of layer III run once per
//! sample block and per sub-band, each a chain of scalar operations. Written over [`LaneValue`],
//! the same code runs on `f32` or on [`Lanes`], whose operations act lane by lane and which LLVM
//! compiles to SIMD instructions (SSE2 on every x86_64). Each lane performs exactly the scalar
//! operations in the same order (no fused multiply-add), so the results are bit-identical to
//! the scalar transform.

use std::ops::{Add, Mul, Sub};

/// The number of transforms computed together.
pub const LANES: usize = 4;

/// `LANES` values on which each arithmetic operation acts lane by lane.
#[derive(Clone, Copy)]
pub struct Lanes(pub [f32; LANES]);

impl Lanes {
    pub const ZERO: Lanes = Lanes([0.0; LANES]);
}

impl Add for Lanes {
    type Output = Lanes;

    #[inline(always)]
    fn add(self, rhs: Lanes) -> Lanes {
        Lanes(std::array::from_fn(|i| self.0[i] + rhs.0[i]))
    }
}

impl Sub for Lanes {
    type Output = Lanes;

    #[inline(always)]
    fn sub(self, rhs: Lanes) -> Lanes {
        Lanes(std::array::from_fn(|i| self.0[i] - rhs.0[i]))
    }
}

impl Mul<f32> for Lanes {
    type Output = Lanes;

    #[inline(always)]
    fn mul(self, rhs: f32) -> Lanes {
        Lanes(std::array::from_fn(|i| self.0[i] * rhs))
    }
}

/// A value a transform can be computed on: one sample (`f32`) or one sample of each of `LANES`
/// transforms (`Lanes`).
pub trait LaneValue:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<f32, Output = Self>
{
}

impl LaneValue for f32 {}

impl LaneValue for Lanes {}
