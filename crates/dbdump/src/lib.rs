//! Logical backups of MySQL and MariaDB: a consistent dump of one or more databases as SQL that
//! the stock `mysql` client restores, read on several connections from one snapshot, compressed
//! with zstd (or gzip, or not at all) on as many threads, and a manifest (SHA-256 and size of
//! every file, rows and `CHECKSUM TABLE` per table, server version, GTID position, times,
//! options) written last, so a dump without its manifest is visibly incomplete.
//!
//! Consistency: see [`dump`]. Every connection reads inside `START TRANSACTION WITH CONSISTENT
//! SNAPSHOT`, started while `LOCK TABLES ... READ` holds writes back for a moment. InnoDB
//! tables are read as of that one point in time without any global lock, which is also how it
//! holds on Amazon RDS, where `FLUSH TABLES WITH READ LOCK` is not allowed. Non-transactional
//! tables (MyISAM) are read as they are when their turn comes, as `mysqldump
//! --single-transaction` does.

mod compression;
mod credentials;
mod dump;
mod error;
mod manifest;
mod progress;
mod restore;
mod schema;
mod server;
mod sql;
mod statements;
mod verify;
mod workers;

pub use compression::Compression;
pub use credentials::Credentials;
pub use dump::{dump, DumpOptions};
pub use error::DumpError;
pub use manifest::{FileEntry, Manifest, TableEntry, MANIFEST_NAME};
pub use mysql_async::Opts;
pub use progress::{Progress, ProgressSnapshot};
pub use restore::{
    restore, restore_plain, test_restore, RestoreOptions, RestoreReport, TableCheck,
};
pub use server::MariaDbServer;
pub use verify::{read_manifest, verify, Verified};
