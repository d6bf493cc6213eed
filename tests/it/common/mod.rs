//! Shared helpers for the integration tests (`use crate::common;` in each test module).

pub mod alloc_count;
pub mod effects;
pub mod example_bins;
pub mod ogg;
pub mod oracle;
pub mod ours;
pub mod servers;
pub mod signals;
pub mod sox;
