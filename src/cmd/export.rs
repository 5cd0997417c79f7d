//! `docket export allowed-signers [--at REV] [--out FILE]`: the OpenSSH
//! `allowed_signers` file of the people.toml history, so that git itself
//! can verify every signing commit without docket
//! (`history::signers` says which keys and times it holds, docs/history.md
//! why).

use crate::error::{Error, Result};
use crate::history::History;
use std::path::Path;

/// What `docket export` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    /// OpenSSH allowed_signers for `git verify-commit`.
    AllowedSigners,
}

/// The file's text, as governed at `at` (default `HEAD`), and the
/// warnings about what was left out.
pub fn allowed_signers(root: &Path, at: Option<&str>) -> Result<(String, Vec<String>)> {
    let loaded = crate::load::load(root)?;
    let (model, findings) = crate::model::build(loaded);
    super::fail_closed(&findings)?;
    let offset = model.config.company.offset_seconds;
    let Some((repo, _)) = crate::history::discover(root)? else {
        return Err(Error::Git(
            "no git repository above the records root: allowed_signers comes from the history of people.toml".into(),
        ));
    };
    if repo.is_shallow() {
        return Err(Error::Git(
            "the repository is a shallow clone, so the history of people.toml is incomplete; \
             fetch the full history (git fetch --unshallow)"
                .into(),
        ));
    }
    let start = crate::history::resolve(&repo, at.unwrap_or("HEAD"))?;
    let mut history = History::open_with(root, Some(start), false)?;
    crate::history::govern(&mut history, offset)?;
    let head = history.head.clone().unwrap_or_else(|| start.to_string());
    let out = crate::history::signers::allowed_signers(&history, offset, &head);
    Ok((out.text, out.skipped))
}

/// Write `text` to `out` through a temporary file and a rename: a reader
/// sees the whole file or none.
pub fn write(out: &Path, text: &str) -> Result<()> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = out.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = (|| {
        use std::io::Write as _;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, out)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(out, e));
    }
    Ok(())
}
