//! `docket demo`: a sample company's records repository with two years of
//! signed history, generated from a seed.
//!
//! The generator plans the story first (`plan.rs`: which orders, CAPAs,
//! surveys, property and usage reports happen, when, by whom, and which
//! lapses are planted), then plays it (`play.rs`): every event is a commit
//! by the person who did it, at the simulated time, SSH-signed with that
//! person's key. Objects are written with git2 into one pack (`git.rs`), so
//! 10,000 orders (about 50,000 commits) take seconds. Everything derives
//! from the seed: the same seed gives the same repository, commit ids
//! included. The private keys are written beside the records folder, never
//! inside it.
//!
//! The demo never overwrites a file without being asked: an existing
//! records folder, or a key file in `keys/` beside it, stops it with the
//! file's name unless `--force` is given, and even then only a folder an
//! earlier demo made is replaced (`--repo ~` must never empty a home).

mod cast;
mod company;
mod git;
mod plan;
mod play;
mod service;
mod text;
pub(crate) mod tsa;

pub use plan::AS_OF;

use crate::error::{Error, Result};
use ssh_key::{LineEnding, PrivateKey, private::Ed25519Keypair};
use std::path::{Path, PathBuf};

pub struct Options {
    /// The records repository to create (its parent gets `keys/`).
    pub repo: PathBuf,
    pub orders: usize,
    pub seed: u64,
    /// Replace an earlier demo and its key files.
    pub force: bool,
}

pub struct Generated {
    pub repo: PathBuf,
    pub keys: PathBuf,
    pub commits: usize,
    pub orders: usize,
}

/// The marker that says a folder was made by `docket demo` and may be
/// replaced by the next run.
const MARKER: &str = "docket-demo";

/// Refuse to overwrite anything that is there (see the module
/// documentation); nothing is written.
pub fn check(opts: &Options) -> Result<()> {
    if opts.orders == 0 {
        return Err(Error::Usage("--orders must be at least 1".into()));
    }
    let repo_dir = &opts.repo;
    if std::fs::symlink_metadata(repo_dir).is_ok() {
        let empty = std::fs::read_dir(repo_dir)
            .map_err(|e| Error::io(repo_dir, e))?
            .next()
            .is_none();
        let earlier = repo_dir.join(".git").join(MARKER).is_file();
        if !empty && !earlier {
            return Err(Error::Usage(format!(
                "{} exists and was not made by `docket demo`; pass another --repo",
                repo_dir.display()
            )));
        }
        if !empty && !opts.force {
            return Err(Error::Usage(format!(
                "{} holds an earlier demo; pass --force to replace it, or another --repo",
                repo_dir.display()
            )));
        }
    }
    let keys = parent_of(repo_dir).join("keys");
    for person in cast::PEOPLE {
        for name in [person.id.to_string(), format!("{}.pub", person.id)] {
            let path = keys.join(name);
            if std::fs::symlink_metadata(&path).is_ok() && !opts.force {
                return Err(Error::Usage(format!(
                    "{} exists; docket demo does not overwrite it (pass --force to replace it, \
                     or another --repo)",
                    path.display()
                )));
            }
        }
    }
    Ok(())
}

