//! Records repositories built in code: TOML files written into a temp
//! folder, optionally committed to a real git repository with chosen
//! authors and dates, and the `docket` binary run on them.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const AS_OF: &str = docket::selftest::run::AS_OF;

// The records, the cast and the keys are the library's
// (`docket::selftest::company`): `docket selftest` builds its scenarios
// from the same company these tests use. Policy "none" in docket.toml: the
// rule tests are about the rules, and most write files without git, where
// "author" or "ssh" would make the missing repository an error. Tests
// about signatures set their policy with `Repo::set_policy`.
pub use docket::selftest::company::{
    CUSTOMER, DOCKET_TOML, FLOWSHEET, FLOWSHEET_PATH, ORDER, ORDER_PATH, PEOPLE, PRODUCT, SURVEY,
    SURVEY_PATH, people_toml, people_toml_with_keys, private_key, public_key,
};

/// Customer property, received and verified.
pub const PROPERTY_PATH: &str = "property/2026/CP-2026-0001.toml";
pub const PROPERTY: &str = r#"id = "CP-2026-0001"
customer = "C-0001"
item = "Customer-supplied thread gauge M10"
received = 2026-03-02
custodian = "li.sales"
location = "QC lab cabinet 2"

[verified]
by = "sun.qc"
date = 2026-03-03
"#;

/// A records repository in a temporary folder.
pub struct Repo {
    _dir: tempfile::TempDir,
    /// The git work tree (the temp folder).
    pub top: PathBuf,
    /// The records root (the top, or a folder inside it).
    pub root: PathBuf,
}

impl Repo {
    /// Only docket.toml and people.toml.
    pub fn empty() -> Repo {
        Repo::empty_in("")
    }

    /// Like `empty`, with the records root at `sub` inside the work tree.
    pub fn empty_in(sub: &str) -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let top = dir.path().to_path_buf();
        let root = if sub.is_empty() {
            top.clone()
        } else {
            top.join(sub)
        };
        let repo = Repo {
            _dir: dir,
            top,
            root,
        };
        repo.write("docket.toml", DOCKET_TOML);
        repo.write("people.toml", &people_toml());
        repo
    }

    /// A small repository that checks clean as of [`AS_OF`].
    pub fn base() -> Repo {
        let repo = Repo::empty();
        repo.write("customers/C-0001.toml", CUSTOMER);
        repo.write("products/AP-SH-1020.toml", PRODUCT);
        repo.write(ORDER_PATH, ORDER);
        repo.write(FLOWSHEET_PATH, FLOWSHEET);
        repo.write("surveys/2026/SV-2026-0001.toml", SURVEY);
        repo
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        self.write_bytes(rel, text.as_bytes())
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) -> &Self {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        self
    }

    /// Write a file relative to the git work tree (outside the records
    /// root when it is a subfolder).
    pub fn write_top(&self, rel: &str, text: &str) -> &Self {
        std::fs::write(self.top.join(rel), text).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    /// Replace `from` by `to` in a file; panics if `from` is not there, so
    /// a test can never silently edit nothing.
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1))
    }

    /// Append lines to a file.
    pub fn append(&self, rel: &str, text: &str) -> &Self {
        let old = self.read(rel);
        self.write(rel, &format!("{old}\n{text}"))
    }

    /// Set `policy.signatures` ("none", "author" or "ssh").
    pub fn set_policy(&self, policy: &str) -> &Self {
        let text = self.read("docket.toml");
        let line = text
            .lines()
            .find(|l| l.starts_with("signatures = "))
            .expect("docket.toml sets signatures")
            .to_string();
        self.write(
            "docket.toml",
            &text.replacen(&line, &format!("signatures = \"{policy}\""), 1),
        )
    }

    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.path(rel)).unwrap();
        self
    }

    /// Run docket with `--records <root>` and the given arguments.
    pub fn docket(&self, args: &[&str]) -> Run {
        let mut cmd = docket_cmd();
        cmd.args(args).arg("--records").arg(&self.root);
        Run::from(cmd.output().expect("docket runs"))
    }

    /// `check --format json` started and left running, its output piped:
    /// for runs at once on one repository.
    pub fn spawn_check(&self) -> std::process::Child {
        self.check_cmd()
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("docket starts")
    }

    /// A page of the site built with `language = "zh-Hant"` set in the
    /// working tree, as text with its entities unescaped.
    pub fn page_in_chinese(&self, page: &str) -> String {
        self.edit("docket.toml", "language = \"en\"", "language = \"zh-Hant\"");
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        let built = self.docket(&["build", "--out", site.to_str().unwrap(), "--as-of", AS_OF]);
        assert!(built.code < 2, "{}", built.stderr);
        unescape(&std::fs::read_to_string(site.join(page)).unwrap())
    }

    /// `docket check --format json --as-of AS_OF`.
    pub fn check(&self) -> Run {
        self.check_as_of(AS_OF)
    }

    pub fn check_as_of(&self, as_of: &str) -> Run {
        self.docket(&["check", "--format", "json", "--as-of", as_of])
    }

    /// [`Repo::check`] with the environment `env` (given to git as to
    /// docket in the tests of git's settings) and `more` arguments.
    pub fn check_in(&self, env: &[(&str, &str)], more: &[&str]) -> Run {
        let out = self
            .check_cmd()
            .args(more)
            .envs(env.iter().copied())
            .output();
        Run::from(out.expect("docket runs"))
    }

    /// The command [`Repo::check`] runs, to start otherwise.
    fn check_cmd(&self) -> Command {
        let mut cmd = docket_cmd();
        cmd.args(["check", "--format", "json", "--as-of", AS_OF, "--records"])
            .arg(&self.root);
        cmd
    }
}

