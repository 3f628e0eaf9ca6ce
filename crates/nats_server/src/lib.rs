//! A real `nats-server` (Debian's package, installed by `./dev.sh test`) on a free loopback
//! port, for the tests and the load bench of the relay and of a desk behind it. Stopped when
//! dropped. Test support only: nothing in Ringside itself depends on it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `nats-server`.
pub struct NatsServer {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

/// Why a server did not start.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

impl NatsServer {
    /// No authentication: anyone may use any subject.
    pub fn start() -> Result<NatsServer, StartError> {
        Self::with_config(|port| format!("listen: 127.0.0.1:{port}\n"))
    }

    /// With the configuration `config` writes for the port it is given (users, permissions,
    /// accounts).
    pub fn with_config(config: impl FnOnce(u16) -> String) -> Result<NatsServer, StartError> {
        let fail = |what: &str, e: std::io::Error| StartError(format!("{what}: {e}"));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| fail("no free port", e))?
            .port();
        let dir = tempfile::tempdir().map_err(|e| fail("no temporary folder", e))?;
        let conf = dir.path().join("nats.conf");
        std::fs::write(&conf, config(port)).map_err(|e| fail("cannot write nats.conf", e))?;
        let child = Command::new("nats-server")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                fail("nats-server is not installed (apt-get install nats-server; ./dev.sh test installs it)", e)
            })?;
        let server = NatsServer { child, port, _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err(StartError("nats-server did not listen within 10 s".into()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
