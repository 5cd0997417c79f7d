//! Building the model: each record file read into its kind's type, in
//! parallel, every schema problem reported with its position.
//!
//! A record that cannot be read whole (a required field missing or
//! mistyped, or an id that does not match its file) is reported and left
//! out, so rules never reason about half a record and no unchecked id ever
//! becomes a page name. Two files with one id: the first (in path order)
//! is kept, the second reported.

use super::config::{self, Config};
use super::meta::Meta;
use super::read::{At, Diag, Reader};
use super::records::{AnyRecord, ByKind, KnownIds, Model, read_kind};
use super::shape::{Fields, Shape};
use crate::finding::{Finding, Pos, RuleId};
use crate::kind::{IdShape, Kind};
use crate::load::{Doc, FileRole, Guard, Loaded};
use crate::msg;
use rayon::prelude::*;

/// Build the model from what the loader read. Findings from the loader are
/// passed through; schema and id findings are added.
pub fn build(loaded: Loaded) -> (Model, Vec<Finding>) {
    read_records(loaded).assemble()
}

/// Every record file read into its kind's type, on every core, and the
/// settings; what [`Records::assemble`] makes the model of.
pub struct Records {
    findings: Vec<Finding>,
    config: Config,
    people: Vec<config::Person>,
    known_ids: KnownIds,
    /// Each record file's role and path, and what reading it gave.
    read: Vec<(FileRole, String, ReadRecord)>,
    rest: Loaded,
}

/// One record file read: its id (if readable), the record (if whole),
/// and its findings.
type ReadRecord = (Option<String>, Option<AnyRecord>, Vec<Finding>);

/// The first half of [`build`]: the records read, in parallel, each
/// file's parsed tree freed on the thread that read it as soon as it is
/// read. The second half, [`Records::assemble`], is one thread's work,
/// which a caller may run beside other work (`cmd::analyse_beside` reads
/// the history's cached index there, once the trees are gone).
pub fn read_records(mut loaded: Loaded) -> Records {
    let mut findings = std::mem::take(&mut loaded.findings);
    let config =
        read_doc(loaded.config.as_ref(), &mut findings, config::read_config).unwrap_or_default();
    let people = read_doc(loaded.people.as_ref(), &mut findings, config::read_people)
        .unwrap_or_else(|| {
            findings.push(Finding::new(
                RuleId::Schema,
                "people.toml",
                None,
                msg!(
                    "people.toml is missing: every signer and record owner must be listed there",
                    "缺少 people.toml：每位簽核人與紀錄負責人都必須列在其中"
                ),
            ));
            Vec::new()
        });
    let mut known_ids = KnownIds::default();
    for (kind, rel) in &loaded.unreadable {
        known_ids.insert(*kind, crate::load::stem(rel).to_string());
    }
    // The parsed trees are freed here, each by the thread that read it,
    // while the others are read: not in a pass of their own (a third of
    // this stage's time at 10,000 orders when it was a thread's alone),
    // and not beside the stages after (in a rebuild, which keeps what it
    // frees for reuse (`memory.rs`), the history's cached index took
    // fresh memory whenever the trees were not yet freed, and the peak at
    // 50,000 orders moved between 907 and 983 MiB from one run to the
    // next).
    let docs = std::mem::take(&mut loaded.records);
    let guard = &loaded.guard;
    let read = docs
        .into_par_iter()
        .map(|doc| {
            let read = read_record(&doc, &config, guard);
            (doc.role, doc.rel, read)
        })
        .collect();
    Records {
        findings,
        config,
        people,
        known_ids,
        read,
        rest: loaded,
    }
}

