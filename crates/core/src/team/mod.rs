//! One release, many desktops: a runbook shared through a signed event log in DynamoDB, with
//! this desktop's SQLite as a replica that works offline. Sharing and joining are in
//! [`share`], reading and writing the log in [`sync`], what each replica checks of what it
//! reads in [`judge`], and the release's address in [`uri`].

mod judge;
mod share;
mod sync;
mod uri;

use flightdeck_store::{Member, Rejected, Release, Store};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use share::Invite;
pub use sync::{LogDifference, SyncRound, PRESENCE};
pub use uri::ReleaseUri;

use crate::Error;

/// Where a shared runbook stands with its log, in the words a face shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum SyncState {
    /// Everything made here is in the log.
    Live { synced_at: Option<String> },
    /// Changes made here wait to be written to the log.
    Pending { count: u32 },
    /// The log cannot be reached; changes are kept here meanwhile.
    Offline {
        since: String,
        pending: u32,
        reason: String,
    },
}

/// A shared runbook as a face shows it: the release, how it stands with its log, its members
/// and what of its log this replica refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TeamView {
    pub release: Release,
    pub sync: SyncState,
    pub members: Vec<Member>,
    pub rejected: Vec<Rejected>,
}

impl SyncState {
    pub fn of(release: &Release) -> SyncState {
        match (&release.offline_since, &release.last_error) {
            (Some(since), reason) => SyncState::Offline {
                since: since.clone(),
                pending: release.pending,
                reason: reason.clone().unwrap_or_default(),
            },
            _ if release.pending > 0 => SyncState::Pending {
                count: release.pending,
            },
            _ => SyncState::Live {
                synced_at: release.synced_at.clone(),
            },
        }
    }
}

/// The team view of `key`, or `None` when it is not shared.
pub fn team_view(store: &Store, key: &str) -> Result<Option<TeamView>, Error> {
    let Some(release) = store.release(key)? else {
        return Ok(None);
    };
    Ok(Some(TeamView {
        sync: SyncState::of(&release),
        members: store.members(key)?,
        rejected: store.rejected(key)?,
        release,
    }))
}
