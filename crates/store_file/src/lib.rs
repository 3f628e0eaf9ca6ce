//! Ringside's SQLite files (the customer directory, the call history) are opened the same way:
//! first find out, with plain file operations, why a file could not be used, because SQLite
//! itself only says "unable to open database file". Each store turns a [`FileProblem`] into its
//! own error, in words.

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// Why a data file cannot be opened for reading and writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// The folder it should be in does not exist.
    MissingFolder(PathBuf),
    /// It (or its folder) may not be written.
    ReadOnly(PathBuf),
    /// Something else: a folder where the file should be, an I/O error.
    CannotOpen(PathBuf),
}

/// Checks that `path` can be opened for writing, or created (the probe file is removed again).
pub fn probe(path: &Path) -> Result<(), FileProblem> {
    let path_buf = path.to_path_buf();
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent {
        if !parent.is_dir() {
            return Err(FileProblem::MissingFolder(parent.to_path_buf()));
        }
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(FileProblem::CannotOpen(path_buf)),
        Ok(_) => match OpenOptions::new().read(true).write(true).open(path) {
            Ok(_) => Ok(()),
            Err(e) => Err(problem(e, path_buf)),
        },
        Err(e) if e.kind() == ErrorKind::NotFound => {
            // Creating it must be possible; SQLite creates it for real right after.
            match OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(_) => {
                    if let Err(e) = std::fs::remove_file(path) {
                        tracing::debug!(error = %e, "could not remove the probe file");
                    }
                    Ok(())
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
                Err(e) => Err(problem(e, path_buf)),
            }
        }
        Err(e) => Err(problem(e, path_buf)),
    }
}

fn problem(e: std::io::Error, path: PathBuf) -> FileProblem {
    match e.kind() {
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => FileProblem::ReadOnly(path),
        ErrorKind::NotFound => FileProblem::MissingFolder(path.parent().map(Path::to_path_buf).unwrap_or(path)),
        _ => FileProblem::CannotOpen(path),
    }
}

#[cfg(test)]
mod tests {
    use super::{probe, FileProblem};

    #[test]
    fn a_new_file_in_an_existing_folder_is_fine_and_not_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite");
        assert_eq!(probe(&path), Ok(()));
        assert!(!path.exists(), "the probe file was removed");
    }

    #[test]
    fn a_missing_folder_and_a_folder_in_the_way_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        assert_eq!(probe(&missing.join("x.sqlite")), Err(FileProblem::MissingFolder(missing)));
        assert_eq!(probe(dir.path()), Err(FileProblem::CannotOpen(dir.path().to_path_buf())));
    }
}
