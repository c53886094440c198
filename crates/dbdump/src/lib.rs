//! Logical backups of MySQL and MariaDB: a consistent dump of one or more databases as SQL that
//! the stock `mysql` client restores, compressed with zstd, and a manifest (SHA-256 and size of
//! every file, rows per table, server version, GTID position, times, options) written last, so
//! a dump without its manifest is visibly incomplete.
//!
//! Consistency: one connection, `REPEATABLE READ` and `START TRANSACTION WITH CONSISTENT
//! SNAPSHOT`, then every read inside that transaction. InnoDB tables are read as of one point in
//! time without any global lock, which is also how it holds on Amazon RDS, where `FLUSH TABLES
//! WITH READ LOCK` is not allowed. Non-transactional tables (MyISAM) are read as they are when
//! their turn comes, as `mysqldump --single-transaction` does.

mod dump;
mod error;
mod manifest;
mod restore;
mod server;
mod sql;
mod verify;

pub use dump::{dump, DumpOptions};
pub use error::DumpError;
pub use manifest::{FileEntry, Manifest, TableEntry, MANIFEST_NAME};
pub use restore::{restore, restore_plain, RestoreOptions, RestoreReport, TableCheck};
pub use server::MariaDbServer;
pub use verify::{verify, Verified};
