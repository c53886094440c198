//! Records that events carry: sign-off answers and waivers, signatures, decisions, soaks.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An open item signed off anyway, with the reason shown on the sign-off forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Waiver {
    pub item: String,
    pub reason: String,
}

/// The answer to a YES/NO question of the sign-off block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Answer {
    pub label: String,
    pub yes: bool,
}

/// What a signature covers, with the signature itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Signed {
    pub signer: String,
    pub role: String,
    pub at: String,
    /// SHA-256 of the canonical state that was signed, hex.
    pub digest: String,
    /// Ed25519 signature of the digest, hex.
    pub signature: String,
    pub public_key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Decision {
    Go,
    NoGo,
    Hold,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Go => "go",
            Decision::NoGo => "no_go",
            Decision::Hold => "hold",
        }
    }
}

/// A started soak. Times are seconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SoakRecord {
    pub phase_id: String,
    pub environment: String,
    pub checkpoints: u32,
    pub every_seconds: u32,
    #[ts(type = "number")]
    pub started_at: i64,
    pub started_by: String,
}

impl SoakRecord {
    /// When checkpoint `number` (1-based) falls due.
    pub fn due_at(&self, number: u32) -> i64 {
        self.started_at + i64::from(number) * i64::from(self.every_seconds)
    }
}
