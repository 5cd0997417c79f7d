//! Proving: the signature commit of each signed section and its
//! [`ProofStatus`], and each order's substance history, computed once
//! after the model is built so the rules stay pure functions of model +
//! history.
//!
//! The signature commit of a section is the oldest commit from which the
//! section's *parsed* content is unchanged up to the working tree: the
//! commit that first wrote what is there now. Comparing values, not text,
//! means reformatting a file or reordering keys never moves a signature.
//! Whether that commit proves the signature depends on the policy in force
//! for it: `policy.signatures`, the people and their keys as they were
//! when it was made (`regime.rs`, docs/history.md). When its author is not the signer and an older
//! revision carried the section signed by the signer, someone else changed
//! a signed section: the signature is broken, which says more than
//! "unproven".
//!
//! Files are independent, so they are proven in parallel, each thread with
//! its own git handle; a file whose revisions are unchanged since the last
//! run takes its results from the cache (`cache.rs`).

use super::anchor::{self, Claim};
use super::cache::{self, ProofEntry};
use super::covers::{Covers, covers, sha256_of};
use super::fields::{Revised, State, revisions_changed, section, signer, working_table};
use super::index::{Commit, Dirty, FileHistory, History};
use super::proof::{Proof, ProofStatus, Proofs};
use super::regime::left_by;
use super::repo::{Objects, Reading, Tuned};
use super::states::{States, same};
use super::substance::{OrderHistory, order_history};
use crate::finding::Message;
use crate::fingerprint::Fingerprint;
use crate::load::Table;
use crate::model::{Model, Record, SignaturePolicy};
use crate::msg;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Compute the proofs of every signed section and the substance history of
/// every order of `model`. Reads blobs; files are independent, so they are
/// done in parallel, each thread with its own git handle.
///
/// What is worth keeping for the next run comes back as [`Unsaved`]:
/// write it, now or beside what the caller does next.
pub fn prove(history: &mut History, model: &Model) -> crate::Result<Unsaved> {
    prove_all(history, model, None)
}

/// The proofs made in a run, for `.git/docket/proofs.json`; `save`
/// writes them (nothing when nothing changed). One thread of JSON, a
/// fifth of the proofs stage after one commit: the caller may write it
/// beside its next stage instead of before it.
#[must_use = "the proofs made are lost for the next run unless saved"]
pub struct Unsaved(
    Option<(
        std::path::PathBuf,
        cache::Made,
        BTreeMap<String, ProofEntry>,
    )>,
);

impl Unsaved {
    pub fn save(self) {
        if let Some((git_dir, made, keep)) = self.0 {
            cache::save_proofs(&git_dir, made, keep);
        }
    }
}

/// [`prove`] for one record only (by id or path), or for all with `None`:
/// `docket log` needs one record's proofs, not the whole repository's.
pub fn prove_only(history: &mut History, model: &Model, only: Option<&str>) -> crate::Result<()> {
    prove_all(history, model, only).map(Unsaved::save)
}

