//! `docket new KIND`: the next record of a kind, from a template.
//!
//! A template is only a help if what it fills in is right: a record that
//! names a customer, product, order or person that does not exist fails
//! `docket check` the moment it is written, and a person who trusted the
//! command has to find out why. So every flag given is used (a line takes
//! its product and spec from the part-number registry, a flow sheet copies
//! its order's lines), a flag the kind has no use for is refused rather
//! than ignored, every reference is looked up before anything is written,
//! and where docket would have to invent one (no customer yet, no person
//! matching the committer) it stops and says what to create or pass first.
//! The person filling the record defaults to the one whose `emails` in
//! people.toml hold `git config user.email`: the person who will commit it.

use crate::error::{Error, Result};
use crate::kind::{IdShape, Kind};
use crate::model::{Model, Order, Record, Role};
use jiff::civil::Date;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What `docket new` was told.
#[derive(Debug, Default)]
pub struct NewOptions {
    pub customer: Option<String>,
    pub order: Option<String>,
    pub part_number: Option<String>,
    pub by: Option<String>,
    /// The record's date and the year of its id; default today.
    pub as_of: Option<Date>,
}

/// The flags each kind uses (besides `--as-of`, which all do).
fn flags(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Customer => &["--by"],
        Kind::Product => &["--part-number", "--customer"],
        Kind::Order => &["--customer", "--part-number", "--by"],
        Kind::Flowsheet => &["--order", "--by"],
        Kind::Capa => &["--customer", "--order", "--by"],
        Kind::Survey | Kind::Property | Kind::Report => &["--customer", "--by"],
    }
}

/// Create the next record of `kind` below `root`; returns its path.
pub fn new_record(root: &Path, kind: Kind, opts: &NewOptions) -> Result<PathBuf> {
    let given = [
        ("--customer", opts.customer.is_some()),
        ("--order", opts.order.is_some()),
        ("--part-number", opts.part_number.is_some()),
        ("--by", opts.by.is_some()),
    ];
    if let Some((flag, _)) = given
        .iter()
        .find(|(flag, set)| *set && !flags(kind).contains(flag))
    {
        return Err(Error::Usage(format!(
            "`docket new {}` does not use {flag}; it takes {} and --as-of",
            kind.name(),
            flags(kind).join(", ")
        )));
    }
    let loaded = crate::load::load(root)?;
    // Every file that exists takes its id, readable or not.
    let mut stems: Vec<String> = loaded
        .records
        .iter()
        .map(|d| d.stem().to_string())
        .collect();
    stems.extend(
        loaded
            .unreadable
            .iter()
            .map(|(_, rel)| crate::load::stem(rel).to_string()),
    );
    let (model, _) = crate::model::build(loaded);
    let today = match opts.as_of {
        Some(d) => d,
        None => super::today(model.config.company.offset_seconds)?,
    };
    let year = today.year();
    let id = match kind.id_shape() {
        IdShape::PartNumber => opts.part_number.clone().ok_or_else(|| {
            Error::Usage("a product's id is its part number: pass --part-number".into())
        })?,
        _ => next_id(kind, year, stems.iter().map(String::as_str)),
    };
    // The repository's own pattern is checked by `docket check`; here we
    // only refuse what could never be a file name.
    if id.is_empty() || id.contains(['/', '\\', '.']) {
        return Err(Error::Usage(format!("\"{id}\" cannot be a part number")));
    }
    let rel = if kind.by_year() {
        format!("{}/{year}/{id}.toml", kind.folder())
    } else {
        format!("{}/{id}.toml", kind.folder())
    };
    let path = root.join(&rel);
    if path.exists() {
        return Err(Error::AlreadyExists(path));
    }
    let fill = Fill {
        model: &model,
        root,
        opts,
    };
    let text = template(kind, &id, today, &fill)?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// The next free id of a kind for `year`: one past the highest in use.
pub fn next_id<'a>(kind: Kind, year: i16, stems: impl Iterator<Item = &'a str>) -> String {
    let prefix = kind.prefix().unwrap_or_default();
    let lead = if kind.by_year() {
        format!("{prefix}-{year}-")
    } else {
        format!("{prefix}-")
    };
    let highest = stems
        .filter_map(|s| s.strip_prefix(&lead))
        .filter_map(|n| n.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{lead}{:04}", highest + 1)
}

/// A TOML string literal, escaped by the toml crate.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// "C-0001, C-0002 and 3 more": what there is to choose from.
fn some_of(ids: &[&str]) -> String {
    const SHOWN: usize = 5;
    let mut s = ids
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        let _ = write!(s, " and {} more", ids.len() - SHOWN);
    }
    s
}

/// The references a template needs, each looked up in the model or
/// refused with what to do instead.
struct Fill<'a> {
    model: &'a Model,
    root: &'a Path,
    opts: &'a NewOptions,
}