pub fn docket_cmd() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_docket"));
    // Every rebuild in the suite also checks that each page it took from
    // the previous site is the page it would have made (render/reads.rs).
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .env("DOCKET_VERIFY_READS", "1")
        // ...and that each proof whose anchor it skipped passes it.
        .env("DOCKET_VERIFY_ANCHORS", "1");
    cmd
}

/// The result of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// One finding of `check --format json`.
#[derive(Debug, Clone, PartialEq)]
pub struct F {
    pub rule: String,
    pub severity: String,
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr)
        })
    }

    /// The findings, less the one `history-unavailable` warning that every
    /// repository not under git gets: most tests write files without
    /// committing them and are about other rules. [`Run::all_findings`]
    /// keeps it.
    pub fn findings(&self) -> Vec<F> {
        self.all_findings()
            .into_iter()
            .filter(|f| {
                !(f.rule == "history-unavailable" && f.message.starts_with("no git repository"))
            })
            .collect()
    }

    pub fn all_findings(&self) -> Vec<F> {
        self.json()["findings"]
            .as_array()
            .expect("findings array")
            .iter()
            .map(|f| F {
                rule: f["rule"].as_str().unwrap().to_string(),
                severity: f["severity"].as_str().unwrap().to_string(),
                file: f["file"].as_str().unwrap().to_string(),
                line: f["line"].as_u64(),
                column: f["column"].as_u64(),
                message: f["message"].as_str().unwrap().to_string(),
            })
            .collect()
    }

    /// The findings of one rule.
    pub fn of(&self, rule: &str) -> Vec<F> {
        self.findings()
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect()
    }

    /// The files said to have uncommitted changes.
    pub fn uncommitted(&self) -> Vec<String> {
        self.of("history-unavailable")
            .into_iter()
            .filter(|f| f.message.contains("uncommitted changes"))
            .map(|f| f.file)
            .collect()
    }

    /// The distinct rule ids found, in the order they are first reported.
    pub fn rules(&self) -> Vec<String> {
        let mut r: Vec<String> = Vec::new();
        for f in self.findings() {
            if !r.contains(&f.rule) {
                r.push(f.rule);
            }
        }
        r
    }
}

