//! Customer, product, property and usage-report rules.

use super::context::{Context, Sink};
use crate::model::Record;
use crate::{lexicon, msg};
use std::collections::HashMap;

/// `customer-incomplete` (4.2.1 B): the order review checks the customer's
/// address, contact and phone, so the customer list must have them.
pub fn customer_incomplete(cx: &Context, out: &mut Sink) {
    for c in cx.model.customers.iter() {
        let missing: Vec<&str> = [
            ("address", &c.address),
            ("contact", &c.contact),
            ("phone", &c.phone),
        ]
        .into_iter()
        .filter(|(_, v)| v.as_ref().is_none_or(|v| v.trim().is_empty()))
        .map(|(k, _)| k)
        .collect();
        if !missing.is_empty() {
            out.at(
                c,
                c.name.pos,
                msg!(
                    "customer has no {en}",
                    "客戶缺少{zh}";
                    en = missing.join(", "),
                    zh = missing
                        .iter()
                        .map(|k| lexicon::field_zh(k).unwrap_or(k))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            );
        }
    }
}

/// `part-number-unique` (1): one product, one part number. Two part
/// numbers for the same name and spec split the product's history.
/// (The same part number in two files is reported here too, by the model.)
pub fn part_number_unique(cx: &Context, out: &mut Sink) {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let mut seen: HashMap<(String, String), &str> = HashMap::new();
    for p in cx.model.products.iter() {
        let key = (norm(&p.name), norm(&p.spec));
        match seen.get(&key) {
            Some(first) => out.at(
                p,
                p.name.pos,
                msg!(
                    "same name and spec as part number {first}: one product must have one part number",
                    "品名與規格和料號 {first} 相同：一項產品只能有一個料號"
                ),
            ),
            None => {
                seen.insert(key, p.id());
            }
        }
    }
}

/// `property-unverified` (4.7): customer property is identified and
/// verified on receipt.
pub fn property_unverified(cx: &Context, out: &mut Sink) {
    for p in cx.model.property.iter() {
        if p.verified.is_none() {
            out.at(
                p,
                p.received.pos,
                msg!(
                    "received but not verified: add [verified] with by and date",
                    "已收到但未驗證：請加上驗證 [verified]，寫明簽核人 by 與日期 date"
                ),
            );
        }
    }
}

/// `property-incident-unreported` (4.7): damage, loss or unsuitability is
/// reported to the customer at once.
pub fn property_incident_unreported(cx: &Context, out: &mut Sink) {
    for p in cx.model.property.iter() {
        for i in &p.incidents {
            if i.reported_to_customer.is_none() {
                out.at(
                    p,
                    i.pos,
                    msg!(
                        "{kind} on {date} was not reported to the customer (`reported_to_customer`)",
                        "{date} 的{zkind}異常未通知客戶（`reported_to_customer`）";
                        kind = &i.kind.value,
                        zkind = lexicon::value(i.kind.as_str()),
                        date = &i.date.value
                    ),
                );
            }
        }
    }
}

/// `complaint-without-capa` (4.5.2): a complaint in a usage report is
/// written on a CAPA form.
pub fn complaint_without_capa(cx: &Context, out: &mut Sink) {
    for r in cx.model.reports.iter() {
        if r.complaint && r.capa.is_none() {
            out.at(
                r,
                r.meta().id.pos,
                msg!(
                    "the report records a complaint but names no `capa`",
                    "報告記載客訴，但沒有指明 CAPA（`capa`）"
                ),
            );
        }
    }
}
