//! A lock file naming its holder (pid and start time): taken with `create_new`, removed when dropped, and taken
//! over when the process it names no longer runs (a killed run or extract).

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// A live process holds it; the text is what the lock file says of it.
    Held(String),
    /// The lock file could not be written.
    Io(std::io::Error),
}

/// A held lock file, removed when dropped.
#[derive(Debug)]
pub struct LockFile {
    path: PathBuf,
    took_over: bool,
}

impl LockFile {
    /// Takes the lock at `path` (its folder must exist), taking over one whose holder no longer runs.
    pub fn acquire(path: &Path) -> Result<LockFile, LockError> {
        let holder = format!(
            "pid {}, started {}",
            std::process::id(),
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
        );
        let mut took_over = false;
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(mut file) => {
                    file.write_all(holder.as_bytes())
                        .and_then(|_| file.sync_all())
                        .map_err(LockError::Io)?;
                    return Ok(LockFile {
                        path: path.to_path_buf(),
                        took_over,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let existing = std::fs::read_to_string(path).unwrap_or_default();
                    if holder_is_running(&existing) {
                        return Err(LockError::Held(existing.trim().to_string()));
                    }
                    tracing::warn!(lock = %path.display(), holder = existing.trim(), "taking over the lock of a process that no longer runs");
                    let _ = std::fs::remove_file(path);
                    took_over = true;
                }
                Err(e) => return Err(LockError::Io(e)),
            }
        }
        Err(LockError::Held(
            "another process that took over a stale lock at the same moment".into(),
        ))
    }

    /// Whether the lock was left by a process that no longer runs, and taken over: what it was doing was cut
    /// short.
    pub fn took_over(&self) -> bool {
        self.took_over
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether the process named in a lock file still runs. Where that cannot be told (no `/proc`), it is assumed to.
fn holder_is_running(lock_text: &str) -> bool {
    let pid = lock_text
        .strip_prefix("pid ")
        .and_then(|rest| rest.split(',').next())
        .and_then(|pid| pid.trim().parse::<u32>().ok());
    match pid {
        Some(pid) if Path::new("/proc/self").exists() => {
            Path::new(&format!("/proc/{pid}")).exists()
        }
        _ => true,
    }
}
