//! The state file of `snapbi sandbox --state FILE` ([`crate::SandboxBuilder::state`]): the sandbox's world kept in one
//! SQLite database across restarts. Without it the sandbox keeps everything in memory, as it always did, and nothing
//! here runs.
//!
//! # Schema
//!
//! One table of rows, each one object of one kind, its value the object's JSON (serde):
//!
//! ```sql
//! meta (name TEXT PRIMARY KEY, value TEXT)             -- ('schema_version', '1')
//! rows (seq INTEGER PRIMARY KEY AUTOINCREMENT,          -- insertion order: the stores are oldest-first
//!       kind TEXT, key TEXT, value TEXT, UNIQUE (kind, key))
//! ```
//!
//! and `PRAGMA application_id` set to [`APPLICATION_ID`], so a SQLite file of another program is told apart from an
//! empty one. A [`Kind`] names every kind of row; a new kind of object (the simulated customers of the world) is one
//! more variant and a serde type, with no change of schema. A file written by a newer schema is refused, not guessed
//! at.
//!
//! # Write-through, not snapshots
//!
//! Every committed change is written when it is committed, in one transaction with the rest of its commit (a payment,
//! its X-EXTERNAL-ID and its remembered answer land together or not at all): the books' lock guard writes what the
//! commit touched when it is released (`ledger::persisted`), and tokens, grants and notifications write their own rows
//! as they change. The file is therefore current after every answer, and a crash loses nothing that was answered.
//! Writing a snapshot of the world instead would cost O(world) per change (20 000 payments re-encoded for one
//! refund), or lose everything since the last snapshot on a crash if taken on a timer; write-through costs one small
//! transaction per change, whatever the size of the world.
//!
//! The cost is paid only with a state file: without one, the books track no changes and every hook is one `None`
//! check. With one, the file is in WAL mode with `synchronous = OFF`: a commit is an append to the log, handed to the
//! operating system without waiting for the disk, so it survives a crash of the sandbox but not necessarily one of
//! the machine (a power cut may lose the last changes or leave a file the sandbox then refuses). That is the
//! durability a test sandbox needs, at half the cost: measured with the throughput bench on one connection, a
//! payment took about 90 µs more with a state file (p50 175 µs against 85 µs), and 4 900 against 9 000 payments a
//! second; with `synchronous = NORMAL` the WAL checkpoints' fsyncs halved that again (2 600 a second, p99 4.6 ms).
//!
//! A write that fails (a full disk) is logged and the sandbox goes on answering from memory; the books keep what they
//! could not write and write it with their next commit.
//!
//! # One sandbox per file
//!
//! Two sandboxes on one file would each write their own changes and never see the other's, so a sandbox holds the
//! file from the moment it opens it until it is gone, and a second one is refused ([`StateError::InUse`]), in another
//! process or in the same one. The hold is an exclusive `flock` on a file beside it, `FILE.lock`: the operating system
//! lets go when the holder does (or dies), so a crashed sandbox leaves nothing to clean up (the lock file stays, empty,
//! and holds nothing once nobody locks it; deleting it would race with a sandbox locking it). It is not a lock on the
//! database itself, which a reader such as `sqlite3 FILE` can still open while the sandbox runs (WAL lets it read
//! beside the writer). Nor is it on the database file through a second descriptor: closing any descriptor of a file
//! drops every POSIX lock the process holds on it, SQLite's own included.

use std::ffi::OsString;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, ErrorCode, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The schema this build reads and writes; a file of a larger version is refused.
pub const SCHEMA_VERSION: u32 = 1;

/// `PRAGMA application_id` of a snapbi state file: `snbi` in ASCII, so `file(1)` and the sandbox tell it from another
/// program's SQLite database.
pub const APPLICATION_ID: i32 = 0x736e_6269;