fn prove_all(history: &mut History, model: &Model, only: Option<&str>) -> crate::Result<Unsaved> {
    if history.unavailable.is_some() {
        return Ok(Unsaved(None));
    }
    let after = Reading::after_walk(&history.git_dir);
    let _reading = Tuned::during(after.proving(), after);
    // Every proof is judged under the policy in force for its commit.
    super::govern::govern(history, model.config.company.offset_seconds)?;
    let wanted = |file: &str| only.is_none_or(|id| crate::load::stem(file) == id || file == id);
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
    let read = history.proofs_read.take();
    let h: &History = history;
    // Proofs depend on the policy in force for each commit (the governance
    // timeline) and on the configuration's company settings. A file's
    // proofs kept from a run whose first-parent line was `line` long
    // depend on the policies before that position only: a policy that
    // comes in force later (a new employee, a new key) is in force for no
    // commit of theirs, and a file with a newer commit has another key.
    // What the policy in force now adds to every proof is in the seed too,
    // and the grafts, which decide every commit's parents.
    let seed_at = |line: usize| {
        Fingerprint::new(4)
            .str(env!("CARGO_PKG_VERSION"))
            .u64(h.governance.fingerprint_before(line))
            .u64(h.grafts)
            .json(&model.config)
            .finish()
    };
    let line = h.line_length();
    let made = cache::Made {
        seed: seed_at(line),
        line,
    };
    let offset = model.config.company.offset_seconds;
    let cached = if h.caches {
        crate::timing::stage("history proofs cache", || {
            cache::load_proofs(&h.git_dir, seed_at, read)
        })
    } else {
        BTreeMap::new()
    };
    // Collected as results, not as a `Result` of a list: rayon gathers the
    // latter in pieces and copies them into one list, and that copy of
    // every proof and kept timeline was the 50,000-order build's peak of
    // memory. The proofs are then moved, once, into a list made to
    // measure.
    let missed = std::sync::atomic::AtomicUsize::new(0);
    let per_file: Vec<crate::Result<FileProofs>> = files
        .into_par_iter()
        .map_init(
            || h.objects(),
            |objects, file| -> crate::Result<FileProofs> {
                let key = cache::clean_key(h, file);
                let hit = key.and_then(|k| {
                    let e = cached.get(file).filter(|e| e.key == k)?;
                    cache::restore(h, file, e)
                });
                if let Some((proofs, order)) = hit {
                    return Ok((file.to_string(), proofs, order, Cached::Hit, None));
                }
                // Proving every file again (another configuration) peaks as
                // a first build does: memory goes back as it is freed.
                crate::memory::working_through(
                    missed.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
                );
                let objects = objects
                    .as_ref()
                    .map_err(|e| crate::Error::Git(e.to_string()))?;
                let (states, revised) = states(h, objects, model, file)?;
                let proofs = by_file
                    .get(file)
                    .into_iter()
                    .flatten()
                    .map(|s| {
                        let (commit, status, at) =
                            prove_one(h, objects, model, &states, file, &s.path, &s.sign.by)?;
                        let bound = bind(h, &states, file, at, s.meta.kind, &s.path);
                        let ssh = commit
                            .filter(|&c| h.regime_for(c).signatures == SignaturePolicy::Ssh)
                            .map(|c| {
                                let on = h.commits[c].signed_on(offset);
                                h.ssh_verdict(objects, c, &s.sign.by, on).into()
                            });
                        Ok(Proof {
                            record: s.meta.id.value.clone(),
                            file: file.to_string(),
                            section: s.path.clone(),
                            by: s.sign.by.value.clone(),
                            meaning: s.meaning.clone(),
                            commit,
                            status,
                            blob: bound.0,
                            sha256: bound.1,
                            covers: bound.2,
                            ssh,
                        })
                    })
                    .collect::<crate::Result<Vec<Proof>>>()?;
                let order = order_files.contains(file).then(|| order_history(&states));
                let entry = key.and_then(|key| cache::keep(h, file, key, &proofs, &order));
                Ok((file.to_string(), proofs, order, Cached::New(entry), revised))
            },
        )
        .collect();
    let mut proofs = Proofs::default();
    let count = per_file.iter().flatten().map(|f| f.1.len()).sum();
    proofs.sections.reserve_exact(count);
    // A file whose cached entry held is kept as it is (not copied: most
    // files, most runs); the others with what they made.
    let mut hits = Vec::new();
    let mut keep = BTreeMap::new();
    let files_proven = per_file.len();
    for one in per_file {
        let (file, p, order, entry, revised) = one?;
        proofs.sections.extend(p);
        if let Some(r) = revised {
            history.revised.insert(file.clone(), r);
        }
        if let Some(o) = order {
            proofs.orders.insert(file.clone(), o);
        }
        match entry {
            Cached::Hit => hits.push(file),
            Cached::New(Some(e)) => {
                keep.insert(file, e);
            }
            Cached::New(None) => {}
        }
    }
    crate::timing::count("files proven", files_proven - hits.len());
    crate::timing::count("files proven earlier", hits.len());
    // Written only by a whole-repository run, which knows every file.
    let unsaved = (only.is_none() && history.head.is_some() && history.caches)
        .then(|| cache::proofs_to_write(cached, hits, keep))
        .flatten()
        .map(|keep| (history.git_dir.clone(), made, keep));
    history.proofs = proofs;
    Ok(Unsaved(unsaved))
}

