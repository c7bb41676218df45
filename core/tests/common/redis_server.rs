//! A real `redis-server` (Debian's package) per test: its own free loopback port and temp dir,
//! no persistence, stopped when dropped. Shared by the core's and the CLI's tests (`#[path]`).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    extra: Vec<String>,
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

fn signal(pid: u32, name: &str) {
    let _ = Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status();
}

impl RedisServer {
    /// Starts an instance; `extra` are more `redis-server` arguments (e.g. `--requirepass`).
    pub fn start(extra: &[&str]) -> Self {
        let mut server = RedisServer {
            child: None,
            port: free_port(),
            dir: tempfile::tempdir().expect("temp dir"),
            extra: extra.iter().map(|s| s.to_string()).collect(),
        };
        server.restart();
        server
    }

    /// (Re)starts the process on the same port, empty.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "stop the server before restarting it");
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(self.dir.path())
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (Debian package redis-server)");
        self.child = Some(child);
        let started = Instant::now();
        while !self.answers_ping() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn answers_ping(&self) -> bool {
        self.answers_ping_within(Duration::from_secs(1))
    }

    /// True when the server answers a PING within `wait` (false while it sleeps or is paused).
    pub fn answers_ping_within(&self, wait: Duration) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(wait));
        let mut reply = [0u8; 64];
        // Without a password: +PONG; with one: -NOAUTH… Either way the server is up.
        stream.write_all(b"PING\r\n").is_ok()
            && stream
                .read(&mut reply)
                .is_ok_and(|n| n > 0 && (reply[0] == b'+' || reply[0] == b'-'))
    }

    /// Puts the server to sleep for `secs` seconds (`DEBUG SLEEP`, which holds its one thread;
    /// the server must run with `--enable-debug-command yes`) and returns once it no longer
    /// answers, with the thread that waits for the sleep to end (join it to wait for the server).
    pub fn sleep_in_background(&self, secs: u32) -> std::thread::JoinHandle<()> {
        let port = self.port.to_string();
        let sleeper = std::thread::spawn(move || {
            Command::new("redis-cli")
                .args([
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &port,
                    "DEBUG",
                    "SLEEP",
                    &secs.to_string(),
                ])
                .output()
                .expect("redis-cli DEBUG SLEEP");
        });
        let started = Instant::now();
        while self.answers_ping_within(Duration::from_millis(200)) {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "DEBUG SLEEP did not take hold"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        sleeper
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `redis://127.0.0.1:<port>`
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// SIGTERM, then waits for the process to end.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(child.id(), "CONT");
            signal(child.id(), "TERM");
            let _ = child.wait();
        }
    }

    /// SIGSTOP: the kernel still accepts connections, the server answers nothing.
    pub fn pause(&self) {
        signal(self.pid(), "STOP");
    }

    /// SIGCONT.
    pub fn resume(&self) {
        signal(self.pid(), "CONT");
    }

    /// Runs one command with `redis-cli` and returns its raw output, trimmed.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(args)
            .env("REDISCLI_AUTH", self.password().unwrap_or_default())
            .output()
            .expect("redis-cli is installed with redis-server");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn password(&self) -> Option<String> {
        let at = self.extra.iter().position(|a| a == "--requirepass")?;
        self.extra.get(at + 1).cloned()
    }

    /// Client connections the server has at this moment (`INFO clients`).
    pub fn connected_clients(&self) -> usize {
        self.cli(&["INFO", "clients"])
            .lines()
            .find_map(|l| l.strip_prefix("connected_clients:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("INFO clients has connected_clients")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(child.id(), "CONT");
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Sockets process `pid` holds open to `port` (any TCP state), counted once each: those whose
/// file descriptor is open both before and after one read of the kernel's table, so every socket
/// counted was open at once throughout the read. The table counts connections a paused server has
/// not accepted yet, which `INFO clients` cannot see.
///
/// Why not count the table's lines: `/proc/net/tcp` is not a snapshot. It is read a page (about
/// 27 lines) per `read()`, and each read resumes its walk of the kernel's hash table by position;
/// when sockets are opened or closed between two reads (other connections on a busy machine, the
/// test's own HTTP clients) the walk can print a socket twice. The paused-Redis test saw the same
/// socket (same inode, same ports) on two consecutive lines and so counted 4 and 12 connections
/// while the pool held 3 (issue 16). Counting distinct inodes cannot double-count; a socket the
/// walk skips is only an undercount in one sample, and the tests sample hundreds of times.
/// Sockets closed meanwhile are not counted either: a closed socket leaves the process's
/// descriptor table at once (in FIN_WAIT it is orphaned, its inode shown as 0).
pub fn open_connections(pid: u32, port: u16) -> usize {
    let before = socket_inodes(pid);
    let mut to_port = std::collections::HashSet::new();
    for table in ["net/tcp", "net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/{table}")) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 10 {
                continue;
            }
            let remote_port = fields[2]
                .rsplit(':')
                .next()
                .and_then(|p| u16::from_str_radix(p, 16).ok());
            // The table is the whole network namespace's: the inode ties a socket to `pid`.
            if remote_port == Some(port) && before.contains(fields[9]) {
                to_port.insert(fields[9].to_owned());
            }
        }
    }
    let after = socket_inodes(pid);
    to_port
        .iter()
        .filter(|inode| after.contains(*inode))
        .count()
}

fn socket_inodes(pid: u32) -> std::collections::HashSet<String> {
    let mut inodes = std::collections::HashSet::new();
    if let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) {
        for entry in entries.flatten() {
            if let Ok(target) = std::fs::read_link(entry.path()) {
                let target = target.to_string_lossy().into_owned();
                if let Some(inode) = target
                    .strip_prefix("socket:[")
                    .and_then(|t| t.strip_suffix(']'))
                {
                    inodes.insert(inode.to_owned());
                }
            }
        }
    }
    inodes
}