/// Assert `rule` fired (at least once) and return its findings.
#[track_caller]
/// Write `bytes` (of the file's own length) over `file` in place, its
/// modification time put back (`touch -r`, or an editor that keeps it):
/// the size, modification time and inode are as before, and only the
/// change time, which no one can put back, tells. Sleeps past any file
/// system's time granularity first (some keep whole seconds), so the
/// change time cannot equal the one git's index recorded.
pub fn write_keeping_time(file: &Path, bytes: &[u8]) {
    use std::os::unix::fs::MetadataExt;
    let before = std::fs::metadata(file).unwrap();
    assert_eq!(
        bytes.len() as u64,
        before.len(),
        "an edit of the same length"
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(file, bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(file)
        .unwrap()
        .set_modified(before.modified().unwrap())
        .unwrap();
    let after = std::fs::metadata(file).unwrap();
    assert_eq!(
        (after.len(), after.mtime(), after.mtime_nsec(), after.ino()),
        (
            before.len(),
            before.mtime(),
            before.mtime_nsec(),
            before.ino()
        )
    );
}

/// Run `git` in the work tree of `repo`, with the environment `env`;
/// it must succeed.
pub fn git_in(repo: &Repo, env: &[(&str, &str)], args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(&repo.top)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
}

/// Rewrite the cached history index (`.git/docket/history.bin`) with
/// `edit`, as someone with write access to `.git` could.
pub fn edit_history_index(repo: &Repo, edit: impl FnOnce(&mut Value)) {
    let git_dir = repo.git().path().to_path_buf();
    let mut index = docket::history::cached_index_json(&git_dir).expect("history.bin written");
    edit(&mut index);
    assert!(docket::history::write_cached_index_json(&git_dir, index));
}

/// Move `file`'s modification time half a minute back, well before git
/// next writes its index: an entry refreshed then is not racily clean,
/// and vouches for the file.
pub fn modified_before_the_index(file: &Path) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(30);
    std::fs::File::options()
        .write(true)
        .open(file)
        .unwrap()
        .set_modified(past)
        .unwrap();
}

#[track_caller]
pub fn fires(run: &Run, rule: &str) -> Vec<F> {
    let found = run.of(rule);
    assert!(
        !found.is_empty(),
        "expected rule {rule} to fire; got {:#?}",
        run.findings()
    );
    found
}

/// Assert that the check found nothing at all.
#[track_caller]
pub fn clean(run: &Run) {
    assert_eq!(
        run.findings(),
        vec![],
        "expected no findings; stderr: {}",
        run.stderr
    );
    assert_eq!(run.code, 0);
}

// ---------------------------------------------------------------------------
// git: commits with chosen authors, dates and SSH signatures.

/// How a test commit is signed.
#[derive(Clone, Copy)]
pub enum Signing<'a> {
    Unsigned,
    /// SSH-signed with this person's key.
    KeyOf(&'a str),
    /// SSH-signed with this person's key over other content (a commit
    /// altered after signing).
    Tampered(&'a str),
    /// An OpenPGP signature block (not verifiable by docket).
    OpenPgp,
    /// The signature anyone can make with [`weak_key`]: `R` the identity,
    /// `s` = 0, which verifies over any commit.
    Weak,
}

/// The identity point as an Ed25519 public key, as people.toml lists a
/// key: of small order, so a signature that verifies with it says
/// nothing of who made it ([`Signing::Weak`]).
pub fn weak_key() -> String {
    ssh_key::PublicKey::new(weak_key_data(), "weak")
        .to_openssh()
        .unwrap()
}

fn weak_key_data() -> ssh_key::public::KeyData {
    let mut point = [0u8; 32];
    point[0] = 1;
    ssh_key::public::KeyData::Ed25519(ssh_key::public::Ed25519PublicKey(point))
}

impl Repo {
    /// Make the work tree a git repository (no commit yet).
    pub fn git_init(&self) -> &Self {
        git2::Repository::init(&self.top).expect("git init");
        self
    }

    pub fn git(&self) -> git2::Repository {
        git2::Repository::open(&self.top).expect("git repository")
    }

    /// Commit the whole work tree as `person` (a PEOPLE id) on `date`
    /// (`2026-03-03`, at 10:00 +08:00), unsigned, moving HEAD.
    pub fn commit_as(&self, person: &str, date: &str, msg: &str) -> git2::Oid {
        self.commit_with(person, date, msg, Signing::Unsigned)
    }

    pub fn commit_with(&self, person: &str, date: &str, msg: &str, signing: Signing) -> git2::Oid {
        let head = self.git().head().ok().and_then(|h| h.target());
        let id = self.commit_raw(
            person,
            date,
            msg,
            signing,
            &head.into_iter().collect::<Vec<_>>(),
        );
        self.set_head(id);
        id
    }

    /// Point HEAD's branch at `id`.
    pub fn set_head(&self, id: git2::Oid) {
        let repo = self.git();
        let name = repo
            .find_reference("HEAD")
            .ok()
            .and_then(|r| r.symbolic_target().ok().flatten().map(String::from))
            .unwrap_or_else(|| "refs/heads/main".to_string());
        repo.reference(&name, id, true, "test commit").unwrap();
        repo.set_head(&name).unwrap();
    }

    /// Commit the work tree with the given parents without moving HEAD.
    pub fn commit_raw(
        &self,
        person: &str,
        date: &str,
        msg: &str,
        signing: Signing,
        parents: &[git2::Oid],
    ) -> git2::Oid {
        self.commit_raw_at(person, None, date, msg, signing, parents)
    }

    /// Commit as `person` with the author time `author` and the committer
    /// time `committer` set apart (each `2026-03-03`, at 10:00 +08:00, or
    /// `2026-03-03 17:45`), moving HEAD: what `GIT_AUTHOR_DATE` does.
    pub fn commit_times(
        &self,
        person: &str,
        author: &str,
        committer: &str,
        msg: &str,
        signing: Signing,
    ) -> git2::Oid {
        let head = self.git().head().ok().and_then(|h| h.target());
        let parents: Vec<git2::Oid> = head.into_iter().collect();
        let id = self.commit_raw_at(person, Some(author), committer, msg, signing, &parents);
        self.set_head(id);
        id
    }

    /// [`Repo::commit_raw`] with the author time apart from the committer
    /// time `date` (`None`: the same).
    pub fn commit_raw_at(
        &self,
        person: &str,
        author_at: Option<&str>,
        date: &str,
        msg: &str,
        signing: Signing,
        parents: &[git2::Oid],
    ) -> git2::Oid {
        let repo = self.git();
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let (_, name, email, ..) = PEOPLE
            .iter()
            .find(|p| p.0 == person)
            .expect("a person of the cast");
        let secs = seconds(date);
        let author_secs = author_at.map_or(secs, seconds);
        let sig = git2::Signature::new(name, email, &git2::Time::new(secs, 480)).unwrap();
        let author = git2::Signature::new(name, email, &git2::Time::new(author_secs, 480)).unwrap();
        let parents: Vec<git2::Commit> = parents
            .iter()
            .map(|p| repo.find_commit(*p).unwrap())
            .collect();
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        let buf = repo
            .commit_create_buffer(&author, &sig, msg, &tree, &parent_refs)
            .unwrap();
        let sshsig = |sshsig: ssh_key::SshSig| sshsig.to_pem(ssh_key::LineEnding::LF).unwrap();
        let signature = match signing {
            Signing::Unsigned => {
                return repo
                    .commit(None, &author, &sig, msg, &tree, &parent_refs)
                    .unwrap();
            }
            Signing::KeyOf(owner) | Signing::Tampered(owner) => {
                let mut signed = buf.to_vec();
                if let Signing::Tampered(_) = signing {
                    signed.extend_from_slice(b"tampered");
                }
                sshsig(
                    private_key(owner)
                        .sign("git", ssh_key::HashAlg::Sha512, &signed)
                        .unwrap(),
                )
            }
            Signing::Weak => {
                let mut bytes = [0u8; 64];
                bytes[0] = 1;
                let signature =
                    ssh_key::Signature::new(ssh_key::Algorithm::Ed25519, &bytes[..]).unwrap();
                let weak = ssh_key::SshSig::new(
                    weak_key_data(),
                    "git",
                    ssh_key::HashAlg::Sha512,
                    signature,
                );
                sshsig(weak.unwrap())
            }
            Signing::OpenPgp => {
                "-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n"
                    .to_string()
            }
        };
        repo.commit_signed(std::str::from_utf8(&buf).unwrap(), &signature, None)
            .unwrap()
    }
}

/// Seconds since 1970 of `2026-03-03` (at 10:00) or `2026-03-03 17:45`,
/// at +08:00.
pub fn seconds(when: &str) -> i64 {
    docket::selftest::company::seconds(when).expect("a date or a date and time")
}

/// Run docket on the records root `root` (not a fixture's).
pub fn docket_on(root: &std::path::Path, args: &[&str]) -> Run {
    Run::from(
        docket_cmd()
            .args(args)
            .arg("--records")
            .arg(root)
            .output()
            .unwrap(),
    )
}

impl Repo {
    /// A `git clone --depth 1` of this repository, in a folder kept while
    /// the returned guard lives; the clone's records root.
    pub fn shallow_clone(&self) -> (tempfile::TempDir, PathBuf) {
        let dest = tempfile::tempdir().unwrap();
        let clone = dest.path().join("clone");
        let url = format!("file://{}", self.top.display());
        let ok = Command::new("git")
            .args(["clone", "-q", "--depth", "1", &url])
            .arg(&clone)
            .status()
            .unwrap();
        assert!(ok.success(), "git clone --depth 1");
        let sub = self.root.strip_prefix(&self.top).unwrap().to_path_buf();
        (dest, clone.join(sub))
    }

    /// The short id docket prints for a commit.
    pub fn short(id: git2::Oid) -> String {
        id.to_string()[..10].to_string()
    }
}

/// HTML text as a reader sees it: the entities tera's escaping writes,
/// decoded (`&amp;` last, so `&amp;lt;` stays `&lt;`).
pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// Overwrite a loose object of `repo` with bytes zlib cannot inflate: a
/// damaged object, not a missing one.
pub fn corrupt(repo: &Repo, id: git2::Oid) {
    let hex = id.to_string();
    let path = repo
        .git()
        .path()
        .join("objects")
        .join(&hex[..2])
        .join(&hex[2..]);
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, b"this is not a zlib stream at all").unwrap();
}

/// `docket demo --orders N` into `dir/records` (its own site into
/// `dir/demo-site`): a company with a history, keys beside it in
/// `dir/keys`. Returns the records' folder.
pub fn demo_records(dir: &Path, orders: usize) -> PathBuf {
    let records = dir.join("records");
    let run: Run = docket_cmd()
        .args(["demo", "--orders", &orders.to_string(), "--repo"])
        .arg(&records)
        .arg("--out")
        .arg(dir.join("demo-site"))
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "{}", run.stderr);
    records
}
