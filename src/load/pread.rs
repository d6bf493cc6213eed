//! Positioned reads of a file shared by the threads of a load: each thread reads its own byte
//! ranges without a shared cursor.
//!
//! Unix has `pread` (`std::os::unix::fs::FileExt::read_exact_at`), Windows `ReadFile` with an
//! offset (`std::os::windows::fs::FileExt::seek_read`); elsewhere (WASI, wasm32) std has no
//! positioned read, so a lock makes each seek and read one step.

use std::fs::File;
use std::io;

/// A file read at offsets, from any number of threads at once.
pub(crate) struct PositionedFile {
    file: File,
    /// Holds the shared cursor between a seek and its read, where std has no positioned read.
    #[cfg(not(any(unix, windows)))]
    cursor: std::sync::Mutex<()>,
}

impl PositionedFile {
    pub(crate) fn new(file: File) -> Self {
        PositionedFile {
            file,
            #[cfg(not(any(unix, windows)))]
            cursor: std::sync::Mutex::new(()),
        }
    }

    /// Fills `buf` from byte `offset` of the file; `ErrorKind::UnexpectedEof` when the file
    /// ends first.
    pub(crate) fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_exact_at(&self.file, buf, offset)
        }
        #[cfg(windows)]
        {
            use std::os::windows::fs::FileExt;
            let (mut buf, mut offset) = (buf, offset);
            while !buf.is_empty() {
                match self.file.seek_read(buf, offset) {
                    Ok(0) => {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the file ended before the bytes its header names",
                        ))
                    }
                    Ok(n) => {
                        buf = &mut buf[n..];
                        offset += n as u64;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        }
        #[cfg(not(any(unix, windows)))]
        {
            use std::io::{Read, Seek, SeekFrom};
            let _held = self
                .cursor
                .lock()
                .map_err(|_| io::Error::other("a reading thread of load panicked"))?;
            let mut f = &self.file;
            f.seek(SeekFrom::Start(offset))?;
            f.read_exact(buf)
        }
    }
}
