//! The id of a checklist item, kept inline: a large runbook has an item on nearly every line,
//! and an id (with its parent's) as two heap strings each was a third of what importing one
//! allocated and freed.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A prefix letter and twelve hex digits, "i3fa94c02d1b7", as [`crate::ids`] makes them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId([u8; ItemId::LEN]);

impl ItemId {
    pub const LEN: usize = 13;

    /// The id spelled by `text`, if it has an id's shape.
    pub fn parse(text: &str) -> Option<ItemId> {
        let bytes: [u8; ItemId::LEN] = text.as_bytes().try_into().ok()?;
        let shaped = bytes[0].is_ascii_lowercase() && bytes[1..].iter().all(u8::is_ascii_hexdigit);
        shaped.then_some(ItemId(bytes))
    }

    /// The id of a prefix letter and a digest's hex digits, as [`crate::ids`] lays them out.
    pub(crate) fn from_hex(id: [u8; ItemId::LEN]) -> ItemId {
        debug_assert!(ItemId::parse(std::str::from_utf8(&id).unwrap_or("")).is_some());
        ItemId(id)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("an id is ASCII")
    }
}

impl Deref for ItemId {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ItemId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<str> for ItemId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ItemId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for ItemId {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl From<ItemId> for String {
    fn from(id: ItemId) -> String {
        id.as_str().to_string()
    }
}

impl Serialize for ItemId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ItemId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        ItemId::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{text:?} is not an item id (a letter and twelve hex digits)"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_back_from_its_json() {
        let id = ItemId::parse("i3fa94c02d1b7").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"i3fa94c02d1b7\"");
        assert_eq!(serde_json::from_str::<ItemId>(&json).unwrap(), id);
        assert_eq!(id, "i3fa94c02d1b7");
    }

    #[test]
    fn text_without_an_ids_shape_is_refused() {
        for text in [
            "",
            "i3fa94c02d1b",
            "i3fa94c02d1b7x",
            "I3fa94c02d1b7",
            "i3fa94c02d1bz",
        ] {
            assert_eq!(ItemId::parse(text), None, "{text}");
        }
        let err = serde_json::from_str::<ItemId>("\"nope\"").unwrap_err();
        assert!(err.to_string().contains("not an item id"), "{err}");
    }
}