impl Fill<'_> {
    /// `--customer`, which must exist; required or not.
    fn customer(&self, required: bool) -> Result<Option<String>> {
        let ids = self.model.ids(Kind::Customer);
        match &self.opts.customer {
            Some(c) if ids.contains(&c.as_str()) => Ok(Some(c.clone())),
            Some(c) if ids.is_empty() => Err(Error::Usage(format!(
                "there is no customer {c}, nor any other yet: create the customer first \
                 (docket new customer)"
            ))),
            Some(c) => Err(Error::Usage(format!(
                "there is no customer {c}; the customers are {}",
                some_of(&ids)
            ))),
            None if !required => Ok(None),
            None if ids.is_empty() => Err(Error::Usage(
                "there are no customers yet: create one first (docket new customer), then pass \
                 --customer with its id"
                    .into(),
            )),
            None => Err(Error::Usage(format!(
                "which customer is it for? pass --customer (one of {})",
                some_of(&ids)
            ))),
        }
    }

    /// `--order`, which must exist; required or not.
    fn order(&self, required: bool) -> Result<Option<&Order>> {
        let ids = self.model.ids(Kind::Order);
        match &self.opts.order {
            Some(o) => self.model.orders.get(o).map(Some).ok_or_else(|| {
                Error::Usage(if ids.is_empty() {
                    format!("there is no order {o}, nor any other yet: create the order first (docket new order)")
                } else {
                    format!("there is no order {o}; the orders are {}", some_of(&ids))
                })
            }),
            None if !required => Ok(None),
            None if ids.is_empty() => Err(Error::Usage(
                "there are no orders yet: create the order first (docket new order), then pass \
                 --order with its id"
                    .into(),
            )),
            None => Err(Error::Usage(format!(
                "which order is it for? pass --order (one of {})",
                some_of(&ids)
            ))),
        }
    }

    /// The person filling the record: `--by`, else the person whose
    /// email is `git config user.email`.
    fn by(&self) -> Result<String> {
        if let Some(by) = &self.opts.by {
            return match self.model.person(by) {
                Some(_) => Ok(by.clone()),
                None => Err(Error::Usage(format!(
                    "there is no person {by} in people.toml; pass --by with one of {}",
                    some_of(&self.people())
                ))),
            };
        }
        let email = git_email(self.root);
        if let Some(p) = email.as_deref().and_then(|e| self.model.person_by_email(e)) {
            return Ok(p.id.value.clone());
        }
        let why = match email {
            Some(e) => format!("your git email ({e}) is no one's in people.toml"),
            None => "git has no user.email set".into(),
        };
        Err(Error::Usage(format!(
            "who is filling this record? {why}: pass --by with a people.toml id ({}), or add \
             your email to your entry in people.toml",
            some_of(&self.people())
        )))
    }

    fn people(&self) -> Vec<&str> {
        self.model
            .people
            .iter()
            .map(|p| p.id.value.as_str())
            .collect()
    }

    /// The general manager usage reports go to: the first person in
    /// people.toml with role `gm` who has not left.
    fn gm(&self, today: Date) -> Result<String> {
        let gms: Vec<&str> = self
            .model
            .people
            .iter()
            .filter(|p| p.has_role(Role::Gm) && p.active_on(today))
            .map(|p| p.id.value.as_str())
            .collect();
        gms.first().map(|gm| gm.to_string()).ok_or_else(|| {
            Error::Usage(
                "a usage report goes to the GM, and no one in people.toml has role gm: add them first"
                    .into(),
            )
        })
    }

    /// An order line for `--part-number`, product and spec from the
    /// registry.
    fn line(&self, today: Date) -> Result<String> {
        let ids = self.model.ids(Kind::Product);
        let Some(part) = &self.opts.part_number else {
            return Err(Error::Usage(if ids.is_empty() {
                "an order needs a line, and there are no products yet: create the part first \
                 (docket new product --part-number P), then pass --part-number P"
                    .into()
            } else {
                format!(
                    "what is ordered? pass --part-number (one of {})",
                    some_of(&ids)
                )
            }));
        };
        let Some(p) = self.model.products.get(part) else {
            return Err(Error::Usage(if ids.is_empty() {
                format!(
                    "there is no product {part}, nor any other yet: create it first \
                     (docket new product --part-number {part})"
                )
            } else {
                format!(
                    "there is no product {part} in the registry; create it first (docket new \
                     product --part-number {part}), or use one of {}",
                    some_of(&ids)
                )
            }));
        };
        // A delivery date of today would make the new line overdue
        // tomorrow; four weeks out is a placeholder a person corrects.
        let due = today.saturating_add(jiff::Span::new().days(28));
        Ok(format!(
            "[[line]]\npart_number = {}\nproduct = {}                 # as in the registry\n\
             spec = {}\nquantity = 1                      # in {}\ndelivery = {due}              \
             # the date promised to the customer\n",
            toml_string(part),
            toml_string(&p.name),
            toml_string(&p.spec),
            p.unit.value
        ))
    }
}

