//! The cache of verified tokens (`.git/docket/tokens.json`): a warm check
//! says what a cold one says; a token replaced (even in place with its
//! time put back), copied onto another commit, or a certificate swapped
//! after its result was kept is verified again; the cache is really read
//! (a doctored one shows), a token git's index vouches for is not, and
//! `--no-cache` reads none.

use crate::fixture::*;
use crate::timestamps::{FROM, Pki, STAMPED_AT, UNTIL, company_under, digest_of, pki, put_token};

/// The company under "author" (so signature times are judged) with both
/// signing commits stamped two days after the review, within the two
/// days allowed: a clean check, its tokens kept after the first.
fn stamped() -> (Repo, Pki, String) {
    let p = pki(1, FROM, UNTIL);
    let (repo, review, verified) = company_under("author", "required", 2, &p.root_pem);
    for (i, c) in [&review, &verified].into_iter().enumerate() {
        put_token(
            &repo,
            c,
            &p.signer
                .token(&digest_of(&repo, c), None, true, STAMPED_AT, i as u64 + 1),
        );
    }
    (repo, p, review)
}

fn kept(repo: &Repo) -> serde_json::Value {
    let path = repo.top.join(".git/docket/tokens.json");
    serde_json::from_slice(&std::fs::read(&path).expect("tokens.json written")).unwrap()
}

/// The token with its time moved three days back, after the TSA signed
/// it: the same length, and no longer valid.
fn backdated(token: &[u8]) -> Vec<u8> {
    let mut token = token.to_vec();
    let at = token
        .windows(15)
        .position(|w| w == b"20260305000000Z")
        .unwrap();
    token[at..at + 15].copy_from_slice(b"20260302000000Z");
    token
}

fn missing_on_order(run: &Run) -> String {
    let f: Vec<F> = run
        .of("timestamp-missing")
        .into_iter()
        .filter(|f| f.file == ORDER_PATH)
        .collect();
    assert_eq!(f.len(), 1, "{:#?}", run.findings());
    f[0].message.clone()
}

#[test]
fn a_warm_check_says_what_a_cold_one_says() {
    let (repo, _, review) = stamped();
    let cold = repo.check();
    clean(&cold);
    let cache = kept(&repo);
    assert_eq!(cache["tokens"].as_object().unwrap().len(), 2, "{cache:#}");
    assert_eq!(
        cache["tokens"][&review]["time"]["tsa_subject"],
        "CN=Test TSA,O=Test Trust"
    );
    let file = repo.top.join(".git/docket/tokens.json");
    let identity = || {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(&file).unwrap();
        (m.ino(), m.mtime_nsec())
    };
    let before = identity();
    let warm = repo.check();
    assert_eq!(cold.stdout, warm.stdout);
    // Nothing new was verified, so the file was not written again.
    assert_eq!(identity(), before, "tokens.json rewritten by a warm check");
    // And with no cache at all, the same again; nothing is written.
    std::fs::remove_file(repo.top.join(".git/docket/tokens.json")).unwrap();
    let none = repo.docket(&["check", "--format", "json", "--as-of", AS_OF, "--no-cache"]);
    assert_eq!(cold.stdout, none.stdout);
    assert!(!repo.top.join(".git/docket/tokens.json").exists());
}

#[test]
fn a_token_replaced_after_it_was_kept_is_verified_again() {
    let (repo, _, review) = stamped();
    clean(&repo.check());
    let path = repo.path(&format!("timestamps/{review}.tsr"));
    std::fs::write(&path, backdated(&std::fs::read(&path).unwrap())).unwrap();
    let msg = missing_on_order(&repo.check());
    assert!(msg.contains("altered after the TSA signed it"), "{msg}");
    // A token that does not verify is not kept.
    assert!(kept(&repo)["tokens"].get(&review).is_none());
}

