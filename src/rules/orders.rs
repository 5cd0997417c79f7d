//! Order and flow-sheet rules (4.2-4.4).

use super::context::{Context, Sink};
use crate::finding::Message;
use crate::model::{Channel, Decision, Flowsheet, OralPath, ProductStatus, Record, days_between};
use crate::{lexicon, msg};
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
                    msg!(
                        "line {n}: product \"{given}\" differs from the registry's name for {pn}: \"{name}\"",
                        "第 {n} 項：品名「{given}」與料號 {pn} 登錄的品名「{name}」不符";
                        n = i + 1,
                        given = &line.product.value,
                        pn = p.id(),
                        name = &p.name.value
                    ),
                );
            }
            if line.spec.trim() != p.spec.trim() {
                out.at(
                    o,
                    line.spec.pos,
                    msg!(
                        "line {n}: spec \"{given}\" differs from the registry's spec for {pn}: \"{spec}\"",
                        "第 {n} 項：規格「{given}」與料號 {pn} 登錄的規格「{spec}」不符";
                        n = i + 1,
                        given = &line.spec.value,
                        pn = p.id(),
                        spec = &p.spec.value
                    ),
                );
            }
            if *p.status == ProductStatus::Obsolete && cx.model.order_status(o).is_open() {
                out.at(
                    o,
                    line.part_number.pos,
                    msg!(
                        "line {n}: part {pn} is obsolete and cannot be ordered",
                        "第 {n} 項：料號 {pn} 已停用，不得訂購";
                        n = i + 1,
                        pn = p.id()
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
                        msg!(
                            "received {received} and not reviewed after {waited} days (due within {days})",
                            "{received} 收單，{waited} 天後仍未審查（期限 {days} 天）";
                            received = &o.received.value
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
                        msg!(
                            "the review is dated {written}, before the order was received on {received}: \
                             a review cannot come before the order it reviews; date it the day it \
                             was made",
                            "審查日期為 {written}，早於訂單收單日 {received}：審查不可能早於所審查的訂單；\
                             請填寫實際審查的日期";
                            received = &o.received.value
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
                        msg!(
                            ": the review is dated {written} but was signed (committed) on {at}",
                            "：審查日期為 {written}，但於 {at} 才簽核（提交）"
                        )
                    } else {
                        Message::default()
                    };
                    out.at(
                        o,
                        r.sign.date.pos,
                        msg!(
                            "reviewed {took} days after {since_en} (due within {days}){signed_en}",
                            "於{since_zh}後 {took} 天才審查（期限 {days} 天）{signed_zh}";
                            since_en = since.1,
                            since_zh = if since.1 == "receipt" { "收單" } else { "最近一次變更" },
                            signed_en = &signed.en,
                            signed_zh = &signed.zh
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
                msg!(
                    "the order is reviewed but has no [capacity] (stock, producible, materials_ready, new_product)",
                    "訂單已審查，但沒有產能評估 [capacity]（庫存 stock、可生產 producible、材料齊備 materials_ready、新產品 new_product）"
                ),
            ),
            Some(c) if *c.new_product && c.design_record.as_ref().is_none_or(|d| d.trim().is_empty()) => out.at(
                o,
                c.new_product.pos,
                msg!(
                    "a new product needs R&D's `design_record` to show technical feasibility",
                    "新產品需要研發的設計紀錄 `design_record` 證明技術可行"
                ),
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
                msg!(
                    "approved although marked `legible = false`",
                    "已核准，但標示為字跡不清 `legible = false`"
                ),
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
                msg!(
                    "an oral order needs an [oral] table naming its path \
                     (gm-signed-flowsheet, customer-confirmed-flowsheet or written-order)",
                    "口頭訂單需要 [oral] 表格寫明處理途徑（gm-signed-flowsheet 總經理簽核製造流程單、\
                     customer-confirmed-flowsheet 客戶確認製造流程單，或 written-order 補書面訂單）"
                ),
            ),
            (Some(p), false) => out.at(
                o,
                p.pos,
                msg!(
                    "[oral] is only for oral orders; this order came by {channel}",
                    "[oral] 僅適用於口頭訂單；此訂單的接單方式為{zh}";
                    channel = &o.channel.value,
                    zh = lexicon::value(o.channel.as_str())
                ),
            ),
            (Some(p), true) if o.cancelled.is_none() => {
                let sheets = cx.model.flowsheets_of(o.id());
                match *p.path {
                    OralPath::GmSignedFlowsheet if !sheets.iter().any(|f| f.gm_signed.is_some()) => out.at(
                        o,
                        p.path.pos,
                        msg!(
                            "path gm-signed-flowsheet, but no flow sheet of this order has [gm_signed]",
                            "途徑為 gm-signed-flowsheet，但此訂單沒有任何製造流程單有總經理簽核 [gm_signed]"
                        ),
                    ),
                    OralPath::CustomerConfirmedFlowsheet if !sheets.iter().any(|f| f.customer_confirmed.is_some()) => {
                        out.at(
                            o,
                            p.path.pos,
                            msg!(
                                "path customer-confirmed-flowsheet, but no flow sheet of this order has [customer_confirmed]",
                                "途徑為 customer-confirmed-flowsheet，但此訂單沒有任何製造流程單有客戶確認 [customer_confirmed]"
                            ),
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
                                msg!(
                                    "the written order was due {due} and has not been received",
                                    "書面訂單應於 {due} 前收到，至今未收到"
                                ),
                            ),
                            Some(got) if got.value > due => out.at(
                                o,
                                got.pos,
                                msg!(
                                    "the written order came {got}, after its due date {due}",
                                    "書面訂單於 {got} 才收到，晚於期限 {due}";
                                    got = &got.value
                                ),
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
            out.at(
                o,
                pos,
                msg!(
                    "approved, but no flow sheet has been issued for it",
                    "已核准，但尚未開立製造流程單"
                ),
            );
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
                        msg!(
                            "issued {issued}, before order {order} was approved on {approved}",
                            "開立日 {issued}，早於訂單 {order} 的核准日 {approved}";
                            issued = &f.issued.value,
                            order = o.id()
                        ),
                    );
                }
            }
            None if confirmed_path => {}
            _ => out.at(
                f,
                f.order.pos,
                msg!(
                    "order {order} is not approved, so it must not be produced",
                    "訂單 {order} 未核准，不得生產";
                    order = o.id()
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
                msg!(
                    "revision {rev} lists {have}, but order {order} now has {want}; reissue the flow sheet",
                    "版次 {rev} 列為 {have}，但訂單 {order} 現為 {want}；請重新開立製造流程單";
                    rev = &latest.revision.value,
                    have = show(&have),
                    order = o.id(),
                    want = show(&want)
                ),
            );
        }
        for c in o.change.iter().filter(|c| *c.date > *latest.issued) {
            out.at(
                latest,
                latest.issued.pos,
                msg!(
                    "order {order} changed on {changed}, after this sheet (revision {rev}) was issued on {issued}; reissue it",
                    "訂單 {order} 於 {changed} 變更，晚於本流程單（版次 {rev}）的開立日 {issued}；請重新開立";
                    order = o.id(),
                    changed = &c.date.value,
                    rev = &latest.revision.value,
                    issued = &latest.issued.value
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
                    msg!(
                        "change {n} ({date}) notified no department; list them in `notified`",
                        "第 {n} 次變更（{date}）未通知任何部門；請在 `notified` 列出通知的部門";
                        n = i + 1,
                        date = &c.date.value
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
                msg!(
                    "{pn} x{qty} was due {due}, {ago} ago, and is not delivered",
                    "{pn} x{qty} 交期為 {due}，已逾期 {days} 天仍未交貨";
                    pn = &line.part_number.value,
                    qty = &line.quantity.value,
                    due = &line.delivery.value,
                    days = days_between(*line.delivery, cx.as_of),
                    ago = crate::words::count(days, "day")
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
                    msg!(
                        "follow-up of {date} flags a delivery risk but records no `action`",
                        "{date} 的追蹤紀錄標示交期風險，但沒有記錄處置 `action`";
                        date = &f.date.value
                    ),
                );
            }
        }
    }
}
