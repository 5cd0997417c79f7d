//! The demo's record states and their TOML text.
//!
//! The simulation mutates these plain structs and re-renders the whole
//! file after each step, the way a person edits a record in an editor.
//! They are deliberately not the model's types: the model is for reading
//! (every value carries its position), this is for writing.

use super::cast::{self, CUSTOMERS, PEOPLE};
use super::plan;
use jiff::civil::Date;
use ssh_key::PrivateKey;
use std::fmt::Write;

/// A TOML string literal, escaped.
pub fn customer_id(c: usize) -> String {
    format!("C-{:04}", c + 1)
}

pub fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

pub struct Line {
    pub part_number: String,
    pub product: String,
    pub spec: String,
    pub quantity: u32,
    pub delivery: Date,
}

pub struct Signed {
    pub by: String,
    pub date: Date,
}

impl Signed {
    /// Signed by the person of the cast at `who`.
    pub fn by(who: usize, date: Date) -> Signed {
        Signed {
            by: PEOPLE[who].id.to_string(),
            date,
        }
    }
}

pub struct OrderState {
    pub id: String,
    pub customer: String,
    pub customer_ref: String,
    pub channel: &'static str,
    pub received: Date,
    pub owner: String,
    pub place: String,
    pub lines: Vec<Line>,
    pub new_product: Option<String>,
    pub extra_review: Option<Signed>,
    pub review: Option<(bool, Signed)>,
    pub oral: Option<(&'static str, Option<Date>, Option<Date>)>,
    pub changes: Vec<(Date, String, &'static str, String)>,
    pub followups: Vec<(Date, String, String, Option<String>)>,
    pub delivery: Option<Date>,
    pub closed: Option<Date>,
}

impl OrderState {
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "id = {}\ncustomer = {}", q(&self.id), q(&self.customer));
        if !self.customer_ref.is_empty() {
            let _ = writeln!(s, "customer_ref = {}", q(&self.customer_ref));
        }
        let _ = writeln!(
            s,
            "channel = {}\nreceived = {}\nowner = {}\nlegible = true\ndelivery_place = {}",
            q(self.channel),
            self.received,
            q(&self.owner),
            q(&self.place)
        );
        for l in &self.lines {
            let _ = writeln!(
                s,
                "\n[[line]]\npart_number = {}\nproduct = {}\nspec = {}\nquantity = {}\ndelivery = {}",
                q(&l.part_number),
                q(&l.product),
                q(&l.spec),
                l.quantity,
                l.delivery
            );
        }
        if let Some((_, review)) = &self.review {
            let stock = self.lines.first().map_or(0, |l| l.quantity / 3);
            let _ = writeln!(
                s,
                "\n[capacity]\nstock = {stock}\nproducible = true\nmaterials_ready = true\nnew_product = {}",
                self.new_product.is_some()
            );
            if let Some(dr) = &self.new_product {
                let _ = writeln!(s, "design_record = {}", q(dr));
            }
            let _ = review;
        }
        if let Some(x) = &self.extra_review {
            let _ = writeln!(
                s,
                "\n[[extra_review]]\ndepartment = \"rnd\"\nby = {}\ndate = {}\nresult = \"feasible\"\n\
                 note = \"Drawing rev. B checked; tolerances achievable on the CNC line.\"",
                q(&x.by),
                x.date
            );
        }
        if let Some((approved, r)) = &self.review {
            let decision = if *approved { "approved" } else { "rejected" };
            let _ = writeln!(
                s,
                "\n[review]\ndecision = \"{decision}\"\nby = {}\ndate = {}",
                q(&r.by),
                r.date
            );
            if !*approved {
                let _ = writeln!(
                    s,
                    "note = \"Delivery date cannot be met; sales to negotiate with the customer.\""
                );
            }
        }
        if let Some((path, due, got)) = &self.oral {
            let _ = writeln!(s, "\n[oral]\npath = \"{path}\"");
            if let Some(d) = due {
                let _ = writeln!(s, "written_order_due = {d}");
            }
            if let Some(d) = got {
                let _ = writeln!(s, "written_order_received = {d}");
            }
        }
        for (date, by, what, desc) in &self.changes {
            let _ = writeln!(
                s,
                "\n[[change]]\ndate = {date}\nby = {}\nwhat = [\"{what}\"]\ndescription = {}\n\
                 notified = [\"manufacturing\", \"qc\"]",
                q(by),
                q(desc)
            );
        }
        for (date, by, note, action) in &self.followups {
            let _ = writeln!(
                s,
                "\n[[followup]]\ndate = {date}\nby = {}\nnote = {}",
                q(by),
                q(note)
            );
            match action {
                Some(a) => {
                    let _ = writeln!(s, "risk = true\naction = {}", q(a));
                }
                None => s.push_str("risk = false\n"),
            }
        }
        if let Some(d) = self.delivery {
            let _ = writeln!(s, "\n[delivery]\ndate = {d}");
        }
        if let Some(d) = self.closed {
            let _ = writeln!(s, "\n[closed]\ndate = {d}");
        }
        s
    }
}