#[test]
fn a_kept_token_copied_onto_another_commit_is_verified_against_that_commit() {
    // The cache keys a result by commit id and the token's bytes: bytes
    // kept as valid for one commit prove nothing for another.
    let (repo, _, review) = stamped();
    clean(&repo.check());
    let cache = kept(&repo);
    let tokens = cache["tokens"].as_object().unwrap();
    let other = tokens.keys().find(|id| **id != review).unwrap().clone();
    let theirs = std::fs::read(repo.path(&format!("timestamps/{other}.tsr"))).unwrap();
    put_token(&repo, &review, &theirs);
    let msg = missing_on_order(&repo.check());
    assert!(
        msg.contains("is not valid") && msg.contains("another commit"),
        "{msg}"
    );
    assert!(kept(&repo)["tokens"].get(&review).is_none());
    assert_eq!(kept(&repo)["tokens"][&other], cache["tokens"][&other]);
}

#[test]
fn a_certificate_swapped_after_the_tokens_were_kept_is_verified_again() {
    let (repo, ..) = stamped();
    clean(&repo.check());
    let stranger = pki(2, FROM, UNTIL);
    repo.write("tsa/tsa-chain.pem", &stranger.root_pem);
    let msg = missing_on_order(&repo.check());
    assert!(msg.contains("its TSA is not trusted"), "{msg}");
}

#[test]
fn the_cache_is_read_and_no_cache_reads_none() {
    // Whoever can write .git can rewrite history: the cache is trusted as
    // .git is. A doctored time shows, which proves the cache is read, and
    // --no-cache verifies every token again.
    let (repo, _, review) = stamped();
    clean(&repo.check());
    let path = repo.top.join(".git/docket/tokens.json");
    let mut cache = kept(&repo);
    // 2026-03-20: seventeen days after the review's commit.
    cache["tokens"][&review]["time"]["gen_time"] = serde_json::json!(1_773_964_800_i64);
    std::fs::write(&path, serde_json::to_vec(&cache).unwrap()).unwrap();
    let doctored = repo.check();
    assert_eq!(
        doctored.of("signature-time").len(),
        1,
        "{:#?}",
        doctored.findings()
    );
    clean(&repo.docket(&["check", "--format", "json", "--as-of", AS_OF, "--no-cache"]));
    // A garbled file is as no file: every token verified, same result.
    std::fs::write(&path, b"{ not json").unwrap();
    clean(&repo.check());
    assert_eq!(kept(&repo)["tokens"].as_object().unwrap().len(), 2);
}

/// Stage the token files of `stamped()` with git's own index, as `git add`
/// would, so that it records their size, times and inode.
fn stage_tokens(repo: &Repo) -> Vec<String> {
    let git = repo.git();
    let mut index = git.index().unwrap();
    let mut staged = Vec::new();
    for e in std::fs::read_dir(repo.path("timestamps")).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            continue;
        }
        let rel = format!("timestamps/{}", e.file_name().to_string_lossy());
        index.add_path(std::path::Path::new(&rel)).unwrap();
        staged.push(rel);
    }
    index.write().unwrap();
    staged
}

#[test]
fn a_token_changed_in_place_with_its_time_put_back_is_verified_again() {
    // git's index vouches for a token file by its size, times and inode,
    // the change time included, which no one can put back: a forger who
    // keeps the size and restores the modification time is still read.
    let (repo, _, review) = stamped();
    stage_tokens(&repo);
    clean(&repo.check());
    clean(&repo.check());
    let path = repo.path(&format!("timestamps/{review}.tsr"));
    write_keeping_time(&path, &backdated(&std::fs::read(&path).unwrap()));
    let msg = missing_on_order(&repo.check());
    assert!(msg.contains("altered after the TSA signed it"), "{msg}");
}

