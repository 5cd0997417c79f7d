//! Generate a records repository with a long git history, for the history
//! benchmark (bench/history.sh):
//!
//! ```text
//! cargo run --release --example gen_history -- DIR [COMMITS]   (default 20000)
//! ```
//!
//! Eleven years of a small company: sales staff add orders, the GM reviews
//! each in his own commit, follow-ups and CAPAs come and go, customers are
//! edited. Objects are written to an in-memory object database and dumped
//! as one pack every few thousand commits; trees are rebuilt only along the
//! changed path. So 20,000 commits take seconds, not the minutes that
//! `git commit` in a loop would.

use git2::{FileMode, Oid, Repository, Signature, Time};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const DOCKET: &str = "[company]\nname = \"Bench Precision Co.\"\nlanguage = \"en\"\ntimezone = \"+08:00\"\n\n\
[policy]\nsignatures = \"author\"\n";

const PEOPLE: &[(&str, &str, &str, &str, &str)] = &[
    (
        "wang.gm",
        "Wang Daming",
        "wang@acme.example",
        "gm",
        "commerce",
    ),
    ("li.sales", "Li Mei", "li@acme.example", "sales", "sales"),
    ("sun.qc", "Sun Hui", "sun@acme.example", "qc", "qc"),
    (
        "zhao.mfg",
        "Zhao Gang",
        "zhao@acme.example",
        "manufacturing",
        "manufacturing",
    ),
];

const CUSTOMERS: usize = 40;

/// A tiny deterministic generator: the same input makes the same repository.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Order {
    id: String,
    path: String,
    customer: usize,
    received: String,
    quantity: u64,
    review: Option<String>,
    followups: Vec<String>,
}

impl Order {
    fn text(&self) -> String {
        let mut s = format!(
            "id = \"{}\"\ncustomer = \"C-{:04}\"\nchannel = \"website\"\nreceived = {}\nowner = \"li.sales\"\n\
             legible = true\ndelivery_place = \"Warehouse {}\"\n\n[[line]]\npart_number = \"AP-SH-1020\"\n\
             product = \"Stainless shaft\"\nspec = \"D10 x 200 mm, SUS304\"\nquantity = {}\ndelivery = {}\n",
            self.id,
            self.customer,
            self.received,
            self.customer % 7,
            self.quantity,
            self.received
        );
        if let Some(date) = &self.review {
            s.push_str(&format!(
                "\n[capacity]\nstock = 0\nproducible = true\nmaterials_ready = true\nnew_product = false\n\n\
                 [review]\ndecision = \"approved\"\nby = \"wang.gm\"\ndate = {date}\n"
            ));
        }
        for f in &self.followups {
            s.push_str(&format!(
                "\n[[followup]]\ndate = {f}\nby = \"li.sales\"\nnote = \"production on track\"\n"
            ));
        }
        s
    }
}

/// The work tree as folders of entries; folders changed since the last
/// commit are rewritten bottom-up.
#[derive(Default)]
struct Trees {
    dirs: BTreeMap<String, BTreeMap<String, (Oid, bool)>>,
    dirty: BTreeSet<String>,
}

impl Trees {
    fn put(&mut self, repo: &Repository, path: &str, text: &str) {
        let blob = repo.blob(text.as_bytes()).unwrap();
        let (dir, name) = path.rsplit_once('/').map_or(("", path), |(d, n)| (d, n));
        self.dirs
            .entry(dir.to_string())
            .or_default()
            .insert(name.to_string(), (blob, false));
        let mut d = dir.to_string();
        loop {
            self.dirty.insert(d.clone());
            if d.is_empty() {
                break;
            }
            let (parent, name) = d
                .rsplit_once('/')
                .map_or((String::new(), d.clone()), |(p, n)| {
                    (p.to_string(), n.to_string())
                });
            let slot = self.dirs.entry(parent.clone()).or_default();
            slot.entry(name).or_insert((Oid::ZERO_SHA1, true));
            d = parent;
        }
    }

    fn write(&mut self, repo: &Repository) -> Oid {
        let mut dirty: Vec<String> = std::mem::take(&mut self.dirty).into_iter().collect();
        dirty.sort_by_key(|d| {
            std::cmp::Reverse(d.matches('/').count() + usize::from(!d.is_empty()))
        });
        let mut root = Oid::ZERO_SHA1;
        for dir in dirty {
            let mut tb = repo.treebuilder(None).unwrap();
            for (name, (oid, is_tree)) in &self.dirs[&dir] {
                let mode = if *is_tree {
                    FileMode::Tree
                } else {
                    FileMode::Blob
                };
                tb.insert(name, *oid, mode.into()).unwrap();
            }
            let id = tb.write().unwrap();
            if dir.is_empty() {
                root = id;
            } else {
                let (parent, name) = dir
                    .rsplit_once('/')
                    .map_or(("", dir.as_str()), |(p, n)| (p, n));
                self.dirs
                    .get_mut(parent)
                    .unwrap()
                    .insert(name.to_string(), (id, true));
            }
        }
        root
    }
}

