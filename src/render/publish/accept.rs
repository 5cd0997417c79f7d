//! Which output folders docket may replace, and the manifest that proves
//! a folder is docket's own.
//!
//! `docket build --out DIR` replaces DIR. A wrong DIR (the records
//! repository, its parent holding the company's other files, a folder
//! inside a git work tree) must never be replaced, however it came to look
//! like a site: a `.docket-site` marker can be committed by anyone, so it
//! proves nothing. What does:
//!
//! - DIR is missing, or empty; or every file in it is listed in its
//!   `.docket-manifest`, which docket writes last into each site it builds
//!   and which lists every file docket wrote there. A file docket did not
//!   write, a link, a `.git` or a `docket.toml` anywhere below DIR means it
//!   is not (only) a site, and docket refuses, naming that file.
//! - DIR is not the records root, does not hold it and does not lie inside
//!   it, whatever the manifest says.
//! - DIR is not a git repository; and if it lies inside a git work tree,
//!   git ignores it and tracks no file below it, so a build can never
//!   overwrite what git keeps (the usual `site/` in `.gitignore` passes).
//!
//! These checks look at real paths (links resolved), before anything is
//! created or removed. A refusal is [`Error::Out`]: exit 2, naming what
//! made docket refuse and what to do.

use super::built::{Built, PREFIX};
use crate::error::{Error, Result};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// The manifest's file name inside a site.
pub const MANIFEST: &str = ".docket-manifest";
/// The first line of the manifest: format 3 lists every file and records
/// the build ([`Built`]).
const HEADER: &str = "docket-manifest 3";
/// Format 2 listed every file, without a build record; still read (as a
/// site that records no commit), so an upgraded docket replaces it.
const HEADER_2: &str = "docket-manifest 2";

/// A previous site's manifest: every file docket wrote, with the
/// fingerprint of each page that has one. Kept as one string of paths and
/// one sorted index into it, not a map of thousands of strings: it is read
/// before every build and held to the end, and each allocation of its own
/// costs the allocator a fresh region.
#[derive(Debug, Default)]
pub struct Manifest {
    paths: String,
    /// (start, end) of a path in `paths`, and its fingerprint; by path.
    index: Vec<(u32, u32, Option<u64>)>,
    /// Each path's place in `index`, by the path's hash ([`SHARED`] for a
    /// hash two paths have): a build asks for every page's entry twice
    /// (the published site's and the spare's), and a binary search among
    /// a hundred thousand paths compared each with seventeen others.
    by_hash: crate::Lookup<u64, u32>,
    /// What the build recorded about itself; `None` in a format 2
    /// manifest.
    pub built: Option<Built>,
    /// How many listed files [`check_contents`] did not find.
    pub missing: usize,
}

impl Manifest {
    fn path(&self, e: &(u32, u32, Option<u64>)) -> &str {
        &self.paths[e.0 as usize..e.1 as usize]
    }

    /// Whether `rel` is listed, and its fingerprint if it has one.
    pub fn get(&self, rel: &str) -> Option<Option<u64>> {
        self.position(rel).map(|i| self.index[i].2)
    }

    fn position(&self, rel: &str) -> Option<usize> {
        match self.by_hash.get(&path_hash(rel)) {
            None => None,
            Some(&SHARED) => self.index.binary_search_by(|e| self.path(e).cmp(rel)).ok(),
            Some(&i) => (self.path(&self.index[i as usize]) == rel).then_some(i as usize),
        }
    }

    /// The listed files, with their fingerprints, by path.
    pub fn files(&self) -> impl Iterator<Item = (&str, Option<u64>)> {
        self.index.iter().map(|e| (self.path(e), e.2))
    }

    fn paths(&self) -> impl Iterator<Item = &str> {
        self.index.iter().map(|e| self.path(e))
    }
}

/// In [`Manifest::by_hash`], a hash more than one path has: those are
/// looked up by binary search. (Never a place: `index` would need four
/// billion entries, over the four gigabytes its spans can address.)
const SHARED: u32 = u32::MAX;

fn path_hash(rel: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(rel.as_bytes())
}

