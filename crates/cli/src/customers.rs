//! `lookup`, `import` and `customers add|export`: the embedded customer directory from the
//! command line. The directory is created (and seeded with the demo customers) on first use.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use ringside_i18n::Args as Values;
use ringside_lookup::{
    normalize, open_or_seed, ColumnMap, Directory, ImportReport, LookupConfig, Match, MatchReason, NewCustomer,
    NewPhone, NumberKind, PhoneColumn,
};

use crate::{count, said, words};

/// Why a customer matched, in words: "same E.164", "last 9 digits, chosen before".
fn reason_text(m: &Match) -> String {
    let why = match m.reason {
        MatchReason::SameE164 => words().get("customer-match-same-e164"),
        MatchReason::LastDigits(n) => {
            words().format("customer-match-last-digits", &Values::new().number("n", count(n)))
        }
    };
    if m.remembered {
        words().format("customer-match-chosen-before", &Values::new().text("why", why))
    } else {
        why
    }
}

/// The words for what a CRM creates (`customer`, `contact`, `lead`).
fn created_kind_id(kind: &str) -> Option<&'static str> {
    match kind {
        "customer" => Some("card-create-kind-customer"),
        "contact" => Some("card-create-kind-contact"),
        "lead" => Some("card-create-kind-lead"),
        _ => None,
    }
}

/// Where the directory lives unless `--directory` says otherwise.
pub const DIRECTORY_ENV: &str = "RINGSIDE_DIRECTORY";

#[derive(Args, Clone)]
pub struct DirectoryArgs {
    /// The directory database (default: $RINGSIDE_DIRECTORY, else directory.sqlite in the OS data dir).
    #[arg(long, value_name = "FILE", global = true)]
    directory: Option<PathBuf>,
    /// Region for numbers written without a country code (ISO code, e.g. UA, PL, DE, GB, US).
    #[arg(long, default_value = "UA", global = true)]
    region: String,
}

impl DirectoryArgs {
    fn path(&self) -> Result<PathBuf, String> {
        if let Some(p) = &self.directory {
            return Ok(p.clone());
        }
        if let Some(p) = std::env::var_os(DIRECTORY_ENV) {
            return Ok(PathBuf::from(p));
        }
        ringside_config::DirectoryConfig::default()
            .resolved_path()
            .ok_or_else(|| "no home directory: pass --directory FILE".to_string())
    }

    fn config(&self) -> Result<LookupConfig, String> {
        let cfg = LookupConfig::for_region(&self.region);
        cfg.validate().map_err(|e| e.to_string())?;
        Ok(cfg)
    }

    /// Opens the directory; a new one starts with the demo customers so the demo has matches.
    fn open(&self) -> Result<Directory, String> {
        let path = self.path()?;
        let (dir, seeded) = open_or_seed(&path, self.config()?).map_err(|e| e.to_string())?;
        if let Some(report) = seeded {
            let args = Values::new().text("file", path.display().to_string()).number("n", count(report.added));
            eprintln!("{}", words().format("cli-customers-seeded", &args));
        }
        Ok(dir)
    }
}

#[derive(Args)]
pub struct LookupArgs {
    #[command(flatten)]
    dir: DirectoryArgs,
    /// The number as you have it: any formatting.
    number: String,
    /// The matches as JSON.
    #[arg(long)]
    json: bool,
    /// Ask every source of the config's `[lookup]` (its CRMs too, in its order and time bound),
    /// as a call card does, instead of only the directory.
    #[arg(long)]
    sources: bool,
    /// Config file for --sources (default: $RINGSIDE_CONFIG or the OS config dir).
    #[arg(long, value_name = "FILE", requires = "sources")]
    config: Option<PathBuf>,
}

