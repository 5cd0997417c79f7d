//! The small company every scenario starts from, and the git writer that
//! gives it a history: files written into a folder, committed with git2 as
//! a chosen person at a chosen time, SSH-signed with a chosen key.
//!
//! The CLI tests build their repositories from the same records and the
//! same keys (tests/cli/fixture.rs re-exports them), so the validation
//! report runs the scenarios the tests run. Everything is fixed: the
//! records, the dates and the keys (derived from the person's id, never
//! random), so a scenario gives the same commits, and the same verdict,
//! on every machine. The keys are test keys for a fictional company; they
//! sign nothing outside a scenario's temporary folder.

use crate::error::{Error, Result};
use git2::{IndexAddOption, Oid, Repository, Signature, Time};
use ssh_key::{HashAlg, LineEnding, PrivateKey};
use std::path::{Path, PathBuf};

/// The company's docket.toml. Policy "none": the CLI tests that are about
/// rules write files without git; scenarios set their policy with
/// [`Company::set_policy`].
pub const DOCKET_TOML: &str = r#"[company]
name = "Acme Precision Parts Co., Ltd."
language = "en"
timezone = "+08:00"

[policy]
signatures = "none"
review_within_days = 3
oral_confirmation_days = 7
capa_stage_days = 14
survey_target = 80
survey_due = "03-31"
"#;

/// The cast: id, name, email, roles, department, extra lines. `old.gm`
/// left on 2026-01-31.
pub const PEOPLE: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "wang.gm",
        "Wang Daming",
        "wang@acme.example",
        "gm",
        "commerce",
        "",
    ),
    (
        "li.sales",
        "Li Mei",
        "li@acme.example",
        "sales",
        "sales",
        "",
    ),
    ("sun.qc", "Sun Hui", "sun@acme.example", "qc", "qc", ""),
    (
        "zhao.mfg",
        "Zhao Gang",
        "zhao@acme.example",
        "manufacturing",
        "manufacturing",
        "",
    ),
    ("chen.rnd", "Chen Yu", "chen@acme.example", "rnd", "rnd", ""),
    (
        "old.gm",
        "Lin Old",
        "lin@acme.example",
        "gm",
        "commerce",
        "left = 2026-01-31\n",
    ),
];

/// The cast's people.toml, without keys.
pub fn people_toml() -> String {
    people(false)
}

/// The cast's people.toml with each person's public key in `keys`.
pub fn people_toml_with_keys() -> String {
    people(true)
}

fn people(keys: bool) -> String {
    PEOPLE
        .iter()
        .map(|(id, name, email, role, dept, extra)| {
            let key = if keys {
                format!("keys = [\"{}\"]\n", public_key(id))
            } else {
                String::new()
            };
            format!(
                "[[person]]\nid = \"{id}\"\nname = \"{name}\"\nemails = [\"{email}\"]\n\
                 roles = [\"{role}\"]\ndepartment = \"{dept}\"\n{key}{extra}\n"
            )
        })
        .collect()
}

pub const CUSTOMER: &str = r#"id = "C-0001"
name = "Nordlicht Maschinenbau GmbH"
region = "international"
address = "Hafenstrasse 12, 20457 Hamburg"
contact = "Anna Keller"
phone = "+49 40 123456"
since = 2026-01-05
account_manager = "li.sales"
active = true
"#;

pub const PRODUCT: &str = r#"part_number = "AP-SH-1020"
name = "Stainless shaft"
spec = "D10 x 200 mm, SUS304"
unit = "pcs"
status = "active"
"#;

/// An approved, delivered and closed order.
pub const ORDER: &str = r#"id = "SO-2026-0001"
customer = "C-0001"
customer_ref = "PO-88812"
channel = "website"
received = 2026-03-02
owner = "li.sales"
legible = true
delivery_place = "Hamburg"

[[line]]
part_number = "AP-SH-1020"
product = "Stainless shaft"
spec = "D10 x 200 mm, SUS304"
quantity = 500
delivery = 2026-04-15