pub struct FlowState {
    pub id: String,
    pub order: String,
    pub issued: Date,
    pub by: String,
    pub revision: u32,
    pub lines: Vec<(String, u32, Date)>,
    pub gm_signed: Option<Signed>,
    pub steps_done: Vec<Option<Date>>,
}

const STEPS: [(&str, &str); 3] = [
    ("turning", "manufacturing"),
    ("grinding", "manufacturing"),
    ("final inspection", "qc"),
];

impl FlowState {
    pub fn render(&self) -> String {
        let mut s = format!(
            "id = {}\norder = {}\nissued = {}\nby = {}\nrevision = {}\n",
            q(&self.id),
            q(&self.order),
            self.issued,
            q(&self.by),
            self.revision
        );
        for (pn, qty, due) in &self.lines {
            let _ = writeln!(
                s,
                "\n[[line]]\npart_number = {}\nquantity = {qty}\ndue = {due}",
                q(pn)
            );
        }
        for (i, (name, dept)) in STEPS.iter().enumerate() {
            let _ = writeln!(s, "\n[[step]]\nname = \"{name}\"\ndepartment = \"{dept}\"");
            if let Some(Some(d)) = self.steps_done.get(i) {
                let _ = writeln!(s, "done = {d}");
            }
        }
        if let Some(g) = &self.gm_signed {
            let _ = writeln!(s, "\n[gm_signed]\nby = {}\ndate = {}", q(&g.by), g.date);
        }
        s
    }
}

pub struct CapaState {
    pub id: String,
    pub source: &'static str,
    pub written: bool,
    pub customer: String,
    pub order: Option<String>,
    pub link: Option<String>,
    pub opened: Date,
    pub opened_by: String,
    pub description: String,
    pub department: &'static str,
    pub investigation: Option<(Signed, String, String)>,
    pub verification: Option<Signed>,
    pub confirmation: Option<Signed>,
    pub feedback: Option<Signed>,
    pub closed: Option<Date>,
}

impl CapaState {
    pub fn render(&self) -> String {
        let mut s = format!(
            "id = {}\nkind = \"corrective\"\nsource = \"{}\"\nwritten_complaint = {}\ncustomer = {}\n",
            q(&self.id),
            self.source,
            self.written,
            q(&self.customer)
        );
        if let Some(o) = &self.order {
            let _ = writeln!(s, "order = {}", q(o));
        }
        match (self.source, &self.link) {
            ("survey", Some(l)) => {
                let _ = writeln!(s, "survey = {}", q(l));
            }
            ("usage-report", Some(l)) => {
                let _ = writeln!(s, "report = {}", q(l));
            }
            _ => {}
        }
        let _ = writeln!(
            s,
            "opened = {}\nopened_by = {}\ndescription = {}\nresponsible_department = \"{}\"",
            self.opened,
            q(&self.opened_by),
            q(&self.description),
            self.department
        );
        if let Some((g, cause, measure)) = &self.investigation {
            let _ = writeln!(
                s,
                "\n[investigation]\nby = {}\ndate = {}\nroot_cause = {}\ncountermeasure = {}",
                q(&g.by),
                g.date,
                q(cause),
                q(measure)
            );
        }
        if let Some(g) = &self.verification {
            let _ = writeln!(
                s,
                "\n[verification]\nby = {}\ndate = {}\neffective = true\n\
                 evidence = \"Three consecutive lots inspected at 100 %: no recurrence.\"",
                q(&g.by),
                g.date
            );
        }
        if let Some(g) = &self.confirmation {
            let _ = writeln!(s, "\n[confirmation]\nby = {}\ndate = {}", q(&g.by), g.date);
        }
        if let Some(g) = &self.feedback {
            let _ = writeln!(
                s,
                "\n[feedback]\nby = {}\ndate = {}\nchannel = \"email\"\n\
                 summary = \"Cause and countermeasure explained to the customer, who accepted them.\"",
                q(&g.by),
                g.date
            );
        }
        if let Some(d) = self.closed {
            let _ = writeln!(s, "\n[closed]\ndate = {d}");
        }
        s
    }
}

