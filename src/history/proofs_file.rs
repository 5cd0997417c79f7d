//! `proofs.json`, the proofs cache on disk (`cache.rs` says what it
//! keeps and when it is trusted; this says how it is written).
//!
//! At 50,000 orders the cache holds about 120,000 proofs, and reading it
//! is on the path of every rebuild, on one core. Written as the proofs
//! are, each proof repeated its file's path (the map's key already), the
//! English and Chinese texts of its reason and the SSH verdict's text,
//! though a company has a few dozen such texts between all its proofs:
//! 54 MB, mostly those repetitions. So the texts are listed once, in
//! `texts`, and a proof names them by position; the record id is left out
//! when it is the file's name, as it nearly always is, and the coverage
//! when it is `current`. The proofs come back exactly as they went in
//! (tested below, every kind of status).
//!
//! Nothing in the file is defaulted except those two: a file of another
//! form (an older docket's) fails to read whole, and a text position past
//! the list makes the whole file unreadable, never a panic. Either way the
//! proofs are made again.

use super::covers::Covers;
use super::proof::{Proof, ProofStatus, SshVerdict};
use super::substance::OrderHistory;
use crate::finding::Message;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// Cached proofs of one file, valid while its revisions are the same
/// (`key`). Commits are stored as positions in the file's own revisions,
/// oldest first, since indices into the whole history shift with every
/// new commit.
#[derive(Debug, Clone)]
pub(super) struct ProofEntry {
    pub key: u64,
    pub proofs: Vec<Proof>,
    pub order: Option<OrderHistory>,
}

/// What the proofs of a file were made under, beside its revisions: a
/// seed of docket's version, the configuration and the policies in force
/// before first-parent position `line` (the length of the line then),
/// with what the policy in force now adds (`prove.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Made {
    pub seed: u64,
    pub line: usize,
}

#[derive(Deserialize)]
struct File<'a> {
    format: u32,
    made: Made,
    /// Every text the proofs name, once.
    texts: Vec<Cow<'a, str>>,
    files: BTreeMap<Cow<'a, str>, Entry<'a>>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    key: u64,
    proofs: Vec<Kept<'a>>,
    order: Cow<'a, Option<OrderHistory>>,
}

/// A proof with its texts as positions in [`File::texts`].
#[derive(Serialize, Deserialize)]
struct Kept<'a> {
    /// `None`: the file's name without `.toml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    record: Option<Cow<'a, str>>,
    section: Cow<'a, str>,
    by: usize,
    meaning: usize,
    commit: Option<usize>,
    status: Status,
    blob: Cow<'a, Option<String>>,
    sha256: Cow<'a, Option<String>>,
    /// `None`: [`Covers::Current`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    covers: Option<Cow<'a, Covers>>,
    /// (valid, detail)
    ssh: Option<(bool, usize)>,
}

/// [`ProofStatus`] with a reason's English and Chinese texts, and the
/// name of who broke a signature, as positions.
#[derive(Serialize, Deserialize)]
enum Status {
    Proven(usize, usize),
    Recorded,
    Uncommitted,
    Unproven(usize, usize),
    Broken(usize, usize),
}

/// Write the proofs `files` under `format`, `made` as they were, to `w`; whether it
/// succeeded. Each proof is put in its kept form as it is written, not
/// all of them first: this runs beside the next stages, at the run's
/// peak of memory.
pub(super) fn write(
    w: &mut impl std::io::Write,
    format: u32,
    made: Made,
    files: &BTreeMap<String, ProofEntry>,
) -> bool {
    let mut texts = Texts::default();
    for p in files.values().flat_map(|e| &e.proofs) {
        texts.take(p);
    }
    let file = Out {
        format,
        made,
        texts: &texts.list,
        files: Lazy(files, &texts),
    };
    serde_json::to_writer(w, &file).is_ok()
}

/// [`File`] as written, its entries made as they are written.
#[derive(Serialize)]
struct Out<'a> {
    format: u32,
    made: Made,
    texts: &'a [Cow<'a, str>],
    files: Lazy<'a>,
}

struct Lazy<'a>(&'a BTreeMap<String, ProofEntry>, &'a Texts<'a>);

impl Serialize for Lazy<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Lazy(files, texts) = *self;
        s.collect_map(files.iter().map(|(file, e)| {
            let entry = EntryOut {
                key: e.key,
                proofs: Proofs(file, &e.proofs, texts),
                order: &e.order,
            };
            (file, entry)
        }))
    }
}

