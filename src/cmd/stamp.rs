//! `docket stamp`: ask a TSA for an RFC 3161 token over every signing
//! commit that has none, and keep each as `timestamps/<commit id>.tsr`
//! ([`crate::tsa::stamping`] does the work). Meant to run in CI after each
//! push to the main branch, so tokens follow signatures within minutes
//! (docs/timestamps.md).

use crate::error::{Error, Result};
use crate::tsa::stamping::{Stamped, Tsa, stamp};
use std::fmt::Write;
use std::path::Path;

/// `docket stamp [--url URL]`: the text to print.
pub fn run(root: &Path, url: Option<&str>) -> Result<String> {
    let loaded = crate::load::load(root)?;
    let (model, _) = crate::model::build(loaded);
    // "off" means docket does nothing with timestamps, so the same CI
    // step can run in every repository and starts stamping the day the
    // policy is turned on.
    if model.config.timestamps.policy == crate::model::TimestampPolicy::Off {
        return Ok(
            "nothing to stamp: timestamps are off in docket.toml ([timestamps] policy = \"off\")\n"
                .to_string(),
        );
    }
    let url = url
        .map(str::to_string)
        .or_else(|| model.config.timestamps.url.clone())
        .ok_or_else(|| {
            Error::Usage(
                "no TSA to ask: set `url` under [timestamps] in docket.toml, or pass --url".into(),
            )
        })?;
    let done = stamp(root, &model, &Tsa::Http(&url))?;
    Ok(report(&done, &url))
}

/// The summary `docket stamp` prints.
pub fn report(done: &Stamped, tsa: &str) -> String {
    let mut out = String::new();
    if done.stamped.is_empty() {
        let _ = writeln!(
            out,
            "nothing to stamp: {} signing commits already have a valid token",
            done.had
        );
    } else {
        let _ = writeln!(
            out,
            "stamped {} signing commits with {tsa} ({} already had a token); commit timestamps/:",
            done.stamped.len(),
            done.had
        );
        for id in &done.stamped {
            let _ = writeln!(out, "  {id}");
        }
    }
    for (id, why) in &done.invalid {
        let _ = writeln!(
            out,
            "warning: the token of commit {id} does not verify ({why}); it is kept as it is: \
             delete {} to ask for a new one",
            crate::tsa::token_path(id)
        );
    }
    out
}
