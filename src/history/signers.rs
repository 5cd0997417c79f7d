//! An OpenSSH `allowed_signers` file from the governance timeline, so an
//! auditor can check every signing commit with git alone:
//! `git -c gpg.ssh.allowedSignersFile=allowed_signers verify-commit <id>`.
//!
//! docket judges a signature by the people.toml in force for its commit
//! (`regime.rs`); git judges it by one file and the commit's committer
//! time. So the file holds every key of every governed version of
//! people.toml, each line limited to the time that version was in force
//! (from just after the commit that brought it to the commit that replaced
//! it), and within that to the key's own window (`valid_after`,
//! `valid_before`), its `revoked` day (in that version, or in the version
//! in force at the exported revision, which reaches back), and the day
//! after the person's `left`. Days start at midnight in the company's time
//! zone and are written as UTC times (`20251231160000Z`), because OpenSSH
//! reads a time without `Z` in the zone of whoever runs it. A key removed
//! later keeps verifying what it signed while it was listed; a key slipped
//! in by an ungoverned change is in no version, so never in the file.
//!
//! Principals are the person's emails. OpenSSH reads them as patterns
//! (`*`, `?`, `!`), so an email holding one of those, a comma, a quote or
//! white space is left out (and said so); keys docket cannot parse are
//! left out too, since docket cannot verify them either.

use super::index::History;
use super::regime::Regime;
use jiff::civil::Date;
use std::collections::BTreeMap;

/// One line of the file, before it is written: times in seconds since
/// 1970, `after` inclusive and `before` exclusive (`None`: unbounded).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Line {
    principals: String,
    key: String,
    after: Option<i64>,
    before: Option<i64>,
}

/// The file, and what was left out of it.
#[derive(Debug, Clone, Default)]
pub struct AllowedSigners {
    pub text: String,
    /// Emails and keys left out, with why, for stderr.
    pub skipped: Vec<String>,
}

/// Midnight starting `day` in the company's zone, in seconds since 1970.
fn midnight(day: Date, offset_seconds: i32) -> Option<i64> {
    let offset = jiff::tz::Offset::from_seconds(offset_seconds).ok()?;
    offset
        .to_timestamp(day.at(0, 0, 0, 0))
        .ok()
        .map(|t| t.as_second())
}

fn utc(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.strftime("%Y%m%d%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// Whether OpenSSH reads `email` as exactly itself in a principals list
/// (and a shell comment or a line holds it whole: no white space, no
/// control character).
pub fn plain(email: &str) -> bool {
    !email.is_empty()
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || ",\"'*?!#".contains(c))
}

/// Build the file from the governance timeline of `h` (computed by
/// `govern`), with days at `offset_seconds`; `head` names the revision in
/// the header.
pub fn allowed_signers(h: &History, offset_seconds: i32, head: &str) -> AllowedSigners {
    let mut skipped = Vec::new();
    let line_of: BTreeMap<usize, usize> = h
        .commits
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.line.map(|p| (p, i)))
        .collect();
    // A version in force from just after the commit that brought it (the
    // commit itself is judged by the version before it) to the commit
    // that replaced it, inclusive. The root's own version proves the root.
    let time_at = |p: usize| line_of.get(&p).map(|&i| h.commits[i].committer.time);
    let versions = h.governance.versions();
    let now = h.governance.current();
    let mut lines = Vec::new();
    for (k, (position, regime)) in versions.iter().enumerate() {
        let start = match position {
            None | Some(0) => None,
            Some(p) => time_at(*p).map(|t| t + 1),
        };
        let end = versions
            .get(k + 1)
            .and_then(|(p, _)| p.and_then(time_at))
            .map(|t| t + 1);
        lines.extend(version_lines(
            regime,
            now,
            start,
            end,
            offset_seconds,
            &mut skipped,
        ));
    }
    lines.sort();
    lines.dedup();
    // Consecutive versions listing the same key: one line.
    let mut merged: Vec<Line> = Vec::new();
    for l in lines {
        match merged.last_mut() {
            Some(m)
                if m.principals == l.principals
                    && m.key == l.key
                    && (m.before.is_none() || l.after.is_none() || m.before >= l.after) =>
            {
                m.before = match (m.before, l.before) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            _ => merged.push(l),
        }
    }
    skipped.sort();
    skipped.dedup();
    let mut text = format!(
        "# OpenSSH allowed_signers: the SSH keys of people.toml as governed up to {head},\n\
         # each valid while it was in force (docket export allowed-signers).\n\
         # Check a commit: git -c gpg.ssh.allowedSignersFile=allowed_signers verify-commit <id>\n"
    );
    for l in merged {
        let mut options = vec!["namespaces=\"git\"".to_string()];
        if let Some(a) = l.after {
            options.push(format!("valid-after=\"{}\"", utc(a)));
        }
        if let Some(b) = l.before {
            // OpenSSH's valid-before is inclusive.
            options.push(format!("valid-before=\"{}\"", utc(b - 1)));
        }
        text.push_str(&format!(
            "{} {} {}\n",
            l.principals,
            options.join(","),
            l.key
        ));
    }
    AllowedSigners { text, skipped }
}

/// The lines of one version of people.toml, in force from `start` to
/// `end`; `now` is the version in force at the exported revision, whose
/// revocations reach back.
fn version_lines(
    regime: &Regime,
    now: &Regime,
    start: Option<i64>,
    end: Option<i64>,
    offset: i32,
    skipped: &mut Vec<String>,
) -> Vec<Line> {
    let day = |d: Date| midnight(d, offset);
    let mut out = Vec::new();
    for p in &regime.people {
        let emails: Vec<&str> = p
            .emails
            .iter()
            .map(String::as_str)
            .filter(|e| {
                let ok = plain(e);
                if !ok {
                    skipped.push(format!(
                        "email {e:?} of {}: OpenSSH would read it as a pattern or list",
                        p.id.value
                    ));
                }
                ok
            })
            .collect();
        if emails.is_empty() {
            continue;
        }
        let principals = emails.join(",");
        for k in &p.keys {
            let Ok(mut public) = ssh_key::PublicKey::from_openssh(&k.key) else {
                skipped.push(format!(
                    "a key of {} that is not an OpenSSH public key",
                    p.id.value
                ));
                continue;
            };
            if super::sig::is_weak(&public) {
                skipped.push(format!(
                    "a key of {} of small order, with which anyone can sign",
                    p.id.value
                ));
                continue;
            }
            let fingerprint = public.fingerprint(ssh_key::HashAlg::Sha256).to_string();
            public.set_comment("");
            let Ok(key) = public.to_openssh() else {
                continue;
            };
            let after = [start, k.valid_after.and_then(day)]
                .into_iter()
                .flatten()
                .max();
            let left = p.left.and_then(|l| l.tomorrow().ok()).and_then(day);
            let before = [
                end,
                k.valid_before.and_then(day),
                k.revoked.and_then(day),
                now.keyring().revoked(&fingerprint).and_then(day),
                left,
            ]
            .into_iter()
            .flatten()
            .min();
            if let (Some(a), Some(b)) = (after, before)
                && a >= b
            {
                continue;
            }
            out.push(Line {
                principals: principals.clone(),
                key: key.trim().to_string(),
                after,
                before,
            });
        }
    }
    out
}
