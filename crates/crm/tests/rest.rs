//! The generic REST connector against real HTTP servers on 127.0.0.1.

mod common;

use std::time::{Duration, Instant};

use common::{closed_port, json, keyed, redirect, reply, rest_crm, Server, TIMEOUT};
use ringside_crm::settings::{CrmConfig, FieldMap, RestCrmConfig};
use ringside_crm::{Connector, CrmCustomer, CrmError, CrmOrder, CrmQuery};
use ringside_secrets::SecretString;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A `kind = "rest"` CRM named `shop` at `url`; `adjust` changes its other settings.
fn shop(url: &str, adjust: impl FnOnce(&mut RestCrmConfig)) -> CrmConfig {
    rest_crm("shop", url, adjust)
}

fn connector(url: &str, adjust: impl FnOnce(&mut RestCrmConfig), secret: Option<&str>) -> Connector {
    Connector::new(&shop(url, adjust), secret.map(SecretString::from), TIMEOUT).unwrap()
}

fn query(raw: &str, e164: Option<&str>, digits: &str) -> CrmQuery {
    CrmQuery { raw: raw.to_string(), e164: e164.map(str::to_string), digits: digits.to_string() }
}

fn plain_query() -> CrmQuery {
    query("+49 30 123456", Some("+4930123456"), "4930123456")
}

#[tokio::test]
async fn the_number_is_encoded_as_one_component_and_the_key_goes_in_its_header() {
    let server = Server::start(|_| async { json(200, json!([])) }).await;
    let template = server.url("/api/customers/{raw}/find?phone={e164}&d={digits}");
    let crm = connector(&template, keyed, Some("s3cret"));

    let hostile = "+38 (044) 123/45?x=1&y#z";
    let found = crm.find(&query(hostile, Some("+380441234545"), "380441234545")).await.unwrap();
    assert_eq!(found, vec![]);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/api/customers/%2B38%20%28044%29%20123%2F45%3Fx%3D1%26y%23z/find");
    assert_eq!(r.query.as_deref(), Some("phone=%2B380441234545&d=380441234545"));
    assert_eq!(r.header("x-api-key"), Some("Token s3cret"));
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(r.header("user-agent"), Some(concat!("Ringside/", env!("CARGO_PKG_VERSION"))));
    assert_eq!(crm.name(), "shop");
    assert_eq!(crm.label(), server.host());
}

#[tokio::test]
async fn without_an_e164_form_the_digits_take_its_place() {
    let server = Server::start(|_| async { json(200, json!([])) }).await;
    let crm = connector(&server.url("/find?p={e164}"), |_| {}, None);
    crm.find(&query("0441234545", None, "0441234545")).await.unwrap();
    assert_eq!(server.requests()[0].query.as_deref(), Some("p=0441234545"));
}