impl Records {
    /// The model of these records: the first of two with one id kept
    /// (in path order), the records indexed by kind and id.
    pub fn assemble(self) -> (Model, Vec<Finding>) {
        let Records {
            mut findings,
            config,
            people,
            mut known_ids,
            read,
            rest: loaded,
        } = self;
        let mut first_file: crate::Lookup<String, String> = Default::default();
        let mut by_kind = ByKind::default();
        for (role, rel, (id, record, mut found)) in read {
            if let Some(id) = id {
                if let FileRole::Record(kind) = role {
                    known_ids.insert(kind, id.clone());
                }
                if let Some(first) = first_file.get(&id) {
                    // For products the id is the part number: two files
                    // with one part number is clause 1's "one part number,
                    // one product".
                    let rule = match role {
                        FileRole::Record(Kind::Product) => RuleId::PartNumberUnique,
                        _ => RuleId::DuplicateId,
                    };
                    found.push(
                        Finding::new(
                            rule,
                            &rel,
                            Some(Pos { line: 1, col: 1 }),
                            msg!(
                                "id {id} is already used by {first}; give this record the next free id",
                                "編號 {id} 已由 {first} 使用；請給此紀錄下一個未使用的編號"
                            ),
                        )
                        .with_record(&id),
                    );
                    findings.extend(found);
                    continue;
                }
                first_file.insert(id, rel);
            }
            findings.extend(found);
            if let Some(record) = record {
                by_kind.push(record);
            }
        }
        let mut model = by_kind.into_model();
        model.index_flowsheets();
        model.config = config;
        model.people = people;
        model.guard = loaded.guard;
        model.procedure = loaded.procedure;
        model.known_ids = known_ids;
        model.source = loaded.fingerprint;
        model.sources = loaded.sources;
        (model, findings)
    }
}

/// Read a `docket.toml` from its bytes as `check` reads the working
/// tree's: the configuration, and every parse and schema finding (the
/// history stage reads old revisions with it; one with findings does not
/// take effect).
pub fn read_config_bytes(bytes: &[u8]) -> (Config, Vec<Finding>) {
    read_bytes("docket.toml", FileRole::Config, bytes, config::read_config)
}

/// [`read_config_bytes`] for a `people.toml`.
pub fn read_people_bytes(bytes: &[u8]) -> (Vec<config::Person>, Vec<Finding>) {
    read_bytes("people.toml", FileRole::People, bytes, config::read_people)
}

fn read_bytes<T: Default>(
    rel: &str,
    role: FileRole,
    bytes: &[u8],
    read: impl FnOnce(&Diag) -> T,
) -> (T, Vec<Finding>) {
    match crate::load::parse_bytes(rel.to_string(), role, bytes) {
        Ok(doc) => {
            let mut findings = Vec::new();
            let value = read_doc(Some(&doc), &mut findings, read).unwrap_or_default();
            (value, findings)
        }
        Err(f) => (T::default(), vec![f]),
    }
}

/// Read `docket.toml` or `people.toml` with `read`, keeping its findings;
/// `None` when the file is absent.
fn read_doc<T>(
    doc: Option<&Doc>,
    findings: &mut Vec<Finding>,
    read: impl FnOnce(&Diag) -> T,
) -> Option<T> {
    let diag = Diag::new(doc?);
    let value = read(&diag);
    findings.extend(diag.into_findings());
    Some(value)
}

/// Read one record file: its id (if readable), the record (if whole), and
/// its findings.
fn read_record(doc: &Doc, config: &Config, guard: &Guard) -> ReadRecord {
    let FileRole::Record(kind) = doc.role else {
        return (None, None, Vec::new());
    };
    let diag = Diag::new(doc);
    let r = diag.root();
    let id: At<String> = r.req(kind.id_key());
    let mut id_ok = !diag.is_broken();
    if id_ok {
        id_ok = check_id(doc, kind, &id, config, &diag);
    }
    let record = read_fields(kind, &r, id.clone(), config, Some(guard));
    r.finish();
    let whole = id_ok && !diag.is_broken();
    let known = id_ok.then(|| id.value.clone());
    let mut findings = diag.into_findings();
    if let Some(id) = &known {
        for f in &mut findings {
            f.record = Some(id.clone());
        }
    }
    (known, whole.then_some(record), findings)
}