/// One file's results: its proofs, its order history, what to cache, and
/// what each revision did when the timelines want it.
type FileProofs = (
    String,
    Vec<Proof>,
    Option<OrderHistory>,
    Cached,
    Option<Vec<Revised>>,
);

/// What the proofs cache gets of one file.
enum Cached {
    /// Its cached entry, which held.
    Hit,
    /// What this run made (`None`: nothing to keep, the file is not
    /// clean).
    New(Option<ProofEntry>),
}

/// The states of `file` in `h`, read through `objects`, and what each
/// revision did when [`History::keep_revised`] asks (read here, the
/// revisions need not be read again for the file's timeline); an object
/// that cannot be read is an error, never a state without the section.
fn states(
    h: &History,
    objects: &Objects,
    model: &Model,
    file: &str,
) -> crate::Result<(States, Option<Vec<Revised>>)> {
    let empty = FileHistory {
        path: file.to_string(),
        revisions: Vec::new(),
        key: Default::default(),
    };
    let fh = h.file(file).unwrap_or(&empty);
    // Newest first, as the revisions are listed.
    let read = fh
        .revisions
        .iter()
        .map(|r| objects.state(r))
        .collect::<crate::Result<Vec<State>>>()?;
    let lang = model.config.company.language;
    let revised = h.keep_revised.then(|| revisions_changed(&read, lang));
    let mut list: Vec<(Option<usize>, Option<Table>)> = fh
        .revisions
        .iter()
        .zip(read)
        .rev()
        .map(|(r, state)| (Some(r.commit), state.into_table()))
        .collect();
    let dirty = matches!(
        h.worktree.get(file),
        Some(Dirty::Modified | Dirty::Untracked)
    );
    if dirty {
        list.push((None, working_table(&model.guard, file)));
    }
    Ok((States { list, dirty }, revised))
}

/// How to sign under policy "ssh", for messages.
const SSH_ADVICE: &str = "the signer commits with an SSH signature (git config gpg.format ssh; \
     git commit -S) made with a key listed for them in people.toml";
const SSH_ADVICE_ZH: &str = "簽核人須以 people.toml 中列為其所有的金鑰做 SSH 簽章提交\
     （git config gpg.format ssh；git commit -S）";

/// Find the signature commit of one section and judge it under the
/// policy in force for that commit ([`History::regime_for`]), and, for a
/// commit a merge brought in, under the one in force for the merge too
/// where that judges otherwise: where a branch forks is its author's
/// choice, so a branch based on a commit from before the GM moved the
/// company to "ssh", removed a key or a role, or recorded a leaving, must
/// not be judged as if that had not happened.
fn prove_one(
    h: &History,
    objects: &Objects,
    model: &Model,
    st: &States,
    file: &str,
    path: &str,
    by: &str,
) -> crate::Result<(Option<usize>, ProofStatus, Option<usize>)> {
    let (commit, status, s) = prove_at_fork(h, objects, model, st, file, path, by)?;
    let Some((c, (fork, merge, at_merge))) =
        commit.and_then(|c| Some((c, h.rules_changed_since_fork(c)?)))
    else {
        return Ok((commit, status, s));
    };
    if !matches!(status, ProofStatus::Proven(_) | ProofStatus::Recorded) {
        return Ok((commit, status, s));
    }
    let offset = model.config.company.offset_seconds;
    let Err(why) = h.proven_under(objects, at_merge, c, by, offset)? else {
        return Ok((commit, status, s));
    };
    let why = msg!(
        "it was signed on a branch that left the main line at commit {fork}, and under the \
         rules in force when it was merged in commit {merge}, {en}: sign it again after the \
         merge",
        "它是在自主線提交 {fork} 分出的分支上簽核的，依其於提交 {merge} 合併時的規則，{zh}：\
         請在合併之後重新簽核";
        fork = super::index::short(fork),
        merge = super::index::short(merge),
        en = &why.en,
        zh = &why.zh
    );
    Ok((commit, ProofStatus::Unproven(why), s))
}

