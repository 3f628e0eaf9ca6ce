//! Errors, in words an agent or an administrator can act on.

use std::path::PathBuf;

use ringside_store_file::OpenError;

/// Everything the lookup crate can fail with.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("unknown region {0:?}: use a two-letter country code such as UA, PL, DE, GB or US")]
    UnknownRegion(String),
    #[error("the lookup settings are not usable: {0}")]
    BadConfig(String),
    #[error("the folder for the customer directory, {0}, does not exist")]
    MissingFolder(PathBuf),
    #[error("the customer directory {0} cannot be written: the file or its folder is read-only")]
    ReadOnly(PathBuf),
    #[error("the customer directory {0} cannot be opened: permission denied or not a regular file")]
    CannotOpen(PathBuf),
    #[error("{0} is a database, but not a Ringside customer directory; choose another file")]
    NotADirectory(PathBuf),
    #[error("{0} is not a Ringside customer directory: the file is damaged or is not a database at all")]
    Corrupt(PathBuf),
    #[error(
        "the customer directory {path} was written by a newer Ringside (format {found}; this version reads up to {supported}); update Ringside"
    )]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    #[error("the customer directory is busy (another program holds it); try again")]
    Busy,
    #[error("the customer directory could not be read or written: {0}")]
    Database(#[source] rusqlite::Error),
    #[error("the customer directory file is damaged ({0}); restore it from a backup or import the customers again")]
    Damaged(#[source] rusqlite::Error),
    #[error("the file is not UTF-8 text; save it as UTF-8 and import it again")]
    NotUtf8,
    #[error("there is no customer with id {0:?}")]
    NoSuchCustomer(String),
    #[error("the customer cannot be saved: {0}")]
    InvalidCustomer(String),
    #[error("the file {path} cannot be read: {source}")]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the file {path} cannot be written: {source}")]
    WriteFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the import could not be read: {0}")]
    Io(#[source] std::io::Error),
    #[error("the CSV file has no column {column:?}; its columns are: {available}")]
    MissingColumn { column: String, available: String },
    #[error("the CSV file has no column that looks like a phone number (looked for Phone, Mobile, Tel…); its columns are: {0}")]
    NoPhoneColumn(String),
    #[error("the CSV file has no header line")]
    NoHeader,
    #[error("the CSV file cannot be read: {0}")]
    Csv(#[source] csv::Error),
}

impl From<ringside_numbers::ConfigError> for LookupError {
    fn from(e: ringside_numbers::ConfigError) -> Self {
        match e {
            ringside_numbers::ConfigError::UnknownRegion(region) => LookupError::UnknownRegion(region),
            ringside_numbers::ConfigError::Lengths(why) => LookupError::BadConfig(why),
        }
    }
}

/// The shared opener's reasons, in the directory's words.
impl From<OpenError> for LookupError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::MissingFolder(p) => LookupError::MissingFolder(p),
            OpenError::ReadOnly(p) => LookupError::ReadOnly(p),
            OpenError::CannotOpen(p) => LookupError::CannotOpen(p),
            OpenError::NotOurs { path, .. } => LookupError::NotADirectory(path),
            OpenError::TooNew { path, found, supported } => LookupError::TooNew { path, found, supported },
            OpenError::Corrupt(p) => LookupError::Corrupt(p),
            OpenError::Busy(_) => LookupError::Busy,
            OpenError::Sql { source, .. } => LookupError::from(source),
        }
    }
}

impl From<rusqlite::Error> for LookupError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => LookupError::Busy,
            Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => LookupError::Damaged(e),
            _ => LookupError::Database(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use ringside_store_file::OpenError;
    use rusqlite::ffi;

    use super::LookupError;

    /// The shared opener's reasons keep the words the directory has always used.
    #[test]
    fn every_reason_the_opener_gives_reads_as_the_directorys() {
        let path = || PathBuf::from("/data/directory.sqlite");
        let sql =
            |code| OpenError::Sql { path: path(), source: rusqlite::Error::SqliteFailure(ffi::Error::new(code), None) };
        let cases: Vec<(OpenError, &str)> = vec![
            (
                OpenError::MissingFolder(PathBuf::from("/data")),
                "the folder for the customer directory, /data, does not exist",
            ),
            (
                OpenError::ReadOnly(path()),
                "the customer directory /data/directory.sqlite cannot be written: the file or its folder is read-only",
            ),
            (OpenError::CannotOpen(path()), "the customer directory /data/directory.sqlite cannot be opened"),
            (
                OpenError::NotOurs { path: path(), application_id: 0x5247_5348 },
                "/data/directory.sqlite is a database, but not a Ringside customer directory; choose another file",
            ),
            (
                OpenError::TooNew { path: path(), found: 99, supported: 3 },
                "the customer directory /data/directory.sqlite was written by a newer Ringside (format 99; this version reads up to 3); update Ringside",
            ),
            (OpenError::Corrupt(path()), "/data/directory.sqlite is not a Ringside customer directory: the file is damaged"),
            (OpenError::Busy(path()), "the customer directory is busy (another program holds it); try again"),
            (sql(ffi::SQLITE_BUSY), "the customer directory is busy"),
            (sql(ffi::SQLITE_CORRUPT), "the customer directory file is damaged"),
            (sql(ffi::SQLITE_IOERR), "the customer directory could not be read or written"),
        ];
        for (open, words) in cases {
            let said = format!("{open:?}");
            let e = LookupError::from(open);
            assert!(e.to_string().starts_with(words), "{said} → {e}");
        }
        let e = LookupError::from(OpenError::TooNew { path: path(), found: 99, supported: 3 });
        assert!(
            matches!(e, LookupError::TooNew { found: 99, supported: 3, ref path } if path == Path::new("/data/directory.sqlite"))
        );
        assert!(matches!(LookupError::from(sql(ffi::SQLITE_CORRUPT)), LookupError::Damaged(_)));
    }
}