#[tokio::test]
async fn a_number_made_of_dots_cannot_climb_the_path() {
    let server = Server::start(|_| async { json(200, json!([])) }).await;
    let crm = connector(&server.url("/api/customers/{raw}"), |_| {}, None);
    let err = crm.find(&query("..", None, "")).await.unwrap_err();
    assert!(matches!(err, CrmError::BadNumber { .. }), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn the_answer_is_mapped_through_nested_pointers() {
    let answer = json!({"data": {"items": [
        {
            "ident": 42,
            "person": {"full": "Ada Lovelace"},
            "org": {"name": "Analytical Engines"},
            "links": {"web": "https://crm.example.com/people/42"},
            "orders": [
                {"t": "Order 1", "s": "open", "a": {"v": 19.99}},
                {"t": 7, "a": {"v": "10 EUR"}},
                {"no_title": true}
            ]
        },
        {"ident": "x/7", "person": {"full": "Bob"}, "links": {"web": "javascript:alert(1)"}},
        {"ident": 9, "person": {}}
    ]}});
    let server = Server::start(move |_| {
        let answer = answer.clone();
        async move { json(200, answer) }
    })
    .await;
    let mapped = |rest: &mut RestCrmConfig| {
        rest.card_url = Some("https://crm.example.com/c/{id}".to_string());
        rest.fields = FieldMap {
            list: "/data/items".to_string(),
            id: "/ident".to_string(),
            name: "/person/full".to_string(),
            company: Some("/org/name".to_string()),
            url: Some("/links/web".to_string()),
            orders: Some("/orders".to_string()),
            order_title: "/t".to_string(),
            order_status: Some("/s".to_string()),
            order_amount: Some("/a/v".to_string()),
            ..FieldMap::default()
        };
    };
    let crm = connector(&server.url("/find/{digits}"), mapped, None);
    let found = crm.find(&plain_query()).await.unwrap();
    assert_eq!(
        found,
        vec![
            CrmCustomer {
                id: "42".into(),
                name: "Ada Lovelace".into(),
                company: Some("Analytical Engines".into()),
                url: Some("https://crm.example.com/people/42".into()),
                orders: vec![
                    CrmOrder {
                        id: None,
                        title: "Order 1".into(),
                        status: Some("open".into()),
                        amount: Some("19.99".into()),
                    },
                    CrmOrder { id: None, title: "7".into(), status: None, amount: Some("10 EUR".into()) },
                ],
                kind: None,
                owner: None,
                deal: None,
            },
            // `javascript:` is dropped; the card_url takes its place, with the id encoded.
            CrmCustomer {
                id: "x/7".into(),
                name: "Bob".into(),
                company: None,
                url: Some("https://crm.example.com/c/x%2F7".into()),
                orders: vec![],
                kind: None,
                owner: None,
                deal: None,
            },
        ]
    );
}

#[tokio::test]
async fn a_javascript_url_is_dropped_even_without_a_card_url() {
    let server = Server::start(|_| async {
        json(200, json!([{"id": 1, "name": "Eve", "url": "javascript:fetch('//evil')"}, {"id": 2, "name": "Al", "url": "data:text/html,x"}]))
    })
    .await;
    let crm = connector(&server.url("/find/{digits}"), |rest| rest.fields.url = Some("/url".to_string()), None);
    let found = crm.find(&plain_query()).await.unwrap();
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|c| c.url.is_none()), "{found:?}");
}

#[tokio::test]
async fn bidi_overrides_and_control_characters_are_stripped() {
    let server = Server::start(|_| async {
        json(
            200,
            json!([{
                "id": "1\u{0000}",
                "name": "  Ada\u{202E}\u{2066} Love\u{0007}lace\r\n",
                "company": "\u{202D}Evil\r\nCorp\u{2069}",
                "orders": [{"title": "\u{202E}0001$ yaP", "amount": "9\u{0008}9"}]
            }]),
        )
    })
    .await;
    let extra = |rest: &mut RestCrmConfig| {
        rest.fields.company = Some("/company".to_string());
        rest.fields.orders = Some("/orders".to_string());
        rest.fields.order_amount = Some("/amount".to_string());
    };
    let crm = connector(&server.url("/find/{digits}"), extra, None);
    let found = crm.find(&plain_query()).await.unwrap();
    assert_eq!(found[0].id, "1");
    assert_eq!(found[0].name, "Ada Lovelace");
    assert_eq!(found[0].company.as_deref(), Some("Evil Corp"));
    assert_eq!(
        found[0].orders,
        vec![CrmOrder { id: None, title: "0001$ yaP".into(), status: None, amount: Some("99".into()) }]
    );
}

#[tokio::test]
async fn a_single_object_answer_is_one_customer() {
    let server = Server::start(|_| async { json(200, json!({"id": "c1", "name": "Solo"})) }).await;
    let crm = connector(&server.url("/find/{digits}"), |_| {}, None);
    let found = crm.find(&plain_query()).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].id.as_str(), found[0].name.as_str()), ("c1", "Solo"));
    // No auth_header configured: no key is sent, whatever secret there is.
    let r = &server.requests()[0];
    assert!(r.header("authorization").is_none() && r.header("x-api-key").is_none());
}

#[tokio::test]
async fn a_missing_list_is_no_customers() {
    let server = Server::start(|_| async { json(200, json!({"total": 0})) }).await;
    let crm = connector(&server.url("/find/{digits}"), |rest| rest.fields.list = "/customers".to_string(), None);
    assert_eq!(crm.find(&plain_query()).await.unwrap(), vec![]);
}