[capacity]
stock = 200
producible = true
materials_ready = true
new_product = false

[review]
decision = "approved"
by = "wang.gm"
date = 2026-03-03

[delivery]
date = 2026-04-14

[closed]
date = 2026-04-20
"#;

/// The order's review, as [`ORDER`] holds it.
pub const REVIEW: &str =
    "[review]\ndecision = \"approved\"\nby = \"wang.gm\"\ndate = 2026-03-03\n\n";

pub const FLOWSHEET: &str = r#"id = "MF-2026-0001"
order = "SO-2026-0001"
issued = 2026-03-04
by = "li.sales"
revision = 1

[[line]]
part_number = "AP-SH-1020"
quantity = 500
due = 2026-04-10
"#;

pub const SURVEY: &str = r#"id = "SV-2026-0001"
customer = "C-0001"
year = 2026
sent = 2026-01-10
sent_by = "li.sales"
returned = 2026-02-01

[scores]
quality = 4
delivery = 4
service = 4
price = 4
communication = 4
"#;

pub const ORDER_PATH: &str = "orders/2026/SO-2026-0001.toml";
pub const FLOWSHEET_PATH: &str = "flowsheets/2026/MF-2026-0001.toml";
pub const SURVEY_PATH: &str = "surveys/2026/SV-2026-0001.toml";

/// The base records (a clean company as of 2026-06-15): path and text.
pub fn base_files() -> Vec<(&'static str, String)> {
    vec![
        ("docket.toml", DOCKET_TOML.to_string()),
        ("people.toml", people_toml()),
        ("customers/C-0001.toml", CUSTOMER.to_string()),
        ("products/AP-SH-1020.toml", PRODUCT.to_string()),
        (ORDER_PATH, ORDER.to_string()),
        (FLOWSHEET_PATH, FLOWSHEET.to_string()),
        (SURVEY_PATH, SURVEY.to_string()),
    ]
}

/// The deterministic SSH signing key of a person (any id, in the cast or
/// not: `wang.laptop` is another key of Wang's).
pub fn private_key(person: &str) -> PrivateKey {
    let mut seed = [7u8; 32];
    for (i, b) in person.bytes().enumerate() {
        seed[i % 32] ^= b.wrapping_mul(31).wrapping_add(i as u8);
    }
    let pair = ssh_key::private::Ed25519Keypair::from_seed(&seed);
    PrivateKey::from(pair)
}

/// The person's public key as people.toml lists it.
pub fn public_key(person: &str) -> String {
    private_key(person)
        .public_key()
        .to_openssh()
        .expect("an Ed25519 key encodes")
}

/// Seconds since 1970 of `2026-03-03` (at 10:00) or `2026-03-03 17:45`,
/// at +08:00. `None` for anything else.
pub fn seconds(when: &str) -> Option<i64> {
    let dt: jiff::civil::DateTime = if when.len() == 10 {
        when.parse::<jiff::civil::Date>().ok()?.at(10, 0, 0, 0)
    } else {
        when.replacen(' ', "T", 1).parse().ok()?
    };
    Some(jiff::tz::offset(8).to_timestamp(dt).ok()?.as_second())
}

/// How a commit is signed.
#[derive(Debug, Clone, Copy)]
pub enum Signing<'a> {
    Unsigned,
    /// SSH-signed (namespace `git`) with this person's key.
    KeyOf(&'a str),
}

/// A records repository being written: a git work tree whose top is the
/// records root.
pub struct Company {
    pub root: PathBuf,
}

fn git_err(what: &str) -> impl Fn(git2::Error) -> Error + '_ {
    move |e| Error::Git(format!("{what}: {}", e.message()))
}

impl Company {
    /// The base records at `root` (made if missing), a git repository with
    /// no commit yet.
    pub fn base(root: &Path) -> Result<Company> {
        let c = Company {
            root: root.to_path_buf(),
        };
        for (rel, text) in base_files() {
            c.write(rel, &text)?;
        }
        Repository::init(root).map_err(git_err("git init"))?;
        Ok(c)
    }

