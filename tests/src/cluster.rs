//! A disposable PostgreSQL cluster of a test's own, to stop and start at will: the shared test
//! server must never be stopped by a test.
//!
//! `initdb` into a temporary directory, a free port on loopback, trust authentication, the Unix
//! socket in that directory; `pg_ctl stop -m immediate` on drop (as a crash would), and the
//! directory removed. Clusters left by a test process that died are removed the next time one
//! starts.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The prefix of every cluster's temporary directory, followed by the owning process id.
const DIR_PREFIX: &str = "hub-cluster-";

/// A running (or stopped) PostgreSQL cluster in a temporary directory.
#[derive(Debug)]
pub struct Cluster {
    /// Where `initdb` and `pg_ctl` are.
    bin: PathBuf,
    /// The temporary directory: `data/`, the Unix socket, and `server.log`.
    dir: PathBuf,
    port: u16,
    /// PostgreSQL refuses to run as root: when the tests are root, its binaries run as the
    /// `postgres` user (uid, gid).
    run_as: Option<(u32, u32)>,
}

impl Cluster {
    /// Where PostgreSQL's server binaries are (the newest under `/usr/lib/postgresql/*/bin`, as
    /// Debian installs them, or else `initdb` on the `PATH`); `None` when they are not installed.
    pub fn binaries() -> Option<PathBuf> {
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let version = entry.file_name().to_str()?.parse().ok()?;
                let bin = entry.path().join("bin");
                bin.join("initdb").exists().then_some((version, bin))
            })
            .collect();
        versions.sort();
        if let Some((_, bin)) = versions.pop() {
            return Some(bin);
        }
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
        })
    }

    /// Creates and starts a cluster, or says why it cannot and returns `None` (PostgreSQL's
    /// server binaries are not installed, or the tests run as root with no `postgres` user):
    /// the caller skips its test.
    pub async fn start() -> Option<Self> {
        let Some(bin) = Self::binaries() else {
            eprintln!(
                "SKIPPED: this test needs its own PostgreSQL cluster, and initdb was found neither \
                 under /usr/lib/postgresql/*/bin nor on PATH (install PostgreSQL's server package)"
            );
            return None;
        };
        let run_as = if is_root() {
            match postgres_user() {
                Some(ids) => Some(ids),
                None => {
                    eprintln!(
                        "SKIPPED: PostgreSQL refuses to run as root, and there is no postgres user \
                         to run this test's cluster as"
                    );
                    return None;
                }
            }
        } else {
            None
        };
        remove_leftovers(&bin, run_as);
        let dir = std::env::temp_dir().join(format!(
            "{DIR_PREFIX}{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).expect("cluster directory");
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .expect("chown the cluster directory");
        }
        let mut cluster = Self {
            bin,
            dir,
            port: 0,
            run_as,
        };
        let initdb = cluster
            .command("initdb")
            .arg("--pgdata")
            .arg(cluster.data())
            .args([
                "--username=postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .output()
            .expect("run initdb");
        assert!(
            initdb.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&initdb.stderr)
        );
        // A free port can be taken by someone else before the cluster binds it: try a few.
        for _ in 0..3 {
            cluster.port = free_port();
            if cluster.pg_ctl_start().await {
                return Some(cluster);
            }
        }
        panic!(
            "the test cluster did not start; its log:\n{}",
            std::fs::read_to_string(cluster.dir.join("server.log")).unwrap_or_default()
        );
    }

    /// The superuser's URL, over TCP on loopback.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the cluster at once (`pg_ctl stop -m immediate`: every connection is cut, nothing is
    /// shut down cleanly, as in a crash), without blocking the async runtime.
    pub async fn stop(&self) {
        let stop = self.pg_ctl(&["stop", "-m", "immediate", "-w"]);
        let status = run_blocking(stop).await;
        assert!(status, "pg_ctl stop failed");
    }

    /// Starts the stopped cluster again on the same port (with crash recovery), and waits until
    /// it accepts connections.
    pub async fn restart(&self) {
        assert!(
            self.pg_ctl_start().await,
            "the test cluster did not start again"
        );
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        if let Some((uid, gid)) = self.run_as {
            command.uid(uid).gid(gid);
        }
        command
    }

    fn pg_ctl(&self, args: &[&str]) -> Command {
        let mut command = self.command("pg_ctl");
        command.arg("--pgdata").arg(self.data()).args(args);
        command
    }

    async fn pg_ctl_start(&self) -> bool {
        // fsync off: an immediate stop kills processes, not the machine, so the kernel keeps
        // every write and what was committed survives; syncing would only slow the test down.
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB",
            self.port,
            self.dir.display()
        );
        let mut start = self.pg_ctl(&["start", "-w", "-t", "30", "-o", &options]);
        start.arg("-l").arg(self.dir.join("server.log"));
        run_blocking(start).await
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["stop", "-m", "immediate", "-w"]).output();
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// Runs `command` on a blocking thread, so the servers and clients on the test's runtime carry
/// on meanwhile; whether it succeeded.
async fn run_blocking(mut command: Command) -> bool {
    tokio::task::spawn_blocking(move || command.output().is_ok_and(|out| out.status.success()))
        .await
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

fn is_root() -> bool {
    // The owner of /proc/self is the process's user.
    std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").expect("/proc/self")) == 0
}

/// The `postgres` user's uid and gid, from `/etc/passwd`.
fn postgres_user() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        match fields.as_slice() {
            ["postgres", _, uid, gid, ..] => Some((uid.parse().ok()?, gid.parse().ok()?)),
            _ => None,
        }
    })
}

/// Stops and removes clusters whose test process has gone.
fn remove_leftovers(bin: &Path, run_as: Option<(u32, u32)>) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|name| name.strip_prefix(DIR_PREFIX)) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or_default();
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let leftover = Cluster {
            bin: bin.to_owned(),
            dir: entry.path(),
            port: 0,
            run_as,
        };
        drop(leftover);
    }
}
