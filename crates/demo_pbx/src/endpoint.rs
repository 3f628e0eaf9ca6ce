//! How a running Ringside tells the user's own tools where its embedded demo PBX listens and
//! with which secret: a small file only that user can read. The embedded demo uses a secret made
//! for the run, so another local user can neither log into it nor (since Ringside never logs
//! into a demo it did not start, unless the config names one) stand in for it.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;

/// Where the embedded demo PBX listens, and its secret for this run.
#[derive(Clone, PartialEq, Eq)]
pub struct DemoEndpoint {
    pub addr: SocketAddr,
    pub secret: String,
}

impl std::fmt::Debug for DemoEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoEndpoint").field("addr", &self.addr).field("secret", &"<redacted>").finish()
    }
}

impl DemoEndpoint {
    /// A new endpoint at `addr` with a random 128-bit secret.
    pub fn new_secret() -> String {
        use rand::Rng;
        let bytes: [u8; 16] = rand::rng().random();
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Writes `addr` and `secret` to `path` (its folder made private first), readable by this
    /// user only, replacing an older file in one step.
    pub fn publish(&self, path: &Path) -> std::io::Result<()> {
        let dir = path.parent().ok_or_else(|| std::io::Error::other("the endpoint file has no folder"))?;
        std::fs::create_dir_all(dir)?;
        let tmp = path.with_extension("tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        writeln!(file, "{}\n{}", self.addr, self.secret)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    }

    /// The endpoint a running Ringside published at `path`, if the file is there and whole.
    pub fn read(path: &Path) -> Option<DemoEndpoint> {
        let text = std::fs::read_to_string(path).ok()?;
        let mut lines = text.lines();
        let addr = lines.next()?.trim().parse().ok()?;
        let secret = lines.next()?.trim().to_string();
        (!secret.is_empty()).then_some(DemoEndpoint { addr, secret })
    }

    /// Removes the file at `path` if it still describes this endpoint (a later run may have
    /// replaced it).
    pub fn withdraw(&self, path: &Path) {
        if Self::read(path).as_ref() == Some(self) {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_for_this_user_only_and_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ringside").join("demo-pbx");
        let endpoint =
            DemoEndpoint { addr: "127.0.0.1:40123".parse().expect("addr"), secret: DemoEndpoint::new_secret() };
        assert_eq!(endpoint.secret.len(), 32);
        assert_ne!(endpoint.secret, DemoEndpoint::new_secret(), "a new secret each run");
        endpoint.publish(&path).expect("publish");
        assert_eq!(DemoEndpoint::read(&path), Some(endpoint.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().expect("dir")), 0o700);
        }
        assert!(!format!("{endpoint:?}").contains(&endpoint.secret));
        // Another run's file is left alone; ours is removed.
        let other = DemoEndpoint { addr: "127.0.0.1:40124".parse().expect("addr"), secret: "x".into() };
        other.withdraw(&path);
        assert!(path.exists());
        endpoint.withdraw(&path);
        assert!(!path.exists());
        std::fs::write(&path, "garbage").expect("write");
        assert_eq!(DemoEndpoint::read(&path), None);
    }
}
