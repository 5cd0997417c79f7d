//! Signed sections (docs/format.md; how they are proven: docs/history.md):
//! which tables are signatures, who may sign them, and what the signature
//! means.

use super::config::{Department, Person, Role};
use super::meta::{Meta, Record};
use super::read::Sign;
use super::records::Model;

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
        match self {
            Signer::Roles(roles) => {
                let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                format!("role {}", names.join(" or "))
            }
            Signer::Department(d) => format!("a member of department {d}"),
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
                Signer::Roles(GM),
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
                Signer::Roles(GM),
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
                Signer::Roles(QC),
                format!("CAPA verification: {result}"),
            );
        }
        if let Some(s) = &c.confirmation {
            push(
                c.meta(),
                "confirmation".into(),
                s,
                Signer::Roles(GM),
                "CAPA confirmation by the GM".into(),
            );
        }
        if let Some(s) = &c.feedback {
            push(
                c.meta(),
                "feedback".into(),
                &s.sign,
                Signer::Roles(SALES_OR_QC),
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
                Signer::Roles(SALES),
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
                Signer::Roles(SALES_OR_QC),
                "customer property verified".into(),
            );
        }
    }
}