/// The manifest text for these files (path, fingerprint if any), which
/// come sorted by path, and the build's record.
pub fn manifest_text<'a>(
    files: impl Iterator<Item = (&'a str, Option<u64>)>,
    built: &Built,
) -> String {
    let mut text = format!("{HEADER}\n");
    text.push_str(&built.line());
    for (path, fp) in files {
        match fp {
            Some(fp) => text.push_str(&format!("{fp:016x} ")),
            None => text.push_str("- "),
        }
        text.push_str(&escape(path));
        text.push('\n');
    }
    text
}

/// Paths may hold any character an attachment's name holds; control
/// characters and `%` are percent-encoded so a line is always one path.
fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c == '%' || c.is_control() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Why a manifest cannot be used, for the refusal message.
#[derive(Debug, PartialEq, Eq)]
pub enum BadManifest {
    /// A manifest of an earlier docket, which lists pages only.
    OldFormat,
    Damaged,
}

/// Parse a manifest. Only paths docket itself writes are accepted:
/// relative, `/`-separated, no `.` or `..` segment.
pub fn parse_manifest(text: String) -> Result<Manifest, BadManifest> {
    let first = text.split_once('\n').map_or(text.as_str(), |(f, _)| f);
    let format3 = match first {
        HEADER => true,
        HEADER_2 => false,
        _ if first.split_once(' ').is_some_and(|(fp, _)| fp.len() == 16) => {
            return Err(BadManifest::OldFormat);
        }
        _ => return Err(BadManifest::Damaged),
    };
    let mut body = (first.len() + 1).min(text.len());
    let mut built = None;
    if format3 {
        let line = text[body..].split('\n').next().unwrap_or_default();
        let json = line.strip_prefix(PREFIX).ok_or(BadManifest::Damaged)?;
        built = Some(Built::parse(json).ok_or(BadManifest::Damaged)?);
        body = (body + line.len() + 1).min(text.len());
    }
    // The paths are decoded in place (a decoded path is never longer than
    // its line), so the text read is the only buffer.
    let mut buf = text.into_bytes();
    let mut index = Vec::with_capacity(buf.len() / 32);
    let (mut r, mut w) = (body, 0);
    while r < buf.len() {
        let end = buf[r..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(buf.len(), |i| r + i);
        let sp = buf[r..end]
            .iter()
            .position(|&b| b == b' ')
            .map(|i| r + i)
            .ok_or(BadManifest::Damaged)?;
        let fp = match &buf[r..sp] {
            b"-" => None,
            hex => {
                let hex = std::str::from_utf8(hex).map_err(|_| BadManifest::Damaged)?;
                Some(u64::from_str_radix(hex, 16).map_err(|_| BadManifest::Damaged)?)
            }
        };
        let start = w;
        let mut i = sp + 1;
        while i < end {
            let b = if buf[i] == b'%' {
                let hex = buf.get(i + 1..i + 3).ok_or(BadManifest::Damaged)?;
                let hex = std::str::from_utf8(hex).map_err(|_| BadManifest::Damaged)?;
                i += 3;
                u8::from_str_radix(hex, 16).map_err(|_| BadManifest::Damaged)?
            } else {
                i += 1;
                buf[i - 1]
            };
            buf[w] = b;
            w += 1;
        }
        let rel = std::str::from_utf8(&buf[start..w]).map_err(|_| BadManifest::Damaged)?;
        let plain = !rel.is_empty()
            && rel
                .split('/')
                .all(|s| !s.is_empty() && s != "." && s != "..");
        if !plain {
            return Err(BadManifest::Damaged);
        }
        let span = |n: usize| u32::try_from(n).map_err(|_| BadManifest::Damaged);
        index.push((span(start)?, span(w)?, fp));
        r = end + 1;
    }
    buf.truncate(w);
    let paths = String::from_utf8(buf).map_err(|_| BadManifest::Damaged)?;
    // Written sorted; sorted again, as a lookup must not trust the file.
    index.sort_by(|a, b| paths[a.0 as usize..a.1 as usize].cmp(&paths[b.0 as usize..b.1 as usize]));
    let mut by_hash = crate::Lookup::with_capacity_and_hasher(index.len(), Default::default());
    for (i, e) in index.iter().enumerate() {
        by_hash
            .entry(path_hash(&paths[e.0 as usize..e.1 as usize]))
            .and_modify(|place| *place = SHARED)
            .or_insert(i as u32);
    }
    Ok(Manifest {
        paths,
        index,
        by_hash,
        built,
        missing: 0,
    })
}

/// `path` made absolute with every link in its existing part resolved;
/// the part that does not exist yet is appended as written (`..` taken
/// lexically: there is no link in it to follow).
pub fn physical(path: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(path).map_err(|e| Error::io(path, e))?;
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while std::fs::symlink_metadata(existing).is_err() {
        let Some(parent) = existing.parent() else {
            break;
        };
        rest.push(existing.components().next_back());
        existing = parent;
    }
    let mut out = existing
        .canonicalize()
        .map_err(|e| Error::io(existing, e))?;
    for c in rest.into_iter().rev().flatten() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    Ok(out)
}

/// Refuse an output folder that is, holds or lies inside the records root,
/// or is (or lies unignored in) a git repository. `out` is as given (for
/// messages), `out_real` and `root_real` from [`physical`]. `Ok(true)`
/// when docket may also keep its spare beside it (see `swap.rs`): outside
/// any git work tree, or where git ignores the spare's name and tracks
/// nothing below it.
pub fn check_place(out: &Path, out_real: &Path, root_real: &Path) -> Result<bool> {
    let refuse = |why: String| {
        Err(Error::Out {
            out: out.to_path_buf(),
            why,
        })
    };
    let elsewhere = "build next to the records instead, e.g. --out ../site";
    if out_real == root_real {
        return refuse(format!("it is the records root; {elsewhere}"));
    }
    if root_real.starts_with(out_real) {
        return refuse(format!(
            "it holds the records root {}; {elsewhere}",
            root_real.display()
        ));
    }
    if out_real.starts_with(root_real) {
        return refuse(format!(
            "it lies inside the records root {}; {elsewhere}",
            root_real.display()
        ));
    }
    if out_real.exists() && git2::Repository::open(out_real).is_ok() {
        return refuse("it is a git repository; pass another --out".into());
    }
    // The repository around it, found from the nearest folder that exists.
    let mut probe = out_real;
    while !probe.exists() {
        match probe.parent() {
            Some(p) => probe = p,
            None => return Ok(true),
        }
    }
    let repo = match git2::Repository::discover(probe) {
        Ok(r) => r,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(true),
        // A repository around it that git cannot open: whether it tracks
        // files there cannot be told, so the answer is no.
        Err(e) => {
            return refuse(format!(
                "whether it lies in a git work tree cannot be told ({}); pass another --out",
                e.message()
            ));
        }
    };
    let git_dir = repo.path().canonicalize().unwrap_or(repo.path().into());
    if out_real.starts_with(&git_dir) {
        return refuse(format!(
            "it lies inside the git folder {}; pass another --out",
            git_dir.display()
        ));
    }
    let Some(workdir) = repo.workdir().and_then(|w| w.canonicalize().ok()) else {
        return Ok(true);
    };
    let Ok(rel) = out_real.strip_prefix(&workdir) else {
        return Ok(true);
    };
    let rel = crate::load::rel_path(Path::new(""), rel);
    if rel.split('/').any(|s| s == ".git") {
        return refuse("it lies inside a git folder; pass another --out".into());
    }
    let ignored = repo.is_path_ignored(format!("{rel}/")).unwrap_or(false);
    if !ignored {
        return refuse(format!(
            "it lies inside the git work tree {} and git does not ignore it, so a build could \
             overwrite files git keeps; add {rel}/ to .gitignore there, or pass an --out \
             outside the work tree",
            workdir.display()
        ));
    }
    if let Some(tracked) = tracked_below(&repo, &rel) {
        return refuse(format!(
            "git tracks {tracked} in the work tree {}, though .gitignore lists the folder; \
             move it out (git rm --cached) or pass another --out",
            workdir.display()
        ));
    }
    // The spare beside it is kept only where git ignores it too: a copy of
    // the site must not turn up in `git status`, or in a `git add -A`.
    let spare = match rel.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/{}", spare_name(name)),
        None => spare_name(&rel),
    };
    Ok(repo.is_path_ignored(format!("{spare}/")).unwrap_or(false)
        && tracked_below(&repo, &spare).is_none())
}

