//! Playing the plan: every event, in time order, becomes one commit by the
//! person who did it, at the simulated date and time, SSH-signed with that
//! person's key (except where a lapse says otherwise).

use super::cast::{self, CUSTOMERS, GM, PEOPLE, RND, part};
use super::company::Company;
use super::git::{Author, Writer};
use super::plan::{self, AS_OF, Lapse, add};
use super::text::{
    CapaState, DOCKET_TOML, FlowState, Line, OrderState, Signed, SurveyState, customer_id,
    customer_toml, people_toml, q,
};
use crate::error::Result;
use jiff::civil::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Act {
    Setup,
    Catalogue,
    HeLeft,
    KeySlipped,
    Received(usize),
    WrittenOrder(usize),
    ExtraReview(usize),
    Review(usize),
    Sheet(usize),
    GmSign(usize),
    Change(usize),
    ReReview(usize),
    Reissue(usize),
    Followup(usize),
    Delivered(usize),
    Closed(usize),
    Capa(usize, usize),
    SurveySent(usize),
    SurveyReturned(usize),
    SurveyAnalysed(usize),
    SurveyFeedback(usize),
    PropertyIn(usize),
    PropertyVerified(usize),
    PropertyIncident(usize),
    PropertyOut(usize),
    Report(usize),
}

struct Event {
    date: Date,
    minute: u16,
    act: Act,
}

pub struct Played {
    pub commits: usize,
}

/// Ids are numbered per year in the order the records were created.
fn ids(prefix: &str, dates: &[Date]) -> Vec<String> {
    let mut order: Vec<usize> = (0..dates.len()).collect();
    order.sort_by_key(|&i| (dates[i], i));
    let mut out = vec![String::new(); dates.len()];
    let mut counters = std::collections::HashMap::new();
    for i in order {
        let y = dates[i].year();
        let n = counters.entry(y).or_insert(0u32);
        *n += 1;
        out[i] = format!("{prefix}-{y}-{:04}", n);
    }
    out
}

pub fn play(co: &Company, w: &mut Writer) -> Result<Played> {
    let p = co.plan;
    let mut events = vec![
        Event {
            date: plan::START,
            minute: 480,
            act: Act::Setup,
        },
        Event {
            date: plan::START,
            minute: 540,
            act: Act::Catalogue,
        },
        Event {
            date: cast::HE_LEFT,
            minute: 1000,
            act: Act::HeLeft,
        },
        Event {
            date: plan::KEY_SLIPPED,
            minute: 1010,
            act: Act::KeySlipped,
        },
    ];
    let mut ev = |date: Date, minute: u16, act: Act| {
        if date <= AS_OF {
            events.push(Event { date, minute, act });
        }
    };
    for (i, o) in p.orders.iter().enumerate() {
        let m = 540 + (i % 180) as u16;
        ev(o.received, m, Act::Received(i));
        if o.oral_path == Some("written-order") && o.lapse.is_none() {
            ev(
                plan::workday(add(o.received, 3)),
                m + 1,
                Act::WrittenOrder(i),
            );
        }
        if o.new_product {
            ev(o.review, m + 20, Act::ExtraReview(i));
        }
        ev(o.review, m + 40, Act::Review(i));
        if let Some(s) = o.sheet {
            ev(s, m + 60, Act::Sheet(i));
            if o.oral_path == Some("gm-signed-flowsheet") {
                ev(s, m + 61, Act::GmSign(i));
            }
        }
        if let Some((at, _, rr, ri)) = o.change {
            ev(at, m + 5, Act::Change(i));
            if let Some(d) = rr {
                ev(d, m + 45, Act::ReReview(i));
            }
            if let Some(d) = ri {
                ev(d, m + 65, Act::Reissue(i));
            }
        }
        if let Some((d, _)) = o.followup {
            ev(d, m + 70, Act::Followup(i));
        }
        if let Some(d) = o.delivered {
            ev(d, m + 80, Act::Delivered(i));
        }
        if let Some(d) = o.closed {
            ev(d, m + 90, Act::Closed(i));
        }
    }
    for (i, c) in p.capas.iter().enumerate() {
        ev(c.opened, 600, Act::Capa(i, 0));
        for (s, d) in c.stages.iter().enumerate() {
            ev(*d, 610 + s as u16, Act::Capa(i, s + 1));
        }
    }
    for (i, s) in p.surveys.iter().enumerate() {
        ev(s.sent, 500, Act::SurveySent(i));
        if let Some(d) = s.returned {
            ev(d, 505, Act::SurveyReturned(i));
        }
        if let Some(d) = s.analysis {
            ev(d, 590, Act::SurveyAnalysed(i));
        }
        if let Some(d) = s.feedback {
            ev(d, 595, Act::SurveyFeedback(i));
        }
    }
    for (i, x) in p.property.iter().enumerate() {
        ev(x.received, 700, Act::PropertyIn(i));
        ev(x.verified, 710, Act::PropertyVerified(i));
        if let Some(d) = x.incident {
            ev(d, 720, Act::PropertyIncident(i));
        }
        if let Some(d) = x.returned {
            ev(d, 730, Act::PropertyOut(i));
        }
    }
    for (i, r) in p.reports.iter().enumerate() {
        ev(r.date, 560, Act::Report(i));
    }
    events.sort_by_key(|e| (e.date, e.minute, e.act));

    let mut st = State::new(co);
    for e in &events {
        let (who, message, signed) = st.apply(co, e.act, e.date, w)?;
        let person = &PEOPLE[who];
        let offset = 8 * 60;
        let dt = e
            .date
            .at((e.minute / 60) as i8, (e.minute % 60) as i8, 0, 0);
        let seconds = jiff::tz::Offset::constant(8)
            .to_timestamp(dt)
            .map_err(|err| crate::Error::Git(format!("time: {err}")))?
            .as_second();
        let author = Author {
            name: person.name,
            email: person.email,
            seconds,
            offset_minutes: offset,
            key: signed.then(|| &co.keys[who]),
        };
        w.commit(&author, &message)?;
    }
    Ok(Played { commits: w.commits })
}

