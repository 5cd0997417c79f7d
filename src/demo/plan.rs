//! Planning the demo's two years: what happens to which record, when, and
//! by whom. Planning decides everything up front from the seed; the events
//! are then played in time order (see `play.rs`), so the history reads like
//! a real company's: interleaved orders, CAPAs and surveys.

use super::cast::{self, CHEN, GM, HE, LI, MFG, QC};
use jiff::civil::{Date, date};

pub const START: Date = date(2025, 1, 6);
/// The demo's "today": every finding is computed as of this date.
pub const AS_OF: Date = date(2026, 11, 20);

pub fn add(d: Date, days: i64) -> Date {
    d.saturating_add(jiff::Span::new().days(days))
}

/// Move a weekend date to the next Monday: nobody signs on Sunday.
pub fn workday(d: Date) -> Date {
    match d.weekday().to_monday_one_offset() {
        6 => add(d, 2),
        7 => add(d, 1),
        _ => d,
    }
}

/// A lapse planted on purpose so the site shows the procedure catching it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lapse {
    /// Quantity changed after approval, change recorded, not re-reviewed.
    StaleApproval,
    /// Quantity changed after approval with no [[change]] entry.
    UnrecordedChange,
    /// Delivery date passed, not delivered.
    Overdue,
    /// The GM's review committed without an SSH signature.
    UnsignedApproval,
    /// Oral order whose written confirmation never came.
    OralNeverConfirmed,
    /// The GM reviewed days after the deadline and wrote a date inside it:
    /// the signing commit's time gives him away (signature-time, and
    /// review-missing measured at the signing date).
    BackdatedReview,
}

/// Days after receipt the backdated review is really signed: well past
/// the demo's `review_within_days = 3`.
pub const BACKDATED_BY: i64 = 12;

/// When sales slips a key into the GM's people.toml entry (a governance
/// lapse: she holds no governance role).
pub const KEY_SLIPPED: Date = date(2026, 10, 27);

pub struct OrderPlan {
    pub customer: usize,
    pub channel: &'static str,
    pub received: Date,
    pub owner: usize,
    pub lines: Vec<(usize, u32, Date)>,
    pub new_product: bool,
    pub approved: bool,
    pub review: Date,
    pub sheet: Option<Date>,
    /// (date, new quantity of line 0), re-review date, reissue date
    pub change: Option<(Date, u32, Option<Date>, Option<Date>)>,
    pub followup: Option<(Date, bool)>,
    pub delivered: Option<Date>,
    pub closed: Option<Date>,
    /// "gm-signed-flowsheet" or "written-order" for oral orders.
    pub oral_path: Option<&'static str>,
    pub lapse: Option<Lapse>,
    /// The date written in `[review]` when it differs from the day the
    /// review was signed (`review`): the backdated lapse.
    pub review_written: Option<Date>,
}

pub struct CapaPlan {
    pub customer: usize,
    pub source: &'static str,
    /// Index of the order, survey or report it comes from.
    pub from: Option<usize>,
    pub opened: Date,
    pub opened_by: usize,
    pub department: &'static str,
    /// Dates of investigation, verification, confirmation, feedback, closed.
    pub stages: [Date; 5],
    pub problem: usize,
}

pub struct SurveyPlan {
    pub customer: usize,
    pub year: i16,
    pub sent: Date,
    pub returned: Option<Date>,
    pub scores: [u8; 5],
    pub analysis: Option<Date>,
    pub capa: Option<usize>,
    pub feedback: Option<Date>,
}

pub struct PropertyPlan {
    pub customer: usize,
    pub received: Date,
    pub verified: Date,
    pub incident: Option<Date>,
    pub returned: Option<Date>,
    pub item: usize,
}

pub struct ReportPlan {
    pub customer: usize,
    pub date: Date,
    pub complaint: Option<usize>,
}

pub struct Plan {
    pub customers: usize,
    pub products: usize,
    pub orders: Vec<OrderPlan>,
    pub capas: Vec<CapaPlan>,
    pub surveys: Vec<SurveyPlan>,
    pub property: Vec<PropertyPlan>,
    pub reports: Vec<ReportPlan>,
}

impl Plan {
    pub fn account_manager(&self, customer: usize) -> usize {
        if customer.is_multiple_of(2) { LI } else { CHEN }
    }
}

