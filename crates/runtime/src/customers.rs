//! Finds the customers for a call's number in the embedded directory, off the async runtime
//! (SQLite blocks), so a slow disk never holds up a card.

use std::sync::{Arc, Mutex};

use ringside_config::DirectoryConfig;
use ringside_core::CustomerMatch;
use ringside_lookup::{normalize, open_or_seed, Directory, LookupConfig};

#[derive(Clone)]
pub(crate) struct CustomerLookup {
    directory: Result<Arc<Mutex<Directory>>, String>,
}

impl CustomerLookup {
    /// Opens (or creates with the demo customers) the configured directory. A directory that
    /// cannot be opened is not fatal: each card then says why its lookup failed.
    pub(crate) fn open(config: &DirectoryConfig) -> Self {
        let opened = (|| {
            let path = config.resolved_path().ok_or("no home directory to keep the customer directory in")?;
            let (dir, seeded) =
                open_or_seed(&path, LookupConfig::for_region(&config.region)).map_err(|e| e.to_string())?;
            if let Some(report) = seeded {
                tracing::info!(path = %path.display(), customers = report.added, "created the customer directory with the demo customers");
            }
            Ok::<_, String>(Arc::new(Mutex::new(dir)))
        })();
        if let Err(e) = &opened {
            tracing::warn!(error = %e, "customer directory unavailable");
        }
        Self { directory: opened }
    }

    /// The customers for `number`, best first; an internal extension or text that is not a
    /// number finds nobody.
    pub(crate) async fn find(&self, number: String) -> Result<Vec<CustomerMatch>, String> {
        let dir = self.directory.clone()?;
        tokio::task::spawn_blocking(move || {
            let dir = dir.lock().map_err(|_| "the customer directory failed earlier; restart Ringside".to_string())?;
            let normalized = normalize(&number, dir.config());
            if !normalized.is_external() {
                return Ok(Vec::new());
            }
            let found = dir.lookup(&normalized).map_err(|e| e.to_string())?;
            Ok(found.iter().map(|m| m.to_customer_match()).collect())
        })
        .await
        .map_err(|e| format!("the lookup stopped: {e}"))?
    }
}