/// The records as they stand at the current point of the story.
pub(super) struct State {
    pub(super) order_ids: Vec<String>,
    pub(super) capa_ids: Vec<String>,
    pub(super) survey_ids: Vec<String>,
    pub(super) property_ids: Vec<String>,
    pub(super) report_ids: Vec<String>,
    pub(super) orders: Vec<Option<OrderState>>,
    pub(super) sheets: Vec<Option<FlowState>>,
    pub(super) capas: Vec<Option<CapaState>>,
    pub(super) surveys: Vec<Option<SurveyState>>,
}

impl State {
    fn new(co: &Company) -> State {
        let p = co.plan;
        let n = p.orders.len();
        State {
            order_ids: ids(
                "SO",
                &p.orders.iter().map(|o| o.received).collect::<Vec<_>>(),
            ),
            capa_ids: ids(
                "CAPA",
                &p.capas.iter().map(|c| c.opened).collect::<Vec<_>>(),
            ),
            survey_ids: ids("SV", &p.surveys.iter().map(|s| s.sent).collect::<Vec<_>>()),
            property_ids: ids(
                "CP",
                &p.property.iter().map(|x| x.received).collect::<Vec<_>>(),
            ),
            report_ids: ids("UR", &p.reports.iter().map(|r| r.date).collect::<Vec<_>>()),
            orders: (0..n).map(|_| None).collect(),
            sheets: (0..n).map(|_| None).collect(),
            capas: (0..p.capas.len()).map(|_| None).collect(),
            surveys: (0..p.surveys.len()).map(|_| None).collect(),
        }
    }

    fn order_path(&self, co: &Company, i: usize) -> String {
        co.path("orders", &self.order_ids[i], co.plan.orders[i].received)
    }

    fn sheet_id(&self, i: usize) -> String {
        self.order_ids[i].replacen("SO-", "MF-", 1)
    }

    fn write_order(&self, co: &Company, i: usize, w: &mut Writer) -> Result<()> {
        let text = self.orders[i]
            .as_ref()
            .map(OrderState::render)
            .unwrap_or_default();
        w.put(&self.order_path(co, i), &text)
    }

    fn write_sheet(&self, co: &Company, i: usize, w: &mut Writer) -> Result<()> {
        let s = self.sheets[i].as_ref().expect("sheet exists");
        w.put(
            &co.path("flowsheets", &s.id, co.plan.orders[i].received),
            &s.render(),
        )
    }

    pub(super) fn write_capa(&self, co: &Company, i: usize, w: &mut Writer) -> Result<()> {
        let c = self.capas[i].as_ref().expect("capa exists");
        w.put(
            &co.path("capa", &c.id, co.plan.capas[i].opened),
            &c.render(),
        )
    }

    pub(super) fn write_survey(&self, co: &Company, i: usize, w: &mut Writer) -> Result<()> {
        let s = self.surveys[i].as_ref().expect("survey exists");
        w.put(
            &co.path("surveys", &s.id, co.plan.surveys[i].sent),
            &s.render(),
        )
    }