/// What a row holds. The name is what the `kind` column says; it never changes once a file has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// A payment with its refunds (`ledger::PaymentRecord`), keyed by client and partnerReferenceNo.
    Payment,
    /// A record with its aliases, page and remembered key (`ledger::Record`), keyed by its books' id.
    Record,
    /// An answer remembered for an idempotent replay, keyed by its idempotency key.
    Remembered,
    /// A used X-EXTERNAL-ID, keyed by client, day and value; the value is empty.
    ExternalId,
    /// The next reference number's serial, so references stay unique across restarts.
    Counter,
    /// An issued access token (B2B or customer), keyed by the token.
    Token,
    /// An issued authorization code or refresh token, keyed by the code.
    Grant,
    /// A notification kept for resending, keyed by its number.
    Notification,
    /// One attempt to deliver a notification.
    Delivery,
    /// A simulated customer (`world::Customer`: phone number, balance, status), keyed by provider and phone number.
    Customer,
}

impl Kind {
    /// The `kind` column's value.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Payment => "payment",
            Kind::Record => "record",
            Kind::Remembered => "remembered",
            Kind::ExternalId => "external_id",
            Kind::Counter => "counter",
            Kind::Token => "token",
            Kind::Grant => "grant",
            Kind::Notification => "notification",
            Kind::Delivery => "delivery",
            Kind::Customer => "customer",
        }
    }

    /// `key` as an error or a log line may show it: a token's or a code's row is keyed by the token or code itself,
    /// which a log must not carry.
    fn shown(self, key: &str) -> String {
        match self {
            Kind::Token | Kind::Grant => format!("‹{} characters, not shown›", key.chars().count()),
            _ => key.to_owned(),
        }
    }
}

/// Why a state file cannot be used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The file cannot be opened or created (a missing directory, no permission).
    #[error("state file {path}: cannot open it: {reason}")]
    Open {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        reason: String,
    },
    /// The file is not a snapbi state file: not SQLite at all, or another program's database.
    #[error("state file {path}: not a snapbi state file: {reason}")]
    Foreign {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        reason: String,
    },
    /// The file was written by a newer snapbi, whose schema this one cannot read.
    #[error(
        "state file {path}: schema version {found} is newer than this snapbi's ({supported}); use a newer snapbi or \
         another file"
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// The file's `schema_version`.
        found: String,
        /// [`SCHEMA_VERSION`].
        supported: u32,
    },
    /// A row that does not hold what its kind says.
    #[error("state file {path}: {kind} row `{key}`: {reason}")]
    Row {
        /// The file.
        path: PathBuf,
        /// The row's kind.
        kind: &'static str,
        /// The row's key (not shown for a token or a code, which are their own keys).
        key: String,
        /// What is wrong with its value.
        reason: String,
    },
    /// Another sandbox holds the file (see the module doc): refused rather than shared.
    #[error(
        "state file {path}: in use by another sandbox, which holds {}; stop that one first, or give this one \
         another file",
        lock.display()
    )]
    InUse {
        /// The file.
        path: PathBuf,
        /// The lock file beside it that the other sandbox holds.
        lock: PathBuf,
    },
    /// Reading or writing failed (a full disk, a file changed underneath).
    #[error("state file {path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        reason: String,
    },
}

/// One change to write: a row put (inserted, or its value replaced in its place) or deleted.
#[derive(Debug)]
pub(crate) enum Change {
    /// Puts `value` (JSON) under `(kind, key)`.
    Put { kind: Kind, key: String, value: String },
    /// Deletes the row `(kind, key)`, if there is one.
    Delete { kind: Kind, key: String },
}

impl Change {
    /// Puts `value` serialized; `None` when it cannot be (a map with non-string keys: none of the row types has one).
    pub(crate) fn put(kind: Kind, key: impl Into<String>, value: &impl Serialize) -> Option<Change> {
        let key = key.into();
        match serde_json::to_string(value) {
            Ok(value) => Some(Change::Put { kind, key, value }),
            Err(e) => {
                let key = kind.shown(&key);
                tracing::error!(kind = kind.name(), key, error = %e, "a row cannot be serialized; not kept");
                None
            }
        }
    }

    /// Deletes `(kind, key)`.
    pub(crate) fn delete(kind: Kind, key: impl Into<String>) -> Change {
        Change::Delete { kind, key: key.into() }
    }
}

