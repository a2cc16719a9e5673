//! `--state FILE`: the tenants as one JSON document, loaded at start and saved after changes.
//! Saves are atomic — written to a temporary file beside the target, flushed to disk, renamed
//! over it, and the folder flushed — so a crash mid-save leaves the old or the new state, never a
//! torn file.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::catalog::store::CatalogState;
use super::hightouch::WorkspaceState;
use super::inventory::Inventory;

/// The `format` of state files this server reads and writes.
pub const FORMAT: &str = "steward-sandbox-state/1";

/// The state file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateFile {
    /// [`FORMAT`].
    pub format: String,
    /// The catalog tenant.
    pub catalog: CatalogState,
    /// The Hightouch workspace.
    pub hightouch: WorkspaceState,
    /// The local inventory.
    pub inventory: Inventory,
}

/// Reads a state file; `Ok(None)` when it does not exist yet.
pub fn load(path: &Path) -> Result<Option<StateFile>, String> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let state: StateFile = serde_json::from_slice(&bytes).map_err(|e| format!("{}: not a sandbox state file: {e}", path.display()))?;
    if state.format != FORMAT {
        return Err(format!("{}: unknown state format {:?} (expected {FORMAT:?})", path.display(), state.format));
    }
    Ok(Some(state))
}

fn temporary_prefix(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "state.json".to_owned());
    format!(".{name}.tmp-")
}

fn temporary_path(path: &Path) -> PathBuf {
    path.with_file_name(format!("{}{}", temporary_prefix(path), std::process::id()))
}

/// Removes temporary files a killed server left beside `path` (they never replaced it).
pub fn remove_stale_temporaries(path: &Path) {
    let prefix = temporary_prefix(path);
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(folder) else { return };
    for entry in entries.filter_map(Result::ok) {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Writes `bytes` to `path` atomically (temp file + fsync + rename + fsync of the folder).
pub fn save_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temporary = temporary_path(path);
    let written = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written?;
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Make the rename itself durable (directories can be opened and synced on Unix).
    #[cfg(unix)]
    File::open(folder)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_replace_the_file_and_leave_no_temporary_behind() {
        let dir = std::env::temp_dir().join(format!("steward-state-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        save_atomic(&path, b"{\"a\":1}").unwrap();
        save_atomic(&path, b"{\"a\":2}").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"{\"a\":2}");
        let leftovers: Vec<_> = fs::read_dir(&dir).unwrap().filter_map(Result::ok).filter(|e| e.file_name() != "state.json").collect();
        assert!(leftovers.is_empty());
        assert!(load(&dir.join("missing.json")).unwrap().is_none());
        assert!(load(&path).unwrap_err().contains("not a sandbox state file"));
        fs::remove_dir_all(&dir).unwrap();
    }
}
