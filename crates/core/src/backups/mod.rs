//! The DBA's backups, one file per job: where they live ([`place`]), the credentials
//! ([`login`]), taking one ([`dump`]), checking one ([`verify`]), restoring one ([`restore`])
//! and listing them ([`listing`]).

mod dump;
mod listing;
mod login;
mod place;
mod restore;
mod verify;

pub use dump::{BackupDone, BackupRequest};
pub use listing::BackupListing;
pub use login::{db_credentials, DatabaseLogin, DbLogin};
pub use place::BackupPlace;
pub use restore::{RestoreDone, RestorePreview, RestoreRequest};
pub use verify::VerifyDone;
