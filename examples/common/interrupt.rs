//! Ctrl-C sets a flag that the examples' loops check (the seed's `except KeyboardInterrupt`).
//! Shared by the examples through `#[path]`; not an example itself.

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C was pressed.
pub fn requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

#[cfg(unix)]
pub fn install() {
    extern "C" fn on_sigint(_: std::ffi::c_int) {
        // Only an atomic store: async-signal-safe.
        STOP.store(true, Ordering::SeqCst);
    }
    extern "C" {
        fn signal(signum: std::ffi::c_int, handler: extern "C" fn(std::ffi::c_int)) -> usize;
    }
    const SIGINT: std::ffi::c_int = 2;
    // SAFETY: installs a handler that only stores to an atomic; `signal` is in every libc.
    #[allow(unsafe_code)]
    unsafe {
        signal(SIGINT, on_sigint);
    }
}

/// Elsewhere Ctrl-C ends the process the default way.
#[cfg(not(unix))]
pub fn install() {}
