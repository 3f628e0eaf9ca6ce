//! What every CLI test needs: the binary, a free port, a demo PBX process that dies with the test.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CLI: &str = env!("CARGO_BIN_EXE_ringside-cli");

/// Kills the child when the test ends, pass or fail.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// `ringside-cli demo-pbx` on `port` at `speed`, once it accepts connections.
pub fn start_demo(port: u16, speed: &str) -> Guard {
    let child = Command::new(CLI)
        .args(["demo-pbx", "--listen", &format!("127.0.0.1:{port}"), "--speed", speed])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start demo-pbx");
    let guard = Guard(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "demo PBX did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    guard
}
