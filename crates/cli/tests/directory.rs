//! `lookup`, `import` and `customers` on a real SQLite file, as a user runs them.

mod common;

use std::process::{Command, Output};

use common::CLI;

fn run(dir: &tempfile::TempDir, args: &[&str]) -> Output {
    Command::new(CLI)
        .args(args)
        .env("RINGSIDE_DIRECTORY", dir.path().join("directory.sqlite"))
        .output()
        .expect("run ringside-cli")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_demo_directory_gives_a_match_a_pick_list_and_an_unknown_caller() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Whatever the formatting, the same customer, and the reason why.
    for typed in ["+380 (44) 123-45-67", "044 123 4567", "380441234567"] {
        let o = run(&dir, &["lookup", typed]);
        assert!(o.status.success(), "{typed}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(out(&o).starts_with("+380441234567: 1 customer"), "{typed}: {}", out(&o));
        assert!(out(&o).contains("[same E.164]"), "{}", out(&o));
    }
    let shared = out(&run(&dir, &["lookup", "+48 22 123 45 67"]));
    assert!(shared.contains("2 customers (pick one)"), "{shared}");
    assert!(out(&run(&dir, &["lookup", "+380 93 222 33 44"])).contains("unknown caller"));
    assert!(out(&run(&dir, &["lookup", "100"])).contains("internal extension"));
    let garbage = run(&dir, &["lookup", "<script>alert(1)</script>"]);
    assert!(!garbage.status.success());
    assert!(String::from_utf8_lossy(&garbage.stderr).contains("not a phone number"));
}

#[test]
fn import_is_idempotent_and_reports_bad_rows_by_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("customers.csv");
    std::fs::write(&csv, "Client,Firm,Cell\nIvan Petrenko,Petrenko LLC,+380 63 555 0101\nNobody,Nowhere,\n")
        .expect("csv");
    let args = [
        "import",
        csv.to_str().expect("utf-8 path"),
        "--name-column",
        "Client",
        "--company-column",
        "Firm",
        "--phone-column",
        "Cell:mobile",
    ];
    let first = out(&run(&dir, &args));
    assert!(first.contains("1 added, 0 updated, 0 unchanged, 1 skipped"), "{first}");
    assert!(first.contains("line 3:"), "the bad row is named by its line: {first}");
    let again = out(&run(&dir, &args));
    assert!(again.contains("0 added, 0 updated, 1 unchanged, 1 skipped"), "{again}");
    let found = out(&run(&dir, &["lookup", "063 555 01 01"]));
    assert!(found.contains("Ivan Petrenko — Petrenko LLC"), "{found}");
}