pub struct SurveyState {
    pub id: String,
    pub customer: String,
    pub year: i16,
    pub sent: Date,
    pub sent_by: String,
    pub returned: Option<(Date, String, [u8; 5])>,
    pub analysis: Option<(Signed, bool, Option<String>)>,
    pub feedback: Option<Signed>,
}

pub const QUESTIONS: [&str; 5] = ["quality", "delivery", "service", "price", "communication"];

impl SurveyState {
    pub fn score(&self) -> Option<f64> {
        let (_, _, s) = self.returned.as_ref()?;
        Some(s.iter().map(|&x| f64::from(x)).sum::<f64>() / 5.0 * 20.0)
    }

    pub fn render(&self) -> String {
        let mut s = format!(
            "id = {}\ncustomer = {}\nyear = {}\nsent = {}\nsent_by = {}\n",
            q(&self.id),
            q(&self.customer),
            self.year,
            self.sent,
            q(&self.sent_by)
        );
        if let Some((date, who, scores)) = &self.returned {
            let _ = writeln!(s, "returned = {date}\nrespondent = {}\n\n[scores]", q(who));
            for (qn, v) in QUESTIONS.iter().zip(scores) {
                let _ = writeln!(s, "{qn} = {v}");
            }
        }
        if let Some((g, below, capa)) = &self.analysis {
            let summary = if *below {
                "Below target: delivery reliability is the main complaint."
            } else {
                "Satisfied overall; no action needed."
            };
            let _ = writeln!(
                s,
                "\n[analysis]\nby = {}\ndate = {}\nsummary = {}\nserious = false",
                q(&g.by),
                g.date,
                q(summary)
            );
            if let Some(c) = capa {
                let _ = writeln!(s, "capa = {}", q(c));
            }
        }
        if let Some(g) = &self.feedback {
            let _ = writeln!(
                s,
                "\n[feedback]\nby = {}\ndate = {}\nsummary = \"Results and planned actions sent to the customer.\"",
                q(&g.by),
                g.date
            );
        }
        s
    }
}

/// (description, root cause, countermeasure)
pub const PROBLEMS: [(&str, &str, &str); 8] = [
    (
        "Customer found **burrs** on the bore of 12 of 500 bushings.",
        "Deburring tool worn past its change interval.",
        "Tool life set to 800 parts; deburring added to the final inspection checklist.",
    ),
    (
        "Shaft diameter out of tolerance (+0.015 mm) on lot B2025-044.",
        "Thermal drift of the grinder during the first hour of the shift.",
        "Warm-up cycle of 30 min before grinding; first-article check each shift.",
    ),
    (
        "Parts arrived with surface rust after sea freight.",
        "VCI bags not sealed; desiccant missing in two cartons.",
        "Packing instruction revised; QC checks sealing before dispatch.",
    ),
    (
        "Wrong label: part number on carton did not match the contents.",
        "Labels printed from the previous order's template.",
        "Label printing driven from the flow sheet; two-person check at packing.",
    ),
    (
        "Thread gauge GO side wore out after 2,000 uses.",
        "Hardening depth below specification.",
        "Heat-treatment supplier audited; hardness test per batch.",
    ),
    (
        "Delivery arrived 5 days late.",
        "Material certificate missing, lot held at incoming inspection.",
        "Certificates requested with the purchase order; purchasing follows up.",
    ),
    (
        "Flange flatness out of tolerance on 3 parts.",
        "Clamping deformation on the milling fixture.",
        "Fixture redesigned with three-point support.",
    ),
    (
        "Survey below target: delivery reliability rated 3 of 5.",
        "Capacity planning ignored the customer's seasonal peak.",
        "Quarterly forecast call with the customer; buffer stock for top 5 parts.",
    ),
];

