//! Signed sections (docs/format.md; how they are proven: docs/history.md):
//! which tables are signatures, who may sign them, and what the signature
//! means.
//!
//! [`SIGNED`] is the one list of what is signed; everything that asks
//! (the site's signature blocks, `docket diff`'s invalidated signatures)
//! reads it, and a test holds [`Model::signed_sections`], which reads the
//! sections out of the typed records, to it.

use super::config::{Department, Person, Role};
use super::meta::{Meta, Record};
use super::read::Sign;
use super::records::Model;
use crate::kind::Kind;

/// Every signed section: the kind of record that holds it and its key
/// (`extra_review` is an array of tables, each entry signed on its own).
pub const SIGNED: &[(Kind, &str)] = &[
    (Kind::Order, "review"),
    (Kind::Order, "extra_review"),
    (Kind::Flowsheet, "gm_signed"),
    (Kind::Capa, "investigation"),
    (Kind::Capa, "verification"),
    (Kind::Capa, "confirmation"),
    (Kind::Capa, "feedback"),
    (Kind::Survey, "analysis"),
    (Kind::Property, "verified"),
];

/// Whether records of `kind` have signed sections at all.
pub fn is_signable(kind: Kind) -> bool {
    SIGNED.iter().any(|(k, _)| *k == kind)
}

/// The keys of signed sections, of any kind, each once.
pub fn signed_keys() -> impl Iterator<Item = &'static str> {
    SIGNED
        .iter()
        .enumerate()
        .filter(|(i, (_, key))| !SIGNED[..*i].iter().any(|(_, k)| k == key))
        .map(|(_, (_, key))| *key)
}

/// Who may sign a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    /// Anyone holding one of these roles.
    Roles(&'static [Role]),
    /// A member of this department (the CAPA's responsible department, or
    /// the department an extra review is for).
    Department(Department),
}

impl Signer {
    pub fn allows(self, person: &Person) -> bool {
        match self {
            Signer::Roles(roles) => roles.iter().any(|r| person.has_role(*r)),
            Signer::Department(d) => person.department == Some(d),
        }
    }

    pub fn describe(self) -> String {
        self.described().en
    }

    /// Who may sign, in both languages: "role gm", "總經理".
    pub fn described(self) -> crate::finding::Message {
        match self {
            Signer::Roles(roles) => crate::msg!(
                "role {en}",
                "{zh}";
                en = roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or "),
                zh = crate::lexicon::roles(roles.iter().map(|r| r.as_str()))
            ),
            Signer::Department(d) => crate::msg!(
                "a member of department {d}",
                "{zh}的人員";
                zh = crate::lexicon::value(d.as_str())
            ),
        }
    }
}

/// One signed section of one record.
#[derive(Debug, Clone)]
pub struct Signed<'m> {
    pub meta: &'m Meta,
    /// The section's key path: `review`, `extra_review[1]`, `investigation`.
    pub path: String,
    pub sign: &'m Sign,
    pub signer: Signer,
    /// What signing means, in a person's words (21 CFR 11.50 "meaning").
    pub meaning: String,
}

const GM: &[Role] = &[Role::Gm];
const QC: &[Role] = &[Role::Qc];
const SALES: &[Role] = &[Role::Sales];
const SALES_OR_QC: &[Role] = &[Role::Sales, Role::Qc];

/// Who may sign `key` on any record of `kind`, where that depends on the
/// kind alone (`None` for the department-bound sections, and for keys that
/// are not signed sections of the kind).
fn by_role(kind: Kind, key: &str) -> Option<Signer> {
    let roles = match (kind, key) {
        (Kind::Order, "review") | (Kind::Flowsheet, "gm_signed") | (Kind::Capa, "confirmation") => {
            GM
        }
        (Kind::Capa, "verification") => QC,
        (Kind::Capa, "feedback") | (Kind::Property, "verified") => SALES_OR_QC,
        (Kind::Survey, "analysis") => SALES,
        _ => return None,
    };
    Some(Signer::Roles(roles))
}

/// [`by_role`] for a pair of [`SIGNED`] that is role-bound.
fn role(kind: Kind, key: &str) -> Signer {
    by_role(kind, key).expect("a role-bound signed section")
}

