//! Starting a softphone: the exact program and argument vector, and starting it without a shell.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::settings::{ConnectionConfig, ConnectionKind, LinkScheme};
use crate::{check_dialable, os, DialError};

/// What launching a desktop connection does: this program with exactly these arguments,
/// started directly (never through a shell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchPlan {
    pub program: PathBuf,
    pub args: Vec<String>,
}

impl fmt::Display for LaunchPlan {
    /// `program arg1 arg2`, each part quoted as a POSIX shell would need it — for reading only;
    /// the plan itself never goes through a shell.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&shell_quote(&self.program.to_string_lossy()))?;
        for arg in &self.args {
            write!(f, " {}", shell_quote(arg))?;
        }
        Ok(())
    }
}

fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '.' | '/' | ':' | '=' | '@' | ','));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The URL schemes Ringside ever builds a URL with. Nothing else is handed to an opener.
#[derive(Clone, Copy)]
enum UrlScheme {
    Tel,
    Sip,
    Callto,
    Zoiper,
}

impl UrlScheme {
    fn as_str(self) -> &'static str {
        match self {
            UrlScheme::Tel => "tel",
            UrlScheme::Sip => "sip",
            UrlScheme::Callto => "callto",
            UrlScheme::Zoiper => "zoiper",
        }
    }
}

impl From<LinkScheme> for UrlScheme {
    fn from(scheme: LinkScheme) -> Self {
        match scheme {
            LinkScheme::Tel => UrlScheme::Tel,
            LinkScheme::Sip => UrlScheme::Sip,
            LinkScheme::Callto => UrlScheme::Callto,
        }
    }
}

/// `scheme:number`, without `//` (Windows appends a `/` to `zoiper://…`, which gets dialed).
/// `#` would start a URL fragment and is written `%23` (RFC 3966).
fn url(scheme: UrlScheme, number: &str) -> String {
    format!("{}:{}", scheme.as_str(), number.replace('#', "%23"))
}

/// What launching `connection` to dial `number` does. `number` is already formatted
/// ([`crate::format_number`]) and is checked again here: only `[0-9+*#]`, not empty, at most
/// [`crate::MAX_NUMBER_LEN`] characters.
///
/// | kind | program | arguments |
/// |---|---|---|
/// | `microsip` | `path`, else the detected `microsip.exe` | `[NUMBER]` |
/// | `zoiper` | `path`, else the detected Zoiper, else the system opener | `[zoiper:NUMBER]` |
/// | `system` | the system opener | `[SCHEME:NUMBER]` |
/// | `command` | `program` | `args`, the one argument equal to `{number}` replaced |
///
/// The system opener is `xdg-open URL` (Linux, BSD), `open URL` (macOS) and
/// `rundll32 url.dll,FileProtocolHandler URL` (Windows). Other kinds: [`DialError::NotADeepLink`].
pub fn plan(connection: &ConnectionConfig, number: &str) -> Result<LaunchPlan, DialError> {
    // Defence in depth: MicroSIP acts on `/password:…` and `/account:N` inside its argument.
    check_dialable(number)?;
    match &connection.kind {
        ConnectionKind::Microsip { path } => {
            let program = match path {
                Some(path) => installed(path, "MicroSIP")?,
                None => os::find_microsip()
                    .ok_or_else(|| DialError::NotFound { app: "MicroSIP".to_owned(), setting: "path" })?,
            };
            Ok(LaunchPlan { program, args: vec![number.to_owned()] })
        }
        ConnectionKind::Zoiper { path } => {
            let link = url(UrlScheme::Zoiper, number);
            let program = match path {
                Some(path) => Some(installed(path, "Zoiper")?),
                None => os::find_zoiper(),
            };
            match program {
                Some(app) => os::app_with_url(app, link),
                None => Ok(os::opener(link)),
            }
        }
        ConnectionKind::System { scheme } => Ok(os::opener(url((*scheme).into(), number))),
        ConnectionKind::Command { program, args } => {
            if !args.iter().any(|a| a == "{number}") || args.iter().any(|a| a.contains("{number}") && a != "{number}") {
                return Err(DialError::Misconfigured {
                    connection: connection.name.clone(),
                    reason: "args must have \"{number}\" as one whole argument, e.g. [\"--dial\", \"{number}\"]"
                        .to_owned(),
                });
            }
            let args = args.iter().map(|a| if a == "{number}" { number.to_owned() } else { a.clone() }).collect();
            Ok(LaunchPlan { program: program.clone(), args })
        }
        ConnectionKind::Pbx
        | ConnectionKind::Binotel { .. }
        | ConnectionKind::Ringostat { .. }
        | ConnectionKind::Zadarma { .. }
        | ConnectionKind::Http(_) => Err(DialError::NotADeepLink),
    }
}

