//! A throwaway PostgreSQL server for the extract tests: `initdb` into a temporary folder, a free port on
//! 127.0.0.1, password logins, stopped when dropped. Debian's `postgresql` and `odbc-postgresql` must be installed
//! (`scripts/install-postgres.sh`); where they cannot be, `CSC_POSTGRES_TEST=skip` makes the tests say they were
//! skipped instead of failing.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The password of the server's one user, `ssd`.
pub const PASSWORD: &str = "Pw-for-the-test;only";

/// A running server.
pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_user: Option<String>,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
}

fn bin_dir() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").is_file())
        .collect();
    candidates.sort();
    candidates.pop()
}

/// The psqlODBC driver library, if installed.
pub fn odbc_driver() -> Option<PathBuf> {
    let arch = std::env::consts::ARCH;
    [
        format!("/usr/lib/{arch}-linux-gnu/odbc/psqlodbcw.so"),
        "/usr/lib64/psqlodbcw.so".to_string(),
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// Starts a server, or says why none can be started: the caller skips (with `CSC_POSTGRES_TEST=skip`) or fails.
pub fn start_or_skip(test: &str) -> Option<Postgres> {
    match Postgres::start() {
        Ok(pg) => Some(pg),
        Err(why) => {
            if std::env::var("CSC_POSTGRES_TEST").as_deref() == Ok("skip") {
                eprintln!("SKIPPED {test}: {why}, and CSC_POSTGRES_TEST=skip");
                None
            } else {
                panic!(
                    "{why}: run scripts/install-postgres.sh (Debian packages `postgresql` and `odbc-postgresql`), \
                     or set CSC_POSTGRES_TEST=skip on a machine that cannot install them"
                )
            }
        }
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Postgres {
    fn start() -> Result<Postgres, String> {
        let bin = bin_dir().ok_or("PostgreSQL's server (initdb) is not installed")?;
        odbc_driver().ok_or("the PostgreSQL ODBC driver (psqlodbcw.so) is not installed")?;
        let dir = tempfile::Builder::new()
            .prefix("csc-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        // PostgreSQL refuses to run as root: as root, it runs as the `postgres` user the package creates.
        let as_user = is_root().then(|| "postgres".to_string());
        if let Some(user) = &as_user {
            let status = Command::new("chown")
                .args(["-R", user])
                .arg(dir.path())
                .status()
                .map_err(|e| e.to_string())?;
            if !status.success() {
                return Err(format!("cannot give the temporary folder to user `{user}`"));
            }
        }
        let password_file = dir.path().join("password");
        std::fs::write(&password_file, PASSWORD).map_err(|e| e.to_string())?;
        if let Some(user) = &as_user {
            Command::new("chown")
                .arg(user)
                .arg(&password_file)
                .status()
                .map_err(|e| e.to_string())?;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let pg = Postgres {
            dir,
            bin,
            as_user,
            port,
        };
        let data = pg.dir.path().join("cluster");
        pg.server_command("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "ssd",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
            ])
            .arg(format!("--pwfile={}", password_file.display()))
            .output()
            .map_err(|e| e.to_string())
            .and_then(|o| ok(o, "initdb"))?;
        pg.server_command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                pg.dir.path().display()
            ))
            .arg("-l")
            .arg(pg.dir.path().join("server.log"))
            .args(["-w", "start"])
            .output()
            .map_err(|e| e.to_string())
            .and_then(|o| ok(o, "pg_ctl start"))?;
        Ok(pg)
    }

    fn server_command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match &self.as_user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(path);
                c
            }
            None => Command::new(path),
        }
    }

    /// Runs SQL (several statements, stopping at the first error) in database `db`.
    pub fn sql(&self, db: &str, sql: &str) {
        let output = Command::new(self.bin.join("psql"))
            .args([
                "-q",
                "-X",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-U",
                "ssd",
            ])
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-d", db, "-c", sql])
            .env("PGPASSWORD", PASSWORD)
            .output()
            .expect("psql runs");
        ok(output, &format!("psql: {sql}")).unwrap();
    }

    /// Copies a CSV file with a header into `table` (columns in the file's order).
    pub fn copy_csv(&self, db: &str, table: &str, columns: &[String], csv: &Path) {
        self.sql(
            db,
            &format!(
                "\\copy {table} ({}) FROM '{}' WITH (FORMAT csv, HEADER true)",
                columns.join(", "),
                csv.display()
            ),
        );
    }

    /// An ODBC connection string to database `db` through psqlODBC, named as Debian registers it.
    pub fn connection(&self, db: &str) -> String {
        format!(
            "Driver={{PostgreSQL Unicode}};Server=127.0.0.1;Port={};Database={db};Uid=ssd;Pwd={{{PASSWORD}}}",
            self.port
        )
    }
}

fn ok(output: std::process::Output, what: &str) -> Result<(), String> {
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .server_command("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("cluster"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}
