//! A library object shared with Python threads: behind a mutex, `None` once closed. The
//! reader and the writer classes hold one each.
//!
//! Every call that does real work takes the lock with the GIL released (`Python::detach`), so
//! that another Python thread can run meanwhile, and a thread waiting for the lock never holds
//! the GIL the holder needs. A panic inside the library while locked leaves the object as it
//! was (a poisoned lock is taken over).

use crate::errors::{closed, to_py};
use pyo3::prelude::*;
use std::sync::{Mutex, MutexGuard, TryLockError};

/// `T` behind a mutex, `None` once closed; `name` is the Python class named in errors.
pub struct Shared<T> {
    inner: Mutex<Option<T>>,
    name: &'static str,
}

impl<T: Send> Shared<T> {
    pub fn new(value: T, name: &'static str) -> Self {
        Shared {
            inner: Mutex::new(Some(value)),
            name,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<T>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the object with the GIL released; `ValueError` once closed.
    pub fn with<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut T) -> audiostream::Result<R> + Send,
    ) -> PyResult<R> {
        py.detach(|| match self.lock().as_mut() {
            Some(v) => f(v).map_err(to_py),
            None => Err(closed(self.name)),
        })
    }

    /// Runs `f` on the object holding the GIL (quick queries).
    pub fn peek<R>(&self, f: impl FnOnce(&T) -> R) -> PyResult<R> {
        self.lock().as_ref().map(f).ok_or_else(|| closed(self.name))
    }

    pub fn is_closed(&self) -> bool {
        self.lock().is_none()
    }

    /// Takes the object out (closing), waiting for the lock with the GIL released; `None`
    /// when it was closed already.
    pub fn take(&self, py: Python<'_>) -> Option<T> {
        py.detach(|| self.lock().take())
    }

    /// In a child process after `fork()`: gives up the object without running its destructor
    /// (its file descriptor and buffers are the parent's: closing or finalizing them here
    /// would change the parent's file). `false` when a thread held it at the fork.
    pub fn forget_after_fork(&self) -> bool {
        let mut guard = match self.inner.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return false,
        };
        std::mem::forget(guard.take());
        true
    }
}
