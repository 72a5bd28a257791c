//! Files a user names (on the command line, or in a file: `extends`, `durations_from`): only a
//! regular file is read, and never more bytes than a limit, whatever size the file system
//! reports. A device (`/dev/zero`), a FIFO, a socket or a directory is refused before it is opened
//! for reading, so nothing blocks on a FIFO and nothing reads forever; a file that reports a
//! size of 0 but has more (`/proc`) is cut off by the bytes actually read.
//!
//! Only I/O lives here; what a file means is the caller's business. Errors say what is wrong
//! with the file but not which file: the caller adds that as context.

use std::fs::{File, FileType, Metadata};
use std::io::{self, Read};
use std::os::unix::fs::FileTypeExt as _;
use std::path::Path;

/// Opens `path` for reading when it is a regular file (after following symbolic links).
///
/// The file's type is looked at before it is opened (opening a FIFO for reading would wait for
/// a writer) and again on what was opened, in case the path was replaced in between.
///
/// # Errors
///
/// The file is missing or unreadable, or it is not a regular file.
pub(crate) fn open_regular(path: &Path) -> io::Result<(File, Metadata)> {
    expect_regular(&std::fs::metadata(path)?)?;
    let file = File::open(path)?;
    let metadata = file.metadata()?;
    expect_regular(&metadata)?;
    Ok((file, metadata))
}

/// The text of the regular file `path`, read only up to `limit_bytes` (and one byte more, to
/// know it is longer).
///
/// # Errors
///
/// As for [`open_regular`]; also a file longer than `limit_bytes` (by its reported size or by
/// the bytes read), a read error, or bytes that are not UTF-8.
pub(crate) fn read_text(path: &Path, limit_bytes: usize) -> io::Result<String> {
    let (file, metadata) = open_regular(path)?;
    let limit = limit_bytes as u64;
    if metadata.len() > limit {
        return Err(io::Error::other(format!(
            "the file is {} bytes, beyond the limit of {limit_bytes}",
            metadata.len()
        )));
    }
    // The reported size sizes the buffer, but only the bytes read decide.
    let mut bytes = Vec::with_capacity(metadata.len() as usize + 1);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() > limit_bytes {
        return Err(io::Error::other(format!("the file has more than {limit_bytes} bytes, beyond the limit")));
    }
    String::from_utf8(bytes).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the file is not UTF-8 text"))
}

fn expect_regular(metadata: &Metadata) -> io::Result<()> {
    if metadata.is_file() {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file but {}; only regular files are read", kind(metadata.file_type())),
    ))
}

/// What a file that is not a regular file is, in words.
fn kind(file_type: FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else {
        "another kind of file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_refused_before_reading() {
        let message = |path: &str| read_text(Path::new(path), 1 << 20).unwrap_err().to_string();
        assert_eq!(message("/dev/zero"), "not a regular file but a character device; only regular files are read");
        assert_eq!(message("/"), "not a regular file but a directory; only regular files are read");
    }

    #[test]
    fn the_limit_counts_bytes_read_not_the_reported_size() {
        // `/proc` files report a size of 0 and have more.
        let path = Path::new("/proc/self/maps");
        assert_eq!(std::fs::metadata(path).unwrap().len(), 0);
        let message = read_text(path, 16).unwrap_err().to_string();
        assert_eq!(message, "the file has more than 16 bytes, beyond the limit");
    }

    #[test]
    fn a_file_within_the_limit_is_read_whole() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("a.yaml");
        std::fs::write(&path, "héllo").unwrap();
        assert_eq!(read_text(&path, 6).unwrap(), "héllo");
        assert_eq!(read_text(&path, 5).unwrap_err().to_string(), "the file is 6 bytes, beyond the limit of 5");
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert_eq!(read_text(&path, 6).unwrap_err().to_string(), "the file is not UTF-8 text");
    }
}