#[tokio::test]
async fn answers_without_any_name_point_at_the_fields_setting() {
    let server =
        Server::start(|_| async { json(200, json!([{"id": 1, "fullName": "A"}, {"id": 2, "fullName": "B"}])) }).await;
    let crm = connector(&server.url("/find/{digits}"), |_| {}, None);
    let err = crm.find(&plain_query()).await.unwrap_err().to_string();
    assert!(err.contains("\"/name\"") && err.contains("lookup.crm.fields"), "{err}");
}

#[tokio::test]
async fn not_found_is_no_customers() {
    let server = Server::start(|_| async { reply(404, "text/plain", "no such phone") }).await;
    let crm = connector(&server.url("/find/{digits}"), |_| {}, None);
    assert_eq!(crm.find(&plain_query()).await.unwrap(), vec![]);
}

#[tokio::test]
async fn a_refused_key_names_the_header_and_the_command() {
    for status in [401, 403] {
        let server = Server::start(move |_| async move { json(status, json!({"message": "bad key"})) }).await;
        let crm = connector(&server.url("/find/{digits}"), keyed, Some("s3cret"));
        let err = crm.find(&plain_query()).await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, CrmError::Refused { .. }), "{text}");
        let reason = if status == 401 { "401 Unauthorized" } else { "403 Forbidden" };
        assert_eq!(
            text,
            format!(
                "{} refused the key ({reason}); check the key sent in the X-Api-Key header and store the right one \
                 with: ringside-cli secret set crm:shop",
                server.host()
            )
        );
        assert!(!text.contains("s3cret"));
    }
}

#[tokio::test]
async fn a_server_error_carries_the_crms_own_message_cleaned() {
    let server = Server::start(|_| async {
        json(500, json!({"message": "database\n down\u{202E} \u{1b}[31mtry later", "code": 17}))
    })
    .await;
    let crm = connector(&server.url("/find/{digits}"), |_| {}, None);
    let err = crm.find(&plain_query()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{} had an error (500 Internal Server Error): database down [31mtry later", server.host())
    );
    assert!(err.is_transient());

    let long = "x".repeat(1000);
    let server = Server::start(move |_| {
        let long = long.clone();
        async move { json(502, json!({"error": long})) }
    })
    .await;
    let crm = connector(&server.url("/find/{digits}"), |_| {}, None);
    let text = crm.find(&plain_query()).await.unwrap_err().to_string();
    assert!(text.starts_with(&format!("{} had an error (502 Bad Gateway): xxx", server.host())), "{text}");
    assert_eq!(text.matches('x').count(), 200, "the CRM's text is capped at 200 characters");
}

#[tokio::test]
async fn rate_limiting_says_to_try_again() {
    let server = Server::start(|_| async { reply(429, "text/plain", "slow down") }).await;
    let crm = connector(&server.url("/find/{digits}"), |_| {}, None);
    let err = crm.find(&plain_query()).await.unwrap_err();
    assert!(matches!(err, CrmError::RateLimited { .. }));
    assert!(err.to_string().contains("429 Too Many Requests"), "{err}");
}

#[tokio::test]
async fn a_slow_server_times_out_with_the_bound_in_the_message() {
    let server = Server::start(|_| async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        json(200, json!([]))
    })
    .await;
    let config = shop(&server.url("/find/{digits}"), |_| {});
    let crm = Connector::new(&config, None, Duration::from_millis(300)).unwrap();
    let started = Instant::now();
    let err = crm.find(&plain_query()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1200), "{:?}", started.elapsed());
    assert_eq!(err.to_string(), format!("{} did not answer within 300 ms", server.host()));
}

#[tokio::test]
async fn invalid_json_is_reported_with_its_position() {
    let server = Server::start(|_| async { reply(200, "application/json", "[{\"id\": 1,}]") }).await;
    let crm = connector(&server.url("/find/{digits}"), |_| {}, None);
    let err = crm.find(&plain_query()).await.unwrap_err();
    assert!(matches!(err, CrmError::NotJson { .. }));
    assert_eq!(
        err.to_string(),
        format!("{} answered with something that is not JSON (trailing comma at line 1 column 11)", server.host())
    );
}

