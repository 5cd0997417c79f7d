//! Order and flow-sheet rules (4.2-4.4).

use super::context::{Context, Sink};
use crate::model::{Channel, Decision, Flowsheet, OralPath, ProductStatus, Record, days_between};
use std::collections::BTreeMap;

/// `line-mismatch` (4.2.1 C; 1): one product, one part number. An order
/// line must name its part number's registered product and spec exactly,
/// and an open order must not order an obsolete part.
pub fn line_mismatch(cx: &Context, out: &mut Sink) {
    for o in cx.model.orders.iter() {
        for (i, line) in o.lines.iter().enumerate() {
            let Some(p) = cx.model.products.get(&line.part_number) else {
                continue;
            };
            if line.product.trim() != p.name.trim() {
                out.at(
                    o,
                    line.product.pos,
                    format!(
                        "line {}: product \"{}\" differs from the registry's name for {}: \"{}\"",
                        i + 1,
                        line.product.value,
                        p.id(),
                        p.name.value
                    ),
                );
            }
            if line.spec.trim() != p.spec.trim() {
                out.at(
                    o,
                    line.spec.pos,
                    format!(
                        "line {}: spec \"{}\" differs from the registry's spec for {}: \"{}\"",
                        i + 1,
                        line.spec.value,
                        p.id(),
                        p.spec.value
                    ),
                );
            }
            if *p.status == ProductStatus::Obsolete && cx.model.order_status(o).is_open() {
                out.at(
                    o,
                    line.part_number.pos,
                    format!(
                        "line {}: part {} is obsolete and cannot be ordered",
                        i + 1,
                        p.id()
                    ),
                );
            }
        }
    }
}

/// `review-missing` (4.2.1): the GM reviews every order within
/// `review_within_days` of receipt (or of its last change), counted to the
/// later of the review's written date and the day it was signed; and not
/// before the order came.
pub fn review_missing(cx: &Context, out: &mut Sink) {
    let days = i64::from(cx.model.config.policy.review_within_days);
    for o in cx.model.orders.iter() {
        if o.cancelled.is_some() {
            continue;
        }
        match &o.review {
            None => {
                let waited = days_between(*o.received, cx.as_of);
                if waited > days {
                    out.at(
                        o,
                        o.received.pos,
                        format!(
                            "received {} and not reviewed after {waited} days (due within {days})",
                            o.received.value
                        ),
                    );
                }
            }
            Some(r) => {
                let written = *r.sign.date;
                if written < *o.received {
                    out.at(
                        o,
                        r.sign.date.pos,
                        format!(
                            "the review is dated {written}, before the order was received on {}: \
                             a review cannot come before the order it reviews; date it the day it \
                             was made",
                            o.received.value
                        ),
                    );
                    continue;
                }
                // Counted to the later of the written date and the day the
                // review was signed (committed).
                let at = cx.effective_date(o.meta(), "review", written);
                let since = o.review_clock(at);
                let took = days_between(since.0, at);
                if took > days {
                    let signed = if at > written {
                        format!(
                            ": the review is dated {written} but was signed (committed) on {at}"
                        )
                    } else {
                        String::new()
                    };
                    out.at(
                        o,
                        r.sign.date.pos,
                        format!(
                            "reviewed {took} days after {} (due within {days}){signed}",
                            since.1
                        ),
                    );
                }
            }
        }
    }
}

/// `capacity-missing` (4.2.1 D): a reviewed order records stock, whether
/// manufacturing can make the rest and whether materials are ready; a new
/// product also needs R&D's design record.
pub fn capacity_missing(cx: &Context, out: &mut Sink) {
    for o in cx.model.orders.iter() {
        let Some(review) = &o.review else { continue };
        match &o.capacity {
            None => out.at(
                o,
                review.sign.pos,
                "the order is reviewed but has no [capacity] (stock, producible, materials_ready, new_product)",
            ),
            Some(c) if *c.new_product && c.design_record.as_ref().is_none_or(|d| d.trim().is_empty()) => out.at(
                o,
                c.new_product.pos,
                "a new product needs R&D's `design_record` to show technical feasibility",
            ),
            Some(_) => {}
        }
    }
}

