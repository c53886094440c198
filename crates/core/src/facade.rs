//! [`Flightdeck`]: the one way to change anything. Every operation that changes state is one
//! method here (spread over the files of its concept), taking the acting person and, for long
//! work, a [`Reporter`](crate::Reporter). Inside each: validation, the role check
//! ([`crate::permissions`]), gates and environment checks, the work, and one typed
//! [`Event`] written with the change in one transaction. The desktop app and the CLI only
//! parse, call and render.
//!
//! The store is locked only around its reads and writes, never across an AWS or database
//! call, so one `Flightdeck` serves the app's concurrent commands and the CLI alike.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use flightdeck_model::{Actor, Event, Role};
use flightdeck_store::{ImportOutcome, Store};
use flightdeck_vault::Vault;

use crate::permissions::{permit, Change};
use crate::Error;

pub struct Flightdeck {
    store: Mutex<Store>,
    vault: Vault,
    data_dir: PathBuf,
}

/// The store, locked for reading: what a face may look at, never change.
pub struct Reading<'a>(MutexGuard<'a, Store>);

impl Deref for Reading<'_> {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.0
    }
}

/// Why `actor` may not change the shared runbook `key`, if it is shared and they are not its
/// member in that role: every replica would refuse what they did.
fn membership(store: &Store, actor: &Actor, key: &str) -> Result<Option<Error>, Error> {
    if store.release(key)?.is_none() {
        return Ok(None);
    }
    let members = store.members(key)?;
    Ok(match members.iter().find(|m| m.name == actor.name) {
        None => Some(Error::NotAllowed(format!(
            "{} is not a member of the shared release {key}; ask the person who shared it to add you with your invite code",
            actor.name
        ))),
        Some(m) if m.role != actor.role => Some(Error::NotAllowed(format!(
            "{} is a {} in the shared release {key}, not a {}",
            actor.name,
            m.role.label(),
            actor.role.label()
        ))),
        Some(_) => None,
    })
}

impl Flightdeck {
    /// Opens the state in `data_dir` (created if needed), with the OS keyring.
    pub fn open(data_dir: &Path) -> Result<Flightdeck, Error> {
        Self::open_with(data_dir, Vault::new())
    }

    /// Opens the state in `data_dir` with the keyring entries of `vault` (tests use a service
    /// of their own).
    pub fn open_with(data_dir: &Path, vault: Vault) -> Result<Flightdeck, Error> {
        let store = crate::open_store(data_dir)?;
        Ok(Flightdeck {
            store: Mutex::new(store),
            vault,
            data_dir: data_dir.to_path_buf(),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub(crate) fn vault(&self) -> &Vault {
        &self.vault
    }

    /// Where backups and restores stage their files.
    pub(crate) fn staging(&self) -> PathBuf {
        self.data_dir.join("staging")
    }

    /// The store for reading.
    pub fn read(&self) -> Result<Reading<'_>, Error> {
        Ok(Reading(self.lock()?))
    }

    /// The key of every runbook's current run, in import order: what the app's clocks and its
    /// take-up of rollouts at start go through.
    pub fn current_keys(&self) -> Result<Vec<String>, Error> {
        Ok(self.read()?.current_keys()?)
    }

    /// The store for one change; held only while the change is written.
    pub(crate) fn write(&self) -> Result<MutexGuard<'_, Store>, Error> {
        self.lock()
    }

    fn lock(&self) -> Result<MutexGuard<'_, Store>, Error> {
        self.store.lock().map_err(|_| Error::Unavailable)
    }

    /// Checks that `actor` may make `change`; a refusal is itself recorded, then returned.
    pub(crate) fn permit(
        &self,
        store: &mut Store,
        actor: &Actor,
        change: Change<'_>,
        runbook: Option<&str>,
        subject: &str,
    ) -> Result<(), Error> {
        let operation = change.operation();
        let refused = permit(actor, change).err().map_or_else(
            || match runbook {
                Some(key) => membership(store, actor, key),
                None => Ok(None),
            },
            |refusal| Ok(Some(refusal)),
        )?;
        let Some(refusal) = refused else {
            return Ok(());
        };
        let event = Event::Refused {
            operation: operation.to_string(),
            runbook: runbook.map(str::to_string),
            subject: subject.to_string(),
            code: refusal.code().to_string(),
            reason: refusal.to_string(),
        };
        // Without a signing key (a locked keyring) the refusal cannot be signed into the trail;
        // the person still hears why they were refused.
        match self.author(store, actor) {
            Ok(author) => {
                store.record_event(&author, event)?;
            }
            Err(e) => tracing::warn!(error = %e, "a refusal could not be signed into the trail"),
        }
        Err(refusal)
    }

    /// Records an event that changes no other table (a backup taken, a database restored), by
    /// `actor`.
    pub(crate) fn record(&self, actor: &Actor, event: Event) -> Result<(), Error> {
        let mut store = self.write()?;
        let author = self.author(&mut store, actor)?;
        store.record_event(&author, event)?;
        Ok(())
    }

    /// The person this installation acts as: the saved identity.
    pub fn identity(&self) -> Result<Option<Actor>, Error> {
        Ok(self.read()?.identity()?)
    }

    /// The saved identity, or the error that asks for one.
    pub fn acting(&self) -> Result<Actor, Error> {
        self.identity()?.ok_or(Error::NoIdentity)
    }

    pub fn set_identity(&self, name: &str, role: Role) -> Result<Actor, Error> {
        let actor = Actor::new(name, role).map_err(flightdeck_store::StoreError::from)?;
        self.write()?.set_identity(&actor)?;
        Ok(actor)
    }

    /// Imports (or re-imports) a runbook file; the state of unchanged items is kept.
    /// A shared runbook's document is the release's: an edited file of it is refused, since
    /// the other desktops would not see the same items.
    pub fn import_file(&self, path: &Path) -> Result<ImportOutcome, Error> {
        let (runbook, sha256) = crate::read_runbook(path)?;
        let mut store = self.write()?;
        let key = runbook.key();
        if let Some(release) = store.release(&key)? {
            if store.source(&key)?.1 != sha256 {
                return Err(Error::Invalid(format!(
                    "{key} is shared as {}; its document is the one the team shares, so this edited file is not imported. Share the edited runbook under a new title",
                    release.uri
                )));
            }
        }
        Ok(store.import(&path.display().to_string(), &sha256, &runbook)?)
    }

    /// Imports the embedded demo runbook when the store holds none.
    pub fn ensure_demo(&self) -> Result<Option<ImportOutcome>, Error> {
        crate::demo::ensure_demo(&mut *self.write()?)
    }
}