pub fn make(orders: usize, rng: &mut fastrand::Rng) -> Plan {
    let customers = (orders / 20).clamp(5, 400);
    let products = (orders / 8).clamp(8, 2000);
    let mut plan = Plan {
        customers,
        products,
        orders: Vec::new(),
        capas: Vec::new(),
        surveys: Vec::new(),
        property: Vec::new(),
        reports: Vec::new(),
    };
    let span = (AS_OF.since(START).map(|s| s.get_days()).unwrap_or(680) - 10) as usize;
    let lapses = [
        Lapse::StaleApproval,
        Lapse::UnrecordedChange,
        Lapse::Overdue,
        Lapse::UnsignedApproval,
        Lapse::OralNeverConfirmed,
    ];
    let regular = orders.saturating_sub(lapses.len());
    for i in 0..regular {
        let received = workday(add(START, (i * span / regular.max(1)) as i64));
        plan.orders.push(order(rng, &plan, received, None));
    }
    // The lapses happen in the last weeks, where a GM would see them.
    for (k, lapse) in lapses.into_iter().enumerate().take(orders) {
        let received = workday(add(AS_OF, -40 + 4 * k as i64));
        plan.orders.push(order(rng, &plan, received, Some(lapse)));
    }
    plan.orders.sort_by_key(|o| o.received);
    backdate_one_review(&mut plan);

    complaints(rng, &mut plan, orders);
    surveys(rng, &mut plan);
    for k in 0..(orders / 40 + 1) {
        let customer = rng.usize(..customers);
        let received = workday(add(START, rng.i64(0..span as i64 - 30)));
        let verified = workday(add(received, 1));
        let incident = (k % 4 == 1).then(|| workday(add(verified, rng.i64(5..20))));
        let returned = Some(add(received, rng.i64(60..200))).filter(|d| *d < AS_OF);
        plan.property.push(PropertyPlan {
            customer,
            received,
            verified,
            incident,
            returned,
            item: k,
        });
    }
    plan
}

fn order(rng: &mut fastrand::Rng, plan: &Plan, received: Date, lapse: Option<Lapse>) -> OrderPlan {
    let customer = rng.usize(..plan.customers);
    let channel = match (lapse, rng.u8(0..100)) {
        (Some(Lapse::OralNeverConfirmed), _) => "oral",
        (Some(_), _) => "email",
        (None, 0..40) => "website",
        (None, 40..60) => "fax",
        (None, 60..78) => "email",
        (None, 78..94) => "sales",
        (None, _) => "oral",
    };
    let owner = if received < add(cast::HE_LEFT, -90) && rng.u8(0..3) == 0 {
        HE
    } else {
        plan.account_manager(customer)
    };
    let due = add(received, rng.i64(25..60));
    let n_lines = 1 + usize::from(rng.u8(0..10) > 6) + usize::from(rng.u8(0..10) > 8);
    let mut parts: Vec<usize> = (0..n_lines).map(|_| rng.usize(..plan.products)).collect();
    parts.sort_unstable();
    parts.dedup();
    let lines: Vec<(usize, u32, Date)> = parts
        .into_iter()
        .map(|p| (p, 50 * rng.u32(1..40), due))
        .collect();
    let oral_path = (channel == "oral").then(|| {
        if lapse.is_some() || rng.bool() {
            "written-order"
        } else {
            "gm-signed-flowsheet"
        }
    });
    let review = workday(add(received, rng.i64(0..2)));
    // A GM-signed flow sheet (4.2.3 path 1) means the GM already agreed.
    let gm_path = oral_path == Some("gm-signed-flowsheet");
    let approved = lapse.is_some() || gm_path || rng.u8(0..100) >= 4;
    let sheet = approved.then(|| {
        if gm_path {
            received
        } else {
            workday(add(review, 1))
        }
    });
    // A change raises the first line's quantity by a fifth (and a bit).
    let raised = lines[0].1 + lines[0].1 / 5 + 50;
    let change = match lapse {
        Some(Lapse::StaleApproval | Lapse::UnrecordedChange) => {
            Some((workday(add(review, 6)), raised, None, None))
        }
        Some(_) => None,
        None if approved && !gm_path && rng.u8(0..100) < 12 && add(review, 12) < due => {
            let at = workday(add(review, 5));
            Some((
                at,
                raised,
                Some(workday(add(at, 1))),
                Some(workday(add(at, 2))),
            ))
        }
        None => None,
    };
    let followup =
        (approved && rng.u8(0..100) < 30).then(|| (workday(add(received, 12)), rng.u8(0..10) == 0));
    let (delivered, closed) = if lapse.is_some() || !approved {
        (None, None)
    } else if add(due, 3) < AS_OF {
        let d = workday(add(due, -rng.i64(0..3)));
        (Some(d), Some(workday(add(d, 7))).filter(|c| *c < AS_OF))
    } else {
        (None, None)
    };
    let lines = if lapse == Some(Lapse::Overdue) {
        lines_with_due(lines, add(AS_OF, -9))
    } else if lapse.is_some() {
        lines_with_due(lines, add(AS_OF, 30))
    } else {
        lines
    };
    let new_product = lapse.is_none() && rng.u8(0..100) < 6;
    OrderPlan {
        customer,
        channel,
        received,
        owner,
        lines,
        new_product,
        approved,
        review,
        sheet,
        change,
        followup,
        delivered,
        closed,
        oral_path,
        lapse,
        review_written: None,
    }
}