/// `illegible-approved` (4.2.1 A): an order that cannot be read cannot be
/// approved.
pub fn illegible_approved(cx: &Context, out: &mut Sink) {
    for o in cx.model.orders.iter() {
        if o.is_approved() && !*o.legible {
            out.at(
                o,
                o.legible.pos,
                "approved although marked `legible = false`",
            );
        }
    }
}

/// `oral-order` (4.2.3): oral orders are refused unless one of the three
/// exception paths is followed and evidenced.
pub fn oral_order(cx: &Context, out: &mut Sink) {
    for o in cx.model.orders.iter() {
        let oral = *o.channel == Channel::Oral;
        match (&o.oral, oral) {
            (None, true) if o.cancelled.is_none() => out.at(
                o,
                o.channel.pos,
                "an oral order needs an [oral] table naming its path \
                 (gm-signed-flowsheet, customer-confirmed-flowsheet or written-order)",
            ),
            (Some(p), false) => out.at(
                o,
                p.pos,
                format!(
                    "[oral] is only for oral orders; this order came by {}",
                    o.channel.value
                ),
            ),
            (Some(p), true) if o.cancelled.is_none() => {
                let sheets = cx.model.flowsheets_of(o.id());
                match *p.path {
                    OralPath::GmSignedFlowsheet if !sheets.iter().any(|f| f.gm_signed.is_some()) => out.at(
                        o,
                        p.path.pos,
                        "path gm-signed-flowsheet, but no flow sheet of this order has [gm_signed]",
                    ),
                    OralPath::CustomerConfirmedFlowsheet if !sheets.iter().any(|f| f.customer_confirmed.is_some()) => {
                        out.at(
                            o,
                            p.path.pos,
                            "path customer-confirmed-flowsheet, but no flow sheet of this order has [customer_confirmed]",
                        )
                    }
                    OralPath::WrittenOrder => {
                        let due = p.written_order_due.as_ref().map_or_else(
                            || {
                                o.received.saturating_add(jiff::Span::new().days(i64::from(
                                    cx.model.config.policy.oral_confirmation_days,
                                )))
                            },
                            |d| d.value,
                        );
                        match &p.written_order_received {
                            None if cx.as_of > due => out.at(
                                o,
                                p.path.pos,
                                format!("the written order was due {due} and has not been received"),
                            ),
                            Some(got) if got.value > due => out.at(
                                o,
                                got.pos,
                                format!("the written order came {}, after its due date {due}", got.value),
                            ),
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// `flowsheet-missing` (4.2.2 B): an approved order gets a manufacturing
/// flow sheet to schedule production.
pub fn flowsheet_missing(cx: &Context, out: &mut Sink) {
    for o in cx.model.orders.iter() {
        if o.is_approved() && o.cancelled.is_none() && cx.model.flowsheets_of(o.id()).is_empty() {
            let pos = o.review.as_ref().map_or(o.meta.id.pos, |r| r.decision.pos);
            out.at(o, pos, "approved, but no flow sheet has been issued for it");
        }
    }
}

/// `produced-unapproved` (4.2.2): production starts only after approval.
/// A GM-signed flow sheet of an oral order (4.2.3 path 1) is its own
/// approval; a customer-confirmed sheet (path 2) exists before the review
/// by design and is flagged only if the order is then rejected.
pub fn produced_unapproved(cx: &Context, out: &mut Sink) {
    for f in cx.model.flowsheets.iter() {
        let Some(o) = cx.model.orders.get(&f.order) else {
            continue;
        };
        let path = o
            .oral
            .as_ref()
            .filter(|_| *o.channel == Channel::Oral)
            .map(|p| *p.path);
        if path == Some(OralPath::GmSignedFlowsheet) && f.gm_signed.is_some() {
            continue;
        }
        let confirmed_path =
            path == Some(OralPath::CustomerConfirmedFlowsheet) && f.customer_confirmed.is_some();
        match &o.review {
            Some(r) if *r.decision == Decision::Approved => {
                // Approved when the review was signed, if later than its
                // written date.
                let approved = cx.effective_date(o.meta(), "review", *r.sign.date);
                // A changed order is reviewed again (4.2.2, 4.4); a sheet
                // issued before that change was issued under the earlier
                // approval, which the current review replaced.
                let before_rereview = o
                    .change
                    .iter()
                    .any(|c| *c.date > *f.issued && *c.date <= approved);
                if *f.issued < approved && !confirmed_path && !before_rereview {
                    out.at(
                        f,
                        f.issued.pos,
                        format!(
                            "issued {}, before order {} was approved on {approved}",
                            f.issued.value,
                            o.id(),
                        ),
                    );
                }
            }
            None if confirmed_path => {}
            _ => out.at(
                f,
                f.order.pos,
                format!(
                    "order {} is not approved, so it must not be produced",
                    o.id()
                ),
            ),
        }
    }
}

/// Quantity per part number, to compare an order with its flow sheet
/// regardless of line order.
fn quantities<'a>(lines: impl Iterator<Item = (&'a str, u32)>) -> BTreeMap<&'a str, u64> {
    let mut m = BTreeMap::new();
    for (pn, q) in lines {
        *m.entry(pn).or_insert(0) += u64::from(q);
    }
    m
}

/// `flowsheet-outdated` (4.4): after an order changes, the flow sheet is
/// reissued; its latest revision must carry the order's part numbers and
/// quantities and postdate every change.
pub fn flowsheet_outdated(cx: &Context, out: &mut Sink) {
    for o in cx.model.orders.iter() {
        if o.cancelled.is_some() {
            continue;
        }
        let sheets = cx.model.flowsheets_of(o.id());
        let Some(latest): Option<&Flowsheet> = sheets.last().copied() else {
            continue;
        };
        let want = quantities(
            o.lines
                .iter()
                .map(|l| (l.part_number.as_str(), *l.quantity)),
        );
        let have = quantities(
            latest
                .lines
                .iter()
                .map(|l| (l.part_number.as_str(), *l.quantity)),
        );
        if want != have {
            let show = |m: &BTreeMap<&str, u64>| {
                m.iter()
                    .map(|(p, q)| format!("{p} x{q}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.at(
                latest,
                latest.revision.pos,
                format!(
                    "revision {} lists {}, but order {} now has {}; reissue the flow sheet",
                    latest.revision.value,
                    show(&have),
                    o.id(),
                    show(&want)
                ),
            );
        }
        for c in o.change.iter().filter(|c| *c.date > *latest.issued) {
            out.at(
                latest,
                latest.issued.pos,
                format!(
                    "order {} changed on {}, after this sheet (revision {}) was issued on {}; reissue it",
                    o.id(),
                    c.date.value,
                    latest.revision.value,
                    latest.issued.value
                ),
            );
        }
    }
}

/// `change-unnotified` (4.4): every change is notified in writing to the
/// departments concerned.
pub fn change_unnotified(cx: &Context, out: &mut Sink) {
    for o in cx.model.orders.iter() {
        for (i, c) in o.change.iter().enumerate() {
            if c.notified.as_ref().is_none_or(|n| n.is_empty()) {
                out.at(
                    o,
                    c.pos,
                    format!(
                        "change {} ({}) notified no department; list them in `notified`",
                        i + 1,
                        c.date.value
                    ),
                );
            }
        }
    }
}

/// `overdue` (4.3.2): a line whose delivery date has passed undelivered.
pub fn overdue(cx: &Context, out: &mut Sink) {
    for o in cx.model.orders.iter() {
        for line in cx.model.overdue_lines(o, cx.as_of) {
            out.at(
                o,
                line.delivery.pos,
                format!(
                    "{} x{} was due {}, {} ago, and is not delivered",
                    line.part_number.value,
                    line.quantity.value,
                    line.delivery.value,
                    crate::words::count(days_between(*line.delivery, cx.as_of), "day")
                ),
            );
        }
    }
}

/// `risk-unhandled` (4.3.2): a threatened delivery needs an action.
pub fn risk_unhandled(cx: &Context, out: &mut Sink) {
    for o in cx.model.orders.iter() {
        for f in &o.followup {
            if f.risk && f.action.as_ref().is_none_or(|a| a.trim().is_empty()) {
                out.at(
                    o,
                    f.pos,
                    format!(
                        "follow-up of {} flags a delivery risk but records no `action`",
                        f.date.value
                    ),
                );
            }
        }
    }
}
