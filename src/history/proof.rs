//! What the history proves: signature commits of signed sections, and how
//! an order's substance moved after its review.
//!
//! The signature commit of a section is the oldest commit from which the
//! section's *parsed* content is unchanged up to the working tree: the
//! commit that first wrote what is there now. Comparing values, not text,
//! means reformatting a file or reordering keys never moves a signature.
//! Whether that commit proves the signature depends on `policy.signatures`
//! (DESIGN.md section 3). When its author is not the signer and an older
//! revision carried the section signed by the signer, someone else changed
//! a signed section: the signature is broken, which says more than
//! "unproven".
//!
//! These facts are computed once here, after the model is built, so the
//! rules stay pure functions of model + history.

use super::cache::ProofEntry;
use super::fields::{FieldChange, diff_tables, section, without};
use super::sig::SignatureCheck;
use super::{Dirty, FileHistory, History};
use crate::fingerprint::Fingerprint;
use crate::load::{Table, Value};
use crate::model::{Model, NON_SUBSTANCE, Record, SignaturePolicy};
use jiff::civil::Date;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The proof of one signed section.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Proof {
    pub record: String,
    pub file: String,
    /// `review`, `extra_review[0]`, ...
    pub section: String,
    /// The person named in `by`.
    pub by: String,
    /// What signing means (21 CFR 11.50).
    pub meaning: String,
    /// The signature commit (index into [`History::commits`]); `None` when
    /// the section is not committed.
    pub commit: Option<usize>,
    pub status: ProofStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "detail")]
pub enum ProofStatus {
    /// Proven; says how ("commit author wang@acme.example", "SSH key ...").
    Proven(String),
    /// `policy.signatures = "none"`: recorded, not verified.
    Recorded,
    /// The section's current content is not committed yet.
    Uncommitted,
    /// The signature commit does not prove it; says why.
    Unproven(String),
    /// Changed after signing by someone else: the commit (index) where the
    /// signer's version was written, and who changed it.
    Broken { signed: usize, changed_by: String },
}

/// A signature as 21 CFR 11.50 asks it to be shown: printed name, role,
/// date and time, meaning, and how it is bound to the record (the commit
/// and how it was proven). Made for the site's signature blocks.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureBlock {
    pub section: String,
    /// The signer's id and printed name (from people.toml).
    pub by: String,
    pub name: String,
    pub roles: Vec<String>,
    /// The date written in the section.
    pub date: String,
    /// The signature commit's author time at the company's offset.
    pub time: Option<String>,
    pub meaning: String,
    pub commit: Option<String>,
    pub status: ProofStatus,
}

impl Proof {
    /// This proof as a signature block.
    pub fn block(&self, model: &Model, history: &History) -> SignatureBlock {
        let person = model.person(&self.by);
        let date = model
            .signed_sections()
            .into_iter()
            .find(|s| s.meta.file == self.file && s.path == self.section)
            .map(|s| s.sign.date.value.to_string())
            .unwrap_or_default();
        let commit = self.commit.map(|c| &history.commits[c]);
        SignatureBlock {
            section: self.section.clone(),
            by: self.by.clone(),
            name: person.map_or_else(|| self.by.clone(), |p| p.name.value.clone()),
            roles: person.map_or_else(Vec::new, |p| {
                p.roles.iter().map(|r| r.as_str().to_string()).collect()
            }),
            date,
            time: commit.map(|c| c.author.display_at(model.config.company.offset_seconds)),
            meaning: self.meaning.clone(),
            commit: commit.map(|c| c.id.clone()),
            status: self.status.clone(),
        }
    }
}

/// A change of an order's substance made after an approved review.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubstanceChange {
    /// The commit that made it (index); `None` for the working tree.
    pub commit: Option<usize>,
    /// The date of the approved review it came after.
    pub review_date: Option<Date>,
    pub changes: Vec<FieldChange>,
}

/// What the history says about one order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OrderHistory {
    /// Substance changes since the current review's signature commit.
    pub stale: Vec<FieldChange>,
    /// The current review's signature commit (index), if committed.
    pub review_commit: Option<usize>,
    /// Every substance change made after an approved review.
    pub after_approval: Vec<SubstanceChange>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Proofs {
    pub sections: Vec<Proof>,
    /// By order file.
    pub orders: BTreeMap<String, OrderHistory>,
}

