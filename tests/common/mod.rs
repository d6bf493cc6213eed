//! Shared helpers for the integration tests (`mod common;` in each test file).

pub mod effects;
pub mod ogg;
pub mod oracle;
pub mod ours;
pub mod servers;
pub mod signals;
pub mod sox;