/// An open state file. Shared (`Arc`) by the books, the tokens, the grants and the notifiers; its connection's lock is
/// always the last one taken, so it cannot deadlock with theirs.
pub(crate) struct StateFile {
    path: PathBuf,
    // Declared before `_held`, so dropped (and the database closed) before the hold is let go.
    connection: Mutex<Connection>,
    /// The lock file, locked for as long as this is open (module doc, "One sandbox per file").
    _held: File,
}

impl std::fmt::Debug for StateFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl StateFile {
    /// Opens `path`, creating an empty state file when there is none (or an empty file), and checks that it is one of
    /// this schema.
    pub(crate) fn open(path: &Path) -> Result<StateFile, StateError> {
        let held = hold(path)?;
        let connection = Connection::open(path).map_err(|e| StateError::Open {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        let file = StateFile {
            path: path.to_owned(),
            connection: Mutex::new(connection),
            _held: held,
        };
        file.prepare()?;
        Ok(file)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn io(&self, e: &rusqlite::Error) -> StateError {
        StateError::Io {
            path: self.path.clone(),
            reason: e.to_string(),
        }
    }

    fn foreign(&self, reason: impl Into<String>) -> StateError {
        StateError::Foreign {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }

    /// Creates the schema in an empty database, or checks an existing one's.
    fn prepare(&self) -> Result<(), StateError> {
        let connection = self.lock();
        let tables: Vec<String> = match list_tables(&connection) {
            Ok(tables) => tables,
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
                return Err(self.foreign("it is not a SQLite database"));
            }
            Err(e) => return Err(self.io(&e)),
        };
        if tables.is_empty() {
            create_schema(&connection).map_err(|e| self.io(&e))?;
        } else {
            self.check_schema(&connection, &tables)?;
        }
        // WAL without waiting for the disk: each commit is an append, durable across a crash of the process, not
        // necessarily of the machine (see the module doc for the trade-off and its measure).
        connection
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA busy_timeout = 2000;")
            .map_err(|e| self.io(&e))
    }

    /// Refuses another program's database and a newer schema.
    fn check_schema(&self, connection: &Connection, tables: &[String]) -> Result<(), StateError> {
        let id: i32 = connection
            .query_row("PRAGMA application_id", [], |row| row.get(0))
            .map_err(|e| self.io(&e))?;
        if id != APPLICATION_ID {
            return Err(self.foreign(format!(
                "a SQLite database of another program (application_id {id:#x}, tables: {})",
                tables.join(", ")
            )));
        }
        let version: Option<String> = connection
            .query_row("SELECT value FROM meta WHERE name = 'schema_version'", [], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|e| self.foreign(format!("no schema_version ({e})")))?;
        let Some(version) = version else {
            return Err(self.foreign("its meta table has no schema_version row"));
        };
        match version.parse::<u32>() {
            Ok(SCHEMA_VERSION) => Ok(()),
            Ok(n) if n > SCHEMA_VERSION => Err(StateError::NewerSchema {
                path: self.path.clone(),
                found: version,
                supported: SCHEMA_VERSION,
            }),
            _ => Err(self.foreign(format!("schema_version {version:?} is not one snapbi wrote"))),
        }
    }

    /// Every row of `kind`, oldest first, its value read as a `T`.
    pub(crate) fn load<T: DeserializeOwned>(&self, kind: Kind) -> Result<Vec<(String, T)>, StateError> {
        let rows = self.rows(kind).map_err(|e| self.io(&e))?;
        rows.into_iter()
            .map(|(key, value)| match serde_json::from_str(&value) {
                Ok(value) => Ok((key, value)),
                Err(e) => Err(self.bad_row(kind, &key, e.to_string())),
            })
            .collect()
    }

    /// The error of a row of `kind` under `key` that does not hold what its kind says.
    pub(crate) fn bad_row(&self, kind: Kind, key: &str, reason: String) -> StateError {
        StateError::Row {
            path: self.path.clone(),
            kind: kind.name(),
            key: kind.shown(key),
            reason,
        }
    }

    fn rows(&self, kind: Kind) -> rusqlite::Result<Vec<(String, String)>> {
        let connection = self.lock();
        let mut statement = connection.prepare("SELECT key, value FROM rows WHERE kind = ?1 ORDER BY seq")?;
        let rows = statement.query_map([kind.name()], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect()
    }

    /// Writes `changes` in one transaction: all of them or, on an error, none.
    pub(crate) fn write(&self, changes: &[Change]) -> Result<(), StateError> {
        if changes.is_empty() {
            return Ok(());
        }
        let mut connection = self.lock();
        write_all(&mut connection, changes).map_err(|e| self.io(&e))
    }

    /// [`Self::write`], logging a failure instead of returning it: for the request path, which has answered already
    /// (see the module doc). Whether it was written.
    pub(crate) fn write_or_log(&self, changes: &[Change]) -> bool {
        match self.write(changes) {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "the state file is behind the sandbox's memory");
                false
            }
        }
    }
}

/// Takes the hold on the state file at `path`: its lock file created if need be and locked, or [`StateError::InUse`].
fn hold(path: &Path) -> Result<File, StateError> {
    let lock = lock_path(path);
    let cannot_open = |e: std::io::Error| StateError::Open {
        path: path.to_owned(),
        reason: format!("its lock file {}: {e}", lock.display()),
    };
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock)
        .map_err(cannot_open)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(StateError::InUse {
            path: path.to_owned(),
            lock,
        }),
        Err(TryLockError::Error(e)) => Err(cannot_open(e)),
    }
}