#[derive(Serialize)]
struct EntryOut<'a> {
    key: u64,
    proofs: Proofs<'a>,
    order: &'a Option<OrderHistory>,
}

struct Proofs<'a>(&'a str, &'a [Proof], &'a Texts<'a>);

impl Serialize for Proofs<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Proofs(file, proofs, texts) = *self;
        s.collect_seq(proofs.iter().map(|p| texts.kept(file, p)))
    }
}

/// The cached proofs, by file.
pub(super) type ProofsRead = BTreeMap<String, ProofEntry>;

/// The proofs in `bytes`, with what they were made under, if they are a
/// proofs file of `format`.
pub(super) fn read(bytes: &[u8], format: u32) -> Option<(Made, ProofsRead)> {
    let file: File = serde_json::from_slice(bytes).ok()?;
    if file.format != format {
        return None;
    }
    let made = file.made;
    let texts = &file.texts;
    let text = |i: usize| texts.get(i).map(|t| t.to_string());
    let message = |en: usize, zh: usize| {
        Some(Message {
            en: text(en)?,
            zh: text(zh)?,
        })
    };
    let mut out = BTreeMap::new();
    for (path, e) in file.files {
        let mut proofs = Vec::with_capacity(e.proofs.len());
        for k in e.proofs {
            let status = match k.status {
                Status::Proven(en, zh) => ProofStatus::Proven(message(en, zh)?),
                Status::Recorded => ProofStatus::Recorded,
                Status::Uncommitted => ProofStatus::Uncommitted,
                Status::Unproven(en, zh) => ProofStatus::Unproven(message(en, zh)?),
                Status::Broken(signed, by) => ProofStatus::Broken {
                    signed,
                    changed_by: text(by)?,
                },
            };
            let ssh = match k.ssh {
                Some((valid, detail)) => Some(SshVerdict {
                    valid,
                    detail: text(detail)?,
                }),
                None => None,
            };
            proofs.push(Proof {
                record: k
                    .record
                    .map_or_else(|| crate::load::stem(&path).to_string(), Cow::into_owned),
                file: path.to_string(),
                section: k.section.into_owned(),
                by: text(k.by)?,
                meaning: text(k.meaning)?,
                commit: k.commit,
                status,
                blob: k.blob.into_owned(),
                sha256: k.sha256.into_owned(),
                covers: k.covers.map(Cow::into_owned).unwrap_or_default(),
                ssh,
            });
        }
        let entry = ProofEntry {
            key: e.key,
            proofs,
            order: e.order.into_owned(),
        };
        out.insert(path.into_owned(), entry);
    }
    Some((made, out))
}

/// The texts of the proofs, each once, with its position.
#[derive(Default)]
struct Texts<'a> {
    list: Vec<Cow<'a, str>>,
    at: HashMap<&'a str, usize>,
}