fn date_of(secs: i64) -> String {
    let ts = jiff::Timestamp::from_second(secs).unwrap();
    jiff::tz::offset(8).to_datetime(ts).date().to_string()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: gen_history DIR [COMMITS]");
    let commits: usize = args
        .next()
        .map_or(20_000, |n| n.parse().expect("COMMITS is a number"));
    let dir = Path::new(&dir);
    assert!(
        !dir.join(".git").exists(),
        "{} already holds a repository",
        dir.display()
    );
    let repo = Repository::init(dir).unwrap();
    // Entries point at objects this program just wrote: checking that each
    // exists (libgit2's default) would look up every entry of every tree.
    git2::opts::strict_object_creation(false);
    git2::opts::strict_hash_verification(false);
    let odb = repo.odb().unwrap();
    let mempack = odb.add_new_mempack_backend(1000).unwrap();
    let flush = |repo: &Repository| {
        let mut buf = git2::Buf::new();
        mempack.dump(repo, &mut buf).unwrap();
        let mut writer = odb.packwriter().unwrap();
        std::io::Write::write_all(&mut writer, &buf).unwrap();
        writer.commit().unwrap();
        mempack.reset().unwrap();
    };

    let mut rng = Lcg(20260301);
    let mut trees = Trees::default();
    let people: String = PEOPLE
        .iter()
        .map(|(id, name, email, role, dept)| {
            format!("[[person]]\nid = \"{id}\"\nname = \"{name}\"\nemails = [\"{email}\"]\nroles = [\"{role}\"]\ndepartment = \"{dept}\"\n\n")
        })
        .collect();
    trees.put(&repo, "docket.toml", DOCKET);
    trees.put(&repo, "people.toml", &people);
    trees.put(
        &repo,
        "products/AP-SH-1020.toml",
        "part_number = \"AP-SH-1020\"\nname = \"Stainless shaft\"\nspec = \"D10 x 200 mm, SUS304\"\nunit = \"pcs\"\n",
    );
    let customer = |n: usize, phone: u64| {
        format!(
            "id = \"C-{n:04}\"\nname = \"Customer {n}\"\nregion = \"domestic\"\naddress = \"Road {n}\"\n\
             contact = \"Contact {n}\"\nphone = \"+886 2 {phone:08}\"\naccount_manager = \"li.sales\"\n"
        )
    };
    for n in 1..=CUSTOMERS {
        trees.put(
            &repo,
            &format!("customers/C-{n:04}.toml"),
            &customer(n, n as u64),
        );
    }

    let start = 1_451_869_200i64; // 2016-01-04 09:00 +08:00
    let span = 11 * 365 * 86_400i64;
    let step = span / commits.max(1) as i64;
    let mut orders: Vec<Order> = Vec::new();
    let mut pending: Vec<usize> = Vec::new();
    let mut serial: BTreeMap<i16, u32> = BTreeMap::new();
    let mut parent: Option<Oid> = None;
    let began = std::time::Instant::now();
    for i in 0..commits {
        let secs = start + i as i64 * step;
        let today = date_of(secs);
        let year: i16 = today[..4].parse().unwrap();
        let roll = rng.below(100);
        let (who, msg) = if i == 0 {
            ("li.sales", "Set up the records repository".to_string())
        } else if roll < 25 && !pending.is_empty() {
            let o = pending.remove(0);
            orders[o].review = Some(today.clone());
            trees.put(&repo, &orders[o].path.clone(), &orders[o].text());
            ("wang.gm", format!("Review {}", orders[o].id))
        } else if roll < 35 && !orders.is_empty() {
            let o = orders.len() - 1 - rng.below(orders.len().min(200) as u64) as usize;
            orders[o].followups.push(today.clone());
            trees.put(&repo, &orders[o].path.clone(), &orders[o].text());
            ("li.sales", format!("Follow up {}", orders[o].id))
        } else if roll < 40 {
            let n = serial.entry(year).or_default();
            *n += 1;
            let id = format!("CAPA-{year}-{:04}", 5000 + *n);
            let text = format!(
                "id = \"{id}\"\nkind = \"corrective\"\nsource = \"internal\"\ncustomer = \"C-0001\"\nopened = {today}\n\
                 opened_by = \"li.sales\"\ndescription = \"Burr on shaft end\"\nresponsible_department = \"manufacturing\"\n"
            );
            trees.put(&repo, &format!("capa/{year}/{id}.toml"), &text);
            ("li.sales", format!("Open {id}"))
        } else if roll < 45 {
            let n = 1 + rng.below(CUSTOMERS as u64) as usize;
            trees.put(
                &repo,
                &format!("customers/C-{n:04}.toml"),
                &customer(n, rng.next()),
            );
            ("li.sales", format!("New phone for C-{n:04}"))
        } else {
            let n = serial.entry(year).or_default();
            *n += 1;
            let id = format!("SO-{year}-{:04}", *n);
            let order = Order {
                path: format!("orders/{year}/{id}.toml"),
                id,
                customer: 1 + rng.below(CUSTOMERS as u64) as usize,
                received: today.clone(),
                quantity: 100 + rng.below(900),
                review: None,
                followups: Vec::new(),
            };
            trees.put(&repo, &order.path, &order.text());
            let msg = format!("Order {} received", order.id);
            pending.push(orders.len());
            orders.push(order);
            ("li.sales", msg)
        };
        let tree = repo.find_tree(trees.write(&repo)).unwrap();
        let (_, name, email, ..) = PEOPLE.iter().find(|p| p.0 == who).unwrap();
        let sig = Signature::new(name, email, &Time::new(secs, 480)).unwrap();
        let parents: Vec<git2::Commit> = parent
            .iter()
            .map(|p| repo.find_commit(*p).unwrap())
            .collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        parent = Some(repo.commit(None, &sig, &sig, &msg, &tree, &refs).unwrap());
        if (i + 1) % 2000 == 0 {
            flush(&repo);
        }
    }
    flush(&repo);
    let head = parent.expect("at least one commit");
    repo.reference("refs/heads/main", head, true, "gen_history")
        .unwrap();
    repo.set_head("refs/heads/main").unwrap();
    repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
    eprintln!(
        "{commits} commits, {} orders, in {:.1} s: {}",
        orders.len(),
        began.elapsed().as_secs_f64(),
        dir.display()
    );
}
