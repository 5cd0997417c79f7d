//! A rebuild takes a record's page from the previous site when nothing it
//! read has changed (src/render/reads.rs). These tests change one record
//! in ways that show on *other* records' pages (a customer's name beside
//! each of its orders, an order's status in its customer's list, a new
//! order in a customer's list) and demand that the rebuilt site is the
//! site a cold build makes, byte for byte, with most pages taken as they
//! were. Every build in the suite also runs with DOCKET_VERIFY_READS=1
//! (fixture.rs), which builds each page taken anyway and fails on a
//! difference.

use crate::fixture::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const AS_OF: &str = "2026-11-20";

struct Demo {
    _dir: tempfile::TempDir,
    records: PathBuf,
    site: PathBuf,
}

impl Demo {
    fn new() -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let records = demo_records(dir.path(), 24);
        let site = dir.path().join("site");
        Demo {
            _dir: dir,
            records,
            site,
        }
    }

    /// Build into `out`; how many pages were rendered, of how many.
    fn build(&self, out: &Path) -> (usize, usize) {
        let built = self.build_counted(out);
        (built.rendered, built.pages)
    }

    /// Build into `out` with `DOCKET_TIMINGS`: how many pages were
    /// rendered, of how many, and what the build counted (record pages
    /// laid out, files proven...).
    fn build_counted(&self, out: &Path) -> Counted {
        let run: Run = docket_cmd()
            .env("DOCKET_TIMINGS", "1")
            .args(["build", "--as-of", AS_OF, "--out", out.to_str().unwrap()])
            .arg("--records")
            .arg(&self.records)
            .output()
            .unwrap()
            .into();
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        let (pages, rest) = run.stdout.split_once(" pages (").expect(&run.stdout);
        let counts = run
            .stderr
            .lines()
            .filter_map(|l| l.strip_prefix("count "))
            .filter_map(|l| {
                let (name, n) = l.trim_end().rsplit_once(' ')?;
                Some((name.trim().to_string(), n.parse().ok()?))
            })
            .collect();
        Counted {
            rendered: rest.split_once(" rendered").unwrap().0.parse().unwrap(),
            pages: pages.rsplit(' ').next().unwrap().parse().unwrap(),
            counts,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.records.join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn commit(&self, message: &str) {
        self.commit_as(
            &["-c", "user.name=Li Mei", "-c", "user.email=li@acme.example"],
            message,
        );
    }

    /// Commit as the GM, signed with the GM's key (the demo writes the
    /// keys beside the records): a change to people.toml takes effect.
    fn commit_as_gm(&self, message: &str) {
        let key = self.records.parent().unwrap().join("keys/wang.gm");
        let key = format!("user.signingkey={}", key.display());
        let gm = [
            "-c",
            "user.name=Wang Daming",
            "-c",
            "user.email=wang@acme.example",
        ];
        let signing = [
            "-c",
            "gpg.format=ssh",
            "-c",
            &key,
            "-c",
            "commit.gpgsign=true",
        ];
        self.commit_as(&[&gm[..], &signing[..]].concat(), message);
    }

    /// A new employee, Gao Lan, in QC, committed by the GM as governance
    /// asks; no record names her.
    fn gao_joins(&self) {
        let people = self.read("people.toml");
        self.write(
            "people.toml",
            &format!(
                "{people}\n[[person]]\nid = \"gao.qc\"\nname = \"Gao Lan\"\n\
                 emails = [\"gao@acme.example\"]\nroles = [\"qc\"]\ndepartment = \"qc\"\n"
            ),
        );
        self.commit_as_gm("people: Gao Lan joins QC");
    }

    /// Commit everything with the git settings `who` (unsigned unless
    /// they say otherwise: of two `-c` of one key, git takes the last).
    fn commit_as(&self, who: &[&str], message: &str) {
        let unsigned = ["-c", "commit.gpgsign=false"];
        let commit = [&unsigned[..], who, &["commit", "-qm", message][..]].concat();
        for args in [vec!["add", "-A"], commit] {
            let out = std::process::Command::new("git")
                .arg("-C")
                .arg(&self.records)
                .args(&args)
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
        }
    }

    /// The incremental site equals a cold build of the same commit: every
    /// file, the manifest and the kept reads included.
    #[track_caller]
    fn assert_same_as_cold(&self, step: &str) {
        self.assert_same_as_cold_but(step, &[]);
    }

    /// As [`Demo::assert_same_as_cold`], but for the files named.
    #[track_caller]
    fn assert_same_as_cold_but(&self, step: &str, but: &[&str]) {
        let cold_dir = tempfile::tempdir().unwrap();
        let cold = cold_dir.path().join("site");
        let git_cache = self.records.join(".git/docket");
        if git_cache.exists() {
            std::fs::remove_dir_all(&git_cache).unwrap();
        }
        let (rendered, pages) = self.build(&cold);
        assert_eq!(rendered, pages, "a cold build renders every page");
        let (warm, cold) = (files(&self.site), files(&cold));
        let differ: Vec<&String> = cold
            .keys()
            .chain(warm.keys())
            .filter(|k| !but.contains(&k.as_str()) && cold.get(*k) != warm.get(*k))
            .collect();
        assert!(
            differ.is_empty(),
            "after {step}, the rebuilt site differs from a cold build in {differ:?}"
        );
    }
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The first file below `folder` whose text contains `needle`.
fn find(demo: &Demo, folder: &str, needle: &str) -> String {
    let mut found: Vec<String> = walkdir::WalkDir::new(demo.path(folder))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .filter(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains(needle)))
        .map(|e| {
            e.path()
                .strip_prefix(&demo.records)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    found.sort();
    found
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {needle:?} in {folder}"))
}

/// The first order of customer C-0001: its file, and its id.
fn order_of_c0001(demo: &Demo) -> (String, String) {
    let order = find(demo, "orders", "customer = \"C-0001\"");
    let id = Path::new(&order)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    (order, id)
}

/// What a build printed and counted.
struct Counted {
    rendered: usize,
    pages: usize,
    counts: BTreeMap<String, usize>,
}

impl Counted {
    #[track_caller]
    fn count(&self, name: &str) -> usize {
        *self
            .counts
            .get(name)
            .unwrap_or_else(|| panic!("no count of {name} in {:?}", self.counts))
    }
}

fn site_page(demo: &Demo, rel: &str) -> String {
    std::fs::read_to_string(demo.site.join(rel)).unwrap()
}

#[test]
fn a_rebuild_after_changes_across_records_equals_a_cold_build() {
    let demo = Demo::new();
    let (first, pages) = demo.build(&demo.site);
    assert_eq!(first, pages);
    assert_eq!(
        demo.build(&demo.site).0,
        0,
        "nothing changed, nothing rendered"
    );

    // 1. A customer's new name: shown beside every order, CAPA and survey
    // of that customer, on their pages and in every list.
    let customer = "customers/C-0001.toml";
    let text = demo.read(customer);
    let name = text
        .lines()
        .find_map(|l| l.strip_prefix("name = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap()
        .to_string();
    demo.write(
        customer,
        &text.replacen(&name, "Renamed Instruments Ltd", 1),
    );
    demo.commit("Customer renamed");
    let (order, order_id) = order_of_c0001(&demo);
    let (rendered, pages) = demo.build(&demo.site);
    assert!(
        rendered < pages / 2,
        "only the pages showing the customer are rendered: {rendered} of {pages}"
    );
    let shown = site_page(&demo, &format!("orders/{order_id}.html"));
    assert!(
        shown.contains("Renamed Instruments Ltd"),
        "the order names its customer"
    );
    demo.assert_same_as_cold("renaming a customer");

    // 2. A flow sheet removed: its order is no longer in production, as
    // its row on the customer's and the product's pages says.
    let sheet = find(&demo, "flowsheets", "order");
    let sheet_text = demo.read(&sheet);
    std::fs::remove_file(demo.path(&sheet)).unwrap();
    demo.commit("Flow sheet withdrawn");
    let (rendered, _) = demo.build(&demo.site);
    assert!(
        rendered > 0 && rendered < pages / 2,
        "{rendered} of {pages}"
    );
    demo.assert_same_as_cold("removing a flow sheet");

    // 3. A new order for the customer: one more row in its list.
    let new_id = "SO-2026-0900";
    let order_text = demo.read(&order).replace(&order_id, new_id);
    demo.write(&format!("orders/2026/{new_id}.toml"), &order_text);
    demo.commit("A new order");
    demo.build(&demo.site);
    let customer_page = site_page(&demo, "customers/C-0001.html");
    assert!(
        customer_page.contains(new_id),
        "the customer lists its new order"
    );
    demo.assert_same_as_cold("adding an order");

    // 4. An approved order changed without a [[change]] entry: a finding,
    // counted in the order's row on its customer's page.
    let changed = demo.read(&order).replacen("quantity = ", "quantity = 1", 1);
    demo.write(&order, &changed);
    demo.commit("Quantity corrected");
    demo.build(&demo.site);
    demo.assert_same_as_cold("changing an approved order");

    // 5. The flow sheet back, in the working tree only (not committed).
    demo.write(&sheet, &sheet_text);
    demo.build(&demo.site);
    demo.assert_same_as_cold("restoring a flow sheet uncommitted");
}

/// What the build kept of `page`'s reads in the site (docs/site.md).
fn kept_reads(demo: &Demo, page: &str) -> Vec<String> {
    let kept: serde_json::Value =
        serde_json::from_slice(&std::fs::read(demo.site.join(".docket-reads")).unwrap()).unwrap();
    // Each distinct read once, in a table; each page's by number there.
    kept["pages"][page][1]
        .as_array()
        .unwrap_or_else(|| panic!("no reads kept for {page}: {kept}"))
        .iter()
        .map(|n| {
            let n = n.as_u64().unwrap() as usize;
            kept["reads"][n].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn the_site_keeps_what_each_record_page_read_of_other_records() {
    let demo = Demo::new();
    demo.build(&demo.site);
    let (_, order_id) = order_of_c0001(&demo);
    // The customer's page read which orders it has, and each one's row.
    let customer = kept_reads(&demo, "customers/C-0001.html");
    for read in [
        "related customers orders C-0001".to_string(),
        format!("row orders {order_id}"),
    ] {
        assert!(customer.contains(&read), "{read:?} not in {customer:?}");
    }
    // The order's page read its customer's link (the name beside it).
    let order_reads = kept_reads(&demo, &format!("orders/{order_id}.html"));
    assert!(
        order_reads.contains(&"link C-0001".to_string()),
        "{order_reads:?}"
    );
}

#[test]
fn a_taken_page_that_differs_from_the_page_made_fails_a_verifying_build() {
    let demo = Demo::new();
    demo.build(&demo.site);
    let path = demo.site.join(".docket-reads");
    let kept: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    // Each page's view hash as the last build kept it, replaced: to the
    // verifying build every page taken is now not the page it makes.
    for wrong in [0, 1] {
        let mut doctored = kept.clone();
        for (_, entry) in doctored["pages"].as_object_mut().unwrap() {
            entry[0] = serde_json::json!(wrong);
        }
        std::fs::write(&path, serde_json::to_vec(&doctored).unwrap()).unwrap();
        let run = docket_on(
            &demo.records,
            &[
                "build",
                "--as-of",
                AS_OF,
                "--out",
                demo.site.to_str().unwrap(),
            ],
        );
        assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(
                ".html was taken from the previous build, but this build makes it differently"
            ),
            "{}",
            run.stderr
        );
    }
    // Without verifying, the hash is not looked at: pages are taken by
    // what they read, and every page is as a cold build makes it (the
    // doctored hashes are carried over: the site folder is docket's own).
    let run: Run = docket_cmd()
        .env("DOCKET_VERIFY_READS", "0")
        .args([
            "build",
            "--as-of",
            AS_OF,
            "--out",
            demo.site.to_str().unwrap(),
            "--records",
        ])
        .arg(&demo.records)
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "{}", run.stderr);
    demo.assert_same_as_cold_but("a build that does not verify", &[".docket-reads"]);
}

#[test]
fn kept_reads_that_are_garbled_change_nothing_but_speed() {
    let demo = Demo::new();
    demo.build(&demo.site);
    let reads = demo.site.join(".docket-reads");
    let kept = std::fs::read(&reads).expect("the build keeps what each page read");
    for junk in [
        "",
        "{\"format\":1,\"pages\":{\"customers/C-0001.html\":[1,[\"bogus read\"]]}}",
        "{\"format\":1,\"pages\":{\"customers/C-0001.html\":[1,[]]}}",
        "\u{0}",
    ] {
        std::fs::write(&reads, junk).unwrap();
        // Each page is laid out again, and comes out as it was.
        demo.build(&demo.site);
        assert_eq!(std::fs::read(&reads).unwrap(), kept, "with {junk:?} kept");
        demo.assert_same_as_cold("garbling the kept reads");
    }
    // Cut short anywhere (a full disk, an interrupted copy), at a few
    // lengths here: the unit tests cut it at every one.
    for len in [1, kept.len() / 3, kept.len() / 2, kept.len() - 1] {
        std::fs::write(&reads, &kept[..len]).unwrap();
        demo.build(&demo.site);
        assert_eq!(std::fs::read(&reads).unwrap(), kept, "cut to {len} bytes");
        demo.assert_same_as_cold(&format!("cutting the kept reads to {len} bytes"));
    }
    // A well-formed file that lies: every page's reads renumbered to the
    // table's first read, which no check of the file can tell, and a
    // customer renamed. A page is fingerprinted by what the file names,
    // so a lie only fails to match what the page was published with: the
    // page is built again and compared by what it reads now.
    let mut lying: serde_json::Value = serde_json::from_slice(&kept).unwrap();
    for (_, entry) in lying["pages"].as_object_mut().unwrap() {
        if !entry[1].as_array().unwrap().is_empty() {
            entry[1] = serde_json::json!([0]);
        }
    }
    std::fs::remove_file(&reads).unwrap();
    std::fs::write(&reads, serde_json::to_vec(&lying).unwrap()).unwrap();
    let customer = "customers/C-0001.toml";
    let text = demo.read(customer);
    demo.write(
        customer,
        &text.replacen("name = \"", "name = \"Renamed ", 1),
    );
    demo.commit("Customer renamed");
    let (_, order_id) = order_of_c0001(&demo);
    let (rendered, pages) = demo.build(&demo.site);
    assert!(rendered > 0 && rendered < pages, "{rendered} of {pages}");
    let shown = site_page(&demo, &format!("orders/{order_id}.html"));
    assert!(shown.contains("Renamed "), "the order names its customer");
    demo.assert_same_as_cold("renumbering the kept reads");
}

#[test]
fn a_commit_that_signs_nothing_takes_every_month_of_signatures_unrendered() {
    // The audit page names the commit built, so it is made again on every
    // commit; the pages of each month's signatures do not, and a commit
    // that signs nothing leaves them as they were (the same files, linked
    // from the previous site).
    use std::os::unix::fs::MetadataExt;
    let demo = Demo::new();
    demo.build(&demo.site);
    let inodes = |site: &Path| -> BTreeMap<String, u64> {
        std::fs::read_dir(site.join("audit"))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                (name, e.metadata().unwrap().ino())
            })
            .collect()
    };
    let before = inodes(&demo.site);
    assert!(before.len() > 1, "{before:?}");
    let audit = site_page(&demo, "audit.html");
    let (order, _) = order_of_c0001(&demo);
    let text = demo.read(&order);
    demo.write(
        &order,
        &format!(
            "{text}\n[[followup]]\ndate = 2026-11-20\nby = \"li.sales\"\nnote = \"Called.\"\nrisk = false\n"
        ),
    );
    demo.commit("A follow-up");
    demo.build(&demo.site);
    assert_ne!(
        site_page(&demo, "audit.html"),
        audit,
        "names the new commit"
    );
    assert_eq!(inodes(&demo.site), before);
    demo.assert_same_as_cold("a commit that signs nothing");
}

/// Reads kept under another seed than the build's (a site built by another
/// version of docket, or before docket.toml changed) are not
/// read: every fingerprint starts from the seed, so no page could be taken
/// by them, and holding them while every page is rendered again was the
/// build's peak of memory (BENCHMARKS.md). Each page is laid out again and
/// taken when it comes out as it was; the site is the one a cold build
/// makes, and the reads kept are the build's own, under its seed.
#[test]
fn reads_kept_under_another_seed_change_nothing_but_memory() {
    let demo = Demo::new();
    demo.build(&demo.site);
    let file = demo.site.join(".docket-reads");
    let kept = std::fs::read_to_string(&file).unwrap();
    let (head, rest) = kept.split_once("\"seed\":").expect(&kept[..80]);
    let (seed, rest) = rest.split_once(',').unwrap();
    let other = seed.parse::<u64>().unwrap().wrapping_add(1);
    // A new file, never written into: the spare's copy is the same inode.
    std::fs::remove_file(&file).unwrap();
    std::fs::write(&file, format!("{head}\"seed\":{other},{rest}")).unwrap();
    let (rendered, _) = demo.build(&demo.site);
    assert_eq!(rendered, 0, "each page comes out as it was");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), kept);
    demo.assert_same_as_cold("a build given reads kept under another seed");
}

/// A new employee in people.toml, signed in by the GM as governance
/// asks: no record names her yet, so no record page is laid out again
/// (people.toml is not part of every page's seed), while the people page
/// lists her and the site is the one a cold build makes.
#[test]
fn a_new_person_lays_out_no_record_page_again() {
    let demo = Demo::new();
    let first = demo
        .build_counted(&demo.site)
        .count("record pages laid out");
    assert!(
        first > 20,
        "a first build lays out every record page: {first}"
    );
    demo.gao_joins();
    let built = demo.build_counted(&demo.site);
    assert_eq!(
        built.count("record pages laid out"),
        0,
        "no record page names the new person"
    );
    // Her policy is in force for no commit before it: every file's
    // proofs are taken from the cache.
    assert_eq!(built.count("files proven"), 0);
    assert!(built.count("files proven earlier") > 20);
    let (rendered, pages) = (built.rendered, built.pages);
    assert!(
        rendered > 0 && rendered * 5 < pages,
        "{rendered} of {pages} pages rendered"
    );
    assert!(site_page(&demo, "people.html").contains("Gao Lan"));
    demo.assert_same_as_cold("adding a person");
}

/// A person renamed in people.toml: every page that names her is laid
/// out again (a signature, a field such as a customer's account manager,
/// a timeline's commits), the others are taken as they were, and the
/// site is the one a cold build makes. A field is a read of the person
/// (`person ID`); a timeline row is not part of any page's view, and is
/// fingerprinted from the revisions' authors.
#[test]
fn a_person_renamed_lays_out_the_pages_that_name_her() {
    let demo = Demo::new();
    let first = demo
        .build_counted(&demo.site)
        .count("record pages laid out");
    // Chen Jie becomes C-0001's account manager, in a commit by Li Mei:
    // the customer's page names Chen only in that field.
    let customer = demo.read("customers/C-0001.toml");
    assert!(
        customer.contains("account_manager = \"li.sales\""),
        "{customer}"
    );
    demo.write(
        "customers/C-0001.toml",
        &customer.replace("\"li.sales\"", "\"chen.sales\""),
    );
    demo.commit("C-0001 to Chen Jie");
    demo.build(&demo.site);
    let reads = kept_reads(&demo, "customers/C-0001.html");
    assert!(
        reads.contains(&"person chen.sales".to_string()),
        "{reads:?}"
    );
    let rename = |from: &str, to: &str| {
        let people = demo.read("people.toml");
        let (from, to) = (format!("name = \"{from}\""), format!("name = \"{to}\""));
        assert!(people.contains(&from), "{people}");
        demo.write("people.toml", &people.replace(&from, &to));
        demo.commit_as_gm("people: a full name");
        let laid_out = demo
            .build_counted(&demo.site)
            .count("record pages laid out");
        assert!(
            laid_out > 0 && laid_out < first,
            "{laid_out} of {first} record pages laid out"
        );
    };
    rename("Chen Jie", "Chen Jiehua");
    let page = site_page(&demo, "customers/C-0001.html");
    assert!(page.contains("Chen Jiehua (chen.sales)"), "{page}");
    demo.assert_same_as_cold("renaming an account manager");

    // An order Li Mei committed: its timeline names her.
    rename("Li Mei", "Li Meihua");
    let (_, order_id) = order_of_c0001(&demo);
    let order = site_page(&demo, &format!("orders/{order_id}.html"));
    let timeline = &order[order.find("id=\"timeline\"").expect(&order)..];
    assert!(timeline.contains("Li Meihua (li.sales)"), "{timeline}");
    assert!(!order.contains("Li Mei ("), "{order}");
    demo.assert_same_as_cold("renaming a person");
}

/// A key revoked in people.toml after the fact (found stolen): what it
/// signed from the revocation day on proves nothing, in every proof, the
/// cached ones included. The policy in force now is part of what every
/// cached proof was made under, so the proofs are made again, and the
/// rebuilt site is the one a cold build makes.
#[test]
fn a_key_revoked_after_the_fact_is_not_served_from_the_proofs_cache() {
    let demo = Demo::new();
    demo.build(&demo.site);
    let signed = find(&demo, "property", "by = \"sun.qc\"");
    let stem = Path::new(&signed).file_stem().unwrap().to_str().unwrap();
    let page = format!("property/{stem}.html");
    assert!(site_page(&demo, &page).contains("class=\"sig-proven\""));
    let people = demo.read("people.toml");
    let key = people
        .lines()
        .skip_while(|l| *l != "id = \"sun.qc\"")
        .find_map(|l| l.strip_prefix("keys = [").and_then(|k| k.strip_suffix(']')))
        .unwrap_or_else(|| panic!("{people}"))
        .to_string();
    let revoked = format!("{{ key = {key}, revoked = 2000-01-01 }}");
    demo.write("people.toml", &people.replace(&key, &revoked));
    demo.commit_as_gm("people: Sun Hui's key was stolen");
    let built = demo.build_counted(&demo.site);
    assert!(built.count("files proven") > 0, "{:?}", built.counts);
    let shown = site_page(&demo, &page);
    assert!(!shown.contains("class=\"sig-proven\""), "{shown}");
    demo.assert_same_as_cold("revoking a key");
}

/// A person renamed to markup, as a hostile colleague with the GM's
/// signature would: the pages that name her are laid out again through
/// the person read and her name's author row in timelines, escaped
/// wherever it shows (a field, a timeline, the people page), and the
/// site is the one a cold build makes.
#[test]
fn a_person_renamed_to_markup_is_shown_escaped_on_every_page_laid_out_again() {
    let demo = Demo::new();
    demo.build(&demo.site);
    // In TOML's quotes: the name's own quotes, which would end an HTML
    // attribute, escaped for TOML.
    let evil =
        r#"Li <img src=x onerror=alert(1)><script>alert(2)</script>\" onmouseover=\"alert(3)"#;
    let people = demo.read("people.toml");
    assert!(people.contains("name = \"Li Mei\""), "{people}");
    demo.write(
        "people.toml",
        &people.replace("name = \"Li Mei\"", &format!("name = \"{evil}\"")),
    );
    demo.commit_as_gm("people: a name with markup");
    let laid_out = demo
        .build_counted(&demo.site)
        .count("record pages laid out");
    assert!(
        laid_out > 0,
        "the pages that name Li Mei are laid out again"
    );
    let escaped = "Li &lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;\
                   &quot; onmouseover=&quot;alert(3)";
    let customer = site_page(&demo, "customers/C-0001.html");
    assert!(
        customer.contains(&format!("{escaped} (li.sales)")),
        "the account manager field names her, escaped: {customer}"
    );
    let (_, order_id) = order_of_c0001(&demo);
    let order = site_page(&demo, &format!("orders/{order_id}.html"));
    let timeline = &order[order.find("id=\"timeline\"").expect(&order)..];
    assert!(timeline.contains(escaped), "{timeline}");
    // data.json is JSON, read as data; every page and the feed are
    // markup.
    let markup = |rel: &str| [".html", ".xml", ".atom"].iter().any(|e| rel.ends_with(e));
    for (rel, html) in files(&demo.site).into_iter().filter(|(rel, _)| markup(rel)) {
        let text = String::from_utf8_lossy(&html);
        assert!(!text.contains("<img src=x"), "{rel}: raw tag from a name");
        assert!(
            !text.contains("\" onmouseover"),
            "{rel}: a quote from a name"
        );
        assert!(
            !text.contains("<script>alert"),
            "{rel}: raw script from a name"
        );
    }
    demo.assert_same_as_cold("renaming a person to markup");
}

/// `proofs.json` records the length of the first-parent line its proofs
/// were made at, and its seed holds the policies before it. A hand-edited
/// length (larger than the line, or 0) names other policies than the
/// seed was made of: no proof is taken under it, every file is proven
/// again, and the site is the one a cold build makes.
#[test]
fn a_hand_edited_line_in_the_proofs_cache_takes_no_proof() {
    let demo = Demo::new();
    demo.build(&demo.site);
    // A policy in force after every proof kept: the proofs stay.
    demo.gao_joins();
    assert_eq!(demo.build_counted(&demo.site).count("files proven"), 0);
    let path = demo.path(".git/docket/proofs.json");
    let kept = std::fs::read_to_string(&path).unwrap();
    let at = kept.find("\"line\":").expect(&kept) + "\"line\":".len();
    let digits = kept[at..].chars().take_while(char::is_ascii_digit).count();
    let line: usize = kept[at..at + digits].parse().unwrap();
    assert!(line > 0, "{}", &kept[..200.min(kept.len())]);
    for edited in [line + 1000, 0] {
        let text = format!("{}{edited}{}", &kept[..at], &kept[at + digits..]);
        std::fs::write(&path, text).unwrap();
        let built = demo.build_counted(&demo.site);
        assert!(
            built.count("files proven") > 20,
            "line {edited}: {:?}",
            built.counts
        );
        assert_eq!(built.count("files proven earlier"), 0, "line {edited}");
        demo.assert_same_as_cold(&format!("a proofs cache made at line {edited}"));
    }
}
