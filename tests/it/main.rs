//! The integration tests, one binary: symphonia, LAME, libFLAC, libopus and libvorbis are
//! linked once instead of once per test file (33 binaries of ~140 MB each in debug before).
//! Each file is a module named as its file was; `cargo test --test it reader_seek::` runs one
//! of them. Files that need a feature say so with `#![cfg(...)]` at their top. The decoder
//! conformance runner (`tests/conformance/`, its own harness) and the device tests
//! (`tests/device_*.rs`: ALSA reads its configuration once per process, and each sets up its
//! own) stay binaries of their own.

// The tests call `StreamReader::new(&url, ..)` as users wrote it when `new` took `&str`; it now
// takes any `AsRef<OsStr>`, and the borrow is still what most callers write.
#![allow(clippy::needless_borrows_for_generic_args)]

mod common;

/// Counts each thread's allocations, for the memory limits of `robustness`.
#[global_allocator]
static COUNTING: common::alloc_count::Counting = common::alloc_count::Counting;

mod api_send;
mod api_use;
mod cli_convert;
mod cli_decode;
mod cli_info;
mod corpus;
mod dsp_remix;
mod dsp_resample;
mod effects_fundsp;
mod effects_modulation;
mod effects_pipeline;
mod effects_reverb;
mod effects_sox;
mod effects_time;
mod examples;
mod layering;
mod load;
mod net_faults;
mod net_http;
mod net_icecast;
mod net_proxy;
mod oracle_selftest;
mod reader_bad_input;
mod reader_chunking;
mod reader_convert;
mod reader_fixes;
mod reader_metadata;
mod reader_oracle;
mod reader_seek;
mod reader_vorbis_setup_cache;
mod robustness;
mod seed_loops;
mod stage_contract;
mod writer_behaviour;
mod writer_convert;
mod writer_lossless;
mod writer_mp3;
mod writer_opus;
mod writer_vorbis;