/// Compute the proofs of every signed section and the substance history of
/// every order of `model`. Reads blobs; files are independent, so they are
/// done in parallel, each thread with its own git handle.
pub fn prove(history: &mut History, model: &Model) -> crate::Result<()> {
    prove_only(history, model, None)
}

/// [`prove`] for one record only (by id or path), or for all with `None`:
/// `docket log` needs one record's proofs, not the whole repository's.
pub fn prove_only(history: &mut History, model: &Model, only: Option<&str>) -> crate::Result<()> {
    if history.unavailable.is_some() {
        return Ok(());
    }
    let wanted = |file: &str| only.is_none_or(|id| super::stem(file) == id || file == id);
    let signed = model.signed_sections();
    let mut by_file: BTreeMap<&str, Vec<&crate::model::Signed>> = BTreeMap::new();
    for s in signed.iter().filter(|s| wanted(&s.meta.file)) {
        by_file.entry(s.meta.file.as_str()).or_default().push(s);
    }
    let order_files: BTreeSet<&str> = model
        .orders
        .iter()
        .map(|o| o.meta().file.as_str())
        .filter(|f| wanted(f))
        .collect();
    let mut files: Vec<&str> = by_file.keys().copied().collect();
    files.extend(order_files.iter().filter(|f| !by_file.contains_key(*f)));
    let h: &History = history;
    let seed = Fingerprint::new(2)
        .str(env!("CARGO_PKG_VERSION"))
        .json(&model.people)
        .json(&model.config)
        .finish();
    let cached = super::cache::load_proofs(&h.git_dir, seed);
    let per_file: Vec<FileProofs> = files
        .into_par_iter()
        .map_init(
            || h.objects(),
            |objects, file| -> crate::Result<FileProofs> {
                let key = super::cache::clean_key(h, file);
                let hit = key.and_then(|k| {
                    let e = cached.get(file).filter(|e| e.key == k)?;
                    let (proofs, order) = super::cache::restore(h, file, e)?;
                    Some((proofs, order, e.clone()))
                });
                if let Some((proofs, order, entry)) = hit {
                    return Ok((file.to_string(), proofs, order, Some(entry)));
                }
                let objects = objects
                    .as_ref()
                    .map_err(|e| crate::Error::Git(e.to_string()))?;
                let states = states(h, objects, model, file)?;
                let proofs = by_file
                    .get(file)
                    .into_iter()
                    .flatten()
                    .map(|s| {
                        let (commit, status) =
                            prove_one(h, objects, model, &states, &s.path, &s.sign.by)?;
                        Ok(Proof {
                            record: s.meta.id.value.clone(),
                            file: file.to_string(),
                            section: s.path.clone(),
                            by: s.sign.by.value.clone(),
                            meaning: s.meaning.clone(),
                            commit,
                            status,
                        })
                    })
                    .collect::<crate::Result<Vec<Proof>>>()?;
                let order = order_files.contains(file).then(|| order_history(&states));
                let entry = key.and_then(|key| super::cache::keep(h, file, key, &proofs, &order));
                Ok((file.to_string(), proofs, order, entry))
            },
        )
        .collect::<crate::Result<_>>()?;
    let mut proofs = Proofs::default();
    let mut keep = BTreeMap::new();
    for (file, p, order, entry) in per_file {
        proofs.sections.extend(p);
        if let Some(o) = order {
            proofs.orders.insert(file.clone(), o);
        }
        if let Some(e) = entry {
            keep.insert(file, e);
        }
    }
    // Written when anything differs (and only for a whole-repository run,
    // which knows every file): a warm run reads it and writes nothing.
    let changed = keep.len() != cached.len()
        || keep
            .iter()
            .any(|(f, e)| cached.get(f).is_none_or(|c| c.key != e.key));
    if only.is_none() && changed && history.head.is_some() {
        super::cache::save_proofs(&history.git_dir, seed, keep);
    }
    history.proofs = proofs;
    Ok(())
}

/// One file's results: its proofs, its order history, and what to cache.
type FileProofs = (String, Vec<Proof>, Option<OrderHistory>, Option<ProofEntry>);

/// The states of a file, oldest first: each committed revision (commit
/// index, parsed table) and, last, the working tree if it differs.
#[derive(Default)]
struct States {
    list: Vec<(Option<usize>, Option<Table>)>,
    /// Whether the last state is the uncommitted working tree.
    dirty: bool,
}