/// A raw HTTP/1.1 server that streams `total` bytes of a JSON array in chunks without a length.
async fn streaming_server(total: usize) -> (u16, tokio::task::JoinHandle<usize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = [0u8; 4096];
        let _ = socket.read(&mut head).await;
        let start = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        socket.write_all(start.as_bytes()).await.unwrap();
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        socket.write_all(b"1\r\n[\r\n").await.unwrap();
        while sent < total {
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            if socket.write_all(&framed).await.is_err() {
                break;
            }
            sent += chunk.len();
        }
        let _ = socket.write_all(b"1\r\n]\r\n0\r\n\r\n").await;
        sent
    });
    (port, task)
}

#[tokio::test]
async fn a_streamed_body_over_2_mib_is_refused() {
    let (port, server) = streaming_server(3 << 20).await;
    let crm = connector(&format!("http://127.0.0.1:{port}/find/{{digits}}"), |_| {}, None);
    let err = crm.find(&plain_query()).await.unwrap_err();
    assert_eq!(err.to_string(), format!("127.0.0.1:{port} answered with more than 2 MiB"));
    drop(crm);
    let _ = server.await;
}

#[tokio::test]
async fn a_streamed_body_under_2_mib_is_read() {
    let (port, server) = streaming_server((2 << 20) - 128 * 1024).await;
    let crm = connector(&format!("http://127.0.0.1:{port}/find/{{digits}}"), |_| {}, None);
    assert_eq!(crm.find(&plain_query()).await.unwrap(), vec![]);
    let _ = server.await;
}

#[tokio::test]
async fn a_declared_length_over_2_mib_is_refused_before_reading() {
    let server = Server::start(|_| async { reply(200, "application/json", vec![b' '; 3 << 20]) }).await;
    let crm = connector(&server.url("/find/{digits}"), |_| {}, None);
    let err = crm.find(&plain_query()).await.unwrap_err();
    assert!(matches!(err, CrmError::TooLarge { .. }), "{err}");
}

#[tokio::test]
async fn a_same_origin_redirect_is_followed_with_the_key() {
    let server = Server::start(|r| async move {
        if r.path.starts_with("/old/") {
            redirect(302, &format!("/new/{}", &r.path["/old/".len()..]))
        } else {
            json(200, json!([{"id": 1, "name": "Moved"}]))
        }
    })
    .await;
    let crm = connector(&server.url("/old/{digits}"), keyed, Some("s3cret"));
    let found = crm.find(&plain_query()).await.unwrap();
    assert_eq!(found[0].name, "Moved");
    let requests = server.requests();
    assert_eq!(requests.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(), ["/old/4930123456", "/new/4930123456"]);
    assert!(requests.iter().all(|r| r.header("x-api-key") == Some("Token s3cret")));
}