pub const DOCKET_TOML: &str = r#"[company]
name = "Acme Precision Parts Co., Ltd."
language = "en"
timezone = "+08:00"

[policy]
signatures = "ssh"
review_within_days = 3
oral_confirmation_days = 7
capa_stage_days = 14
survey_target = 80
survey_due = "03-31"
part_number_pattern = "^[A-Z0-9][A-Z0-9-]{2,31}$"
survey_questions = ["quality", "delivery", "service", "price", "communication"]

[timestamps]
policy = "required"
certificates = ["tsa/tsa-chain.pem"]
within_days = 2
"#;

/// The company's people.toml. `slipped` is the governance lapse: Chen's
/// own key added to the GM's entry, as if it were his.
pub fn people_toml(keys: &[PrivateKey], with_left: bool, slipped: bool) -> String {
    let public = |k: &PrivateKey| q(&k.public_key().to_openssh().unwrap_or_default());
    let mut s = String::new();
    for (i, (person, key)) in PEOPLE.iter().zip(keys).enumerate() {
        let mut own = public(key);
        if slipped && i == cast::GM {
            own = format!("{own}, {}", public(&keys[cast::CHEN]));
        }
        let _ = write!(
            s,
            "[[person]]\nid = {}\nname = {}\nemails = [{}]\nroles = [\"{}\"]\ndepartment = \"{}\"\nkeys = [{}]\n",
            q(person.id),
            q(person.name),
            q(person.email),
            person.role,
            person.department,
            own
        );
        if let (true, Some(left)) = (with_left, person.left) {
            let _ = writeln!(s, "left = {left}");
        }
        s.push('\n');
    }
    s
}

pub fn customer_toml(c: usize, am: usize) -> String {
    let (name, region, address, contact, phone) = CUSTOMERS[c % CUSTOMERS.len()];
    let suffix = if c >= CUSTOMERS.len() {
        format!(" (plant {})", c / CUSTOMERS.len() + 1)
    } else {
        String::new()
    };
    let since = plan::add(jiff::civil::date(2024, 4, 1), (c * 13 % 250) as i64);
    format!(
        "id = {}\nname = {}\nregion = \"{region}\"\naddress = {}\ncontact = {}\nphone = {}\nsince = {since}\n\
         account_manager = {}\nactive = true\n",
        q(&customer_id(c)),
        q(&format!("{name}{suffix}")),
        q(address),
        q(contact),
        q(&format!(
            "{phone} {:04} {:04}",
            1000 + c * 37 % 9000,
            2000 + c * 91 % 7000
        )),
        q(PEOPLE[am].id)
    )
}

const ITEMS: [&str; 4] = [
    "Customer-supplied thread gauge M10",
    "Customer drawing set and master sample",
    "Customer-owned fixture for flange drilling",
    "Reference shaft (calibrated master)",
];

pub fn property_toml(id: &str, x: &plan::PropertyPlan, am: usize, stage: usize) -> String {
    let mut s = format!(
        "id = {}\ncustomer = {}\nitem = {}\nreceived = {}\ncustodian = {}\nlocation = \"QC lab cabinet {}\"\n",
        q(id),
        q(&customer_id(x.customer)),
        q(ITEMS[x.item % ITEMS.len()]),
        x.received,
        q(PEOPLE[am].id),
        1 + x.item % 4
    );
    if stage >= 1 {
        let _ = write!(s, "\n[verified]\nby = \"sun.qc\"\ndate = {}\n", x.verified);
    }
    if let (true, Some(d)) = (stage >= 2, x.incident) {
        let _ = write!(
            s,
            "\n[[incident]]\ndate = {d}\nkind = \"damaged\"\ndescription = \"Dropped during handling; corner chipped.\"\n\
             reported_to_customer = {d}\nresolution = \"Customer accepted a repair at our cost.\"\n"
        );
    }
    if let (true, Some(d)) = (stage >= 3, x.returned) {
        let _ = write!(s, "\n[returned]\ndate = {d}\n");
    }
    s
}
