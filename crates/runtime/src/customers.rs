//! Builds the lookup's sources from the config: the embedded directory (created with the demo
//! customers on first run) and the configured CRMs with their keys from the keychain.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ringside_config::{Config, CrmConfig, CrmKind, DIRECTORY_SOURCE, NEGATIVE_CACHE_SECS};
use ringside_lookup::{open_or_seed, LookupConfig, NewCustomer, NewPhone};

use crate::error::DirectoryProblem;
use crate::lookup::{Bounds, SharedDirectory, Source, Sources};

/// Opens the directory and the CRMs. Nothing here is fatal: a source that cannot be used
/// makes each card say why its lookup failed.
pub(crate) async fn sources(config: &Config) -> Sources {
    let directory = {
        let config = config.directory.clone();
        tokio::task::spawn_blocking(move || open_directory(&config))
            .await
            .unwrap_or_else(|e| Err(format!("could not be opened ({e})")))
    };
    if let Err(e) = &directory {
        tracing::warn!(error = %e, "customer directory unavailable");
    }
    let timeout = Duration::from_millis(config.lookup.timeout_ms);
    let mut list = Vec::with_capacity(config.lookup.order.len());
    for name in &config.lookup.order {
        if name == DIRECTORY_SOURCE {
            list.push(Source::Directory(directory.clone()));
        } else if let Some(crm) = config.lookup.crm.iter().find(|c| &c.name == name) {
            list.push(Source::Crm { name: name.clone(), connector: connector(crm, timeout).await });
        }
    }
    let bounds = Bounds {
        timeout,
        cache_ttl: Duration::from_secs(config.lookup.cache_secs),
        negative_ttl: Duration::from_secs(NEGATIVE_CACHE_SECS),
    };
    Sources::new(list, directory.ok(), LookupConfig::for_region(&config.directory.region), bounds)
}

fn open_directory(config: &ringside_config::DirectoryConfig) -> Result<SharedDirectory, String> {
    ringside_lookup::warm_up(&LookupConfig::for_region(&config.region));
    let path = config.resolved_path().ok_or("no home directory to keep the customer directory in")?;
    let (dir, seeded) = open_or_seed(&path, LookupConfig::for_region(&config.region)).map_err(|e| e.to_string())?;
    if let Some(report) = seeded {
        tracing::info!(path = %path.display(), customers = report.added, "created the customer directory with the demo customers");
    }
    Ok(Arc::new(Mutex::new(dir)))
}

/// The CRM's connector with its key: the keychain entry `crm:<name>`, else the environment
/// variable `RINGSIDE_CRM_<NAME>_SECRET`. The keychain blocks (and may ask to be unlocked), so
/// it is read off the runtime.
pub(crate) async fn connector(crm: &CrmConfig, timeout: Duration) -> Result<ringside_crm::Connector, String> {
    let needs_key = match &crm.kind {
        CrmKind::Rest(rest) => rest.auth_header.is_some(),
        CrmKind::Bitrix24(_) => true,
    };
    let secret = if needs_key {
        let (key, env) = (ringside_crm::secret_key(&crm.name), ringside_crm::secret_env_var(&crm.name));
        let store = ringside_secrets::SecretStore::os();
        tokio::task::spawn_blocking(move || ringside_secrets::resolve(&store, &key, &env))
            .await
            .map_err(|e| format!("{}: the keychain could not be read ({e})", crm.name))?
            .map_err(|e| format!("{}: {e}", crm.name))?
    } else {
        None
    };
    ringside_crm::Connector::new(crm, secret, timeout).map_err(|e| format!("{}: {e}", crm.name))
}

/// Adds an unknown caller to the embedded directory with their number; returns the new id.
pub(crate) fn create_customer(
    sources: &Sources,
    number: &str,
    name: &str,
    company: Option<&str>,
) -> Result<String, DirectoryProblem> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DirectoryProblem::NoName);
    }
    let dir = sources.directory().ok_or(DirectoryProblem::Unavailable)?;
    let dir = dir.lock().map_err(|_| DirectoryProblem::Poisoned)?;
    let customer = NewCustomer {
        name: name.to_string(),
        company: company.map(str::trim).filter(|c| !c.is_empty()).map(str::to_string),
        phones: vec![NewPhone::new(number, None)],
        ..NewCustomer::default()
    };
    let id = dir.add_customer(&customer)?;
    sources.forget_cached(number);
    Ok(id)
}
