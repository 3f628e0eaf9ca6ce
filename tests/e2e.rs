//! End to end through the real webview: the built `ringside` binary, driven by WebDriver
//! (`tauri-driver` in front of WebKitWebDriver on Linux), running on its embedded demo PBX.
//! A call is rung into that PBX from outside, exactly as a user would with `ringside-cli`, and
//! the card must show up in the window.
//!
//! Needs a display (Xvfb), a D-Bus session bus (the single-instance plugin) and `tauri-driver`
//! on PATH or in ~/.cargo/bin. `./dev.sh test` provides all three:
//!
//! ```sh
//! cargo build --workspace --bins
//! xvfb-run -a dbus-run-session -- cargo test --test e2e -- --ignored
//! ```

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use ringside_ami::{Action, ConnectOptions, Secret};

/// A caller name straight out of an attacker's notebook; it must show up as text.
const HOSTILE_NAME: &str = "<img src=x onerror=alert(1)>";

/// One app at a time: they share the D-Bus session, where a second instance would only
/// hand over to the first.
static ONE_APP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

/// `target/debug` (or wherever cargo put the app binary).
fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_ringside")).parent().expect("the binary has a directory").to_path_buf()
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    let exe = format!("tauri-driver{}", std::env::consts::EXE_SUFFIX);
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(&exe)).find(|p| p.is_file()))
        .unwrap_or_default();
    let in_cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|c| c.join("bin").join(&exe))
        .filter(|p| p.is_file());
    on_path.or(in_cargo_home).unwrap_or_else(|| {
        panic!("tauri-driver not found: `cargo install tauri-driver --locked` (./dev.sh test does it)")
    })
}

/// Stops tauri-driver, WebKitWebDriver and the app however the test ends.
struct Processes {
    driver: Child,
}