/// Who may sign the section `path` (`review`, `extra_review[1]`,
/// `investigation`) of a record of `kind` whose file holds `record`,
/// whether or not the section is written yet, or valid: what `docket
/// sign` checks before it writes one. `Err` says why no one may: `path`
/// is not a signed section of that kind, or the department it belongs to
/// is missing.
pub fn signer_for(kind: Kind, path: &str, record: &toml::Table) -> Result<Signer, String> {
    if let Some(signer) = by_role(kind, path) {
        return Ok(signer);
    }
    let department = |table: &toml::Table, key: &str, what: &str| {
        let name = table.get(key).and_then(|v| v.as_str());
        Department::ALL
            .iter()
            .find(|d| Some(d.as_str()) == name)
            .map(|d| Signer::Department(*d))
            .ok_or_else(|| {
                format!("{what} names no department (`{key}`), so no one can sign it yet")
            })
    };
    match (kind, path) {
        (Kind::Capa, "investigation") => department(record, "responsible_department", "the CAPA"),
        (Kind::Order, _) => {
            let i: usize = path
                .strip_prefix("extra_review[")
                .and_then(|p| p.strip_suffix(']'))
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| not_signed(kind, path))?;
            let entry = record
                .get("extra_review")
                .and_then(|v| v.as_array())
                .and_then(|a| a.get(i))
                .and_then(|v| v.as_table())
                .ok_or_else(|| {
                    format!("there is no [[extra_review]] number {i} (counting from 0)")
                })?;
            department(entry, "department", "the extra review")
        }
        _ => Err(not_signed(kind, path)),
    }
}

fn not_signed(kind: Kind, path: &str) -> String {
    let keys: Vec<&str> = SIGNED
        .iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, key)| match *key {
            "extra_review" => "extra_review[N]",
            key => key,
        })
        .collect();
    if keys.is_empty() {
        format!("{} records have no signed sections", kind.name())
    } else {
        format!(
            "\"{path}\" is not a signed section; those of {} records are {}",
            kind.name(),
            keys.join(", ")
        )
    }
}

impl Model {
    /// Every signed section in the model, record by record.
    pub fn signed_sections(&self) -> Vec<Signed<'_>> {
        let mut out = Vec::new();
        collect(self, &mut out);
        out
    }
}