/// The record after its id: its attachments and its kind's fields. What
/// a record file holds is what this reads (and, in describe mode,
/// [`describe`] reports).
fn read_fields(
    kind: Kind,
    r: &Reader,
    id: At<String>,
    config: &Config,
    guard: Option<&Guard>,
) -> AnyRecord {
    let file = r.diag().file().to_string();
    let attachments: Vec<At<String>> =
        r.opt::<Vec<String>>("attachments")
            .map_or_else(Vec::new, |a| {
                a.value
                    .into_iter()
                    .map(|v| At {
                        value: v,
                        pos: a.pos,
                    })
                    .collect()
            });
    // Looked up once, here: the rule and the site use this one answer
    // (describe mode has no files to look at).
    let found = match guard {
        Some(guard) => attachments
            .iter()
            .map(|a| guard.attachment(&file, a))
            .collect(),
        None => Vec::new(),
    };
    let meta = Meta {
        id,
        kind,
        file,
        attachments,
        found,
    };
    read_kind(kind, r, meta, config)
}

/// What a file of `role` may hold, as its reader asks for it: the fields
/// `docket schema` writes out. A record's are read with `config` (its
/// survey questions, its part-number pattern).
pub fn describe(role: FileRole, config: &Config) -> Fields {
    let doc = Doc {
        rel: String::new(),
        role,
        root: crate::load::Table::new(),
        lines: crate::load::LineIndex::new(""),
    };
    let diag = Diag::describing(&doc);
    match role {
        FileRole::Config => {
            config::read_config(&diag);
        }
        FileRole::People => {
            config::read_people(&diag);
        }
        FileRole::Record(kind) => {
            let r = diag.root();
            let id = r.req(kind.id_key());
            read_fields(kind, &r, id, config, None);
        }
    }
    let mut fields = diag.described().unwrap_or_default();
    if let FileRole::Record(kind) = role {
        // The id's shape is checked apart from its type (`id-mismatch`).
        let pattern = match kind.id_pattern() {
            Some(p) => p,
            None => config.policy.part_number_pattern.clone(),
        };
        if let Some(f) = fields.fields.iter_mut().find(|f| f.key == kind.id_key()) {
            f.shape = Shape::Text {
                pattern: Some(pattern),
            };
        }
    }
    fields
}

/// The Chinese name of an id key (`id` is 編號, `part_number` 料號).
fn lexicon_key(key: &str) -> &str {
    match key {
        "id" => "編號",
        k => crate::lexicon::field_zh(k).unwrap_or(k),
    }
}

/// `id-mismatch`: the id must equal the file stem and have its kind's shape.
fn check_id(doc: &Doc, kind: Kind, id: &At<String>, config: &Config, diag: &Diag) -> bool {
    let shape_ok = match kind.id_shape() {
        IdShape::PartNumber => config.policy.part_number_regex.is_match(id),
        _ => kind.id_shape_ok(id),
    };
    let key = kind.id_key();
    let mut problems = Vec::new();
    if !shape_ok {
        problems.push(match kind.id_form() {
            None => msg!(
                "part number \"{id}\" does not match policy.part_number_pattern {pattern}",
                "料號「{id}」不符合 policy.part_number_pattern {pattern}";
                id = &id.value,
                pattern = &config.policy.part_number_pattern
            ),
            Some(form) => msg!(
                "{key} \"{id}\" is not of the form {form}",
                "{zkey}「{id}」的格式不是 {form}";
                id = &id.value,
                zkey = lexicon_key(key)
            ),
        });
    }
    if doc.stem() != id.value {
        problems.push(msg!(
            "{key} \"{id}\" does not match the file name {stem}.toml; rename the file or fix the {key}",
            "{zkey}「{id}」與檔名 {stem}.toml 不符；請更改檔名或修正{zkey}";
            id = &id.value,
            stem = doc.stem(),
            zkey = lexicon_key(key)
        ));
    }
    for msg in &problems {
        diag.push_at(RuleId::IdMismatch, id.pos, msg.clone());
    }
    problems.is_empty()
}