impl Drop for Processes {
    fn drop(&mut self) {
        // tauri-driver runs in its own process group with WebKitWebDriver and the app under it.
        // The app quits cleanly on SIGTERM (it unpauses and logs off the PBX first), so wait
        // for the whole group, app included, to be gone: the next test's app must not find
        // this one still holding the single-instance name.
        #[cfg(unix)]
        {
            let group = format!("-{}", self.driver.id());
            let signal = |sig: &str| {
                Command::new("kill").args([sig, "--", &group]).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
            };
            let mut gone_within = |secs: u64| {
                let deadline = Instant::now() + Duration::from_secs(secs);
                while Instant::now() < deadline {
                    let _ = self.driver.try_wait();
                    if !signal("-0") {
                        return true;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                false
            };
            signal("-TERM");
            if !gone_within(5) {
                signal("-KILL");
                gone_within(5);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

async fn wait_until<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> Result<T, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, String>>,
{
    let deadline = Instant::now() + timeout;
    let mut last_error = None;
    loop {
        match probe().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(e) => last_error = Some(e),
        }
        if Instant::now() >= deadline {
            let detail = last_error.map(|e| format!(" (last error: {e})")).unwrap_or_default();
            return Err(format!("timed out after {timeout:?} waiting for {what}{detail}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn text_of(client: &Client, css: &str) -> Result<String, String> {
    let el = client.find(Locator::Css(css)).await.map_err(|e| e.to_string())?;
    el.text().await.map_err(|e| e.to_string())
}

async fn agent_state(client: &Client) -> Result<Option<String>, String> {
    let el = client.find(Locator::Css(r#"[data-testid="agent-state"]"#)).await.map_err(|e| e.to_string())?;
    el.attr("data-state").await.map_err(|e| e.to_string())
}

async fn wait_for_agent_state(client: &Client, want: &str) -> Result<(), String> {
    wait_until(&format!("agent state {want:?}"), Duration::from_secs(30), || async {
        Ok(agent_state(client).await?.filter(|s| s == want).map(|_| ()))
    })
    .await
}

/// The texts of one field of every card, with the card's call id.
async fn card_fields(client: &Client, testid: &str) -> Result<Vec<(String, String)>, String> {
    let cards = client.find_all(Locator::Css(r#"[data-testid="card"]"#)).await.map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for card in cards {
        let id = card.attr("data-call-id").await.map_err(|e| e.to_string())?.unwrap_or_default();
        let field =
            card.find(Locator::Css(&format!(r#"[data-testid="{testid}"]"#))).await.map_err(|e| e.to_string())?;
        out.push((id, field.text().await.map_err(|e| e.to_string())?));
    }
    Ok(out)
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Rings the demo PBX the way a user would: with the CLI next to the app binary.
fn ring_with_cli(pbx: SocketAddr, from: &str, to: &str) -> Result<(), String> {
    let cli = bin_dir().join(format!("ringside-cli{}", std::env::consts::EXE_SUFFIX));
    if !cli.is_file() {
        return Err(format!("{} is missing: run `cargo build --workspace --bins` first", cli.display()));
    }
    let output = Command::new(&cli)
        .args(["demo-pbx", "call", "--ami", &pbx.to_string(), "--from", from, "--to", to])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cli.display()))?;
    if !output.status.success() {
        return Err(format!(
            "ringside-cli demo-pbx call failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}

/// Rings with a caller name the CLI would sanitize: a raw AMI Originate, as a hostile PBX
/// (or a hostile caller's provider) could send.
async fn ring_with_caller_id(pbx: SocketAddr, caller_id: &str, to: &str) -> Result<(), String> {
    ring_for(pbx, caller_id, to, 5).await
}

/// Rings `to`; the caller stays on the line for `secs` once answered.
async fn ring_for(pbx: SocketAddr, caller_id: &str, to: &str, secs: u32) -> Result<(), String> {
    let client = ami_login(pbx).await?;
    let rung = originate(&client, caller_id, to, secs).await;
    client.logoff().await;
    rung
}

async fn ami_login(pbx: SocketAddr) -> Result<ringside_ami::Client, String> {
    let mut options = ConnectOptions::new(pbx.to_string(), "e2e", Secret::new("demo"));
    options.events = "off".into();
    let (client, _events) = ringside_ami::connect(&options).await.map_err(|e| format!("AMI login: {e}"))?;
    Ok(client)
}

/// An inbound call from `caller_id` to `to`, as a raw AMI Originate.
async fn originate(client: &ringside_ami::Client, caller_id: &str, to: &str, secs: u32) -> Result<(), String> {
    let originate = Action::new("Originate")
        .field("Channel", format!("Local/{to}@inbound"))
        .field("Application", "Wait")
        .field("Data", secs.to_string())
        .field("CallerID", caller_id)
        .field("Timeout", "30000")
        .field("Async", "true");
    client.send(originate).await.map_err(|e| format!("AMI Originate: {e}"))?;
    Ok(())
}

/// Rings `to` and hangs the caller up `after` that, while it still rings (the demo's agent
/// 100 answers after 3 s): the caller gave up, a missed call nobody answered.
async fn ring_and_give_up(pbx: SocketAddr, caller_id: &str, to: &str, after: Duration) -> Result<(), String> {
    let client = ami_login(pbx).await?;
    let result = async {
        originate(&client, caller_id, to, 5).await?;
        tokio::time::sleep(after).await;
        // `/text/` names every channel containing the text: the caller's side of the call.
        let hangup = Action::new("Hangup").field("Channel", format!("/{to}@inbound/"));
        client.send(hangup).await.map_err(|e| format!("AMI Hangup of the ringing caller: {e}"))?;
        Ok(())
    }
    .await;
    client.logoff().await;
    result
}

/// A running Ringside under WebDriver, with its own config, logs and demo PBX port.
struct App {
    client: Client,
    processes: Processes,
    work: PathBuf,
    config: PathBuf,
    started: Instant,
}

impl App {
    /// Starts tauri-driver and opens a WebDriver session on the app with `config` (TOML).
    async fn start(name: &str, config_text: &str) -> App {
        let work = bin_dir().join("e2e").join(name);
        let _ = std::fs::remove_dir_all(&work);
        Self::start_in(name, config_text).await
    }

    /// As [`App::start`], keeping whatever an earlier run left in the work directory (its
    /// history file, for a restart).
    async fn start_in(name: &str, config_text: &str) -> App {
        #[cfg(target_os = "linux")]
        assert!(
            std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
            "no display: run under `xvfb-run -a dbus-run-session --` (./dev.sh test does)"
        );
        let work = bin_dir().join("e2e").join(name);
        std::fs::create_dir_all(&work).expect("create the e2e work directory");
        let config = work.join("config.toml");
        // Its own customer directory, so the test never touches the user's.
        let directory = work.join("directory.sqlite");
        let history = work.join("history.sqlite");
        let config_text = format!(
            "{config_text}\n[directory]\npath = {:?}\n\n[history]\npath = {:?}\n",
            directory.display().to_string(),
            history.display().to_string()
        );
        std::fs::write(&config, config_text).expect("write the test config");

        let (port, native_port) = (free_port(), free_port());
        let log = std::fs::File::create(work.join("tauri-driver.log")).expect("create the log file");
        let mut command = Command::new(tauri_driver());
        command
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            // Inherited by WebKitWebDriver and then by the app.
            .env("RINGSIDE_CONFIG", &config)
            .env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
            .env("RINGSIDE_LOG_FILE", work.join("ringside.log"))
            // The app's data (webview storage) stays out of the user's home.
            .env("XDG_DATA_HOME", work.join("data"))
            .env("XDG_CONFIG_HOME", work.join("xdg-config"))
            .env("XDG_CACHE_HOME", work.join("cache"))
            .env("NO_AT_BRIDGE", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log);
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let driver = command.spawn().expect("start tauri-driver");
        let processes = Processes { driver };
        let started = Instant::now();

        let client = async {
            wait_until("tauri-driver to listen", Duration::from_secs(15), || async {
                Ok(TcpStream::connect(("127.0.0.1", port)).ok().map(|_| ()))
            })
            .await?;
            // tauri-driver hands the session to WebKitWebDriver, which it starts beside itself: on
            // a busy machine that one may not listen yet ("connection refused").
            wait_until("WebKitWebDriver to listen", Duration::from_secs(15), || async {
                Ok(TcpStream::connect(("127.0.0.1", native_port)).ok().map(|_| ()))
            })
            .await?;
            let mut capabilities = serde_json::Map::new();
            capabilities
                .insert("tauri:options".into(), serde_json::json!({ "application": env!("CARGO_BIN_EXE_ringside") }));
            // An app that cannot open its window leaves the session waiting forever: bounded.
            let url = format!("http://127.0.0.1:{port}");
            let mut builder = ClientBuilder::new(HttpConnector::new());
            builder.capabilities(capabilities);
            tokio::time::timeout(Duration::from_secs(60), builder.connect(&url))
                .await
                .map_err(|_| "WebDriver session: the app's window did not open within 60 s".to_string())?
                .map_err(|e| format!("WebDriver session: {e}"))
        }
        .await;
        match client {
            Ok(client) => App { client, processes, work, config, started },
            Err(message) => {
                drop(processes);
                panic!("{}", with_logs(&work, message));
            }
        }
    }

    /// Screenshot, close, stop every process, and fail with the logs if `result` is an error.
    async fn finish(self, result: Result<(), String>) {
        // What the window looked like at the end, pass or fail.
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(self.work.join("window.png"), png);
        }
        let _ = self.client.close().await;
        drop(self.processes);
        eprintln!("{:.1} s; logs and a screenshot in {}", self.started.elapsed().as_secs_f64(), self.work.display());
        if let Err(message) = result {
            panic!("{}", with_logs(&self.work, message));
        }
    }
}

fn with_logs(work: &Path, message: String) -> String {
    let mut report = message;
    for name in ["ringside.log", "tauri-driver.log"] {
        let path = work.join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        report.push_str(&format!("\n--- last lines of {} ---\n{tail}", path.display()));
    }
    report
}

async fn click(client: &Client, css: &str) -> Result<(), String> {
    let el = client.find(Locator::Css(css)).await.map_err(|e| e.to_string())?;
    el.click().await.map_err(|e| format!("click {css}: {e}"))
}

async fn calls_reach_the_window(app: &App, pbx: SocketAddr) -> Result<(), String> {
    let client = &app.client;
    // The demo PBX connects and logs the agent in by itself.
    wait_for_agent_state(client, "available").await?;
    let source = text_of(client, r#"[data-testid="source-status"]"#).await?;
    assert!(source.starts_with("PBX:"), "source status should say connected, got {source:?}");

    // The toggle goes through a command, the PBX, and back as an agent update.
    click(client, r#"[data-testid="accepting-toggle"]"#).await?;
    wait_for_agent_state(client, "paused").await?;
    click(client, r#"[data-testid="accepting-toggle"]"#).await?;
    wait_for_agent_state(client, "available").await?;

    // A customer calls; the card shows the number.
    ring_with_cli(pbx, "+380 44 123 4567", "100")?;
    let (call_id, number) = wait_until("a card for +380 44 123 4567", Duration::from_secs(10), || async {
        let numbers = card_fields(client, "card-number").await?;
        // Shown as people in Ukraine (the default region) write it: 044 123 4567.
        Ok(numbers.into_iter().find(|(_, n)| n == "044 123 4567"))
    })
    .await?;
    assert!(!call_id.is_empty(), "the card carries its call id");
    // The technical fields are behind the card's Details.
    click(client, &format!(r#"[data-call-id="{call_id}"] [data-testid="card-details-toggle"]"#)).await?;
    let normalized = card_fields(client, "card-number-normalized").await?;
    assert!(
        normalized.iter().any(|(id, n)| id == &call_id && n == "+380441234567"),
        "normalized number of {call_id}: {normalized:?} (number shown: {number:?})"
    );

    // The demo agent answers after 3 s and the customer hangs up 5 s later; extension 100 is
    // busy until then, so the next call waits for this one to end.
    wait_until("the first call to end", Duration::from_secs(30), || async {
        let statuses = card_fields(client, "card-status").await?;
        Ok(statuses.into_iter().find(|(id, s)| id == &call_id && s.eq_ignore_ascii_case("ended")))
    })
    .await?;
    let talk = card_fields(client, "card-talk-time").await?;
    assert!(
        talk.iter().any(|(id, t)| id == &call_id && t.contains(':')),
        "an answered call shows its talk time: {talk:?}"
    );

    // A stranger's markup is text, never an element.
    ring_with_caller_id(pbx, &format!("\"{HOSTILE_NAME}\" <+380677654321>"), "100").await?;
    wait_until("the hostile caller name, as text", Duration::from_secs(10), || async {
        let names = card_fields(client, "card-caller-name").await?;
        Ok(names.into_iter().find(|(_, n)| n == HOSTILE_NAME))
    })
    .await?;
    let images = client.find_all(Locator::Css("img")).await.map_err(|e| e.to_string())?;
    assert!(images.is_empty(), "the caller name became {} <img> element(s)", images.len());
    // An alert would have left an open prompt, failing this command.
    let title = client.title().await.map_err(|e| format!("the page is blocked (an alert?): {e}"))?;
    assert_eq!(title, "Ringside");

    // Closing an ended card removes it.
    click(client, &format!(r#"[data-call-id="{call_id}"] [data-testid="card-dismiss"]"#)).await?;
    wait_until("the closed card to go", Duration::from_secs(10), || async {
        let cards = card_fields(client, "card-number").await?;
        Ok((!cards.iter().any(|(id, _)| id == &call_id)).then_some(()))
    })
    .await?;

    // A second launch hands over to the running one and exits.
    let mut second = Command::new(env!("CARGO_BIN_EXE_ringside"))
        .env("RINGSIDE_CONFIG", &app.config)
        .env("RINGSIDE_LOG_FILE", app.work.join("second-instance.log"))
        .env("NO_AT_BRIDGE", "1")
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("start a second Ringside: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = second.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            let _ = second.wait();
            return Err("a second Ringside kept running: single instance does not work".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "the second instance exited with {status}");
    // The first one still answers.
    agent_state(client).await?.ok_or("the first window lost its agent state")?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, D-Bus and tauri-driver: run by ./dev.sh test"]
async fn a_call_into_the_demo_pbx_shows_a_card_in_the_window() {
    let _one = ONE_APP_AT_A_TIME.lock().await;
    let pbx = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let app = App::start("calls", &format!("[demo]\nlisten = \"{pbx}\"\n")).await;
    let result = calls_reach_the_window(&app, pbx).await;
    app.finish(result).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, D-Bus and tauri-driver: run by ./dev.sh test"]
async fn a_broken_config_file_is_explained_in_the_window() {
    let _one = ONE_APP_AT_A_TIME.lock().await;
    let app = App::start("bad-config", "[demo]\nlisten = \"not an address\"\n").await;
    let result = async {
        wait_for_agent_state(&app.client, "failed").await?;
        let error = text_of(&app.client, r#"[data-testid="error"]"#).await?;
        if error.contains("config.toml") && error.contains("listen") {
            Ok(())
        } else {
            Err(format!("the error should name the file and the setting, got {error:?}"))
        }
    }
    .await;
    app.finish(result).await;
}

/// The customers listed on the card of `call_id`: (name, chosen).
async fn card_customers(client: &Client, call_id: &str) -> Result<Vec<(String, bool)>, String> {
    let css = format!(r#"[data-call-id="{call_id}"] [data-testid="customer"]"#);
    let mut out = Vec::new();
    for item in client.find_all(Locator::Css(&css)).await.map_err(|e| e.to_string())? {
        // A lone customer is the card's headline, not repeated in the list: the item keeps the name.
        let name = item.attr("data-name").await.map_err(|e| e.to_string())?.unwrap_or_default();
        let chosen = item.attr("data-chosen").await.map_err(|e| e.to_string())?;
        out.push((name, chosen.as_deref() == Some("true")));
    }
    Ok(out)
}

async fn card_for(client: &Client, digits_wanted: &str) -> Result<String, String> {
    wait_until(&format!("a card for …{digits_wanted}"), Duration::from_secs(10), || async {
        let numbers = card_fields(client, "card-number").await?;
        Ok(numbers.into_iter().find(|(_, n)| digits(n).ends_with(digits_wanted)).map(|(id, _)| id))
    })
    .await
}

async fn wait_for_card_end(client: &Client, call_id: &str) -> Result<(), String> {
    wait_until("the call to end", Duration::from_secs(30), || async {
        let statuses = card_fields(client, "card-status").await?;
        Ok(statuses.into_iter().find(|(id, s)| id == call_id && s.eq_ignore_ascii_case("ended")).map(|_| ()))
    })
    .await
}

async fn pick_list_and_new_customer(app: &App, pbx: SocketAddr) -> Result<(), String> {
    let client = &app.client;
    wait_for_agent_state(client, "available").await?;

    // Two customers share the number: the card lists both and asks.
    ring_with_cli(pbx, "+48 22 123 45 67", "100")?;
    let call_id = card_for(client, "221234567").await?;
    let listed = wait_until("two customers on the card", Duration::from_secs(10), || async {
        let listed = card_customers(client, &call_id).await?;
        Ok((listed.len() == 2).then_some(listed))
    })
    .await?;
    assert_eq!(listed, [("Anna Kowalska".to_string(), false), ("Piotr Kowalski".to_string(), false)]);
    let summary = card_fields(client, "card-customer").await?;
    assert!(summary.iter().any(|(id, s)| id == &call_id && s.contains("2 customers share this number")), "{summary:?}");

    // The agent picks Piotr: he moves to the top, marked, and the summary names him.
    click(
        client,
        &format!(r#"[data-call-id="{call_id}"] [data-testid="customer"]:nth-child(2) [data-testid="customer-pick"]"#),
    )
    .await?;
    wait_until("Piotr chosen", Duration::from_secs(10), || async {
        let listed = card_customers(client, &call_id).await?;
        Ok((listed.first() == Some(&("Piotr Kowalski".to_string(), true))).then_some(()))
    })
    .await?;
    let summary = card_fields(client, "card-customer").await?;
    assert!(summary.iter().any(|(id, s)| id == &call_id && s.starts_with("Piotr Kowalski")), "{summary:?}");
    wait_for_card_end(client, &call_id).await?;

    // An unknown caller: "Create customer", type a name, and the card names them.
    ring_with_cli(pbx, "+380 50 765 43 21", "100")?;
    let unknown = card_for(client, "507654321").await?;
    wait_until("Unknown caller", Duration::from_secs(10), || async {
        let summary = card_fields(client, "card-customer").await?;
        Ok(summary.into_iter().find(|(id, s)| id == &unknown && s == "Unknown caller").map(|_| ()))
    })
    .await?;
    let card = format!(r#"[data-call-id="{unknown}"]"#);
    click(client, &format!(r#"{card} [data-testid="card-create"]"#)).await?;
    let name = client
        .find(Locator::Css(&format!(r#"{card} [data-testid="card-create-name"]"#)))
        .await
        .map_err(|e| e.to_string())?;
    name.send_keys(HOSTILE_NAME).await.map_err(|e| e.to_string())?;
    click(client, &format!(r#"{card} [data-testid="card-create-save"]"#)).await?;
    wait_until("the new customer on the card", Duration::from_secs(10), || async {
        let listed = card_customers(client, &unknown).await?;
        Ok((listed.first().map(|(n, _)| n.as_str()) == Some(HOSTILE_NAME)).then_some(()))
    })
    .await?;
    let images = client.find_all(Locator::Css("img")).await.map_err(|e| e.to_string())?;
    assert!(images.is_empty(), "the customer's name became markup");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, D-Bus and tauri-driver: run by ./dev.sh test"]
async fn the_agent_picks_the_caller_and_creates_an_unknown_one_in_the_window() {
    let _one = ONE_APP_AT_A_TIME.lock().await;
    let pbx = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let app = App::start("customers", &format!("[demo]\nlisten = \"{pbx}\"\n")).await;
    let result = pick_list_and_new_customer(&app, pbx).await;
    app.finish(result).await;
}

/// Clicks a tel: link the way a browser does: `xdg-open`, in the same desktop session and
/// XDG directories as the running app.
fn open_link(app: &App, link: &str) -> Result<(), String> {
    let mut child = Command::new("xdg-open")
        .arg(link)
        .env("XDG_DATA_HOME", app.work.join("data"))
        .env("XDG_CONFIG_HOME", app.work.join("xdg-config"))
        .env("RINGSIDE_CONFIG", &app.config)
        .env("RINGSIDE_LOG_FILE", app.work.join("link-instance.log"))
        .env_remove("XDG_CURRENT_DESKTOP")
        .env_remove("DESKTOP_SESSION")
        .env("NO_AT_BRIDGE", "1")
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("xdg-open (package xdg-utils) must be installed: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return if status.success() { Ok(()) } else { Err(format!("xdg-open {link} exited with {status}")) };
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("xdg-open {link} did not return"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn tel_link_reaches_the_running_app(app: &App) -> Result<(), String> {
    let client = &app.client;
    wait_for_agent_state(client, "available").await?;

    // Settings: Ringside is not the tel: handler yet; one click makes it so.
    click(client, r#"[data-testid="settings"] summary"#).await?;
    wait_until("the handler list", Duration::from_secs(10), || async {
        let items = client
            .find_all(Locator::Css(r#"[data-testid="settings-handlers"] li[data-scheme="tel"]"#))
            .await
            .map_err(|e| e.to_string())?;
        Ok((!items.is_empty()).then_some(()))
    })
    .await?;
    click(client, r#"[data-testid="become-handler"]"#).await?;
    wait_until("Ringside to handle tel:", Duration::from_secs(10), || async {
        let items = client
            .find_all(Locator::Css(r#"[data-testid="settings-handlers"] li[data-scheme="tel"][data-ringside="true"]"#))
            .await
            .map_err(|e| e.to_string())?;
        Ok((!items.is_empty()).then_some(()))
    })
    .await?;

    // A link clicked elsewhere: the running Ringside asks, naming the customer.
    open_link(app, "tel:+380-44-123-45-67")?;
    wait_until("the link's confirm", Duration::from_secs(15), || async {
        let number = text_of(client, r#"[data-testid="link-number"]"#).await?;
        Ok((number == "+380441234567").then_some(()))
    })
    .await?;
    let who = text_of(client, r#"[data-testid="link-customer"]"#).await?;
    assert!(who.contains("Olena Kovalenko"), "the confirm names the customer: {who:?}");

    // The agent ticks "Call links without asking", then Call: the PBX rings the agent, then
    // dials the customer; an outgoing card shows it.
    click(client, r#"[data-testid="link-always"]"#).await?;
    click(client, r#"[data-testid="link-call"]"#).await?;
    wait_until("the outgoing card", Duration::from_secs(20), || async {
        let directions = card_fields(client, "card-direction").await?;
        let numbers = card_fields(client, "card-number").await?;
        Ok(directions.iter().find_map(|(id, d)| {
            (d.eq_ignore_ascii_case("outgoing")
                && numbers.iter().any(|(nid, n)| nid == id && digits(n).ends_with("441234567")))
            .then_some(())
        }))
    })
    .await?;

    // The choice is kept: the settings no longer ask before calling a link.
    let ask = client.find(Locator::Css(r#"[data-testid="settings-ask-links"]"#)).await.map_err(|e| e.to_string())?;
    assert_eq!(ask.prop("checked").await.map_err(|e| e.to_string())?.as_deref(), Some("false"));

    // A hostile link never dials: the window says why.
    open_link(app, "tel:123%0a/password:x")?;
    wait_until("the refusal", Duration::from_secs(15), || async {
        let error = text_of(client, r#"[data-testid="error-text"]"#).await?;
        Ok(error.contains("cannot be dialed").then_some(()))
    })
    .await?;
    // It crossed as a typed error: the window knows what happened, not only the words.
    let shown = client.find(Locator::Css(r#"[data-testid="error"]"#)).await.map_err(|e| e.to_string())?;
    let code = shown.attr("data-code").await.map_err(|e| e.to_string())?;
    assert_eq!(code.as_deref(), Some("link.not_dialable"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, D-Bus, xdg-utils and tauri-driver: run by ./dev.sh test"]
async fn a_tel_link_clicked_elsewhere_is_confirmed_and_dialed_by_the_running_app() {
    let _one = ONE_APP_AT_A_TIME.lock().await;
    let pbx = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let app = App::start("tel-link", &format!("[demo]\nlisten = \"{pbx}\"\n")).await;
    let result = tel_link_reaches_the_running_app(&app).await;
    app.finish(result).await;
}

/// Types a note during a call, kills Ringside with SIGKILL, starts it again: the history has the
/// call (ended as interrupted — the embedded PBX died with it) and the note as last autosaved.
async fn note_survives_kill_9(app: App, pbx: SocketAddr) -> Result<App, (App, String)> {
    let result = async {
        let client = &app.client;
        wait_for_agent_state(client, "available").await?;
        ring_for(pbx, "\"Marta\" <+380 67 765 43 21>", "100", 60).await?;
        let call_id = card_for(client, "677654321").await?;
        wait_for_agent_state(client, "on_call").await?;
        let note = client
            .find(Locator::Css(&format!(r#"[data-call-id="{call_id}"] [data-testid="card-note"]"#)))
            .await
            .map_err(|e| e.to_string())?;
        note.send_keys("Wants a quote for 3 windows").await.map_err(|e| e.to_string())?;
        wait_until("the note to be saved", Duration::from_secs(10), || async {
            let status =
                text_of(client, &format!(r#"[data-call-id="{call_id}"] [data-testid="card-note-status"]"#)).await?;
            Ok((status == "saved").then_some(()))
        })
        .await?;
        // No goodbye: the process is gone at once.
        let killed = Command::new("pkill").args(["-KILL", "-x", "ringside"]).status().map_err(|e| e.to_string())?;
        if !killed.success() {
            return Err("no ringside process to kill".to_string());
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(app),
        Err(e) => Err((app, e)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, D-Bus and tauri-driver: run by ./dev.sh test"]
async fn a_note_typed_during_a_call_survives_kill_9() {
    let _one = ONE_APP_AT_A_TIME.lock().await;
    let pbx = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let config = format!("[demo]\nlisten = \"{pbx}\"\n");
    let first = App::start("kill-9", &config).await;
    let first = match note_survives_kill_9(first, pbx).await {
        Ok(app) => app,
        Err((app, e)) => return app.finish(Err(e)).await,
    };
    first.finish(Ok(())).await;

    let second = App::start_in("kill-9", &config).await;
    let result = async {
        let client = &second.client;
        wait_for_agent_state(client, "available").await?;
        click(client, r#"[data-testid="history"] summary"#).await?;
        wait_until("the call in the history, interrupted, with its note", Duration::from_secs(20), || async {
            // The history list is read when opened; reopen until the restart closed the call.
            let items = client
                .find_all(Locator::Css(r#"[data-testid="history-calls"] li"#))
                .await
                .map_err(|e| e.to_string())?;
            for item in items {
                let text = item.text().await.map_err(|e| e.to_string())?;
                if digits(&text).contains("380677654321")
                    && text.contains("Interrupted")
                    && text.contains("Wants a quote for 3 windows")
                {
                    return Ok(Some(()));
                }
            }
            click(client, r#"[data-testid="history"] summary"#).await?;
            click(client, r#"[data-testid="history"] summary"#).await?;
            Ok(None)
        })
        .await
    }
    .await;
    second.finish(result).await;
}

/// Whether `css` is on screen; an element the window does not render at all is not.
async fn displayed(client: &Client, css: &str) -> Result<bool, String> {
    let found = client.find_all(Locator::Css(css)).await.map_err(|e| e.to_string())?;
    match found.first() {
        Some(el) => el.is_displayed().await.map_err(|e| e.to_string()),
        None => Ok(false),
    }
}

async fn texts_of(client: &Client, css: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for el in client.find_all(Locator::Css(css)).await.map_err(|e| e.to_string())? {
        out.push(el.text().await.map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// The history's rows once the list shows the answer to the latest search (it is
/// `aria-busy` from the agent's change until then).
async fn history_rows(client: &Client) -> Result<Vec<String>, String> {
    wait_until("the history search", Duration::from_secs(10), || async {
        let list = client.find(Locator::Css(r#"[data-testid="history-calls"]"#)).await.map_err(|e| e.to_string())?;
        Ok((list.attr("aria-busy").await.map_err(|e| e.to_string())?.as_deref() == Some("false")).then_some(()))
    })
    .await?;
    texts_of(client, r#"[data-testid="history-calls"] li"#).await
}

async fn no_markup_from_strangers(client: &Client) -> Result<(), String> {
    let images = client.find_all(Locator::Css("img")).await.map_err(|e| e.to_string())?;
    if images.is_empty() {
        Ok(())
    } else {
        Err("a caller's name became markup".to_string())
    }
}

/// `dbus-monitor` watching notifications on the test's session bus; killed when dropped.
struct NotifyMonitor {
    child: std::process::Child,
    seen: std::sync::Arc<std::sync::Mutex<String>>,
}

impl NotifyMonitor {
    fn start() -> Result<NotifyMonitor, String> {
        let mut child = std::process::Command::new("dbus-monitor")
            .args(["--session", "interface='org.freedesktop.Notifications',member='Notify'"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("dbus-monitor (Debian package dbus-bin) cannot be started: {e}"))?;
        let stdout = child.stdout.take().ok_or("dbus-monitor has no output")?;
        let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = seen.clone();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        });
        Ok(NotifyMonitor { child, seen })
    }

    fn seen(&self) -> String {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for NotifyMonitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn missed_call_to_call_back_and_history(app: &App, pbx: SocketAddr) -> Result<(), String> {
    let client = &app.client;
    let monitor = NotifyMonitor::start()?;
    // dbus-monitor has become a monitor once the bus took its own name away (NameLost).
    wait_until("dbus-monitor to listen", Duration::from_secs(10), || async {
        Ok(monitor.seen().contains("member=NameLost").then_some(()))
    })
    .await?;
    let badge = r#"[data-testid="call-backs-badge"]"#;
    wait_for_agent_state(client, "available").await?;
    if displayed(client, badge).await? {
        return Err("the call-back badge shows before any call was missed".to_string());
    }

    // A stranger with a hostile name rings agent 100 and gives up before the agent answers.
    let from = "+380 93 222 33 44"; // not in the demo directory: the name is all there is
    ring_and_give_up(pbx, &format!("\"{HOSTILE_NAME}\" <{from}>"), "100", Duration::from_millis(1500)).await?;
    let call_id = card_for(client, "932223344").await?;
    wait_for_card_end(client, &call_id).await?;
    let outcome = card_fields(client, "card-outcome").await?;
    assert!(outcome.iter().any(|(id, o)| id == &call_id && o == "Caller hung up"), "{outcome:?}");

    // The badge counts one caller waiting, and a notice says who it was, as text.
    wait_until("the call-back badge to show 1", Duration::from_secs(15), || async {
        Ok((displayed(client, badge).await? && text_of(client, badge).await? == "1").then_some(()))
    })
    .await?;
    wait_until("the missed-call notice", Duration::from_secs(10), || async {
        let summaries = texts_of(client, r#"[data-testid="notice"] [data-testid="notice-summary"]"#).await?;
        Ok(summaries.iter().any(|s| s == &format!("Missed call from {HOSTILE_NAME}")).then_some(()))
    })
    .await?;
    let notice = client.find(Locator::Css(r#"[data-testid="notice"][data-tag="missed-calls"]"#)).await;
    let role = notice.map_err(|e| e.to_string())?.attr("role").await.map_err(|e| e.to_string())?;
    assert_eq!(role.as_deref(), Some("status"), "a missed call is news, not an alarm");
    // …and the desktop hears it too, on D-Bus, with no markup characters from the stranger.
    wait_until("the desktop notification on D-Bus", Duration::from_secs(10), || async {
        let seen = monitor.seen();
        Ok((seen.contains("string \"Ringside\"") && seen.contains("Missed call from \u{2039}img")).then_some(seen))
    })
    .await
    .and_then(|seen| {
        if seen.contains("Missed call from <img") {
            Err(format!("the caller's markup reached the notification: {seen}"))
        } else {
            Ok(())
        }
    })?;

    // The call-back list: one entry, the hostile name as text, the number, one missed call.
    click(client, r#"[data-testid="call-backs-tab"]"#).await?;
    let entry = r#"[data-testid="call-back-entry"]"#;
    wait_until("one caller on the call-back list", Duration::from_secs(10), || async {
        Ok((client.find_all(Locator::Css(entry)).await.map_err(|e| e.to_string())?.len() == 1).then_some(()))
    })
    .await?;
    assert_eq!(text_of(client, &format!(r#"{entry} [data-testid="call-back-name"]"#)).await?, HOSTILE_NAME);
    let number = text_of(client, &format!(r#"{entry} [data-testid="call-back-number"]"#)).await?;
    assert_eq!(digits(&number), "380932223344", "the number on the call-back list: {number:?}");
    assert_eq!(text_of(client, &format!(r#"{entry} [data-testid="call-back-missed"]"#)).await?, "1 missed call");
    no_markup_from_strangers(client).await?;

    // "Done": the caller leaves the list and the badge goes.
    click(client, &format!(r#"{entry} [data-testid="call-back-done"]"#)).await?;
    wait_until("an empty call-back list and no badge", Duration::from_secs(10), || async {
        let entries = client.find_all(Locator::Css(entry)).await.map_err(|e| e.to_string())?;
        let empty = displayed(client, r#"[data-testid="call-backs-empty"]"#).await?;
        Ok((entries.is_empty() && empty && !displayed(client, badge).await?).then_some(()))
    })
    .await?;
    let empty = text_of(client, r#"[data-testid="call-backs-empty"]"#).await?;
    assert_eq!(empty, "No one is waiting for a call back.");

    // The history finds the call by the number written another way…
    click(client, r#"[data-testid="history"] summary"#).await?;
    let search = client.find(Locator::Css(r#"[data-testid="history-search"]"#)).await.map_err(|e| e.to_string())?;
    search.send_keys("093 222 33 44").await.map_err(|e| e.to_string())?;
    let found = |rows: &[String]| {
        rows.len() == 1
            && digits(&rows[0]).contains("380932223344")
            && rows[0].contains(HOSTILE_NAME)
            && rows[0].contains("Caller hung up")
    };
    let rows = history_rows(client).await?;
    assert!(found(&rows), "the history search for 093 222 33 44: {rows:?}");
    // …keeps it with "Missed only"…
    click(client, r#"[data-testid="history-missed-only"]"#).await?;
    let rows = history_rows(client).await?;
    assert!(found(&rows), "missed only: {rows:?}");
    no_markup_from_strangers(client).await?;
    // …and a word no call has shows the empty state.
    search.clear().await.map_err(|e| e.to_string())?;
    search.send_keys("zqxwvy").await.map_err(|e| e.to_string())?;
    let rows = history_rows(client).await?;
    assert!(rows.is_empty(), "a nonsense search found {rows:?}");
    if !displayed(client, r#"[data-testid="history-empty"]"#).await? {
        return Err("no empty state for a search that found nothing".to_string());
    }
    assert_eq!(text_of(client, r#"[data-testid="history-empty"]"#).await?, "No calls match.");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, D-Bus and tauri-driver: run by ./dev.sh test"]
async fn a_missed_call_waits_in_the_call_back_list_and_history_finds_it() {
    let _one = ONE_APP_AT_A_TIME.lock().await;
    let pbx = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let app = App::start("call-backs", &format!("[demo]\nlisten = \"{pbx}\"\n")).await;
    let result = missed_call_to_call_back_and_history(&app, pbx).await;
    app.finish(result).await;
}

/// A stranger's number with a service code (`*72…` forwards the agent's calls at many PBXs)
/// is never called back on one click: the window asks, says why, and calls only on "Call".
async fn service_code_call_back_asks_first(app: &App, pbx: SocketAddr) -> Result<(), String> {
    let client = &app.client;
    wait_for_agent_state(client, "available").await?;
    ring_and_give_up(pbx, "\"Forwarder\" <*72 093 222 33 44>", "100", Duration::from_millis(1500)).await?;
    let call_id = card_for(client, "720932223344").await?;
    wait_for_card_end(client, &call_id).await?;

    click(client, r#"[data-testid="call-backs-tab"]"#).await?;
    let call = r#"[data-testid="call-back-entry"] [data-testid="call-back-call"]"#;
    wait_until("the caller on the call-back list", Duration::from_secs(15), || async {
        Ok((!client.find_all(Locator::Css(call)).await.map_err(|e| e.to_string())?.is_empty()).then_some(()))
    })
    .await?;
    click(client, call).await?;
    wait_until("the service-code question", Duration::from_secs(10), || async {
        Ok((displayed(client, r#"[data-testid="link-confirm"]"#).await?
            && displayed(client, r#"[data-testid="link-service-code"]"#).await?)
            .then_some(()))
    })
    .await?;
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(app.work.join("question.png"), png);
    }
    let number = text_of(client, r#"[data-testid="link-number"]"#).await?;
    assert!(number.contains('*'), "the question shows the number as it would be dialed: {number:?}");
    if displayed(client, r#"[data-testid="error"]"#).await? {
        return Err("the refusal showed as an error instead of a question".into());
    }
    // The agent says yes: now it is dialed, through the PBX.
    click(client, r#"[data-testid="link-call"]"#).await?;
    wait_until("the outgoing call", Duration::from_secs(20), || async {
        let directions = card_fields(client, "card-direction").await?;
        let numbers = card_fields(client, "card-number").await?;
        Ok(directions.iter().find_map(|(id, d)| {
            (d.eq_ignore_ascii_case("outgoing")
                && numbers.iter().any(|(nid, n)| nid == id && digits(n).ends_with("720932223344")))
            .then_some(())
        }))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, D-Bus and tauri-driver: run by ./dev.sh test"]
async fn a_callers_service_code_is_called_back_only_after_the_agent_confirms() {
    let _one = ONE_APP_AT_A_TIME.lock().await;
    let pbx = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let app = App::start("service-code", &format!("[demo]\nlisten = \"{pbx}\"\n")).await;
    let result = service_code_call_back_asks_first(&app, pbx).await;
    app.finish(result).await;
}