/// `FILE.lock`, beside the state file `FILE`.
fn lock_path(path: &Path) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(".lock");
    PathBuf::from(name)
}

/// The moment `after` from now, in Unix milliseconds: how a row keeps a deadline (an `Instant` means nothing to the
/// next process).
pub(crate) fn deadline_ms(after: Duration) -> u64 {
    let at = SystemTime::now() + after;
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |since| u64::try_from(since.as_millis()).unwrap_or(u64::MAX))
}

/// How long until the deadline `ms` ([`deadline_ms`]), zero once it is past: `Instant::now()` plus this is the
/// deadline again.
pub(crate) fn left_until(ms: u64) -> Duration {
    let at = UNIX_EPOCH + Duration::from_millis(ms);
    at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO)
}

fn list_tables(connection: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = connection.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
    let names = statement.query_map([], |row| row.get(0))?;
    names.collect()
}

fn create_schema(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(&format!(
        "BEGIN;
         PRAGMA application_id = {APPLICATION_ID};
         CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
         INSERT INTO meta (name, value) VALUES ('schema_version', '{SCHEMA_VERSION}');
         CREATE TABLE rows (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             kind TEXT NOT NULL,
             key TEXT NOT NULL,
             value TEXT NOT NULL,
             UNIQUE (kind, key)
         );
         COMMIT;"
    ))
}