/// [`prove_one`] under the policy in force where the commit was made
/// (for a branch commit, where its branch forked).
fn prove_at_fork(
    h: &History,
    objects: &Objects,
    model: &Model,
    st: &States,
    file: &str,
    path: &str,
    by: &str,
) -> crate::Result<(Option<usize>, ProofStatus, Option<usize>)> {
    // Under "none" nothing is proven, so nothing is unsigned either: an
    // uncommitted section is recorded like any other (the file's
    // history-unavailable warning says it is not committed). What is not
    // committed is under the policy in force now.
    let now = if h.governance.ready {
        h.governance.current().signatures
    } else {
        // Nothing committed yet: the working tree's policy is all there is.
        model.config.policy.signatures
    };
    let unsigned = if now == SignaturePolicy::None {
        ProofStatus::Recorded
    } else {
        ProofStatus::Uncommitted
    };
    let Some((last_commit, Some(now))) = st.list.last() else {
        return Ok((None, unsigned, None));
    };
    let cur = section(now, path);
    if last_commit.is_none() {
        // The working tree differs from HEAD: is this section part of it?
        let head = st
            .list
            .len()
            .checked_sub(2)
            .and_then(|i| st.section(i, path));
        if !same(head, cur) {
            return Ok((None, unsigned, None));
        }
    }
    // Oldest committed state from which the section is unchanged.
    let s = st.first_with(st.committed().saturating_sub(1), path, cur);
    let Some(commit) = st.list.get(s).and_then(|x| x.0) else {
        return Ok((None, unsigned, None));
    };
    let regime = h.regime_for(commit);
    let policy = regime.signatures;
    if policy == SignaturePolicy::None {
        return Ok((Some(commit), ProofStatus::Recorded, Some(s)));
    }
    if let Some(k) = st.identity_taken(s, st.list.len() - 1) {
        let when = match st.list[k].0 {
            Some(c) => msg!(
                "in commit {short} by {who}",
                "於 {who} 的提交 {short}";
                short = h.commits[c].short(),
                who = h.regime_for(c).who(&h.commits[c].author.name, &h.commits[c].author.email)
            ),
            None => msg!("in the working tree", "於工作目錄中"),
        };
        let why = msg!(
            "the record took its present id {en} ({short} wrote the section): a signature \
             is of one record, so {by} signs it again in this one",
            "此紀錄{zh}才取得現在的編號（區段由 {short} 寫入）：簽核只屬於一筆紀錄，{by} 須在此紀錄中重新簽核";
            en = &when.en,
            zh = &when.zh,
            short = h.commits[commit].short()
        );
        return Ok((Some(commit), ProofStatus::Unproven(why), Some(s)));
    }
    // The index (possibly cached) named the commit: git must agree that
    // it wrote this content before anything rests on it (anchor.rs).
    if let Some(why) = anchored(h, objects, file, s, path, cur)? {
        return Ok((Some(commit), ProofStatus::Unproven(why), Some(s)));
    }
    // Who made the signature commit and how it is signed come from the
    // commit object itself, never from the cached index; one that cannot
    // be read is a damaged repository, not an unproven signature.
    let fresh = h.commit_object(objects, commit)?;
    let c: &Commit = &fresh;
    let author = regime.by_email(&c.author.email);
    let author_is_signer = author.is_some_and(|p| p.id.value == by);
    if !author_is_signer {
        if let Some(signed) = signed_by_signer_before(h, st, path, by, s) {
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
                Some(s),
            ));
        }
        let who = match author {
            Some(p) => msg!(
                "{id} ({email})",
                "{name}（{email}）";
                id = &p.id.value,
                name = p.named(),
                email = &c.author.email
            ),
            None => msg!(
                "{name} <{email}>, who is not in people.toml",
                "不在 people.toml 中的 {name} <{email}>";
                name = &c.author.name,
                email = &c.author.email
            ),
        };
        let zby = named(regime, by);
        return Ok((
            Some(commit),
            ProofStatus::Unproven(msg!(
                "its signature commit {short} was authored by {who_en}, not by {by}; \
                 {by} must commit the section themselves",
                "簽核提交 {short} 的作者是{who_zh}，不是 {zby}；{zby} 必須親自提交此區段";
                short = c.short(),
                who_en = &who.en,
                who_zh = &who.zh
            )),
            Some(s),
        ));
    }
    let person = author.expect("author is the signer");
    let offset = model.config.company.offset_seconds;
    let signed_on = c.signed_on(offset);
    if let Some((left, day)) = left_by(person, signed_on, c.author.date_at(offset)) {
        return Ok((
            Some(commit),
            ProofStatus::Unproven(msg!(
                "it was committed on {day} ({short}), after {by} left on {left}: \
                 someone who has left can no longer sign",
                "於 {day} 提交（{short}），晚於 {zby} 的離職日 {left}：已離職者不能再簽核";
                short = c.short(),
                zby = person.named()
            )),
            Some(s),
        ));
    }
    if policy == SignaturePolicy::Author {
        return Ok((
            Some(commit),
            ProofStatus::Proven(msg!(
                "commit author {email}",
                "提交作者 {email}";
                email = &c.author.email
            )),
            Some(s),
        ));
    }
    let status = match h.ssh_verdict(objects, commit, by, signed_on) {
        Ok(how) => ProofStatus::Proven(how),
        Err(rest) => ProofStatus::Unproven(msg!(
            "policy \"ssh\" needs an SSH signature by {by}, but its signature commit {short} {en}; \
             {SSH_ADVICE}",
            "簽核政策 \"ssh\" 需要 {zby} 的 SSH 簽章，但簽核提交 {short} {zh}；{SSH_ADVICE_ZH}";
            short = c.short(),
            en = &rest.en,
            zh = &rest.zh,
            zby = named(regime, by)
        )),
    };
    Ok((Some(commit), status, Some(s)))
}