pub async fn lookup(args: LookupArgs) -> Result<(), String> {
    if args.sources {
        return lookup_everywhere(args).await;
    }
    let dir = args.dir.open()?;
    let number = normalize(&args.number, dir.config());
    match &number.kind {
        NumberKind::NotANumber(why) => return Err(format!("{:?} is not a phone number: {why}", args.number)),
        NumberKind::Internal => {
            println!("{}", words().format("cli-lookup-internal", &Values::new().text("number", args.number.as_str())));
            return Ok(());
        }
        NumberKind::External => {}
    }
    let matches = dir.lookup(&number).map_err(|e| e.to_string())?;
    if args.json {
        let value = serde_json::json!({ "number": number, "matches": matches });
        println!("{value}");
        return Ok(());
    }
    let key = number.e164.clone().or(number.suffix.clone()).unwrap_or_default();
    let found = Values::new().text("key", key).number("n", count(matches.len()));
    println!("{}", words().format("cli-lookup-found", &found));
    for m in &matches {
        let company = m.customer.company.as_deref().map(|c| format!(" — {c}")).unwrap_or_default();
        println!("  {}{company}  [{}]", m.customer.name, reason_text(m));
        for o in &m.orders {
            let amount = o.amount_text().map(|a| format!(", {a}")).unwrap_or_default();
            println!("    • {} ({}{amount})", o.title, o.status);
        }
    }
    Ok(())
}

/// `lookup --sources`: the card's lookup, printed.
async fn lookup_everywhere(args: LookupArgs) -> Result<(), String> {
    let mut config = match args.config.clone().or_else(ringside_config::Config::default_path) {
        Some(path) => ringside_config::Config::load_with_system(&path).map_err(|e| e.to_string())?,
        None => ringside_config::Config::default(),
    };
    if args.dir.directory.is_some() || std::env::var_os(DIRECTORY_ENV).is_some() {
        config.directory.path = Some(args.dir.path()?);
    }
    let sources = ringside_runtime::lookup_sources(&config).await;
    let started = std::time::Instant::now();
    let outcome = sources.find(&args.number, true).await;
    let took_ms = started.elapsed().as_millis();
    if args.json {
        let value = serde_json::json!({
            "number": args.number,
            "sources": sources.names(),
            "customers": outcome.customers,
            "failed": outcome.failed,
            "took_ms": took_ms,
        });
        println!("{value}");
    } else {
        let found = Values::new()
            .text("number", args.number.as_str())
            .number("n", count(outcome.customers.len()))
            .text("sources", sources.names().join(", "))
            .number("ms", i64::try_from(took_ms).unwrap_or(i64::MAX));
        println!("{}", words().format("cli-lookup-sources", &found));
        let chosen_before = format!(" {}", words().get("cli-lookup-chosen-before"));
        for c in &outcome.customers {
            let company = c.company.as_deref().map(|co| format!(" — {co}")).unwrap_or_default();
            let chosen = if c.chosen { chosen_before.as_str() } else { "" };
            let lead = match c.kind {
                Some(ringside_core::RecordKind::Lead) => format!("{}: ", words().get("customer-lead")),
                _ => String::new(),
            };
            println!("  {lead}{}{company}  [{}, {}]{chosen}", c.name, c.source, c.reason);
            if let Some(owner) = &c.owner {
                println!("    {}", words().format("customer-owner", &Values::new().text("name", owner.as_str())));
            }
            for o in &c.orders {
                let rest: Vec<&str> = [o.status.as_deref(), o.amount.as_deref()].into_iter().flatten().collect();
                let bound = match (&o.id, &c.deal) {
                    (Some(id), Some(deal)) if id == deal => format!(" ← {}", words().get("deal-bound")),
                    _ => String::new(),
                };
                println!("    • {} ({}){bound}", o.title, rest.join(", "));
            }
            if let Some(url) = &c.url {
                println!("    {url}");
            }
        }
    }
    match outcome.failed {
        Some(why) => Err(words().format("cli-lookup-failed", &Values::new().text("why", why))),
        None => Ok(()),
    }
}