fn collect<'m>(m: &'m Model, out: &mut Vec<Signed<'m>>) {
    let mut push =
        |meta: &'m Meta, path: String, sign: &'m Sign, signer: Signer, meaning: String| {
            out.push(Signed {
                meta,
                path,
                sign,
                signer,
                meaning,
            });
        };
    for o in m.orders.iter() {
        if let Some(r) = &o.review {
            push(
                o.meta(),
                "review".into(),
                &r.sign,
                role(Kind::Order, "review"),
                format!("order review: {}", r.decision.value),
            );
        }
        for (i, x) in o.extra_review.iter().enumerate() {
            push(
                o.meta(),
                format!("extra_review[{i}]"),
                &x.sign,
                Signer::Department(x.department.value),
                format!("extra review ({}): {}", x.department.value, x.result.value),
            );
        }
    }
    for f in m.flowsheets.iter() {
        if let Some(s) = &f.gm_signed {
            push(
                f.meta(),
                "gm_signed".into(),
                s,
                role(Kind::Flowsheet, "gm_signed"),
                "flow sheet signed by the GM (oral order)".into(),
            );
        }
    }
    for c in m.capa.iter() {
        if let Some(s) = &c.investigation {
            push(
                c.meta(),
                "investigation".into(),
                &s.sign,
                Signer::Department(c.responsible_department.value),
                "CAPA investigation: cause and countermeasure".into(),
            );
        }
        if let Some(s) = &c.verification {
            let result = if *s.effective {
                "effective"
            } else {
                "not effective"
            };
            push(
                c.meta(),
                "verification".into(),
                &s.sign,
                role(Kind::Capa, "verification"),
                format!("CAPA verification: {result}"),
            );
        }
        if let Some(s) = &c.confirmation {
            push(
                c.meta(),
                "confirmation".into(),
                s,
                role(Kind::Capa, "confirmation"),
                "CAPA confirmation by the GM".into(),
            );
        }
        if let Some(s) = &c.feedback {
            push(
                c.meta(),
                "feedback".into(),
                &s.sign,
                role(Kind::Capa, "feedback"),
                "CAPA feedback to the customer".into(),
            );
        }
    }
    for s in m.surveys.iter() {
        if let Some(a) = &s.analysis {
            push(
                s.meta(),
                "analysis".into(),
                &a.sign,
                role(Kind::Survey, "analysis"),
                "survey analysis".into(),
            );
        }
    }
    for p in m.property.iter() {
        if let Some(v) = &p.verified {
            push(
                p.meta(),
                "verified".into(),
                v,
                role(Kind::Property, "verified"),
                "customer property verified".into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{FileRole, Loaded, parse_bytes};

    /// A record of each signable kind with every signed section filled in:
    /// the typed walk must find exactly the sections of [`SIGNED`].
    #[test]
    fn the_walk_finds_every_signed_section_and_no_other() {
        let sign = "by = \"p\"\ndate = 2026-01-02\n";
        let files = [
            (
                Kind::Order,
                "orders/2026/SO-2026-0001.toml",
                format!(
                    "id = \"SO-2026-0001\"\ncustomer = \"C-0001\"\nchannel = \"fax\"\n\
                     received = 2026-01-01\nowner = \"p\"\nlegible = true\n\
                     [[line]]\npart_number = \"X-1\"\nproduct = \"x\"\nspec = \"x\"\n\
                     quantity = 1\ndelivery = 2026-02-01\n\
                     [[extra_review]]\ndepartment = \"rnd\"\nresult = \"feasible\"\n{sign}\
                     [review]\ndecision = \"approved\"\n{sign}"
                ),
            ),
            (
                Kind::Flowsheet,
                "flowsheets/2026/MF-2026-0001.toml",
                format!(
                    "id = \"MF-2026-0001\"\norder = \"SO-2026-0001\"\nissued = 2026-01-03\n\
                     by = \"p\"\n[[line]]\npart_number = \"X-1\"\nquantity = 1\n\
                     due = 2026-02-01\n[gm_signed]\n{sign}"
                ),
            ),
            (
                Kind::Capa,
                "capa/2026/CAPA-2026-0001.toml",
                format!(
                    "id = \"CAPA-2026-0001\"\nkind = \"corrective\"\nsource = \"internal\"\n\
                     opened = 2026-01-01\nopened_by = \"p\"\ndescription = \"d\"\n\
                     responsible_department = \"qc\"\n\
                     [investigation]\nroot_cause = \"r\"\ncountermeasure = \"c\"\n{sign}\
                     [verification]\neffective = true\n{sign}[confirmation]\n{sign}\
                     [feedback]\n{sign}"
                ),
            ),
            (
                Kind::Survey,
                "surveys/2026/SV-2026-0001.toml",
                format!(
                    "id = \"SV-2026-0001\"\ncustomer = \"C-0001\"\nyear = 2026\n\
                     sent = 2026-01-01\nsent_by = \"p\"\n[analysis]\n{sign}[feedback]\n{sign}"
                ),
            ),
            (
                Kind::Property,
                "property/2026/CP-2026-0001.toml",
                format!(
                    "id = \"CP-2026-0001\"\ncustomer = \"C-0001\"\nitem = \"i\"\n\
                     received = 2026-01-01\ncustodian = \"p\"\nlocation = \"l\"\n\
                     [verified]\n{sign}"
                ),
            ),
        ];
        let loaded = Loaded {
            records: files
                .iter()
                .map(|(kind, rel, text)| {
                    parse_bytes(rel.to_string(), FileRole::Record(*kind), text.as_bytes())
                        .expect("valid TOML")
                })
                .collect(),
            ..Loaded::default()
        };
        let (model, findings) = crate::model::build(loaded);
        assert_eq!(model.record_count(), files.len(), "{findings:#?}");
        // `docket sign` asks `signer_for` (from the file), the rules ask
        // the typed walk: they agree on every section.
        for s in model.signed_sections() {
            let text = &files.iter().find(|f| f.1 == s.meta.file).unwrap().2;
            let table: toml::Table = toml::from_str(text).unwrap();
            assert_eq!(
                signer_for(s.meta.kind, &s.path, &table),
                Ok(s.signer),
                "{}",
                s.path
            );
        }
        assert!(signer_for(Kind::Order, "delivery", &toml::Table::new()).is_err());
        assert!(signer_for(Kind::Customer, "review", &toml::Table::new()).is_err());
        let mut found: Vec<(Kind, String)> = model
            .signed_sections()
            .iter()
            .map(|s| {
                (
                    s.meta.kind,
                    s.path.split('[').next().unwrap_or_default().to_string(),
                )
            })
            .collect();
        found.sort();
        let mut want: Vec<(Kind, String)> = SIGNED
            .iter()
            .map(|(k, key)| (*k, key.to_string()))
            .collect();
        want.sort();
        assert_eq!(found, want);
    }
}