#[test]
fn a_customer_added_by_hand_is_found_and_survives_export_and_reimport() {
    let dir = tempfile::tempdir().expect("tempdir");
    let added = run(&dir, &["customers", "add", "--name", "Olha Bondar", "--phone", "+380 67 000 1122:mobile"]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert!(out(&run(&dir, &["lookup", "0670001122"])).contains("Olha Bondar"));

    let file = dir.path().join("export.csv");
    let exported = out(&run(&dir, &["customers", "export", file.to_str().expect("utf-8 path")]));
    assert!(exported.starts_with("51 customers written"), "{exported}");
    let other = tempfile::tempdir().expect("tempdir");
    let imported = out(&run(&other, &["import", file.to_str().expect("utf-8 path")]));
    // The fresh directory was seeded with the same 50 demo customers: only Olha is new.
    assert!(imported.contains("1 added, 0 updated, 50 unchanged, 0 skipped"), "{imported}");
}

/// `lookup --sources` is the card's lookup: a CRM that cannot be reached is named in the
/// failure, and the directory's customers are printed anyway.
#[test]
fn lookup_with_every_source_reports_a_crm_that_is_down_and_keeps_the_directorys_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = common::free_port(); // nothing listens there
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[lookup]\ntimeout_ms = 2000\norder = [\"shop\", \"directory\"]\n\n[[lookup.crm]]\nname = \"shop\"\n\
             kind = \"rest\"\nurl = \"http://127.0.0.1:{port}/find?phone={{e164}}\"\n"
        ),
    )
    .expect("config");
    let config = config.to_str().expect("utf-8 path");
    let o = run(&dir, &["lookup", "--sources", "--config", config, "+48 22 123 45 67"]);
    assert!(!o.status.success(), "a failed source is a failure: {}", out(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains(&format!("lookup failed: shop: cannot reach 127.0.0.1:{port}")), "{stderr}");
    let printed = out(&o);
    assert!(printed.contains("2 customers from shop, directory"), "{printed}");
    assert!(printed.contains("Anna Kowalska") && printed.contains("Piotr Kowalski"), "{printed}");

    // The key of a CRM that is not configured is refused before anything is stored.
    let o = Command::new(CLI)
        .args(["secret", "set", "crm:nope", "--stdin", "--config", config])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run ringside-cli");
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("no [[lookup.crm]] named \"nope\" in the config (there is: shop)"), "{stderr}");

    // A Bitrix24 webhook that could never work is refused before it reaches the keychain, and
    // the refusal does not repeat the secret.
    let b24 = dir.path().join("b24.toml");
    std::fs::write(&b24, "[[lookup.crm]]\nname = \"b24\"\nkind = \"bitrix24\"\n").expect("config");
    let mut child = Command::new(CLI)
        .args(["secret", "set", "crm:b24", "--stdin", "--config", b24.to_str().expect("utf-8 path")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run ringside-cli");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"https://portal.bitrix24.ua/crm/deal/zz9secretcode/\n").expect("write");
    }
    let o = child.wait_with_output().expect("wait");
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("webhook"), "{stderr}");
    assert!(!stderr.contains("zz9secretcode"), "the secret is not repeated: {stderr}");
}

#[test]
fn customers_create_puts_a_caller_where_the_card_would() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = common::free_port();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[lookup.crm]]\nname = \"shop\"\nkind = \"rest\"\nurl = \"http://127.0.0.1:{port}/find/{{e164}}\"\n\
             create_url = \"http://127.0.0.1:{port}/customers\"\n"
        ),
    )
    .expect("config");
    let config = config.to_str().expect("utf-8 path");

    let list = run(&dir, &["customers", "create", "--list", "--config", config]);
    assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stderr));
    assert_eq!(out(&list), format!("directory: creates a customer\nshop (127.0.0.1:{port}): creates a customer\n"));

    let created = run(
        &dir,
        &[
            "customers",
            "create",
            "--in",
            "directory",
            "--name",
            "Taras Shevchuk",
            "--number",
            "+380 50 765 43 21",
            "--company",
            "Kobzar LLC",
            "--config",
            config,
        ],
    );
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    assert!(out(&created).starts_with("created Taras Shevchuk in directory (id "), "{}", out(&created));
    assert!(out(&run(&dir, &["lookup", "0507654321"])).contains("Taras Shevchuk — Kobzar LLC"));

    // The CRM is not there: said in words, nothing created elsewhere in its place.
    let failed = run(
        &dir,
        &["customers", "create", "--in", "shop", "--name", "Ewa", "--number", "+48 22 000 00 00", "--config", config],
    );
    assert!(!failed.status.success());
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(
        err.starts_with(&format!(
            "ringside-cli: the customer could not be created in shop: cannot reach 127.0.0.1:{port}"
        )),
        "{err}"
    );
    assert!(out(&run(&dir, &["lookup", "+48 22 000 00 00"])).contains("unknown caller"));

    let unknown =
        run(&dir, &["customers", "create", "--in", "b24", "--name", "X", "--number", "1234567", "--config", config]);
    assert!(String::from_utf8_lossy(&unknown.stderr)
        .contains("customers cannot be created in \"b24\"; they can be in: directory, shop"));
}