impl<'a> Texts<'a> {
    /// List the texts of `p`.
    fn take(&mut self, p: &'a Proof) {
        let mut add = |text: &'a str| {
            self.at.entry(text).or_insert_with(|| {
                self.list.push(Cow::Borrowed(text));
                self.list.len() - 1
            });
        };
        match &p.status {
            ProofStatus::Proven(m) | ProofStatus::Unproven(m) => {
                add(&m.en);
                add(&m.zh);
            }
            ProofStatus::Broken { changed_by, .. } => add(changed_by),
            ProofStatus::Recorded | ProofStatus::Uncommitted => {}
        }
        add(&p.by);
        add(&p.meaning);
        if let Some(v) = &p.ssh {
            add(&v.detail);
        }
    }

    /// The position of a text [`Texts::take`] listed.
    fn of(&self, text: &str) -> usize {
        self.at[text]
    }

    fn kept<'p>(&self, file: &str, p: &'p Proof) -> Kept<'p> {
        let status = match &p.status {
            ProofStatus::Proven(m) => Status::Proven(self.of(&m.en), self.of(&m.zh)),
            ProofStatus::Recorded => Status::Recorded,
            ProofStatus::Uncommitted => Status::Uncommitted,
            ProofStatus::Unproven(m) => Status::Unproven(self.of(&m.en), self.of(&m.zh)),
            ProofStatus::Broken { signed, changed_by } => {
                Status::Broken(*signed, self.of(changed_by))
            }
        };
        Kept {
            record: (p.record != crate::load::stem(file))
                .then_some(Cow::Borrowed(p.record.as_str())),
            section: Cow::Borrowed(&p.section),
            by: self.of(&p.by),
            meaning: self.of(&p.meaning),
            commit: p.commit,
            status,
            blob: Cow::Borrowed(&p.blob),
            sha256: Cow::Borrowed(&p.sha256),
            covers: (p.covers != Covers::Current).then_some(Cow::Borrowed(&p.covers)),
            ssh: p.ssh.as_ref().map(|v| (v.valid, self.of(&v.detail))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The proofs read under `seed` only, as the proofs take them.
    fn read_under(bytes: &[u8], format: u32, seed: u64) -> Option<BTreeMap<String, ProofEntry>> {
        read(bytes, format)
            .filter(|(made, _)| *made == Made { seed, line: 5 })
            .map(|(_, proofs)| proofs)
    }

    const FILE: &str = "orders/2026/SO-2026-0001.toml";

    fn proof(record: &str, status: ProofStatus, covers: Covers, ssh: Option<SshVerdict>) -> Proof {
        Proof {
            record: record.into(),
            file: FILE.into(),
            section: "extra_review[1]".into(),
            by: "wang.gm".into(),
            meaning: "approved".into(),
            commit: Some(3),
            status,
            blob: Some("ab12".into()),
            sha256: None,
            covers,
            ssh,
        }
    }

    fn written(files: &BTreeMap<String, ProofEntry>) -> Vec<u8> {
        let mut bytes = Vec::new();
        assert!(write(&mut bytes, 7, Made { seed: 42, line: 5 }, files));
        bytes
    }

    /// Every kind of status comes back as it went in, a reason with both
    /// its texts (the site shows the Chinese one), a record id other than
    /// the file's name, stale coverage, and every other field with it.
    #[test]
    fn a_cached_proof_comes_back_whole_in_both_languages() {
        let why = |en: &str, zh: &str| Message {
            en: en.into(),
            zh: zh.into(),
        };
        let stale = Covers::Stale {
            since: None,
            fields: vec!["line[0].quantity".into()],
        };
        let verdict = SshVerdict {
            valid: false,
            detail: "not wang.gm's key".into(),
        };
        let proofs = vec![
            proof(
                "SO-2026-0001",
                ProofStatus::Proven(why("by key", "以金鑰")),
                Covers::Current,
                None,
            ),
            proof(
                "SO-2026-0001",
                ProofStatus::Recorded,
                stale.clone(),
                Some(verdict),
            ),
            proof(
                "SO-2026-0009",
                ProofStatus::Uncommitted,
                Covers::Current,
                None,
            ),
            proof(
                "SO-2026-0001",
                ProofStatus::Unproven(why("not hers", "非本人")),
                stale,
                None,
            ),
            proof(
                "SO-2026-0001",
                ProofStatus::Broken {
                    signed: 2,
                    changed_by: "li.sales".into(),
                },
                Covers::Current,
                None,
            ),
        ];
        let entry = ProofEntry {
            key: 7,
            proofs: proofs.clone(),
            order: None,
        };
        let files = BTreeMap::from([(FILE.to_string(), entry)]);
        let bytes = written(&files);
        let back = read_under(&bytes, 7, 42).expect("read back");
        let back = &back[FILE];
        assert_eq!(back.key, 7);
        assert_eq!(back.proofs.len(), proofs.len());
        for (a, b) in proofs.iter().zip(&back.proofs) {
            // Proof has no PartialEq: its full debug form says every field.
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
        }
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("以金鑰") && text.contains("非本人"), "{text}");
        // Each text once: "wang.gm" signs all five.
        assert_eq!(text.matches("\"wang.gm\"").count(), 1, "{text}");
        assert_eq!(read_under(&written(&files), 8, 42).map(|f| f.len()), None);
        assert_eq!(read_under(&written(&files), 7, 43).map(|f| f.len()), None);
    }

    /// A text position past the list (a garbled or doctored file) makes
    /// the file unreadable, not a panic.
    #[test]
    fn a_text_position_past_the_list_reads_as_no_cache() {
        let entry = ProofEntry {
            key: 1,
            proofs: vec![proof(
                "SO-2026-0001",
                ProofStatus::Recorded,
                Covers::Current,
                None,
            )],
            order: None,
        };
        let files = BTreeMap::from([(FILE.to_string(), entry)]);
        let mut json: serde_json::Value = serde_json::from_slice(&written(&files)).unwrap();
        assert!(read_under(&serde_json::to_vec(&json).unwrap(), 7, 42).is_some());
        json["files"][FILE]["proofs"][0]["by"] = serde_json::json!(99);
        assert!(read_under(&serde_json::to_vec(&json).unwrap(), 7, 42).is_none());
    }
}