    /// Apply one event: write the files it changes; return who committed,
    /// the message, and whether the commit is signed.
    fn apply(
        &mut self,
        co: &Company,
        act: Act,
        date: Date,
        w: &mut Writer,
    ) -> Result<(usize, String, bool)> {
        let p = co.plan;
        let sign = |who: usize| Signed::by(who, date);
        Ok(match act {
            Act::Setup => {
                w.put("docket.toml", DOCKET_TOML)?;
                w.put("people.toml", &people_toml(co.keys, false, false))?;
                w.put("procedure.md", co.procedure)?;
                w.put("tsa/tsa-chain.pem", co.tsa_chain)?;
                w.put(".gitignore", "site/\n")?;
                (GM, "Set up the quality records repository".into(), true)
            }
            Act::Catalogue => {
                for c in 0..p.customers {
                    w.put(
                        &format!("customers/{}.toml", customer_id(c)),
                        &customer_toml(c, p.account_manager(c)),
                    )?;
                }
                for k in 0..p.products {
                    let (pn, name, spec) = part(k);
                    let text = format!(
                        "part_number = {}\nname = {}\nspec = {}\nunit = \"pcs\"\nstatus = \"active\"\n",
                        q(&pn),
                        q(&name),
                        q(&spec)
                    );
                    w.put(&format!("products/{pn}.toml"), &text)?;
                }
                (
                    cast::LI,
                    format!(
                        "Customer list ({} customers) and part-number registry ({} parts)",
                        p.customers, p.products
                    ),
                    true,
                )
            }
            Act::HeLeft => {
                w.put("people.toml", &people_toml(co.keys, true, false))?;
                (
                    GM,
                    "people: He Ping left the company on 2025-09-30".into(),
                    true,
                )
            }
            // The governance lapse: Chen (sales) puts her own key in the
            // GM's entry. Her commit is signed with her key, but she holds
            // no governance role, so the change never takes effect.
            Act::KeySlipped => {
                w.put("people.toml", &people_toml(co.keys, true, true))?;
                (
                    cast::CHEN,
                    "people: add Wang Daming's new laptop key".into(),
                    true,
                )
            }
            Act::Received(i) => {
                let o = &p.orders[i];
                let lines = o
                    .lines
                    .iter()
                    .map(|&(k, quantity, delivery)| {
                        let (part_number, product, spec) = part(k);
                        Line {
                            part_number,
                            product,
                            spec,
                            quantity,
                            delivery,
                        }
                    })
                    .collect();
                let oral = o.oral_path.map(|path| {
                    let due = (path == "written-order").then(|| add(o.received, 7));
                    (path, due, None)
                });
                self.orders[i] = Some(OrderState {
                    id: self.order_ids[i].clone(),
                    customer: customer_id(o.customer),
                    customer_ref: if o.channel == "oral" {
                        String::new()
                    } else {
                        format!("PO-{}", 40000 + i * 7)
                    },
                    channel: o.channel,
                    received: o.received,
                    owner: PEOPLE[o.owner].id.to_string(),
                    place: CUSTOMERS[o.customer % CUSTOMERS.len()].2.to_string(),
                    lines,
                    new_product: None,
                    extra_review: None,
                    review: None,
                    oral,
                    changes: Vec::new(),
                    followups: Vec::new(),
                    delivery: None,
                    closed: None,
                });
                self.write_order(co, i, w)?;
                let via = if o.channel == "oral" {
                    "by phone".to_string()
                } else {
                    format!("by {}", o.channel)
                };
                (
                    o.owner,
                    format!(
                        "{}: new order from {} {via}",
                        self.order_ids[i],
                        customer_id(o.customer)
                    ),
                    true,
                )
            }
            Act::WrittenOrder(i) => {
                let o = self.orders[i].as_mut().expect("order");
                if let Some(oral) = &mut o.oral {
                    oral.2 = Some(date);
                }
                self.write_order(co, i, w)?;
                (
                    p.orders[i].owner,
                    format!("{}: written order received", self.order_ids[i]),
                    true,
                )
            }
            Act::ExtraReview(i) => {
                let o = self.orders[i].as_mut().expect("order");
                o.extra_review = Some(sign(RND));
                o.new_product = Some(format!("DR-{}-{:03}", date.year(), i % 1000));
                self.write_order(co, i, w)?;
                (
                    RND,
                    format!("{}: R&D feasibility review: feasible", self.order_ids[i]),
                    true,
                )
            }
            Act::Review(i) => {
                let approved = p.orders[i].approved;
                let written = p.orders[i].review_written.unwrap_or(date);
                self.orders[i].as_mut().expect("order").review =
                    Some((approved, Signed::by(GM, written)));
                self.write_order(co, i, w)?;
                let signed = p.orders[i].lapse != Some(Lapse::UnsignedApproval);
                let what = if approved { "approved" } else { "rejected" };
                (
                    GM,
                    format!("{}: order review: {what}", self.order_ids[i]),
                    signed,
                )
            }
            Act::Sheet(i) | Act::Reissue(i) => {
                let o = self.orders[i].as_ref().expect("order");
                let revision = if matches!(act, Act::Reissue(_)) { 2 } else { 1 };
                let lines = o
                    .lines
                    .iter()
                    .map(|l| (l.part_number.clone(), l.quantity, add(l.delivery, -3)))
                    .collect();
                self.sheets[i] = Some(FlowState {
                    id: self.sheet_id(i),
                    order: self.order_ids[i].clone(),
                    issued: date,
                    by: o.owner.clone(),
                    revision,
                    lines,
                    gm_signed: None,
                    steps_done: Vec::new(),
                });
                self.write_sheet(co, i, w)?;
                let what = if revision == 2 {
                    "reissued (revision 2) after the change"
                } else {
                    "issued"
                };
                (
                    p.orders[i].owner,
                    format!("{}: flow sheet {what}", self.sheet_id(i)),
                    true,
                )
            }
            Act::GmSign(i) => {
                self.sheets[i].as_mut().expect("sheet").gm_signed = Some(sign(GM));
                self.write_sheet(co, i, w)?;
                (
                    GM,
                    format!(
                        "{}: GM signs the flow sheet of an oral order",
                        self.sheet_id(i)
                    ),
                    true,
                )
            }
            Act::Change(i) => {
                let (_, qty, _, _) = p.orders[i].change.expect("change planned");
                let o = self.orders[i].as_mut().expect("order");
                let old = o.lines[0].quantity;
                o.lines[0].quantity = qty;
                if p.orders[i].lapse != Some(Lapse::UnrecordedChange) {
                    let desc = format!("Customer raised line 1 from {old} to {qty} pcs by email.");
                    o.changes.push((date, o.owner.clone(), "quantity", desc));
                }
                self.write_order(co, i, w)?;
                (
                    p.orders[i].owner,
                    format!("{}: quantity {old} -> {qty}", self.order_ids[i]),
                    true,
                )
            }
            Act::ReReview(i) => {
                if let Some((_, r)) = &mut self.orders[i].as_mut().expect("order").review {
                    *r = sign(GM);
                }
                self.write_order(co, i, w)?;
                (
                    GM,
                    format!("{}: order review after change: approved", self.order_ids[i]),
                    true,
                )
            }
            Act::Followup(i) => {
                let risk = p.orders[i].followup.is_some_and(|(_, r)| r);
                let o = self.orders[i].as_mut().expect("order");
                let (note, action) = if risk {
                    (
                        "Heat treatment subcontractor reports a furnace breakdown.".to_string(),
                        Some("Moved the lot to the backup subcontractor; customer told of a 3-day risk.".to_string()),
                    )
                } else {
                    (
                        "Production on schedule; material certificates received.".to_string(),
                        None,
                    )
                };
                o.followups.push((date, o.owner.clone(), note, action));
                self.write_order(co, i, w)?;
                (
                    p.orders[i].owner,
                    format!("{}: follow-up", self.order_ids[i]),
                    true,
                )
            }
            Act::Delivered(i) => {
                self.orders[i].as_mut().expect("order").delivery = Some(date);
                self.write_order(co, i, w)?;
                if let Some(s) = self.sheets[i].as_mut() {
                    s.steps_done = vec![
                        Some(add(date, -6)),
                        Some(add(date, -3)),
                        Some(add(date, -1)),
                    ];
                    self.write_sheet(co, i, w)?;
                }
                (
                    p.orders[i].owner,
                    format!("{}: delivered", self.order_ids[i]),
                    true,
                )
            }
            Act::Closed(i) => {
                self.orders[i].as_mut().expect("order").closed = Some(date);
                self.write_order(co, i, w)?;
                (
                    p.orders[i].owner,
                    format!("{}: closed", self.order_ids[i]),
                    true,
                )
            }
            Act::Capa(i, stage) => self.capa(co, i, stage, date, w)?,
            other => self.service(co, other, date, w)?,
        })
    }
}
