//! `--state FILE`: the tenants as one JSON document, loaded at start and saved after changes.
//! Saves are atomic — written to a new temporary file beside the target (readable by its owner
//! only: the state holds the tenants' tokens), flushed to disk, renamed over it, and the folder
//! flushed — so a crash mid-save leaves the old or the new state, never a torn file.
//!
//! One server at a time uses a state file: it holds an advisory lock on `FILE.lock` beside it for
//! as long as it runs, and a second server on the same file refuses to start. The lock is on a
//! file of its own because every save replaces the state file itself with a new one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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

/// A name no file has yet (with `create_new`, an old one is never reused).
fn temporary_path(path: &Path) -> PathBuf {
    static SAVES: AtomicU64 = AtomicU64::new(0);
    let save = SAVES.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!("{}{}-{save}", temporary_prefix(path), std::process::id()))
}

/// A file created for this server's eyes only (mode 0600 on Unix).
fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// The lock file of the state file `path`: `FILE.lock` beside it.
pub fn lock_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "state.json".to_owned());
    path.with_file_name(format!("{name}.lock"))
}

/// The advisory lock on a state file, held until this is dropped (or the process ends).
#[derive(Debug)]
pub struct StateLock {
    _file: File,
}

/// Takes the lock of the state file `path`, or says that another steward-server holds it. The
/// lock file stays behind once released: removing it could let two servers lock two files of
/// the same name.
pub fn lock(path: &Path) -> Result<StateLock, String> {
    let lock_path = lock_path(path);
    let file = private_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|e| format!("{}: cannot open the lock file {}: {e}", path.display(), lock_path.display()))?;
    match fs4::FileExt::try_lock(&file) {
        Ok(()) => Ok(StateLock { _file: file }),
        Err(fs4::TryLockError::WouldBlock) => Err(format!(
            "{}: another steward-server is using this state file (it holds the lock {}); stop it, or give this one another --state FILE",
            path.display(),
            lock_path.display()
        )),
        Err(fs4::TryLockError::Error(e)) => Err(format!("{}: cannot lock {}: {e}", path.display(), lock_path.display())),
    }
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

/// Writes `bytes` to `path` atomically (new temp file, mode 0600 + fsync + rename + fsync of the
/// folder).
pub fn save_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temporary = temporary_path(path);
    let written = (|| {
        let mut file = private_options().write(true).create_new(true).open(&temporary)?;
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

    #[test]
    fn a_state_file_is_locked_by_one_holder_at_a_time() {
        let dir = std::env::temp_dir().join(format!("steward-state-lock-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let first = lock(&path).unwrap();
        let refusal = lock(&path).unwrap_err();
        assert!(refusal.contains("another steward-server") && refusal.contains("state.json.lock"), "{refusal}");
        drop(first);
        let again = lock(&path).unwrap();
        drop(again);
        assert!(lock_path(&path).exists(), "the lock file stays");
        fs::remove_dir_all(&dir).unwrap();
    }
}