#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    dir: DirectoryArgs,
    /// A CSV file (header row) or a vCard file (.vcf); re-importing the same file changes nothing.
    file: PathBuf,
    /// Column with the customer's id in your system (makes re-imports exact).
    #[arg(long, value_name = "COLUMN")]
    id_column: Option<String>,
    /// Column(s) with the name; repeat to join ("First Name" then "Last Name").
    #[arg(long = "name-column", value_name = "COLUMN")]
    name_columns: Vec<String>,
    #[arg(long, value_name = "COLUMN")]
    company_column: Option<String>,
    #[arg(long, value_name = "COLUMN")]
    email_column: Option<String>,
    /// A phone column, optionally with a label: `Mobile:mobile`. Repeat for several.
    #[arg(long = "phone-column", value_name = "COLUMN[:LABEL]")]
    phone_columns: Vec<String>,
}

pub fn import(args: ImportArgs) -> Result<(), String> {
    let dir = args.dir.open()?;
    let is_vcard = args.file.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("vcf"));
    let report = if is_vcard {
        dir.import_vcard_file(&args.file)
    } else {
        let map = column_map(&args);
        dir.import_csv_file(&args.file, map.as_ref())
    }
    .map_err(|e| e.to_string())?;
    print_report(&args.file, &report);
    Ok(())
}

/// The explicit mapping, or `None` to guess from the header row.
fn column_map(args: &ImportArgs) -> Option<ColumnMap> {
    if args.name_columns.is_empty() && args.phone_columns.is_empty() {
        return None;
    }
    let phones = args
        .phone_columns
        .iter()
        .map(|p| match p.split_once(':') {
            Some((column, label)) => PhoneColumn::new(column, Some(label)),
            None => PhoneColumn::new(p, None),
        })
        .collect();
    Some(ColumnMap {
        external_id: args.id_column.clone(),
        name: args.name_columns.clone(),
        company: args.company_column.clone(),
        email: args.email_column.clone(),
        phones,
        ..ColumnMap::default()
    })
}

fn print_report(file: &Path, r: &ImportReport) {
    let report = Values::new()
        .text("file", file.display().to_string())
        .number("added", count(r.added))
        .number("updated", count(r.updated))
        .number("unchanged", count(r.unchanged))
        .number("skipped", count(r.skipped));
    println!("{}", words().format("cli-import-report", &report));
    for issue in &r.issues {
        println!("  {issue}");
    }
    if r.more_issues > 0 {
        println!("  {}", words().format("cli-import-more", &Values::new().number("n", count(r.more_issues))));
    }
}

#[derive(Args)]
pub struct CustomersArgs {
    #[command(subcommand)]
    action: CustomersAction,
}

#[derive(Subcommand)]
enum CustomersAction {
    /// Add one customer to the embedded directory.
    Add(AddArgs),
    /// "Create customer" as the call card does it: in the directory or a CRM of the config.
    Create(CreateArgs),
    /// Write every customer and phone to a CSV file (re-importable).
    Export(ExportArgs),
}

#[derive(Args)]
struct AddArgs {
    #[command(flatten)]
    dir: DirectoryArgs,
    #[arg(long)]
    name: String,
    /// Repeat for several numbers; `NUMBER:LABEL` to label one.
    #[arg(long = "phone", required = true)]
    phones: Vec<String>,
    #[arg(long)]
    company: Option<String>,
    #[arg(long)]
    email: Option<String>,
}

#[derive(Args)]
struct CreateArgs {
    #[command(flatten)]
    dir: DirectoryArgs,
    /// Where: "directory" or a CRM's name from the config's [[lookup.crm]]; without it, the list.
    #[arg(long = "in", value_name = "TARGET")]
    target: Option<String>,
    #[arg(long, required_unless_present = "list")]
    name: Option<String>,
    /// The customer's phone number, any formatting.
    #[arg(long, required_unless_present = "list")]
    number: Option<String>,
    #[arg(long)]
    company: Option<String>,
    /// Only list where customers can be created.
    #[arg(long)]
    list: bool,
    /// Config file (default: $RINGSIDE_CONFIG or the OS config dir).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The created customer (or the list) as JSON.
    #[arg(long)]
    json: bool,
}