/// A configured softphone path, if something is there.
fn installed(path: &Path, app: &str) -> Result<PathBuf, DialError> {
    if path.is_file() || os::is_app_bundle(path) {
        Ok(path.to_path_buf())
    } else {
        Err(DialError::NotInstalled { app: app.to_owned(), path: path.to_path_buf(), setting: "path" })
    }
}

/// The plan as a [`Command`]: the program and the argument vector, no shell, stdin, stdout and
/// stderr connected to nothing. [`launch`] spawns this; tests spawn it with their own environment.
pub fn command(plan: &LaunchPlan) -> Command {
    let mut command = Command::new(&plan.program);
    command.args(&plan.args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    command
}

/// Starts the plan's program and returns without waiting for it. A background thread waits for
/// it to exit, so no zombie process remains; a non-zero exit (such as `xdg-open` finding no
/// handler) is logged as a warning.
pub fn launch(plan: &LaunchPlan) -> Result<(), DialError> {
    let mut child = command(plan).spawn().map_err(|e| spawn_error(&plan.program, &e))?;
    tracing::debug!(plan = %plan, pid = child.id(), "started");
    let shown = plan.program.display().to_string();
    let reaper =
        std::thread::Builder::new().name("ringside-dial-reaper".to_owned()).spawn(move || match child.wait() {
            Ok(status) if status.success() => tracing::debug!(program = %shown, "exited"),
            Ok(status) => tracing::warn!(program = %shown, %status, "the program that was to place the call failed"),
            Err(e) => tracing::warn!(program = %shown, error = %e, "could not wait for the program"),
        });
    if let Err(e) = reaper {
        // The program runs; only its exit status is not collected until Ringside exits.
        tracing::warn!(error = %e, "could not start a thread to wait for the program");
    }
    Ok(())
}

/// The spawn error in words, naming the setting to fix.
fn spawn_error(program: &Path, e: &io::Error) -> DialError {
    let name = program.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let (app, setting) = if lower.starts_with("microsip") {
        ("MicroSIP".to_owned(), "path")
    } else if lower.starts_with("zoiper") {
        ("Zoiper".to_owned(), "path")
    } else {
        (program.display().to_string(), "program")
    };
    match e.kind() {
        io::ErrorKind::NotFound if lower == "xdg-open" => DialError::Launch {
            program: "xdg-open".to_owned(),
            reason: "it is not installed; install xdg-utils (apt-get install xdg-utils) to open tel: links".to_owned(),
        },
        io::ErrorKind::NotFound if program.components().count() > 1 => {
            DialError::NotInstalled { app, path: program.to_path_buf(), setting }
        }
        io::ErrorKind::NotFound => DialError::NotFound { app, setting },
        io::ErrorKind::PermissionDenied => DialError::Launch {
            program: program.display().to_string(),
            reason: "permission denied (is it a program, and executable?)".to_owned(),
        },
        _ => DialError::Launch { program: program.display().to_string(), reason: e.to_string() },
    }
}
