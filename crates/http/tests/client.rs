//! The client against real HTTP servers on 127.0.0.1: redirects, time bound, body cap, refused
//! connections — and that no message carries a URL's path or query.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use ringside_http::{host_label, Client, HttpError, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

type Log = Arc<Mutex<Vec<String>>>;

/// Serves `answer(path)` for every request and records each path and query.
async fn server(answer: impl Fn(&str) -> Response + Clone + Send + Sync + 'static) -> (String, Log) {
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    let app = axum::Router::new().fallback(move |req: Request| {
        let (seen, answer) = (seen.clone(), answer.clone());
        async move {
            let uri = req.uri().to_string();
            seen.lock().unwrap().push(uri);
            answer(req.uri().path())
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), log)
}

fn redirect(to: &str) -> Response {
    Response::builder().status(302).header("location", to).body(Body::empty()).unwrap()
}

fn ok(body: &'static str) -> Response {
    Response::builder().status(200).body(Body::from(body)).unwrap()
}

fn client(ms: u64) -> Client {
    Client::new(Duration::from_millis(ms)).unwrap()
}

async fn get(base: &str, path: &str, ms: u64) -> Result<ringside_http::Answer, HttpError> {
    let url = Url::parse(&format!("{base}{path}")).unwrap();
    let c = client(ms);
    c.send(c.get(url.clone()), &host_label(&url)).await
}

#[tokio::test]
async fn same_origin_redirects_are_followed() {
    let (base, log) = server(|path| if path == "/old" { redirect("/new?x=1") } else { ok("moved") }).await;
    let answer = get(&base, "/old", 5000).await.unwrap();
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, b"moved");
    assert_eq!(*log.lock().unwrap(), ["/old", "/new?x=1"]);
}

#[tokio::test]
async fn a_cross_origin_redirect_is_refused_before_the_other_site_is_asked() {
    let (other, other_log) = server(|_| ok("stolen")).await;
    let target = format!("{other}/collect?key=s3cret");
    let (origin, _) = server(move |_| redirect(&target)).await;
    let err = get(&origin, "/number/380441234567?key=s3cret", 5000).await.unwrap_err();
    let from = origin.trim_start_matches("http://").to_string();
    let to = other.trim_start_matches("http://").to_string();
    assert_eq!(err, HttpError::CrossOriginRedirect { from: from.clone(), to: to.clone() });
    let text = err.to_string();
    assert_eq!(text, format!("{from} redirected to {to}, another site; Ringside does not follow it"));
    assert!(!text.contains("s3cret") && !text.contains("380441234567"), "{text}");
    assert!(other_log.lock().unwrap().is_empty(), "the other origin was asked");
}

#[tokio::test]
async fn more_than_three_redirects_are_refused() {
    let (base, log) = server(|path| {
        let n: u32 = path.trim_start_matches("/r").parse().unwrap_or(0);
        redirect(&format!("/r{}", n + 1))
    })
    .await;
    let err = get(&base, "/r0", 5000).await.unwrap_err();
    assert!(matches!(err, HttpError::TooManyRedirects { .. }), "{err}");
    assert_eq!(log.lock().unwrap().len(), 4, "the first request and three redirects");
}

#[tokio::test]
async fn a_slow_server_times_out_within_the_bound() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = socket.read(&mut buf).await;
                tokio::time::sleep(Duration::from_secs(10)).await;
            });
        }
    });
    let started = Instant::now();
    let err = get(&format!("http://{addr}"), "/slow?number=1", 300).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1500), "{:?}", started.elapsed());
    assert_eq!(err, HttpError::Timeout { host: addr.to_string(), ms: 300 });
    assert!(err.is_transient());
}