/// "Wang Daming (wang.gm)" for a person id of the policy in force, or the
/// id as written.
fn named(regime: &super::regime::Regime, id: &str) -> String {
    regime
        .person(id)
        .map_or_else(|| id.to_string(), crate::model::Person::named)
}

/// What binds a signature to its content: the blob of the file at its
/// signature commit (state `at`), the SHA-256 of the section's canonical
/// value, and whether it still covers the record (`covers.rs`).
fn bind(
    h: &History,
    st: &States,
    file: &str,
    at: Option<usize>,
    kind: crate::kind::Kind,
    path: &str,
) -> (Option<String>, Option<String>, Covers) {
    let sha = st
        .list
        .last()
        .and_then(|(_, t)| t.as_ref())
        .and_then(|t| sha256_of(t, path));
    let Some(at) = at else {
        return (None, sha, Covers::Current);
    };
    let blob = h.file(file).and_then(|fh| {
        let k = fh.revisions.len().checked_sub(at + 1)?;
        fh.revisions[k].blob.clone()
    });
    (blob, sha, covers(st, at, kind, path))
}

/// Why git disagrees that the commit of state `s` of `file` wrote `value`
/// as its section `path`; `None` when it agrees.
fn anchored(
    h: &History,
    objects: &Objects,
    file: &str,
    s: usize,
    path: &str,
    value: Option<&crate::load::Value>,
) -> crate::Result<Option<Message>> {
    let (Some(fh), Some(value)) = (h.file(file), value) else {
        return Ok(None);
    };
    let Some(k) = fh.revisions.len().checked_sub(s + 1) else {
        return Ok(None);
    };
    let claim = Claim {
        revisions: &fh.revisions,
        k,
        path,
        value,
    };
    anchor::disproved(h, &objects.repo, &claim)
}

/// The commit, before state `before`, in which the signer wrote a version
/// of the section naming them: a signature someone else later changed. A
/// version someone else wrote in the signer's name was never a signature.
/// Who wrote it is judged by the people in force for that commit.
fn signed_by_signer_before(
    h: &History,
    st: &States,
    path: &str,
    by: &str,
    before: usize,
) -> Option<usize> {
    let mut k = before;
    while k > 0 {
        k -= 1;
        let Some(v) = st.section(k, path) else {
            continue;
        };
        if signer(v) != Some(by) {
            continue;
        }
        // The first writer of this version.
        let first = st.first_with(k, path, Some(v));
        if let Some(c) = st.list[first].0 {
            let author = h.regime_for(c).by_email(&h.commits[c].author.email);
            if author.is_some_and(|p| p.id.value == by) {
                return Some(c);
            }
        }
        k = first;
    }
    None
}