    pub fn write(&self, rel: &str, text: &str) -> Result<()> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
    }

    pub fn read(&self, rel: &str) -> Result<String> {
        let path = self.root.join(rel);
        std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))
    }

    /// Replace `from` by `to` in a file; an error if `from` is not there,
    /// so a scenario never silently edits nothing.
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> Result<()> {
        let text = self.read(rel)?;
        if !text.contains(from) {
            return Err(Error::Usage(format!("{rel} does not contain {from:?}")));
        }
        self.write(rel, &text.replacen(from, to, 1))
    }

    pub fn append(&self, rel: &str, text: &str) -> Result<()> {
        let old = self.read(rel)?;
        self.write(rel, &format!("{old}\n{text}"))
    }

    pub fn remove(&self, rel: &str) -> Result<()> {
        let path = self.root.join(rel);
        std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))
    }

    /// Set `policy.signatures` ("none", "author" or "ssh").
    pub fn set_policy(&self, policy: &str) -> Result<()> {
        self.edit(
            "docket.toml",
            "signatures = \"none\"",
            &format!("signatures = \"{policy}\""),
        )
    }

    pub fn repo(&self) -> Result<Repository> {
        Repository::open(&self.root).map_err(git_err("opening the repository"))
    }

    /// Commit the whole work tree as `person` (an id of [`PEOPLE`]), with
    /// the author time `author` and the committer time `committer`
    /// (`2026-03-03` or `2026-03-03 17:45`, at +08:00), moving HEAD.
    pub fn commit(
        &self,
        person: &str,
        author: &str,
        committer: &str,
        msg: &str,
        signing: Signing,
    ) -> Result<Oid> {
        let repo = self.repo()?;
        let err = git_err("committing");
        let mut index = repo.index().map_err(&err)?;
        index
            .add_all(["*"], IndexAddOption::DEFAULT, None)
            .map_err(&err)?;
        index.update_all(["*"], None).map_err(&err)?;
        index.write().map_err(&err)?;
        let tree = repo
            .find_tree(index.write_tree().map_err(&err)?)
            .map_err(&err)?;
        let (_, name, email, ..) = PEOPLE
            .iter()
            .find(|p| p.0 == person)
            .ok_or_else(|| Error::Usage(format!("{person} is not in the cast")))?;
        let time = |when: &str| {
            seconds(when)
                .map(|s| Time::new(s, 480))
                .ok_or_else(|| Error::Usage(format!("not a time: {when}")))
        };
        let author = Signature::new(name, email, &time(author)?).map_err(&err)?;
        let committer = Signature::new(name, email, &time(committer)?).map_err(&err)?;
        let parent = match repo.head() {
            Ok(h) => Some(h.peel_to_commit().map_err(&err)?),
            Err(_) => None,
        };
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let id = match signing {
            Signing::Unsigned => repo
                .commit(None, &author, &committer, msg, &tree, &parents)
                .map_err(&err)?,
            Signing::KeyOf(owner) => {
                let buf = repo
                    .commit_create_buffer(&author, &committer, msg, &tree, &parents)
                    .map_err(&err)?;
                let payload = buf
                    .as_str()
                    .map_err(|_| Error::Git("commit is not UTF-8".into()))?;
                let sig = private_key(owner)
                    .sign("git", HashAlg::Sha512, payload.as_bytes())
                    .and_then(|s| s.to_pem(LineEnding::LF))
                    .map_err(|e| Error::Git(format!("signing: {e}")))?;
                repo.commit_signed(payload, &sig, None).map_err(&err)?
            }
        };
        let branch = "refs/heads/main";
        repo.reference(branch, id, true, msg).map_err(&err)?;
        repo.set_head(branch).map_err(&err)?;
        Ok(id)
    }

    /// [`Company::commit`] with the author time equal to the committer
    /// time.
    pub fn commit_on(&self, person: &str, day: &str, msg: &str, signing: Signing) -> Result<Oid> {
        self.commit(person, day, day, msg, signing)
    }
}
