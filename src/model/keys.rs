//! A person's SSH signing keys, each with the time it may sign in.
//!
//! A key in `people.toml` is a line of OpenSSH (`"ssh-ed25519 AAAA...
//! comment"`), valid always, or a table that bounds it in time the way
//! OpenSSH's `allowed_signers` does: `valid_after` (from the start of that
//! day, in the company's time zone) and `valid_before` (up to the start of
//! that day), and `revoked` (signatures from the start of that day on
//! fail). Keys are rotated and lost; a key that signed last year must keep
//! proving last year's signatures, and a stolen key must stop proving new
//! ones without rewriting history.

use super::read::FromToml;
use super::shape::{Field, Fields, Shape};
use crate::load::Value;
use jiff::civil::Date;
use serde::Serialize;

/// One key of a person.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Key {
    /// The OpenSSH public key line.
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_after: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_before: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked: Option<Date>,
}

impl Key {
    /// Why the key could not sign on `day` (the signing time's date in
    /// the company's zone), judged by its window; `None` when it could.
    /// Revocation is judged apart ([`Key::revoked_on`]): a later
    /// people.toml may revoke a key for signatures already made.
    pub fn outside_window(&self, day: Date) -> Option<crate::finding::Message> {
        if let Some(after) = self.valid_after
            && day < after
        {
            return Some(crate::msg!(
                "the key is valid only from {after} (valid_after)",
                "此金鑰自 {after} 起才有效（valid_after）"
            ));
        }
        if let Some(before) = self.valid_before
            && day >= before
        {
            return Some(crate::msg!(
                "the key was valid only until the day before {before} (valid_before)",
                "此金鑰僅在 {before} 前一天以前有效（valid_before）"
            ));
        }
        None
    }

    /// Whether the key is revoked for a signature made on `day`.
    pub fn revoked_on(&self, day: Date) -> Option<Date> {
        self.revoked.filter(|r| day >= *r)
    }
}

const TABLE_KEYS: &[&str] = &["key", "valid_after", "valid_before", "revoked"];

impl FromToml for Key {
    const EXPECTED: &'static str = "an OpenSSH key line, or a table { key = \"...\", valid_after = DATE, valid_before = DATE, revoked = DATE }";

    fn shape() -> Shape {
        let date = |key| Field {
            key,
            shape: Shape::Date,
            required: false,
        };
        Shape::AnyOf(vec![
            Shape::Text { pattern: None },
            Shape::Table(Fields {
                fields: vec![
                    Field {
                        key: "key",
                        shape: Shape::Text { pattern: None },
                        required: true,
                    },
                    date("valid_after"),
                    date("valid_before"),
                    date("revoked"),
                ],
                entries: None,
            }),
        ])
    }

    fn from_toml(v: &Value) -> Result<Self, String> {
        let t = match v {
            Value::String(s) => {
                return Ok(Key {
                    key: s.clone(),
                    ..Key::default()
                });
            }
            Value::Table(t) => t,
            _ => return Err(String::new()),
        };
        if let Some(unknown) = t.keys().find(|k| !TABLE_KEYS.contains(&k.as_str())) {
            let hint = super::read::suggest(unknown, TABLE_KEYS.iter().copied())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(format!(
                "a key table has no field `{unknown}`{hint} (fields: {})",
                TABLE_KEYS.join(", ")
            ));
        }
        let key = match t.get("key").map(|(_, n)| &n.value) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(format!(
                    "a key table's `key` must be a string, found {}",
                    other.type_name()
                ));
            }
            None => return Err("a key table needs `key = \"ssh-ed25519 AAAA...\"`".into()),
        };
        let date = |name: &str| -> Result<Option<Date>, String> {
            match t.get(name) {
                None => Ok(None),
                Some((_, n)) => Date::from_toml(&n.value).map(Some).map_err(|m| {
                    if m.is_empty() {
                        format!("`{name}` of a key must be {}", Date::EXPECTED)
                    } else {
                        format!("`{name}` of a key: {m}")
                    }
                }),
            }
        };
        Ok(Key {
            key,
            valid_after: date("valid_after")?,
            valid_before: date("valid_before")?,
            revoked: date("revoked")?,
        })
    }
}