fn parent_of(repo: &Path) -> &Path {
    repo.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

pub fn generate(opts: &Options) -> Result<Generated> {
    check(opts)?;
    let repo_dir = &opts.repo;
    let parent = parent_of(repo_dir);
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    // Build beside the target and swap in at the end: an interrupted run
    // leaves the previous demo (or nothing), never half a repository.
    let tmp = parent.join(format!(
        ".{}.tmp-{}",
        file_name(repo_dir),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = build(opts, &tmp);
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    let (commits, keys) = result?;
    if repo_dir.exists() {
        std::fs::remove_dir_all(repo_dir).map_err(|e| Error::io(repo_dir, e))?;
    }
    std::fs::rename(&tmp, repo_dir).map_err(|e| Error::io(repo_dir, e))?;
    let keys_dir = parent.join("keys");
    write_keys(&keys_dir, &keys)?;
    Ok(Generated {
        repo: repo_dir.clone(),
        keys: keys_dir,
        commits,
        orders: opts.orders,
    })
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map_or_else(|| "records".into(), |n| n.to_string_lossy().into_owned())
}

fn build(opts: &Options, dir: &Path) -> Result<(usize, Vec<PrivateKey>)> {
    let mut rng = fastrand::Rng::with_seed(opts.seed);
    let keys: Vec<PrivateKey> = cast::PEOPLE
        .iter()
        .map(|p| {
            let mut seed = [0u8; 32];
            seed.iter_mut().for_each(|b| *b = rng.u8(..));
            let mut key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
            key.set_comment(p.email);
            key
        })
        .collect();
    let plan = plan::make(opts.orders, &mut rng);
    let (tsa, tsa_chain) = tsa::authority(opts.seed)?;
    // Every object the generator links to was just written by it: skip
    // libgit2's check that each tree entry exists (one lookup per entry of
    // every tree written, most of the generation's time).
    // SAFETY: a process-wide libgit2 option, set before any other git use
    // in this command and never reset; docket only reads repositories
    // otherwise, where the option has no effect.
    git2::opts::strict_object_creation(false);
    let repo = git2::Repository::init(dir)?;
    let odb = repo.odb()?;
    let mempack = odb.add_new_mempack_backend(1000)?;
    let mut writer = git::Writer::new(&repo, &odb, &mempack);
    let company = company::Company {
        plan: &plan,
        keys: &keys,
        layout: company::Layout::for_orders(opts.orders),
        procedure: crate::example::file("procedure.md").unwrap_or("# Procedure\n"),
        tsa_chain: &tsa_chain,
    };
    let played = play::play(&company, &mut writer)?;
    let head = writer
        .head()
        .ok_or_else(|| Error::Git("the demo made no commit".into()))?;

    let publish = |writer: &mut git::Writer, head| -> Result<()> {
        writer.flush()?;
        repo.reference("refs/heads/main", head, true, "docket demo")?;
        repo.set_head("refs/heads/main")?;
        // A hard reset, not only a checkout: the tokens were written into
        // the work tree before their commit, and the index must list them.
        let commit = repo.find_object(head, Some(git2::ObjectType::Commit))?;
        repo.reset(&commit, git2::ResetType::Hard, None)?;
        Ok(())
    };
    publish(&mut writer, head)?;
    // The signing commits are known once the story is in git: stamp them
    // as the company's CI would have, and commit the tokens.
    tsa::stamp_all(dir, &tsa, &mut writer, &keys)?;
    let head = writer
        .head()
        .ok_or_else(|| Error::Git("the demo made no commit".into()))?;
    publish(&mut writer, head)?;
    std::fs::write(dir.join(".git").join(MARKER), "made by docket demo\n")
        .map_err(|e| Error::io(dir, e))?;
    Ok((played.commits, keys))
}

fn write_keys(dir: &Path, keys: &[PrivateKey]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for (person, key) in cast::PEOPLE.iter().zip(keys) {
        let private = key
            .to_openssh(LineEnding::LF)
            .map_err(|e| Error::Git(format!("key: {e}")))?;
        let path = dir.join(person.id);
        replace(&path, private.as_bytes())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
        let public = key
            .public_key()
            .to_openssh()
            .map_err(|e| Error::Git(format!("key: {e}")))?;
        let pub_path = dir.join(format!("{}.pub", person.id));
        replace(&pub_path, format!("{public}\n").as_bytes())?;
    }
    Ok(())
}

/// Write a fresh file at `path` (checked, or `--force`d, before): what was
/// there is removed first, so a link there is not written through.
fn replace(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::symlink_metadata(path).is_ok() {
        std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}
