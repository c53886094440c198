use flightdeck_model::{Author, ConnectionCheck, Environment, Event, GuardLevel};
use rusqlite::{params, OptionalExtension, Row};

use crate::{now, Store, StoreError};

fn from_json<T: serde::de::DeserializeOwned>(column: usize, text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn environment(r: &Row<'_>) -> rusqlite::Result<Environment> {
    let guard: String = r.get(7)?;
    Ok(Environment {
        name: r.get(0)?,
        colour: r.get(1)?,
        account_id: r.get(2)?,
        region: r.get(3)?,
        dr_region: r.get(4)?,
        credentials: from_json(5, &r.get::<_, String>(5)?)?,
        endpoint_url: r.get(6)?,
        guard: if guard == "type_name" {
            GuardLevel::TypeName
        } else {
            GuardLevel::Confirm
        },
        last_check: r
            .get::<_, Option<String>>(8)?
            .map(|t| from_json(8, &t))
            .transpose()?,
    })
}

const COLUMNS: &str =
    "name, colour, account_id, region, dr_region, credentials, endpoint_url, guard, last_check";

impl Store {
    /// Adds an environment, or replaces the one with the same name (clearing its last check,
    /// since what it reaches may have changed).
    pub fn save_environment(
        &mut self,
        author: &Author,
        env: &Environment,
    ) -> Result<(), StoreError> {
        env.validate()?;
        let credentials =
            serde_json::to_string(&env.credentials).expect("credential sources serialise");
        let tx = crate::immediate(&mut self.conn)?;
        tx.execute(
            "INSERT INTO environments (name, colour, account_id, region, dr_region, credentials, \
             endpoint_url, guard, last_check, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9) \
             ON CONFLICT (name) DO UPDATE SET colour = excluded.colour, account_id = excluded.account_id, \
             region = excluded.region, dr_region = excluded.dr_region, credentials = excluded.credentials, \
             endpoint_url = excluded.endpoint_url, guard = excluded.guard, last_check = NULL",
            params![
                env.name,
                env.colour,
                env.account_id,
                env.region,
                env.dr_region,
                credentials,
                env.endpoint_url,
                env.guard.as_str(),
                now()
            ],
        )?;
        let event = Event::EnvironmentSaved {
            environment: env.name.clone(),
            account_id: env.account_id.clone(),
            region: env.region.clone(),
            endpoint_url: env.endpoint_url.clone(),
            guard: env.guard,
            credentials: env.credentials.clone(),
        };
        crate::audit::record(&tx, &self.desktop, author, event)?;
        tx.commit()?;
        Ok(())
    }

    pub fn environments(&self) -> Result<Vec<Environment>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM environments ORDER BY created_at, name");
        let envs = self
            .conn
            .prepare(&sql)?
            .query_map([], environment)?
            .collect::<Result<_, _>>()?;
        Ok(envs)
    }

    pub fn environment(&self, name: &str) -> Result<Environment, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM environments WHERE name = ?1 COLLATE NOCASE");
        self.conn
            .query_row(&sql, [name], environment)
            .optional()?
            .ok_or_else(|| StoreError::UnknownEnvironment(name.to_string()))
    }

    /// Records what a connection test reached, with its audit entry.
    pub fn record_check(
        &mut self,
        author: &Author,
        name: &str,
        check: &ConnectionCheck,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(check).expect("checks serialise");
        let tx = crate::immediate(&mut self.conn)?;
        let changed = tx.execute(
            "UPDATE environments SET last_check = ?1 WHERE name = ?2",
            params![json, name],
        )?;
        if changed == 0 {
            return Err(StoreError::UnknownEnvironment(name.to_string()));
        }
        let event = Event::EnvironmentTested {
            environment: name.to_string(),
            check: check.clone(),
        };
        crate::audit::record(&tx, &self.desktop, author, event)?;
        tx.commit()?;
        Ok(())
    }

    pub fn remove_environment(
        &mut self,
        author: &Author,
        name: &str,
    ) -> Result<Environment, StoreError> {
        let env = self.environment(name)?;
        let tx = crate::immediate(&mut self.conn)?;
        tx.execute("DELETE FROM environments WHERE name = ?1", [&env.name])?;
        let event = Event::EnvironmentRemoved {
            environment: env.name.clone(),
        };
        crate::audit::record(&tx, &self.desktop, author, event)?;
        tx.commit()?;
        Ok(env)
    }
}