/// The name of the spare kept beside the output folder `name`
/// (`swap.rs`).
pub fn spare_name(name: &str) -> String {
    format!(".{name}.docket-spare")
}

/// A file below `rel` that git tracks (in the index or in `HEAD`).
fn tracked_below(repo: &git2::Repository, rel: &str) -> Option<String> {
    let prefix = format!("{rel}/");
    if let Ok(index) = repo.index()
        && let Some(e) = index.iter().find(|e| e.path.starts_with(prefix.as_bytes()))
    {
        return Some(String::from_utf8_lossy(&e.path).into_owned());
    }
    let tree = repo.head().ok()?.peel_to_tree().ok()?;
    tree.get_path(Path::new(rel)).ok().map(|_| prefix)
}

/// The previous site in `out` (which exists and is not a link), if docket
/// may replace it: its manifest lists every file in it. `None` for an
/// empty folder.
pub fn check_contents(out: &Path, shown: &Path) -> Result<Option<Manifest>> {
    let refuse = |why: String| Error::Out {
        out: shown.to_path_buf(),
        why,
    };
    let meta = std::fs::symlink_metadata(out).map_err(|e| Error::io(out, e))?;
    if !meta.is_dir() {
        return Err(refuse(
            "it is not a folder; pass a new or empty folder, or a site docket built".into(),
        ));
    }
    let empty = std::fs::read_dir(out)
        .map_err(|e| Error::io(out, e))?
        .next()
        .is_none();
    if empty {
        return Ok(None);
    }
    let path = out.join(MANIFEST);
    let text = match std::fs::symlink_metadata(&path) {
        Ok(m) if m.is_file() => std::fs::read_to_string(&path).ok(),
        _ => {
            return Err(refuse(format!(
                "it is not empty and has no {MANIFEST}, so it is not a site docket built; \
                 pass a new or empty folder"
            )));
        }
    };
    let manifest = match text.map(parse_manifest) {
        Some(Ok(m)) => m,
        Some(Err(BadManifest::OldFormat)) => {
            return Err(refuse(format!(
                "it was built by an earlier docket, whose {MANIFEST} does not list every file; \
                 if it holds only the site, remove it once by hand and build again"
            )));
        }
        _ => {
            return Err(refuse(format!(
                "its {MANIFEST} is damaged, so docket cannot tell which files it wrote; \
                 if it holds only the site, remove it by hand and build again"
            )));
        }
    };
    let mut dirs: HashSet<&str> = HashSet::new();
    for f in manifest.paths() {
        let mut rest = f;
        while let Some((d, _)) = rest.rsplit_once('/') {
            if !dirs.insert(d) {
                break;
            }
            rest = d;
        }
    }
    let mut first: Option<(String, &str)> = None;
    let mut rel = String::new();
    let mut found = vec![false; manifest.index.len()];
    let mut seen = Seen {
        manifest: &manifest,
        dirs: &dirs,
        found: &mut found,
        first: &mut first,
    };
    scan(out, &mut rel, &mut seen).map_err(|e| {
        refuse(format!(
            "it cannot be read whole ({e}); pass a new or empty folder"
        ))
    })?;
    if let Some((rel, why)) = first {
        return Err(refuse(format!(
            "it holds {rel}, {why}; move that out of the folder, or pass another --out"
        )));
    }
    let mut manifest = manifest;
    manifest.missing = found.iter().filter(|f| !**f).count();
    Ok(Some(manifest))
}

