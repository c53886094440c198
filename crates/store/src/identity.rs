use rusqlite::OptionalExtension;

use crate::{Store, StoreError};
use flightdeck_model::{Actor, Role};

impl Store {
    /// The person using this installation, asked on first start.
    pub fn identity(&self) -> Result<Option<Actor>, StoreError> {
        let value: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'identity'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let Some(value) = value else { return Ok(None) };
        let (role, name) = value.split_once(':').unwrap_or(("", ""));
        Ok(Some(Actor::new(name, role.parse::<Role>()?)?))
    }

    pub fn set_identity(&mut self, actor: &Actor) -> Result<(), StoreError> {
        let value = format!("{}:{}", actor.role.as_str(), actor.name);
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES ('identity', ?1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [value],
        )?;
        Ok(())
    }
}