fn write_all(connection: &mut Connection, changes: &[Change]) -> rusqlite::Result<()> {
    let transaction = connection.transaction()?;
    for change in changes {
        match change {
            Change::Put { kind, key, value } => transaction
                .prepare_cached(
                    "INSERT INTO rows (kind, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value",
                )?
                .execute(params![kind.name(), key, value])?,
            Change::Delete { kind, key } => transaction
                .prepare_cached("DELETE FROM rows WHERE kind = ?1 AND key = ?2")?
                .execute(params![kind.name(), key])?,
        };
    }
    transaction.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("snapbi-persist-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::create_dir_all(&dir);
        dir.join("state.db")
    }

    fn open(path: &Path) -> StateFile {
        StateFile::open(path).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn rows_keep_their_place_and_survive_reopening() {
        let path = temp("rows");
        let file = open(&path);
        let put = |key: &str, value: u32| Change::put(Kind::Counter, key, &value);
        let changes: Vec<Change> = [put("a", 1), put("b", 2), put("c", 3)].into_iter().flatten().collect();
        assert!(file.write(&changes).is_ok());
        let mut changes: Vec<Change> = put("a", 10).into_iter().collect();
        changes.push(Change::delete(Kind::Counter, "b"));
        assert!(file.write(&changes).is_ok());
        drop(file);
        let rows: Vec<(String, u32)> = open(&path).load(Kind::Counter).unwrap_or_default();
        let expected = vec![("a".to_owned(), 10), ("c".to_owned(), 3)];
        assert_eq!(rows, expected, "a keeps its place");
        assert!(open(&path).load::<u32>(Kind::Token).is_ok_and(|rows| rows.is_empty()));
    }

    #[test]
    fn a_row_of_the_wrong_shape_is_named() {
        let path = temp("shape");
        let file = open(&path);
        let changes: Vec<Change> = Change::put(Kind::Counter, "serial", &"ten").into_iter().collect();
        assert!(file.write(&changes).is_ok());
        let error = file.load::<u64>(Kind::Counter).err().map(|e| e.to_string());
        let error = error.unwrap_or_default();
        assert!(
            error.contains("counter row `serial`") && error.contains("state.db"),
            "{error}"
        );
    }

    #[test]
    fn a_bad_token_row_does_not_show_the_token() {
        let path = temp("token");
        let file = open(&path);
        let token = "0123456789abcdef0123456789abcdef";
        let changes: Vec<Change> = Change::put(Kind::Token, token, &"not a token row")
            .into_iter()
            .collect();
        assert!(file.write(&changes).is_ok());
        let error = file.load::<(String, u64)>(Kind::Token).err().map(|e| e.to_string());
        let error = error.unwrap_or_default();
        assert!(error.contains("token row `‹32 characters, not shown›`"), "{error}");
        assert!(!error.contains(token), "{error}");
    }

    #[test]
    fn a_held_file_is_refused_to_a_second_opener_and_still_read_by_others() {
        let path = temp("held");
        let first = open(&path);
        let error = StateFile::open(&path).err().map(|e| e.to_string()).unwrap_or_default();
        let lock = format!("{}.lock", path.display());
        assert!(
            error.contains("in use by another sandbox") && error.contains(&lock),
            "{error}"
        );
        // A reader beside it (sqlite3 FILE) is not refused.
        let read = Connection::open(&path)
            .and_then(|c| c.query_row("SELECT count(*) FROM rows", [], |row| row.get::<_, i64>(0)));
        assert_eq!(read.ok(), Some(0));
        // The refused opener let go of nothing of the holder's: it still writes.
        let changes: Vec<Change> = Change::put(Kind::Counter, "serial", &7_u64).into_iter().collect();
        assert!(first.write(&changes).is_ok());
        drop(first);
        let again = StateFile::open(&path).map(|file| file.load::<u64>(Kind::Counter).ok());
        assert_eq!(again.ok().flatten(), Some(vec![("serial".to_owned(), 7)]));
    }

    #[test]
    fn foreign_and_newer_files_are_refused_with_their_path() {
        let text = temp("text");
        let _ = std::fs::write(
            &text,
            "not sqlite at all, just some text that is long enough to have a header\n",
        );
        let error = StateFile::open(&text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            error.contains("not a snapbi state file") && error.contains("not a SQLite database"),
            "{error}"
        );
        assert!(error.contains(&text.display().to_string()), "{error}");

        let other = temp("other");
        let made = Connection::open(&other).and_then(|c| c.execute_batch("CREATE TABLE notes (body TEXT);"));
        assert!(made.is_ok());
        let error = StateFile::open(&other).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("another program") && error.contains("notes"), "{error}");

        let newer = temp("newer");
        drop(open(&newer));
        let bumped = Connection::open(&newer)
            .and_then(|c| c.execute("UPDATE meta SET value = '99' WHERE name = 'schema_version'", []));
        assert!(bumped.is_ok());
        let error = StateFile::open(&newer).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("schema version 99 is newer"), "{error}");

        let missing = temp("missing").with_file_name("no-such-dir").join("state.db");
        let error = StateFile::open(&missing)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("cannot open it"), "{error}");
    }
}
