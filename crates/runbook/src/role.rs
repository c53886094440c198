use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The people who work a runbook. What each may do is decided in Rust, not in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    TechnicalLead,
    Dba,
    DevopsEngineer,
    ProductOwner,
    ClientStakeholder,
}

/// A role name that is none of [`Role`]'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRole(pub String);

impl fmt::Display for UnknownRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown role '{}'; expected one of: {}",
            self.0,
            Role::names().join(", ")
        )
    }
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::TechnicalLead,
        Role::Dba,
        Role::DevopsEngineer,
        Role::ProductOwner,
        Role::ClientStakeholder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::TechnicalLead => "technical_lead",
            Role::Dba => "dba",
            Role::DevopsEngineer => "devops_engineer",
            Role::ProductOwner => "product_owner",
            Role::ClientStakeholder => "client_stakeholder",
        }
    }

    /// The role as people write it: "Technical Lead", "DBA"...
    pub fn label(self) -> &'static str {
        match self {
            Role::TechnicalLead => "Technical Lead",
            Role::Dba => "DBA",
            Role::DevopsEngineer => "DevOps Engineer",
            Role::ProductOwner => "Product Owner",
            Role::ClientStakeholder => "Client Stakeholder",
        }
    }

    pub fn names() -> Vec<&'static str> {
        Role::ALL.iter().map(|r| r.as_str()).collect()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownRole;

    /// Accepts `technical_lead`, "Technical Lead", "DBA", "Database Administrator", "Client"...
    fn from_str(s: &str) -> Result<Role, UnknownRole> {
        let wanted = s.trim().to_lowercase().replace([' ', '-'], "_");
        let alias = match wanted.as_str() {
            "database_administrator" => Some(Role::Dba),
            "devops" => Some(Role::DevopsEngineer),
            "client" => Some(Role::ClientStakeholder),
            _ => None,
        };
        alias
            .or_else(|| Role::ALL.into_iter().find(|r| r.as_str() == wanted))
            .ok_or_else(|| UnknownRole(s.trim().to_string()))
    }
}