/// Doctor git's index and the cache together: the index names another
/// blob for the review's token file (its stat kept), and the cache keeps
/// a later time (2026-03-20, seventeen days after the review's commit)
/// under that blob. Whoever takes the token unread on the index's word
/// shows that time; whoever reads it misses the doctored entry and
/// verifies the token afresh.
/// With `stat_of`, the index's entry also takes that file's stat, as if
/// git had staged it there as a regular file.
fn doctor_index_and_cache(repo: &Repo, review: &str, stat_of: Option<&std::path::Path>) {
    let rel = format!("timestamps/{review}.tsr");
    let other = {
        let git = repo.git();
        let other = git.blob(b"not the token").unwrap();
        let mut index = git.index().unwrap();
        let mut entry = index.get_path(std::path::Path::new(&rel), 0).unwrap();
        entry.id = other;
        if let Some(file) = stat_of {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(file).unwrap();
            entry.mode = m.mode();
            entry.file_size = m.len() as u32;
            entry.ino = m.ino() as u32;
            entry.dev = m.dev() as u32;
            entry.mtime = git2::IndexTime::new(m.mtime() as i32, m.mtime_nsec() as u32);
            entry.ctime = git2::IndexTime::new(m.ctime() as i32, m.ctime_nsec() as u32);
        }
        index.add(&entry).unwrap();
        index.write().unwrap();
        other.to_string()
    };
    let path = repo.top.join(".git/docket/tokens.json");
    let mut cache = kept(repo);
    cache["tokens"][review]["token"] = serde_json::json!(other);
    cache["tokens"][review]["time"]["gen_time"] = serde_json::json!(1_773_964_800_i64);
    std::fs::write(&path, serde_json::to_vec(&cache).unwrap()).unwrap();
}

#[test]
fn a_token_git_vouches_for_is_taken_from_the_cache_unread() {
    // The index is trusted as .git is: doctored with the cache, the
    // doctored time shows, so the token file was not read.
    let (repo, _, review) = stamped();
    stage_tokens(&repo);
    clean(&repo.check());
    doctor_index_and_cache(&repo, &review, None);
    let doctored = repo.check();
    assert_eq!(
        doctored.of("signature-time").len(),
        1,
        "{:#?}",
        doctored.findings()
    );
    // Attributes that convert nothing docket reads (attachments in Git
    // LFS, tokens marked binary) leave the index its word.
    std::fs::write(
        repo.top.join(".gitattributes"),
        "*.pdf filter=lfs diff=lfs merge=lfs -text\n*.tsr binary\n",
    )
    .unwrap();
    assert_eq!(repo.check().stdout, doctored.stdout);
    // One that converts the tokens takes it away: the files are read (and
    // their true result kept, in place of the doctored one).
    std::fs::write(repo.top.join(".gitattributes"), "*.tsr text\n").unwrap();
    clean(&repo.check());
    std::fs::remove_file(repo.top.join(".gitattributes")).unwrap();
    doctor_index_and_cache(&repo, &review, None);
    assert_eq!(repo.check().stdout, doctored.stdout);
    // Touched (a new change time), the file is read: its own blob misses
    // the doctored entry, and the token is verified again.
    let rel = format!("timestamps/{review}.tsr");
    let bytes = std::fs::read(repo.path(&rel)).unwrap();
    std::fs::write(repo.path(&rel), bytes).unwrap();
    clean(&repo.check());
}

#[test]
fn a_token_that_is_a_link_is_read_whatever_the_index_says() {
    // A link inside the records root is followed like any file, but git's
    // index vouches only for a file in its own name: even an index whose
    // entry for the link has the stat of the file it leads to, as a
    // regular file, is not taken at its word, and the token is read.
    let (repo, _, review) = stamped();
    let rel = format!("timestamps/{review}.tsr");
    let target = repo.path(&format!("timestamps/kept/{review}.tsr"));
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::rename(repo.path(&rel), &target).unwrap();
    std::os::unix::fs::symlink(format!("kept/{review}.tsr"), repo.path(&rel)).unwrap();
    stage_tokens(&repo);
    clean(&repo.check());
    doctor_index_and_cache(&repo, &review, Some(&target));
    clean(&repo.check());
}