#[tokio::test]
async fn a_cross_origin_redirect_is_refused_and_the_other_site_gets_nothing() {
    let other = Server::start(|_| async { json(200, json!([{"id": 1, "name": "Stolen"}])) }).await;
    let target = other.url("/collect");
    let server = Server::start(move |_| {
        let target = target.clone();
        async move { redirect(307, &target) }
    })
    .await;
    let crm = connector(&server.url("/find/{digits}"), keyed, Some("s3cret"));
    let err = crm.find(&plain_query()).await.unwrap_err();
    assert!(matches!(err, CrmError::CrossOriginRedirect { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "{} redirected to {}; Ringside does not send the caller's number and the key to another site; put the \
             final address in the config (url in [[lookup.crm]])",
            server.host(),
            other.host()
        )
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.requests().len(), 1);
    assert!(other.requests().is_empty(), "the other origin got {:?}", other.requests());
}

#[tokio::test]
async fn more_than_three_redirects_are_refused() {
    let server = Server::start(|r| async move {
        let n: u32 = r.path.trim_start_matches("/r/").split('/').next().unwrap().parse().unwrap_or(0);
        redirect(302, &format!("/r/{}/x", n + 1))
    })
    .await;
    let crm = connector(&server.url("/r/0/{digits}"), |_| {}, None);
    let err = crm.find(&plain_query()).await.unwrap_err();
    assert!(matches!(err, CrmError::TooManyRedirects { .. }), "{err}");
    assert_eq!(server.requests().len(), 4, "the first request and three redirects");
}

#[tokio::test]
async fn a_refused_connection_says_the_host_cannot_be_reached() {
    let port = closed_port().await;
    let crm = connector(&format!("http://127.0.0.1:{port}/find/{{digits}}"), |_| {}, None);
    let err = crm.find(&plain_query()).await.unwrap_err();
    assert_eq!(err.to_string(), format!("cannot reach 127.0.0.1:{port}: connection refused"));
    assert!(err.is_transient());
}

#[tokio::test]
async fn https_builds_a_client_and_a_closed_port_is_a_connect_error() {
    let port = closed_port().await;
    let crm = connector(&format!("https://127.0.0.1:{port}/find/{{digits}}"), keyed, Some("s3cret"));
    let err = crm.find(&plain_query()).await.unwrap_err();
    assert_eq!(err.to_string(), format!("cannot reach 127.0.0.1:{port}: connection refused"));
}

#[tokio::test]
async fn https_to_a_plain_http_server_fails_the_handshake_not_the_process() {
    let server = Server::start(|_| async { json(200, json!([])) }).await;
    let crm = connector(&format!("https://{}/find/{{digits}}", server.host()), keyed, Some("s3cret"));
    let err = crm.find(&plain_query()).await.unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with(&format!("cannot reach {}: TLS handshake failed: ", server.host())), "{text}");
    assert!(!text.contains("s3cret") && !text.contains("4930123456"), "{text}");
}

#[tokio::test]
async fn a_missing_key_says_how_to_store_it_and_sends_nothing() {
    let server = Server::start(|_| async { json(200, json!([])) }).await;
    let crm = connector(&server.url("/find/{digits}"), keyed, None);
    let err = crm.find(&plain_query()).await.unwrap_err();
    assert!(matches!(err, CrmError::NoSecret { .. }));
    assert_eq!(
        err.to_string(),
        "no key for CRM \"shop\" in the keychain; store it with: ringside-cli secret set crm:shop"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_key_with_a_line_break_is_never_sent() {
    let server = Server::start(|_| async { json(200, json!([])) }).await;
    let crm = connector(&server.url("/find/{digits}"), keyed, Some("abc\r\nX-Injected: 1"));
    let err = crm.find(&plain_query()).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, CrmError::BadSecret { .. }), "{text}");
    assert!(text.contains("not valid in the X-Api-Key header"), "{text}");
    assert!(text.contains("ringside-cli secret set crm:shop"), "{text}");
    assert!(!text.contains("abc") && !text.contains("Injected"), "{text}");
    assert!(server.requests().is_empty());
    let config = shop(&server.url("/find/{digits}"), keyed);
    assert!(ringside_crm::check_secret(&config, &SecretString::from("abc\nx")).is_err());
    assert!(ringside_crm::check_secret(&config, &SecretString::from("abc")).is_ok());
}

