//! `fake-softphone`: a test helper, not part of Ringside.
//!
//! Appends the arguments it was started with, as one JSON array per line, to the file named by
//! the environment variable `FAKE_SOFTPHONE_LOG`, and exits 0. The crate's tests start it as
//! MicroSIP, Zoiper, a custom command and (through `xdg-open`) a `tel:` handler, to prove which
//! argument vector reaches a softphone. Without `FAKE_SOFTPHONE_LOG` it writes nothing.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let Some(log) = std::env::var_os("FAKE_SOFTPHONE_LOG") else {
        eprintln!("fake-softphone: FAKE_SOFTPHONE_LOG is not set; nothing recorded");
        return ExitCode::SUCCESS;
    };
    let mut line = match serde_json::to_string(&args) {
        Ok(line) => line,
        Err(e) => {
            eprintln!("fake-softphone: {e}");
            return ExitCode::FAILURE;
        }
    };
    line.push('\n');
    // One write of the whole line to a file opened for appending: lines from several
    // instances do not interleave.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fake-softphone: cannot write {}: {e}", std::path::Path::new(&log).display());
            ExitCode::FAILURE
        }
    }
}
