//! Writing a file so that it is either the old one or the new one, whatever fails on the way:
//! the new bytes go to a temporary file beside it, which is synced and then renamed over it,
//! and the directory is synced so the rename lasts. A full disk, a read-only directory or any
//! other write error leaves the previous file as it was and removes the temporary one.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The most temporary names tried when earlier ones exist (left by a crash, or another writer).
const TEMPORARY_NAMES_MAX: u32 = 16;

/// Replaces `path` with `contents` atomically (see the module doc). The file keeps the
/// permissions of the one it replaces; a symbolic link at `path` is replaced, not followed.
///
/// # Errors
///
/// When the temporary file cannot be created, written, synced or renamed (the error names
/// `path`, and `path` is unchanged), or the directory cannot be synced (the new file is in
/// place, its lasting through a crash is not known).
pub(crate) fn write_atomically(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    write_atomically_with(path, |file| file.write_all(contents).map_err(anyhow::Error::from))
}

/// As [`write_atomically`], with the contents streamed by `write` (buffered) instead of held in
/// memory; an error from `write` leaves `path` as it was.
///
/// # Errors
///
/// As [`write_atomically`], and `write`'s own error (with `path` named).
pub(crate) fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (temporary, file) =
        create_temporary(path, &directory).with_context(|| format!("writing `{}`", path.display()))?;
    let written = write_and_rename(path, &temporary, file, write);
    if written.is_err() {
        // The previous file is untouched; only the temporary one is to be cleaned up.
        let _ = std::fs::remove_file(&temporary);
    }
    written.with_context(|| format!("writing `{}`", path.display()))?;
    sync_directory(&directory).with_context(|| {
        format!("`{}` is written, but syncing its directory `{}` failed", path.display(), directory.display())
    })
}

/// A new file `.NAME.PID-N.tmp` beside `path`, never one that exists.
fn create_temporary(path: &Path, directory: &Path) -> std::io::Result<(PathBuf, File)> {
    let name = path.file_name().map_or_else(|| "file".into(), |name| name.to_string_lossy().into_owned());
    let mut attempt = 0;
    loop {
        let temporary = directory.join(format!(".{name}.{}-{attempt}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temporary) {
            Ok(file) => return Ok((temporary, file)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && attempt + 1 < TEMPORARY_NAMES_MAX => {
                attempt += 1;
            }
            Err(error) => {
                return Err(std::io::Error::new(
                    error.kind(),
                    format!("creating a temporary file in `{}`: {error}", directory.display()),
                ));
            }
        }
    }
}

fn write_and_rename(
    path: &Path,
    temporary: &Path,
    file: File,
    write: impl FnOnce(&mut dyn std::io::Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if let Ok(metadata) = std::fs::symlink_metadata(path)
        && metadata.is_file()
    {
        file.set_permissions(metadata.permissions())?;
    }
    let mut buffered = std::io::BufWriter::new(file);
    write(&mut buffered)?;
    let file = buffered.into_inner().map_err(std::io::IntoInnerError::into_error)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(temporary, path)?;
    Ok(())
}

/// A file being written beside `path` under a temporary name, renamed over `path` only by
/// [`PendingFile::commit`]; dropped without it, the temporary file is removed and `path` is as
/// it was. For output written piece by piece over a whole run (`--output`).
pub(crate) struct PendingFile {
    path: PathBuf,
    directory: PathBuf,
    temporary: PathBuf,
    file: Option<std::io::BufWriter<File>>,
}

impl PendingFile {
    /// Starts the file that will replace `path`.
    ///
    /// # Errors
    ///
    /// When the temporary file cannot be created (the error names `path`).
    pub(crate) fn create(path: &Path) -> anyhow::Result<PendingFile> {
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let (temporary, file) =
            create_temporary(path, &directory).with_context(|| format!("writing `{}`", path.display()))?;
        if let Ok(metadata) = std::fs::symlink_metadata(path)
            && metadata.is_file()
        {
            let _ = file.set_permissions(metadata.permissions());
        }
        Ok(PendingFile {
            path: path.to_path_buf(),
            directory,
            temporary,
            file: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// The directory the file is written in.
    pub(crate) fn directory(&self) -> &Path {
        &self.directory
    }

    /// Syncs the file and renames it over `path`.
    ///
    /// # Errors
    ///
    /// As [`write_atomically`]; the temporary file is removed on failure.
    pub(crate) fn commit(mut self) -> anyhow::Result<()> {
        let Some(buffered) = self.file.take() else { return Ok(()) };
        let renamed = (|| -> anyhow::Result<()> {
            let file = buffered.into_inner().map_err(std::io::IntoInnerError::into_error)?;
            file.sync_all()?;
            drop(file);
            std::fs::rename(&self.temporary, &self.path)?;
            Ok(())
        })();
        if renamed.is_err() {
            let _ = std::fs::remove_file(&self.temporary);
        }
        renamed.with_context(|| format!("writing `{}`", self.path.display()))?;
        sync_directory(&self.directory).with_context(|| {
            format!(
                "`{}` is written, but syncing its directory `{}` failed",
                self.path.display(),
                self.directory.display()
            )
        })
    }
}

impl std::io::Write for PendingFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(file) => file.write(bytes),
            None => Err(std::io::Error::other("the file was committed already")),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match &mut self.file {
            Some(file) => file.write_all(bytes),
            None => Err(std::io::Error::other("the file was committed already")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().map_or(Ok(()), std::io::Write::flush)
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.temporary);
        }
    }
}

#[cfg(unix)]
fn sync_directory(directory: &Path) -> std::io::Result<()> {
    File::open(directory)?.sync_all()
}

/// Windows cannot open a directory as a file to sync it; its rename is as durable as it gets.
#[cfg(not(unix))]
fn sync_directory(_: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::write_atomically;

    fn names(directory: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_file_is_replaced_and_nothing_else_is_left() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("heads.csv");
        std::fs::write(&path, "old\n").unwrap();
        write_atomically(&path, b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(names(directory.path()), ["heads.csv"]);
    }

    /// A rename that fails (onto a directory that is not empty) leaves the target as it was and
    /// no temporary file behind; the error names the target.
    #[test]
    fn a_failed_rename_leaves_the_target_and_removes_the_temporary_file() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("heads.csv");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("kept"), "old").unwrap();
        let error = write_atomically(&path, b"new\n").unwrap_err();
        assert!(format!("{error:#}").contains("heads.csv"), "{error:#}");
        assert_eq!(std::fs::read_to_string(path.join("kept")).unwrap(), "old");
        assert_eq!(names(directory.path()), ["heads.csv"]);
    }

    #[test]
    fn a_pending_file_replaces_the_target_only_when_committed() {
        use std::io::Write as _;
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("report.json");
        let mut dropped = super::PendingFile::create(&path).unwrap();
        dropped.write_all(b"half").unwrap();
        drop(dropped);
        assert_eq!(names(directory.path()), Vec::<String>::new());
        let mut pending = super::PendingFile::create(&path).unwrap();
        pending.write_all(b"whole\n").unwrap();
        pending.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "whole\n");
        assert_eq!(names(directory.path()), ["report.json"]);
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_the_file() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("missing").join("heads.csv");
        let error = format!("{:#}", write_atomically(&path, b"new\n").unwrap_err());
        assert!(error.contains("heads.csv") && error.contains("creating a temporary file"), "{error}");
    }
}