/// The review's token, its result kept, then checked out again through
/// a filter that `convert` sets up (with the environment `env`, given to
/// git and to docket) and that adds a byte on checkout and removes it when
/// git stores the file; the index refreshed to vouch for the new file. A
/// warm check must say what a cold one says: the token is not DER.
#[track_caller]
fn padded_token_is_read(env: &[(&str, &str)], convert: impl Fn(&Repo, &str)) {
    let (repo, _, review) = stamped();
    stage_tokens(&repo);
    clean(&repo.check());
    assert!(kept(&repo)["tokens"].get(&review).is_some());
    let git_cli = |args: &[&str]| git_in(&repo, env, args);
    let rel = format!("timestamps/{review}.tsr");
    convert(&repo, &rel);
    let token = repo.path(&rel);
    let before = std::fs::read(&token).unwrap();
    std::fs::remove_file(&token).unwrap();
    // As `git checkout` does, the index takes the new file's stat.
    git_cli(&["checkout-index", "-f", "-u", "--", &rel]);
    assert_eq!(std::fs::read(&token).unwrap(), [&before[..], b"x"].concat());
    modified_before_the_index(&token);
    git_cli(&["update-index", "-q", "--refresh"]);
    let warm = repo.check_in(env, &[]);
    assert_eq!(warm.stdout, repo.check_in(env, &["--no-cache"]).stdout);
    let msg = missing_on_order(&warm);
    assert!(msg.contains("DER"), "{msg}");
}

/// A token git rewrites on checkout (a filter set in `.gitattributes`
/// after its result was kept, as Git LFS or an encryption filter stores
/// other bytes than it checks out) is no longer the token that verified,
/// whatever git's index says: the index names the blob git would store,
/// which is the kept one, while the file holds other bytes.
#[test]
fn a_token_git_converts_on_checkout_is_read_whatever_the_index_says() {
    padded_token_is_read(&[], |repo, rel| {
        git_in(repo, &[], &["config", "filter.pad.smudge", "cat; printf x"]);
        git_in(
            repo,
            &[],
            &["config", "filter.pad.clean", "perl -0777 -pe chop"],
        );
        std::fs::write(
            repo.top.join(".gitattributes"),
            format!("{rel} filter=pad\n"),
        )
        .unwrap();
    });
}

/// The same filter, set where docket does not look: in a file the user's
/// configuration includes only for repositories with a given remote
/// (`includeIf "hasconfig:remote.*.url:..."`, which git follows and
/// libgit2 does not), with its attributes file. docket cannot know that
/// git converts; a token taken on the index's word must be as long on
/// disk as the token that verified, and this one is a byte longer.
#[test]
fn a_token_converted_where_docket_does_not_look_is_read_by_its_size() {
    let home = tempfile::tempdir().unwrap();
    let extra = home.path().join("acme.gitconfig");
    let attributes = home.path().join("acme.attributes");
    std::fs::write(
        home.path().join(".gitconfig"),
        format!(
            "[includeIf \"hasconfig:remote.*.url:https://example.com/**\"]\n\tpath = {}\n",
            extra.display()
        ),
    )
    .unwrap();
    std::fs::write(
        &extra,
        format!(
            "[filter \"pad\"]\n\tsmudge = \"cat; printf x\"\n\tclean = perl -0777 -pe chop\n[core]\n\tattributesFile = {}\n",
            attributes.display()
        ),
    )
    .unwrap();
    std::fs::write(&attributes, "*.tsr filter=pad\n").unwrap();
    let home_env = home.path().to_str().unwrap();
    let env = [("HOME", home_env), ("XDG_CONFIG_HOME", home_env)];
    padded_token_is_read(&env, |repo, _| {
        let remote = [
            "remote",
            "add",
            "origin",
            "https://example.com/acme/records",
        ];
        git_in(repo, &env, &remote);
    });
}