/// `customers create`: the card's "Create customer", in a target of the config.
async fn create(args: CreateArgs) -> Result<(), String> {
    let mut config = match args.config.clone().or_else(ringside_config::Config::default_path) {
        Some(path) => ringside_config::Config::load_with_system(&path).map_err(|e| e.to_string())?,
        None => ringside_config::Config::default(),
    };
    if args.dir.directory.is_some() || std::env::var_os(DIRECTORY_ENV).is_some() {
        config.directory.path = Some(args.dir.path()?);
    }
    let customers = ringside_runtime::NewCustomers::open(&config).await;
    let targets = customers.targets();
    let (target, name, number) = match (&args.target, &args.name, &args.number) {
        (Some(target), Some(name), Some(number)) if !args.list => (target, name, number),
        _ => {
            if args.json {
                println!("{}", serde_json::to_string(&targets).map_err(|e| e.to_string())?);
            } else {
                for t in &targets {
                    let label = t.label.as_deref().map(|l| format!(" ({l})")).unwrap_or_default();
                    let creates = serde_json::to_value(t.creates).ok().and_then(|v| v.as_str().map(str::to_string));
                    let kind =
                        creates.as_deref().and_then(created_kind_id).map(|id| words().get(id)).unwrap_or_default();
                    let line = Values::new().text("name", t.name.as_str()).text("label", label).text("kind", kind);
                    println!("{}", words().format("cli-customers-target", &line));
                }
            }
            return if args.list { Ok(()) } else { Err(words().get("cli-customers-say-where")) };
        }
    };
    let created =
        customers.create("ringside-cli", target, number, name, args.company.as_deref()).await.map_err(|e| said(&e))?;
    if args.json {
        println!("{}", serde_json::to_string(&created).map_err(|e| e.to_string())?);
    } else {
        let id = if created.id.is_empty() {
            words().get("cli-customers-no-id")
        } else {
            words().format("cli-customers-id", &Values::new().text("id", created.id.as_str()))
        };
        let line =
            Values::new().text("name", created.name.as_str()).text("source", created.source.as_str()).text("id", id);
        println!("{}", words().format("cli-customers-created", &line));
        if let Some(url) = &created.url {
            println!("  {url}");
        }
    }
    Ok(())
}

#[derive(Args)]
struct ExportArgs {
    #[command(flatten)]
    dir: DirectoryArgs,
    file: PathBuf,
}

pub async fn customers(args: CustomersArgs) -> Result<(), String> {
    match args.action {
        CustomersAction::Create(a) => return create(a).await,
        CustomersAction::Add(a) => {
            let dir = a.dir.open()?;
            let phones = a
                .phones
                .iter()
                .map(|p| match p.rsplit_once(':') {
                    Some((n, label)) if !label.chars().any(|c| c.is_ascii_digit()) => NewPhone::new(n, Some(label)),
                    _ => NewPhone::new(p.as_str(), None),
                })
                .collect();
            let customer =
                NewCustomer { name: a.name.clone(), company: a.company, email: a.email, phones, ..Default::default() };
            let id = dir.add_customer(&customer).map_err(|e| e.to_string())?;
            let line = Values::new().text("name", a.name.as_str()).text("id", id.to_string());
            println!("{}", words().format("cli-customers-added", &line));
        }
        CustomersAction::Export(e) => {
            let dir = e.dir.open()?;
            let n = dir.export_csv_file(&e.file).map_err(|err| err.to_string())?;
            let line = Values::new().number("n", count(n)).text("file", e.file.display().to_string());
            println!("{}", words().format("cli-customers-exported", &line));
        }
    }
    Ok(())
}