/// A raw server that streams `total` bytes in chunks, with or without a Content-Length.
async fn streaming(total: usize, declare: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let head = if declare {
                    format!("HTTP/1.1 200 OK\r\ncontent-length: {total}\r\nconnection: close\r\n\r\n")
                } else {
                    "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_string()
                };
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let mut sent = 0;
                while sent < total {
                    let n = chunk.len().min(total - sent);
                    if socket.write_all(&chunk[..n]).await.is_err() {
                        return;
                    }
                    sent += n;
                }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn bodies_over_2_mib_are_refused_streamed_or_declared() {
    for declare in [false, true] {
        let base = streaming(3 * 1024 * 1024, declare).await;
        let err = get(&base, "/big", 5000).await.unwrap_err();
        let host = base.trim_start_matches("http://").to_string();
        assert_eq!(err, HttpError::TooLarge { host: host.clone() });
        assert_eq!(err.to_string(), format!("{host} answered with more than 2 MiB"));
    }
    let base = streaming(ringside_http::MAX_BODY, false).await;
    assert_eq!(get(&base, "/fits", 5000).await.unwrap().body.len(), ringside_http::MAX_BODY);
}

#[tokio::test]
async fn a_refused_connection_is_unreachable_without_the_url() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    for scheme in ["http", "https"] {
        let err = get(&format!("{scheme}://127.0.0.1:{port}"), "/p/380441234567", 5000).await.unwrap_err();
        assert_eq!(err.to_string(), format!("cannot reach 127.0.0.1:{port}: connection refused"));
    }
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_a_failed_handshake() {
    let (base, _) = server(|_| ok("plain")).await;
    let err = get(&base.replace("http://", "https://"), "/x?key=s3cret", 5000).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, HttpError::Unreachable { .. }), "{text}");
    assert!(text.contains("TLS handshake failed: "), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}

/// `base` (`http://127.0.0.1:PORT`) with a user name and password before the host.
fn with_credentials(base: &str) -> String {
    base.replacen("://", "://robo7:pw-s3cret@", 1)
}

/// Secrets an address may carry; no message of the client may hold any of them.
const SECRETS: [&str; 5] = ["robo7", "pw-s3cret", "key-s3cret", "tok-s3cret", "sig-s3cret"];
const SECRET_QUERY: &str = "?phone=380441234567&api_key=key-s3cret&access_token=tok-s3cret&Signature=sig-s3cret";

fn assert_no_secret(err: &HttpError) {
    for text in [err.to_string(), format!("{err:?}")] {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{text:?} holds {secret:?}");
        }
    }
}

#[tokio::test]
async fn no_failure_names_the_credentials_or_the_secret_query_values_of_the_address() {
    let mut errors = Vec::new();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    drop(listener);
    errors.push(get(&with_credentials(&closed), &format!("/find{SECRET_QUERY}"), 5000).await.unwrap_err());

    let (plain, _) = server(|_| ok("plain")).await;
    let tls = with_credentials(&plain.replace("http://", "https://"));
    errors.push(get(&tls, &format!("/find{SECRET_QUERY}"), 5000).await.unwrap_err());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = socket.read(&mut buf).await;
                tokio::time::sleep(Duration::from_secs(10)).await;
            });
        }
    });
    errors.push(get(&with_credentials(&silent), &format!("/find{SECRET_QUERY}"), 300).await.unwrap_err());

    let big = streaming(3 * 1024 * 1024, false).await;
    errors.push(get(&with_credentials(&big), &format!("/find{SECRET_QUERY}"), 5000).await.unwrap_err());

    let (other, other_log) = server(|_| ok("stolen")).await;
    let target = format!("{}/collect{SECRET_QUERY}", with_credentials(&other));
    let (origin, _) = server(move |_| redirect(&target)).await;
    errors.push(get(&with_credentials(&origin), &format!("/find{SECRET_QUERY}"), 5000).await.unwrap_err());
    assert!(other_log.lock().unwrap().is_empty(), "the other origin was asked");

    let (looping, _) = server(|_| redirect(&format!("/again{SECRET_QUERY}"))).await;
    errors.push(get(&with_credentials(&looping), &format!("/find{SECRET_QUERY}"), 5000).await.unwrap_err());

    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            HttpError::Unreachable { .. } => "unreachable",
            HttpError::Timeout { .. } => "timeout",
            HttpError::TooLarge { .. } => "too large",
            HttpError::CrossOriginRedirect { .. } => "cross-origin",
            HttpError::TooManyRedirects { .. } => "too many redirects",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["unreachable", "unreachable", "timeout", "too large", "cross-origin", "too many redirects"]);
    for err in &errors {
        assert_no_secret(err);
    }
}