#[tokio::test]
async fn owner_and_deals_with_ids_the_first_being_the_bound_deal_and_the_chosen_deal_goes_in_the_log() {
    let answer = json!({"data": [
        {
            "id": 42, "name": "Ada", "manager": {"name": "Olena\u{202E} Petrenko"},
            "open_deals": [
                {"number": "D-7", "subject": "Printer", "state": "won?", "sum": 120},
                {"number": 8, "subject": "", "sum": "10 EUR"},
                {"subject": "No id"},
                {"state": "neither title nor id"},
                {"number": "D-9"}
            ]
        },
        {"id": 43, "name": "Bob", "open_deals": []},
        {"id": 44, "name": "Eve", "manager": {"name": 7}, "open_deals": [{"subject": "No id first"}, {"number": "D-1", "subject": "Later"}]}
    ]});
    let server = Server::start(move |r: common::Recorded| {
        let answer = answer.clone();
        async move {
            if r.method == "GET" {
                json(200, answer)
            } else {
                json(201, json!({"id": "call-1"}))
            }
        }
    })
    .await;
    let log_url = server.url("/api/calls");
    let mapped = move |rest: &mut RestCrmConfig| {
        rest.log_url = Some(log_url);
        rest.fields = FieldMap {
            list: "/data".to_string(),
            owner: Some("/manager/name".to_string()),
            deals: Some("/open_deals".to_string()),
            deal_id: "/number".to_string(),
            order_title: "/subject".to_string(),
            order_status: Some("/state".to_string()),
            order_amount: Some("/sum".to_string()),
            ..FieldMap::default()
        };
    };
    let crm = connector(&server.url("/find/{digits}"), mapped, None);
    let found = crm.find(&plain_query()).await.unwrap();

    assert_eq!(found[0].owner.as_deref(), Some("Olena Petrenko"));
    assert_eq!(found[0].kind, None);
    assert_eq!(
        found[0].orders,
        vec![
            CrmOrder {
                id: Some("D-7".into()),
                title: "Printer".into(),
                status: Some("won?".into()),
                amount: Some("120".into()),
            },
            // A deal without a title is named by its id; one without either is skipped.
            CrmOrder { id: Some("8".into()), title: "Deal #8".into(), status: None, amount: Some("10 EUR".into()) },
            CrmOrder { id: None, title: "No id".into(), status: None, amount: None },
            CrmOrder { id: Some("D-9".into()), title: "Deal #D-9".into(), status: None, amount: None },
        ]
    );
    // The CRM lists first the deal calls are bound to.
    assert_eq!(found[0].deal.as_deref(), Some("D-7"));
    assert_eq!((found[1].owner.as_deref(), found[1].deal.as_deref(), found[1].orders.len()), (None, None, 0));
    // A number is a name too; a first deal without an id binds nothing.
    assert_eq!((found[2].owner.as_deref(), found[2].deal.as_deref()), (Some("7"), None));

    // The deal the agent kept goes back with the call.
    let log = ringside_crm::CallLog {
        call_id: "1722000000.42".into(),
        direction: ringside_crm::CallDirection::Incoming,
        outcome: "answered".into(),
        number: "+49 30 123456".into(),
        number_e164: Some("+4930123456".into()),
        customer_id: Some(found[0].id.clone()),
        agent_extension: "204".into(),
        agent_name: None,
        started_at_ms: 1,
        answered_at_ms: Some(2),
        ended_at_ms: 3,
        talk_secs: 1,
        note: None,
        recording_url: None,
        deal_id: found[0].deal.clone(),
    };
    crm.write_call(&log, &ringside_crm::Attempt::first("k1")).await.unwrap();
    let requests = server.requests();
    let post = requests.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(post.path, "/api/calls");
    assert_eq!((post.json()["deal_id"].clone(), post.json()["customer_id"].clone()), (json!("D-7"), json!("42")));
}

#[tokio::test]
async fn orders_have_no_ids_and_bind_nothing() {
    let server = Server::start(|_| async {
        json(200, json!([{"id": 1, "name": "Ada", "orders": [{"id": "o-1", "title": "Order 1"}]}]))
    })
    .await;
    let crm = connector(&server.url("/find/{digits}"), |rest| rest.fields.orders = Some("/orders".to_string()), None);
    let found = crm.find(&plain_query()).await.unwrap();
    assert_eq!(found[0].orders, vec![CrmOrder { id: None, title: "Order 1".into(), status: None, amount: None }]);
    assert_eq!((found[0].deal.as_deref(), found[0].owner.as_deref()), (None, None));
}

#[test]
fn orders_and_deals_together_are_refused_when_the_connector_is_made() {
    let both = shop("https://crm.example.com/find/{digits}", |rest| {
        rest.fields.orders = Some("/orders".to_string());
        rest.fields.deals = Some("/deals".to_string());
    });
    let err = Connector::new(&both, None, TIMEOUT).unwrap_err();
    assert!(matches!(err, CrmError::Config { .. }), "{err}");
    assert!(err.to_string().contains("fields.orders and fields.deals are both set"), "{err}");
}
