//! Rules that apply to every kind: references, attachments, signers.

use super::context::{Context, Sink};
use crate::finding::Message;
use crate::kind::Kind;
use crate::load::{Refused, attachment_path};
use crate::model::{At, Meta, Model, Record};
use crate::{lexicon, msg};

/// What a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Person,
    /// A record of this kind (customer, product, order, survey, report,
    /// CAPA).
    Record(Kind),
}

/// Every reference in the model: the record holding it, the field, and the
/// id it names.
pub fn references(m: &Model) -> Vec<(&Meta, &'static str, &At<String>, Target)> {
    use Target::{Person as P, Record as R};
    let mut out: Vec<(&Meta, &'static str, &At<String>, Target)> = Vec::new();
    for c in m.customers.iter() {
        out.push((c.meta(), "account_manager", &c.account_manager, P));
    }
    for p in m.products.iter() {
        if let Some(c) = &p.customer {
            out.push((p.meta(), "customer", c, R(Kind::Customer)));
        }
    }
    for o in m.orders.iter() {
        let meta = o.meta();
        out.push((meta, "customer", &o.customer, R(Kind::Customer)));
        out.push((meta, "owner", &o.owner, P));
        for l in &o.lines {
            out.push((meta, "line.part_number", &l.part_number, R(Kind::Product)));
        }
        for x in &o.extra_review {
            out.push((meta, "extra_review.by", &x.sign.by, P));
        }
        if let Some(r) = &o.review {
            out.push((meta, "review.by", &r.sign.by, P));
        }
        for c in &o.change {
            out.push((meta, "change.by", &c.by, P));
        }
        for f in &o.followup {
            out.push((meta, "followup.by", &f.by, P));
        }
    }
    for f in m.flowsheets.iter() {
        let meta = f.meta();
        out.push((meta, "order", &f.order, R(Kind::Order)));
        out.push((meta, "by", &f.by, P));
        for l in &f.lines {
            out.push((meta, "line.part_number", &l.part_number, R(Kind::Product)));
        }
        if let Some(s) = &f.gm_signed {
            out.push((meta, "gm_signed.by", &s.by, P));
        }
    }
    for c in m.capa.iter() {
        let meta = c.meta();
        for (field, r, t) in [
            ("customer", &c.customer, R(Kind::Customer)),
            ("order", &c.order, R(Kind::Order)),
            ("survey", &c.survey, R(Kind::Survey)),
            ("report", &c.report, R(Kind::Report)),
        ] {
            if let Some(r) = r {
                out.push((meta, field, r, t));
            }
        }
        out.push((meta, "opened_by", &c.opened_by, P));
        let signs = [
            (
                "investigation.by",
                c.investigation.as_ref().map(|s| &s.sign),
            ),
            ("verification.by", c.verification.as_ref().map(|s| &s.sign)),
            ("confirmation.by", c.confirmation.as_ref()),
            ("feedback.by", c.feedback.as_ref().map(|s| &s.sign)),
        ];
        for (field, s) in signs {
            if let Some(s) = s {
                out.push((meta, field, &s.by, P));
            }
        }
    }
    for s in m.surveys.iter() {
        let meta = s.meta();
        out.push((meta, "customer", &s.customer, R(Kind::Customer)));
        out.push((meta, "sent_by", &s.sent_by, P));
        if let Some(a) = &s.analysis {
            out.push((meta, "analysis.by", &a.sign.by, P));
            if let Some(c) = &a.capa {
                out.push((meta, "analysis.capa", c, R(Kind::Capa)));
            }
        }
        if let Some(f) = &s.feedback {
            out.push((meta, "feedback.by", &f.sign.by, P));
        }
    }
    for p in m.property.iter() {
        let meta = p.meta();
        out.push((meta, "customer", &p.customer, R(Kind::Customer)));
        out.push((meta, "custodian", &p.custodian, P));
        if let Some(v) = &p.verified {
            out.push((meta, "verified.by", &v.by, P));
        }
    }
    for r in m.reports.iter() {
        let meta = r.meta();
        out.push((meta, "customer", &r.customer, R(Kind::Customer)));
        out.push((meta, "by", &r.by, P));
        out.push((meta, "to", &r.to, P));
        if let Some(c) = &r.capa {
            out.push((meta, "capa", c, R(Kind::Capa)));
        }
    }
    out
}

/// `unknown-ref`: every customer, product, order, person, survey, report
/// and CAPA named by a record must exist. A record that exists on disk but
/// could not be read whole still counts as existing: its own findings say
/// what is wrong with it.
pub fn unknown_ref(cx: &Context, out: &mut Sink) {
    let m = cx.model;
    for (meta, field, target, kind) in references(m) {
        let exists = match kind {
            Target::Person => m.person(target).is_some(),
            Target::Record(k) => record_exists(m, k, target),
        };
        if !exists {
            let (what, zwhat) = match kind {
                Target::Person => ("person in people.toml".to_string(), "people.toml 中的人員"),
                Target::Record(k) => (format!("{} record", k.label()), k.label_zh()),
            };
            out.about(
                meta,
                Some(target.pos),
                msg!(
                    "`{field}` names {q}, but there is no such {what}",
                    "`{field}`（{zfield}）指明「{id}」，但沒有這筆{zwhat}";
                    q = quoted(target),
                    id = &target.value,
                    zfield = lexicon::path(field)
                ),
            );
        }
    }
}

/// Whether a record of `kind` has this id. An id of another kind does not
/// count (a flow sheet's `order = "C-0001"` names no order). A record that
/// is on disk but could not be read whole is judged by its id's shape.
fn record_exists(m: &Model, kind: Kind, id: &str) -> bool {
    m.known_ids.contains(kind, id)
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

/// `attachment-missing` (clause 6): every listed attachment must be a
/// file inside the records root. The loader's guard decided, once, for
/// the rule and the site alike (`Meta::found`); the finding says why the
/// file was refused.
pub fn attachment_missing(cx: &Context, out: &mut Sink) {
    for meta in cx.model.metas() {
        for (att, found) in meta.attachments.iter().zip(&meta.found) {
            let Err(why) = found else { continue };
            let advice = match why {
                Refused::Missing => match attachment_path(&meta.file, att) {
                    Ok(path) => msg!(
                        " (looked for {path}); add the file or fix the name",
                        "（找過 {path}）；請加入檔案或修正名稱"
                    ),
                    Err(_) => Message::default(),
                },
                Refused::Outside => {
                    msg!("; keep attachments beside the record", "；附件請放在紀錄旁")
                }
                _ => Message::default(),
            };
            let reason = why.reason();
            out.about(
                meta,
                Some(att.pos),
                msg!(
                    "attachment \"{name}\" {why_en}{advice_en}",
                    "附件「{name}」{why_zh}{advice_zh}";
                    name = &att.value,
                    why_en = &reason.en,
                    why_zh = &reason.zh,
                    advice_en = &advice.en,
                    advice_zh = &advice.zh
                ),
            );
        }
    }
}

/// `review-role` (3.3): every signed section must be signed by someone with
/// the role the clause requires, who had not left on the date signed. The
/// roles are those of the policy in force for the signature
/// ([`Context::signer`]): a role a person gave themselves without
/// governance never lets them sign.
pub fn review_role(cx: &Context, out: &mut Sink) {
    for s in cx.model.signed_sections() {
        let Some(person) = cx.signer(s.meta, &s.path, &s.sign.by) else {
            continue;
        };
        if !s.signer.allows(person) {
            out.about(
                s.meta,
                Some(s.sign.by.pos),
                msg!(
                    "`{path}` is signed by {id} ({roles}), but it needs {needs_en}",
                    "{zpath}由 {name}（{zroles}）簽核，但必須由{needs_zh}簽核";
                    path = &s.path,
                    zpath = lexicon::path(&s.path),
                    id = &person.id.value,
                    name = person.named(),
                    roles = person
                        .roles
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    zroles = person
                        .roles
                        .iter()
                        .map(|r| lexicon::value(r.as_str()))
                        .collect::<Vec<_>>()
                        .join("、"),
                    needs = s.signer.described(),
                    needs_en = &needs.en,
                    needs_zh = &needs.zh
                ),
            );
        }
        if !person.active_on(*s.sign.date) {
            out.about(
                s.meta,
                Some(s.sign.date.pos),
                msg!(
                    "`{path}` is dated {date}, after {id} left on {left}",
                    "{zpath}的日期為 {date}，晚於 {name} 的離職日 {left}";
                    path = &s.path,
                    zpath = lexicon::path(&s.path),
                    date = &s.sign.date.value,
                    id = &person.id.value,
                    name = person.named(),
                    left = person.left.map(|d| d.to_string()).unwrap_or_default()
                ),
            );
        }
    }
}