/// What [`scan`] compares the folder with, and what it finds.
struct Seen<'a> {
    manifest: &'a Manifest,
    dirs: &'a HashSet<&'a str>,
    /// Per manifest entry, whether its file is there.
    found: &'a mut [bool],
    first: &'a mut Option<(String, &'static str)>,
}

/// Look at every entry below `dir` (at `rel` below the output folder) and
/// keep in `first` the first, by path, that the manifest does not account
/// for, with why. One path buffer for the whole walk: a site has tens of
/// thousands of files, and this runs before every build.
fn scan(dir: &Path, rel: &mut String, seen: &mut Seen) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let len = rel.len();
        if !rel.is_empty() {
            rel.push('/');
        }
        rel.push_str(&name);
        let kind = entry.file_type()?;
        let why = if name == ".git" {
            Some("a git folder")
        } else if name == "docket.toml" {
            Some("a records repository's docket.toml")
        } else if kind.is_symlink() {
            Some("a link, which docket never makes")
        } else if kind.is_dir() && seen.dirs.contains(rel.as_str()) {
            scan(&entry.path(), rel, seen)?;
            None
        } else if kind.is_file() && rel == MANIFEST {
            None
        } else if let Some(i) = kind
            .is_file()
            .then(|| seen.manifest.position(rel))
            .flatten()
        {
            seen.found[i] = true;
            None
        } else {
            Some("something docket did not write (it is not in the manifest)")
        };
        if let Some(why) = why
            && seen
                .first
                .as_ref()
                .is_none_or(|(f, _)| rel.as_str() < f.as_str())
        {
            *seen.first = Some((rel.clone(), why));
        }
        rel.truncate(len);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_round_trip_any_file_name() {
        let files = [
            ("data.json", Some(u64::MAX)),
            ("files/orders/SO 1/a%b\nc\tz.pdf", None),
            ("index.html", Some(0xabcd_u64)),
        ];
        let built = Built {
            caches: true,
            ..Built::default()
        };
        let text = manifest_text(files.into_iter(), &built);
        assert_eq!(text.lines().count(), 5, "{text}");
        let m = parse_manifest(text).unwrap();
        assert_eq!(m.built, Some(built));
        assert_eq!(m.paths().count(), 3);
        assert_eq!(m.get("files/orders/SO 1/a%b\nc\tz.pdf"), Some(None));
        assert_eq!(m.get("index.html"), Some(Some(0xabcd)));
        assert_eq!(m.get("data.json"), Some(Some(u64::MAX)));
        assert_eq!(m.get("other.html"), None);
    }

    #[test]
    fn a_path_listed_twice_is_found_and_an_unlisted_one_is_not() {
        // A path listed twice shares its hash with itself: it is looked up
        // by binary search, as every path was before the hashed lookup.
        let m = parse_manifest(
            "docket-manifest 2\n- b.html\n0000000000000007 a.html\n- b.html\n- c.html\n"
                .to_string(),
        )
        .unwrap();
        assert_eq!(m.by_hash.get(&path_hash("b.html")), Some(&SHARED));
        assert_eq!(m.get("a.html"), Some(Some(7)));
        assert_eq!(m.get("b.html"), Some(None));
        assert_eq!(m.get("c.html"), Some(None));
        assert_eq!(m.get("d.html"), None);
        assert_eq!(Manifest::default().get("a.html"), None);
    }

    #[test]
    fn manifests_that_name_other_places_are_damaged() {
        for bad in [
            "",
            "junk",
            "docket-manifest 2\n- ../x",
            "docket-manifest 2\n- /etc/passwd",
            "docket-manifest 2\n- a//b",
            "docket-manifest 2\nzz a",
            "docket-manifest 2\n- %zz",
            "docket-manifest 3\n- index.html",
            "docket-manifest 3\n@build {\"commit\": 7}\n- index.html",
            "docket-manifest 2\n@build {}\n- index.html",
        ] {
            assert_eq!(
                parse_manifest(bad.to_string()).err(),
                Some(BadManifest::Damaged),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_manifest("00000000000000ff index.html\n".to_string()).err(),
            Some(BadManifest::OldFormat)
        );
        // Format 2 is read, as a site that records no build.
        let m = parse_manifest("docket-manifest 2\n- index.html\n".to_string()).unwrap();
        assert_eq!((m.get("index.html"), m.built), (Some(None), None));
    }

    #[test]
    fn physical_paths_resolve_what_exists_and_keep_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap();
        std::fs::create_dir(real.join("a")).unwrap();
        assert_eq!(
            physical(&real.join("a/new/../site")).unwrap(),
            real.join("a/site")
        );
        assert_eq!(physical(&real.join("a/..")).unwrap(), real);
    }
}
