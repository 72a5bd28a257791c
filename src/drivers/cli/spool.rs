//! `Spool`: a temporary file that holds one section of a report while the audit runs, so the
//! summary, known only at the end, can still be written first and memory stays flat. The file is
//! removed when the spool is dropped, whatever happened.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek as _, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The most names tried when earlier ones exist.
const SPOOL_NAMES_MAX: u32 = 64;

pub(crate) struct Spool {
    path: PathBuf,
    file: Option<BufWriter<File>>,
    /// Entries written, so the caller knows where separators go.
    pub(crate) entries: u64,
}

impl Spool {
    /// A new spool file in `directory`.
    pub(crate) fn new(directory: &Path, label: &str) -> std::io::Result<Spool> {
        for attempt in 0..SPOOL_NAMES_MAX {
            let path = directory.join(format!(".renewflow-{label}.{}-{attempt}.spool", std::process::id()));
            match OpenOptions::new().read(true).write(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(Spool { path, file: Some(BufWriter::with_capacity(1 << 16, file)), entries: 0 });
                }
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(error) => {
                    return Err(std::io::Error::new(
                        error.kind(),
                        format!("creating a temporary file in `{}`: {error}", directory.display()),
                    ));
                }
            }
        }
        Err(std::io::Error::other(format!("no free temporary file name in `{}`", directory.display())))
    }

    pub(crate) fn write(&mut self, text: &str) -> std::io::Result<()> {
        match &mut self.file {
            Some(file) => file.write_all(text.as_bytes()),
            None => Err(std::io::Error::other("the spool was copied out already")),
        }
    }

    /// Copies everything written to `out`.
    pub(crate) fn copy_to(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let Some(file) = self.file.take() else { return Ok(()) };
        let mut file = file.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        file.seek(SeekFrom::Start(0))?;
        std::io::copy(&mut file, out)?;
        Ok(())
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        self.file = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::Spool;

    #[test]
    fn a_spool_gives_back_what_was_written_and_leaves_no_file() {
        let directory = tempfile::tempdir().unwrap();
        let mut spool = Spool::new(directory.path(), "cases").unwrap();
        spool.write("one\n").unwrap();
        spool.write("two\n").unwrap();
        let mut out = Vec::new();
        spool.copy_to(&mut out).unwrap();
        assert_eq!(out, b"one\ntwo\n");
        drop(spool);
        assert_eq!(std::fs::read_dir(directory.path()).unwrap().count(), 0);
    }
}