fn states(
    h: &History,
    objects: &super::Objects,
    model: &Model,
    file: &str,
) -> crate::Result<States> {
    let empty = FileHistory {
        path: file.to_string(),
        revisions: Vec::new(),
    };
    let fh = h.file(file).unwrap_or(&empty);
    let mut list = fh
        .revisions
        .iter()
        .rev()
        .map(|r| Ok((Some(r.commit), objects.table(r)?)))
        .collect::<crate::Result<Vec<(Option<usize>, Option<Table>)>>>()?;
    let dirty = matches!(
        h.worktree.get(file),
        Some(Dirty::Modified | Dirty::Untracked)
    );
    if dirty {
        let now = model
            .guard
            .read(file, Some(crate::load::MAX_FILE_BYTES))
            .ok()
            .and_then(|b| super::parse_state(file, &b).into_table());
        list.push((None, now));
    }
    Ok(States { list, dirty })
}

fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.same(b),
        (None, None) => true,
        _ => false,
    }
}

fn by_of(v: &Value) -> Option<&str> {
    match v {
        Value::Table(t) => match &t.get("by")?.1.value {
            Value::String(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// How to sign under policy "ssh", for messages.
const SSH_ADVICE: &str = "the signer commits with an SSH signature (git config gpg.format ssh; \
     git commit -S) made with a key listed for them in people.toml";

/// Find the signature commit of one section and judge it.
fn prove_one(
    h: &History,
    objects: &super::Objects,
    model: &Model,
    st: &States,
    path: &str,
    by: &str,
) -> crate::Result<(Option<usize>, ProofStatus)> {
    // Under "none" nothing is proven, so nothing is unsigned either: an
    // uncommitted section is recorded like any other (the file's
    // history-unavailable warning says it is not committed).
    let unsigned = if model.config.policy.signatures == SignaturePolicy::None {
        ProofStatus::Recorded
    } else {
        ProofStatus::Uncommitted
    };
    let Some((last_commit, Some(now))) = st.list.last() else {
        return Ok((None, unsigned));
    };
    let cur = section(now, path);
    if last_commit.is_none() {
        // The working tree differs from HEAD: is this section part of it?
        let head = st
            .list
            .len()
            .checked_sub(2)
            .and_then(|i| st.list[i].1.as_ref());
        if !same(head.and_then(|t| section(t, path)), cur) {
            return Ok((None, unsigned));
        }
    }
    let committed = if st.dirty {
        st.list.len() - 1
    } else {
        st.list.len()
    };
    // Oldest committed state from which the section is unchanged.
    let mut s = committed.saturating_sub(1);
    while s > 0
        && same(
            st.list[s - 1].1.as_ref().and_then(|t| section(t, path)),
            cur,
        )
    {
        s -= 1;
    }
    let Some(commit) = st.list.get(s).and_then(|x| x.0) else {
        return Ok((None, unsigned));
    };
    let policy = model.config.policy.signatures;
    if policy == SignaturePolicy::None {
        return Ok((Some(commit), ProofStatus::Recorded));
    }
    // Who made the signature commit and how it is signed come from the
    // commit object itself, never from the cached index; one that cannot
    // be read is a damaged repository, not an unproven signature.
    let fresh = objects.commit(&h.commits[commit].id)?;
    let c = &fresh;
    let author = model.person_by_email(&c.author.email);
    let author_is_signer = author.is_some_and(|p| p.id.value == by);
    if !author_is_signer {
        if let Some(signed) = signed_by_signer_before(h, model, st, path, by, s) {
            let who = author.map_or_else(
                || format!("{} <{}>", c.author.name, c.author.email),
                |p| p.id.value.clone(),
            );
            return Ok((
                Some(commit),
                ProofStatus::Broken {
                    signed,
                    changed_by: who,
                },
            ));
        }
        let who = match author {
            Some(p) => format!("{} ({})", p.id.value, c.author.email),
            None => format!(
                "{} <{}>, who is not in people.toml",
                c.author.name, c.author.email
            ),
        };
        return Ok((
            Some(commit),
            ProofStatus::Unproven(format!(
                "its signature commit {} was authored by {who}, not by {by}; \
                 {by} must commit the section themselves",
                c.short()
            )),
        ));
    }
    let person = author.expect("author is the signer");
    let offset = model.config.company.offset_seconds;
    if let (Some(left), Some(day)) = (person.left, c.author.date_at(offset))
        && day > left
    {
        return Ok((
            Some(commit),
            ProofStatus::Unproven(format!(
                "it was committed on {day} ({}), after {by} left on {left}: \
                 someone who has left can no longer sign",
                c.short()
            )),
        ));
    }
    if policy == SignaturePolicy::Author {
        return Ok((
            Some(commit),
            ProofStatus::Proven(format!("commit author {}", c.author.email)),
        ));
    }
    let status = match h.signature(objects, commit, &model.people) {
        SignatureCheck::Valid {
            person,
            fingerprint,
        } if person == by => {
            ProofStatus::Proven(format!("SSH signature by {by}'s key {fingerprint}"))
        }
        SignatureCheck::Valid {
            person,
            fingerprint,
        } => ProofStatus::Unproven(format!(
            "its signature commit {} is signed with {person}'s key {fingerprint}, not one of {by}'s keys; {SSH_ADVICE}",
            c.short()
        )),
        other => ProofStatus::Unproven(format!(
            "policy \"ssh\" needs an SSH signature by {by}, but its signature commit {} is {}; {SSH_ADVICE}",
            c.short(),
            other.describe()
        )),
    };
    Ok((Some(commit), status))
}

/// The commit, before state `before`, in which the signer wrote a version
/// of the section naming them: a signature someone else later changed. A
/// version someone else wrote in the signer's name was never a signature.
fn signed_by_signer_before(
    h: &History,
    model: &Model,
    st: &States,
    path: &str,
    by: &str,
    before: usize,
) -> Option<usize> {
    let value = |k: usize| st.list[k].1.as_ref().and_then(|t| section(t, path));
    let mut k = before;
    while k > 0 {
        k -= 1;
        let Some(v) = value(k) else { continue };
        if by_of(v) != Some(by) {
            continue;
        }
        // The first writer of this version.
        let mut first = k;
        while first > 0 && same(value(first - 1), Some(v)) {
            first -= 1;
        }
        if let Some(c) = st.list[first].0 {
            let author = model.person_by_email(&h.commits[c].author.email);
            if author.is_some_and(|p| p.id.value == by) {
                return Some(c);
            }
        }
        k = first;
    }
    None
}

/// An order's substance: the order without its non-substance sections
/// (`model::NON_SUBSTANCE`), and without `oral.written_order_received`. The
/// day the customer's written order arrived records an event of the 4.2.3
/// path, as `delivery` does, not something the GM reviewed: recording it
/// must not make the review stale (docs/history.md).
pub fn substance(order: &Table) -> Table {
    let mut t = without(order, NON_SUBSTANCE);
    if let Some((_, node)) = t.get_mut("oral")
        && let Value::Table(oral) = &mut node.value
    {
        oral.remove("written_order_received");
    }
    t
}

fn review_date(t: &Table) -> Option<Date> {
    match section(t, "review")? {
        Value::Table(r) => match &r.get("date")?.1.value {
            Value::Datetime(d) => d.to_string().parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

fn approved(t: &Table) -> bool {
    match section(t, "review") {
        Some(Value::Table(r)) => {
            matches!(r.get("decision").map(|x| &x.1.value), Some(Value::String(s)) if s == "approved")
        }
        _ => false,
    }
}

fn order_history(st: &States) -> OrderHistory {
    let mut out = OrderHistory::default();
    let Some((_, Some(now))) = st.list.last() else {
        return out;
    };
    // Stale: substance now against substance at the review's signature commit.
    if let Some(cur) = section(now, "review") {
        let committed = if st.dirty {
            st.list.len() - 1
        } else {
            st.list.len()
        };
        let head_review = committed
            .checked_sub(1)
            .and_then(|i| st.list[i].1.as_ref())
            .and_then(|t| section(t, "review"));
        if committed > 0 && same(head_review, Some(cur)) {
            let mut s = committed - 1;
            while s > 0
                && same(
                    st.list[s - 1].1.as_ref().and_then(|t| section(t, "review")),
                    Some(cur),
                )
            {
                s -= 1;
            }
            if let Some(at) = &st.list[s].1 {
                out.stale = diff_tables(Some(&substance(at)), Some(&substance(now)));
                out.review_commit = st.list[s].0;
            }
        }
    }
    for pair in st.list.windows(2) {
        let ((_, Some(prev)), (commit, Some(next))) = (&pair[0], &pair[1]) else {
            continue;
        };
        if !approved(prev) {
            continue;
        }
        let changes = diff_tables(Some(&substance(prev)), Some(&substance(next)));
        if !changes.is_empty() {
            out.after_approval.push(SubstanceChange {
                commit: *commit,
                review_date: review_date(prev),
                changes,
            });
        }
    }
    out
}