/// The person's email as git will record it, from the repository's
/// configuration (which includes the user's and the system's).
pub(crate) fn git_email(root: &Path) -> Option<String> {
    let config = match git2::Repository::discover(root) {
        Ok(repo) => repo.config().ok()?,
        Err(_) => git2::Config::open_default().ok()?,
    };
    config.get_string("user.email").ok()
}

fn template(kind: Kind, id: &str, today: Date, f: &Fill) -> Result<String> {
    let idq = toml_string(id);
    let q = |s: &str| toml_string(s);
    Ok(match kind {
        Kind::Customer => format!(
            "id = {idq}\nname = \"\"\nregion = \"domestic\"               # international | domestic\n\
             address = \"\"\ncontact = \"\"\nphone = \"\"\n# fax = \"\"\n# email = \"\"\nsince = {today}\n\
             account_manager = {}\nactive = true\n",
            q(&f.by()?)
        ),
        Kind::Product => {
            let customer = match f.customer(false)? {
                Some(c) => format!("customer = {}\n", q(&c)),
                None => {
                    "# customer = \"C-0001\"              # for a customer-specific part\n".into()
                }
            };
            format!(
                "part_number = {idq}\nname = \"\"\nspec = \"\"\nunit = \"pcs\"\n{customer}status = \"active\"\n"
            )
        }
        Kind::Order => {
            let customer = f.customer(true)?.unwrap_or_default();
            let line = f.line(today)?;
            format!(
                "id = {idq}\ncustomer = {}\ncustomer_ref = \"\"                   # the customer's own order number\n\
                 channel = \"website\"                # website | fax | sales | email | oral\n\
                 received = {today}\nowner = {}\nlegible = true\ndelivery_place = \"\"\n\n{line}",
                q(&customer),
                q(&f.by()?)
            )
        }
        Kind::Flowsheet => {
            let order = f
                .order(true)?
                .ok_or_else(|| Error::Usage("pass --order".into()))?;
            let revision = f
                .model
                .flowsheets_of(order.id())
                .iter()
                .map(|s| s.revision.value)
                .max()
                .map_or(1, |r| r + 1);
            let mut text = format!(
                "id = {idq}\norder = {}\nissued = {today}\nby = {}\nrevision = {revision}\n",
                q(order.id()),
                q(&f.by()?)
            );
            for l in &order.lines {
                let _ = write!(
                    text,
                    "\n[[line]]\npart_number = {}\nquantity = {}\ndue = {}\n",
                    q(&l.part_number),
                    l.quantity.value,
                    l.delivery.value
                );
            }
            text
        }
        Kind::Capa => {
            let mut refs = String::new();
            if let Some(c) = f.customer(false)? {
                let _ = writeln!(refs, "customer = {}", q(&c));
            }
            if let Some(o) = f.order(false)? {
                let _ = writeln!(refs, "order = {}", q(o.id()));
            }
            format!(
                "id = {idq}\nkind = \"corrective\"                # corrective | preventive\n\
                 source = \"complaint\"               # complaint | survey | usage-report | internal\n\
                 written_complaint = false\n{refs}opened = {today}\nopened_by = {}\n\
                 description = \"\"\nresponsible_department = \"manufacturing\"\n",
                q(&f.by()?)
            )
        }
        Kind::Survey => {
            let customer = f.customer(true)?.unwrap_or_default();
            let scores: String = f
                .model
                .config
                .policy
                .survey_questions
                .iter()
                .map(|s| format!("# {s} = 5\n"))
                .collect();
            format!(
                "id = {idq}\ncustomer = {}\nyear = {}\nsent = {today}\nsent_by = {}\n\
                 # returned = {today}\n# respondent = \"\"\n\n\
                 # [scores]                          # once returned: 1 to 5 for each question\n{scores}",
                q(&customer),
                today.year(),
                q(&f.by()?)
            )
        }
        Kind::Property => format!(
            "id = {idq}\ncustomer = {}\nitem = \"\"\nreceived = {today}\ncustodian = {}\nlocation = \"\"\n",
            q(&f.customer(true)?.unwrap_or_default()),
            q(&f.by()?)
        ),
        Kind::Report => format!(
            "id = {idq}\ncustomer = {}\ndate = {today}\nby = {}\nto = {}\nsummary = \"\"\ncomplaint = false\n",
            q(&f.customer(true)?.unwrap_or_default()),
            q(&f.by()?),
            q(&f.gm(today)?)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_ids() {
        let stems = ["SO-2026-0001", "SO-2026-0009", "SO-2025-0042", "C-0007"];
        assert_eq!(
            next_id(Kind::Order, 2026, stems.iter().copied()),
            "SO-2026-0010"
        );
        assert_eq!(
            next_id(Kind::Order, 2027, stems.iter().copied()),
            "SO-2027-0001"
        );
        assert_eq!(
            next_id(Kind::Customer, 2026, stems.iter().copied()),
            "C-0008"
        );
    }
}
