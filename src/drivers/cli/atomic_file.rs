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
    fn a_missing_directory_is_an_error_naming_the_file() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("missing").join("heads.csv");
        let error = format!("{:#}", write_atomically(&path, b"new\n").unwrap_err());
        assert!(error.contains("heads.csv") && error.contains("creating a temporary file"), "{error}");
    }
}