/// Turn one regular order, chosen without the random stream (so every
/// other part of the demo stays as it was), into the backdated review:
/// the first plain approved order received in the last four months whose
/// story has nothing else after the review for a while. Its review moves
/// to `BACKDATED_BY` days after receipt, the written date stays the
/// receipt day, and the flow sheet follows the real review.
fn backdate_one_review(plan: &mut Plan) {
    let from = add(AS_OF, -120);
    let Some(o) = plan.orders.iter_mut().find(|o| {
        o.lapse.is_none()
            && o.received >= from
            && o.approved
            && o.oral_path.is_none()
            && o.change.is_none()
            && o.followup.is_none()
            && !o.new_product
            && o.delivered
                .is_none_or(|d| d > add(o.received, BACKDATED_BY + 3))
    }) else {
        return;
    };
    o.lapse = Some(Lapse::BackdatedReview);
    o.review_written = Some(o.received);
    o.review = workday(add(o.received, BACKDATED_BY));
    o.sheet = Some(workday(add(o.review, 1)));
}

fn lines_with_due(lines: Vec<(usize, u32, Date)>, due: Date) -> Vec<(usize, u32, Date)> {
    lines.into_iter().map(|(p, q, _)| (p, q, due)).collect()
}

const DEPARTMENTS: [&str; 3] = ["manufacturing", "qc", "manufacturing"];

fn capa_stages(rng: &mut fastrand::Rng, opened: Date) -> [Date; 5] {
    let mut d = opened;
    let mut out = [opened; 5];
    for slot in &mut out {
        d = workday(add(d, rng.i64(2..6)));
        *slot = d;
    }
    out
}

/// Complaints from delivered orders and usage reports, each a CAPA.
fn complaints(rng: &mut fastrand::Rng, plan: &mut Plan, orders: usize) {
    let delivered: Vec<usize> = (0..plan.orders.len())
        .filter(|&i| plan.orders[i].delivered.is_some())
        .collect();
    for k in 0..(orders / 15 + 1) {
        let Some(&o) = delivered.get(rng.usize(..delivered.len().max(1))) else {
            break;
        };
        let order = &plan.orders[o];
        let opened = workday(add(
            order.delivered.unwrap_or(order.received),
            rng.i64(3..20),
        ));
        if opened >= AS_OF {
            continue;
        }
        plan.capas.push(CapaPlan {
            customer: order.customer,
            source: "complaint",
            from: Some(o),
            opened,
            opened_by: plan.account_manager(order.customer),
            department: DEPARTMENTS[k % 3],
            stages: capa_stages(rng, opened),
            problem: k,
        });
    }
    for k in 0..(orders / 20 + 1) {
        let customer = rng.usize(..plan.customers);
        let date = workday(add(START, rng.i64(20..600)));
        let complaint = (k % 5 == 2).then(|| {
            plan.capas.push(CapaPlan {
                customer,
                source: "usage-report",
                from: Some(plan.reports.len()),
                opened: date,
                opened_by: plan.account_manager(customer),
                department: "manufacturing",
                stages: capa_stages(rng, date),
                problem: k + 1,
            });
            plan.capas.len() - 1
        });
        plan.reports.push(ReportPlan {
            customer,
            date,
            complaint,
        });
    }
}

/// One survey per customer per year; a few under target get a CAPA, and in
/// the last year one under target is left waiting for its CAPA (a lapse).
fn surveys(rng: &mut fastrand::Rng, plan: &mut Plan) {
    for year in [2025i16, 2026] {
        for c in 0..plan.customers {
            let sent = workday(date(year, 1, 8 + (c % 12) as i8));
            let returned = workday(add(sent, rng.i64(10..25)));
            let lapse = year == 2026 && c == 1;
            let low = lapse || rng.u8(0..100) < 8;
            let scores = if low {
                [3, 3, 4, 3, 3]
            } else {
                [4 + rng.u8(0..2), 4, 4 + rng.u8(0..2), 4, 5]
            };
            let analysis = (!lapse).then(|| workday(add(returned, 5)));
            let capa = analysis.filter(|_| low).map(|at| {
                plan.capas.push(CapaPlan {
                    customer: c,
                    source: "survey",
                    from: Some(plan.surveys.len()),
                    opened: at,
                    opened_by: plan.account_manager(c),
                    department: "manufacturing",
                    stages: capa_stages(rng, at),
                    problem: 7,
                });
                plan.capas.len() - 1
            });
            let feedback = analysis.map(|a| workday(add(a, 7)));
            plan.surveys.push(SurveyPlan {
                customer: c,
                year,
                sent,
                returned: Some(returned),
                scores,
                analysis,
                capa,
                feedback,
            });
        }
    }
}

/// Who does each CAPA stage: the responsible department's member
/// investigates, QC verifies, the GM confirms, sales gives feedback.
pub fn capa_actor(stage: usize, department: &str, sales: usize) -> usize {
    match stage {
        0 if department == "qc" => QC,
        0 => MFG,
        1 => QC,
        2 => GM,
        _ => sales,
    }
}