/// The company of `stamped()`, its tokens staged and checked clean, the
/// review's token file, and the two tokens a test swaps in it, the round
/// number's parity choosing: a backdated copy, then the TSA's bytes.
fn swapping() -> (Repo, std::path::PathBuf, [Vec<u8>; 2]) {
    let (repo, _, review) = stamped();
    stage_tokens(&repo);
    clean(&repo.check());
    let path = repo.path(&format!("timestamps/{review}.tsr"));
    let valid = std::fs::read(&path).unwrap();
    (repo, path, [backdated(&valid), valid])
}

/// The next check with every cache says what `--no-cache` says, and the
/// review's token verifies exactly in the odd rounds (the TSA's bytes).
fn says_what_no_cache_says(repo: &Repo, round: usize) -> Run {
    let warm = repo.check();
    let cold = repo.check_in(&[], &["--no-cache"]);
    assert_eq!(warm.stdout, cold.stdout, "round {round}");
    if round.is_multiple_of(2) {
        let msg = missing_on_order(&warm);
        assert!(msg.contains("altered after the TSA signed it"), "{msg}");
    } else {
        clean(&warm);
    }
    warm
}

/// Checks running at once while the review's token is swapped in place,
/// its time put back, between the TSA's bytes and a backdated copy of
/// the same length, git's index restaged under them: whatever each run
/// read ahead of its proofs and kept in `tokens.json`, the next check says
/// what a check reading every token says, and the token verifies exactly
/// when it holds the TSA's bytes.
#[test]
fn runs_at_once_while_a_token_changes_keep_nothing_stale() {
    let (repo, path, tokens) = swapping();
    for round in 0..4 {
        let mut runs = vec![repo.spawn_check(), repo.spawn_check()];
        write_keeping_time(&path, &tokens[round % 2]);
        runs.push(repo.spawn_check());
        stage_tokens(&repo);
        runs.push(repo.spawn_check());
        for run in runs {
            let run = Run::from(run.wait_with_output().unwrap());
            assert!(run.code <= 1, "round {round}: {}", run.stderr);
        }
        says_what_no_cache_says(&repo, round);
    }
}

/// Checks killed at points spread over a whole run (reading the tokens
/// ahead of the proofs, verifying, writing `tokens.json`), while the
/// review's token is swapped for a backdated one and back, and a cache
/// folder holding what a killed writer leaves: a cut `tokens.json` and a
/// temporary file of a dead process. The next check says what a check
/// reading every token says, and sweeps every temporary file of a run
/// that is gone.
#[test]
fn runs_killed_at_any_point_leave_nothing_the_next_trusts() {
    let (repo, path, tokens) = swapping();
    let cache = repo.top.join(".git/docket");
    let start = std::time::Instant::now();
    clean(&repo.check());
    let whole = start.elapsed();
    // A temporary file's name ends in its writer's process id
    // (`atomic.rs`); no process has the largest id there is.
    let leftovers = || -> Vec<String> {
        std::fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| {
                n.rsplit_once('.')
                    .is_some_and(|(_, pid)| pid.parse::<u32>().is_ok())
            })
            .collect()
    };
    for round in 0..2 {
        write_keeping_time(&path, &tokens[round % 2]);
        stage_tokens(&repo);
        for eighth in 0..8 {
            let mut run = repo.spawn_check();
            std::thread::sleep(whole * eighth / 8);
            let _ = run.kill();
            run.wait().unwrap();
        }
        let written = std::fs::read(cache.join("tokens.json")).unwrap_or_default();
        std::fs::write(cache.join("tokens.json"), &written[..written.len() / 2]).unwrap();
        std::fs::write(cache.join(format!("tokens.json.{}", u32::MAX)), &written).unwrap();
        let warm = says_what_no_cache_says(&repo, round);
        assert_eq!(leftovers(), Vec::<String>::new(), "round {round}");
        // What the warm check kept is whole again, and read: the next
        // check says the same.
        assert!(kept(&repo).is_object(), "round {round}");
        assert_eq!(repo.check().stdout, warm.stdout, "round {round}");
    }
}
