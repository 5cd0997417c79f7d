//! What a site records about the build that made it, in its manifest:
//! the commit it was built from, the history rewrites still open (both
//! [`Published`], checked by the next build and by `docket check
//! --published`), and whether the build used the caches in `.git/docket`.
//!
//! It is one line of the manifest, `@build ` and a JSON object, right
//! after the header: the manifest is the one file docket reads back from a
//! site, and JSON keeps any commit summary or file name on one line.

use crate::history::Published;
use serde::{Deserialize, Serialize};

/// The manifest line's prefix.
pub const PREFIX: &str = "@build ";

/// What a build records about itself; see the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Built {
    #[serde(flatten)]
    pub published: Published,
    /// Whether the build read and wrote the caches in `.git/docket`.
    #[serde(default)]
    pub caches: bool,
}

impl Built {
    /// The manifest line, newline included.
    pub fn line(&self) -> String {
        let json = serde_json::to_string(self).expect("a build record serializes");
        format!("{PREFIX}{json}\n")
    }

    /// The record from the JSON of a manifest line (after its `@build ` prefix).
    pub fn parse(json: &str) -> Option<Built> {
        serde_json::from_str(json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{LostRecord, Rewrite};

    #[test]
    fn a_build_record_is_one_line_whatever_it_holds() {
        let b = Built {
            published: Published {
                commit: Some("a".repeat(40)),
                rewrites: vec![Rewrite {
                    published: "b".repeat(40),
                    objects: false,
                    lost: Vec::new(),
                    lost_count: 3,
                    left_line: None,
                    records: vec![LostRecord {
                        id: "SO-1".into(),
                        file: "orders/x\ny/SO-1.toml".into(),
                        commit: "c".repeat(40),
                    }],
                }],
                built: Some("d".repeat(40)),
                under_rewrite: true,
            },
            caches: true,
        };
        let line = b.line();
        assert_eq!(line.lines().count(), 1, "{line}");
        let json = line.strip_prefix(PREFIX).unwrap().trim_end();
        assert_eq!(Built::parse(json), Some(b));
        assert_eq!(Built::parse("{}"), Some(Built::default()));
        assert_eq!(Built::parse("not json"), None);
    }
}
