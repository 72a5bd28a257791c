//! `Output`: where a command's report goes: stdout, or the file given with the global
//! `--output FILE`, written under a temporary name beside it and renamed over it only when the
//! command succeeds (exit 0 or 1), so a failed run leaves no half file. A reader that closes
//! stdout early (`| head`) ends the run quietly with exit 0 ([`super::ClosedPipe`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::ClosedPipe;
use super::atomic_file::PendingFile;

pub(crate) struct Output {
    /// `None`: stdout.
    file: Option<Mutex<PendingFile>>,
    path: Option<PathBuf>,
    /// The output file's directory (read without taking the file's lock, which a writer holds).
    directory: Option<PathBuf>,
}

impl Output {
    /// Output to stdout (`None`) or to `path`, whose temporary file is created now.
    ///
    /// # Errors
    ///
    /// When the temporary file beside `path` cannot be created.
    pub(crate) fn new(path: Option<&Path>) -> anyhow::Result<Output> {
        let file = path.map(PendingFile::create).transpose()?;
        let directory = file.as_ref().map(|file| file.directory().to_path_buf());
        Ok(Output { file: file.map(Mutex::new), path: path.map(Path::to_path_buf), directory })
    }

    /// The file given with `--output`, if any.
    pub(crate) fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Writes `text` and flushes it.
    ///
    /// # Errors
    ///
    /// [`ClosedPipe`] when stdout's reader has gone, or the write error.
    pub(crate) fn write(&self, text: &str) -> anyhow::Result<()> {
        let mut writer = self.writer();
        writer.write_all(text.as_bytes())?;
        writer.flush()?;
        Ok(())
    }

    /// A writer for output written piece by piece (hold one at a time).
    pub(crate) fn writer(&self) -> OutputWriter<'_> {
        match &self.file {
            Some(file) => OutputWriter::File(file.lock().unwrap_or_else(PoisonError::into_inner)),
            None => OutputWriter::Stdout(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
        }
    }

    /// Whether the output is stdout, where nothing written can be taken back.
    pub(crate) fn is_stdout(&self) -> bool {
        self.file.is_none()
    }

    /// Where a command may keep temporary files as large as its output: beside the output file,
    /// or the system's temporary directory.
    pub(crate) fn spool_directory(&self) -> PathBuf {
        self.directory.clone().unwrap_or_else(std::env::temp_dir)
    }

    /// Ends the output: the file is renamed over its path when `succeeded`, else removed.
    ///
    /// # Errors
    ///
    /// When the file cannot be synced or renamed.
    pub(crate) fn finish(self, succeeded: bool) -> anyhow::Result<()> {
        match self.file {
            Some(file) if succeeded => file.into_inner().unwrap_or_else(PoisonError::into_inner).commit(),
            _ => Ok(()),
        }
    }
}

/// Writes to stdout or the output file.
pub(crate) enum OutputWriter<'a> {
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
    File(MutexGuard<'a, PendingFile>),
}

/// A broken pipe on stdout, as an error carrying [`ClosedPipe`] so the run ends quietly.
fn closed(error: std::io::Error) -> std::io::Error {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        std::io::Error::new(std::io::ErrorKind::BrokenPipe, ClosedPipe)
    } else {
        error
    }
}

impl Write for OutputWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self {
            OutputWriter::Stdout(stdout) => stdout.write(bytes).map_err(closed),
            OutputWriter::File(file) => file.write(bytes),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            OutputWriter::Stdout(stdout) => stdout.write_all(bytes).map_err(closed),
            OutputWriter::File(file) => file.write_all(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            OutputWriter::Stdout(stdout) => stdout.flush().map_err(closed),
            OutputWriter::File(file) => file.flush(),
        }
    }
}

impl Drop for OutputWriter<'_> {
    fn drop(&mut self) {
        if let OutputWriter::Stdout(stdout) = self {
            // What is left unflushed after an error is dropped; a closed pipe must not panic.
            let _ = stdout.flush();
        }
    }
}

/// Whether `error` is, or was caused by, stdout's reader going away.
pub(crate) fn is_closed_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<ClosedPipe>().is_some()
            || cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.get_ref().is_some_and(|inner| inner.downcast_ref::<ClosedPipe>().is_some()))
    })
}
