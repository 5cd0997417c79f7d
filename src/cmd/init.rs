//! `docket init DIR` and `docket new KIND`.
//!
//! `init` writes out the example repository embedded in the binary
//! ([`crate::example`]), so an installed binary can scaffold a repository
//! without the source tree. `new` finds the next free id of a
//! kind and writes a record from a template with today's date and the
//! fields a person must fill in.

use crate::error::{Error, Result};
use crate::example::EXAMPLE;
use crate::kind::{IdShape, Kind};
use include_dir::{Dir, DirEntry};
use jiff::civil::Date;
use std::path::{Path, PathBuf};

/// Write the example repository into `dir`. Refuses to touch a folder that
/// already holds a records repository.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>> {
    if dir.join("docket.toml").exists() {
        return Err(Error::AlreadyExists(dir.to_path_buf()));
    }
    let mut written = Vec::new();
    write_dir(&EXAMPLE, dir, &mut written)?;
    Ok(written)
}

fn write_dir(src: &Dir<'_>, dest: &Path, written: &mut Vec<PathBuf>) -> Result<()> {
    for entry in src.entries() {
        match entry {
            DirEntry::Dir(d) => write_dir(d, dest, written)?,
            DirEntry::File(f) => {
                let path = dest.join(f.path());
                if path.exists() {
                    return Err(Error::AlreadyExists(path));
                }
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                std::fs::write(&path, f.contents()).map_err(|e| Error::io(&path, e))?;
                written.push(path);
            }
        }
    }
    Ok(())
}

/// What `docket new` was told.
#[derive(Debug, Default)]
pub struct NewOptions {
    pub customer: Option<String>,
    pub order: Option<String>,
    pub part_number: Option<String>,
    pub by: Option<String>,
}

/// Create the next record of `kind` below `root`; returns its path.
pub fn new_record(root: &Path, kind: Kind, today: Date, opts: &NewOptions) -> Result<PathBuf> {
    let loaded = crate::load::load(root)?;
    let year = today.year();
    let id = match kind.id_shape() {
        IdShape::PartNumber => opts.part_number.clone().ok_or_else(|| {
            Error::Usage("a product's id is its part number: pass --part-number".into())
        })?,
        _ => next_id(kind, year, loaded.records.iter().map(|d| d.stem())),
    };
    // The repository's own pattern is checked by `docket check`; here we
    // only refuse what could never be a file name.
    if id.is_empty() || id.contains(['/', '\\', '.']) {
        return Err(Error::Usage(format!("\"{id}\" cannot be a part number")));
    }
    let rel = if kind.by_year() {
        format!("{}/{year}/{id}.toml", kind.folder())
    } else {
        format!("{}/{id}.toml", kind.folder())
    };
    let path = root.join(&rel);
    if path.exists() {
        return Err(Error::AlreadyExists(path));
    }
    let text = template(kind, &id, today, opts);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// The next free id of a kind for `year`: one past the highest in use.
pub fn next_id<'a>(kind: Kind, year: i16, stems: impl Iterator<Item = &'a str>) -> String {
    let prefix = kind.prefix().unwrap_or_default();
    let lead = if kind.by_year() {
        format!("{prefix}-{year}-")
    } else {
        format!("{prefix}-")
    };
    let highest = stems
        .filter_map(|s| s.strip_prefix(&lead))
        .filter_map(|n| n.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{lead}{:04}", highest + 1)
}

fn quoted(v: &Option<String>, placeholder: &str) -> String {
    toml_string(v.as_deref().unwrap_or(placeholder))
}

/// A TOML string literal, escaped by the toml crate.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn template(kind: Kind, id: &str, today: Date, o: &NewOptions) -> String {
    let customer = quoted(&o.customer, "C-0000");
    let by = quoted(&o.by, "person.id");
    let order = quoted(&o.order, "SO-0000-0000");
    let id = toml_string(id);
    match kind {
        Kind::Customer => format!(
            "id = {id}\nname = \"\"\nregion = \"domestic\"               # international | domestic\n\
             address = \"\"\ncontact = \"\"\nphone = \"\"\n# fax = \"\"\n# email = \"\"\nsince = {today}\n\
             account_manager = {by}\nactive = true\n"
        ),
        Kind::Product => format!(
            "part_number = {id}\nname = \"\"\nspec = \"\"\nunit = \"pcs\"\n# customer = {customer}\nstatus = \"active\"\n"
        ),
        Kind::Order => format!(
            "id = {id}\ncustomer = {customer}\ncustomer_ref = \"\"\n\
             channel = \"website\"                # website | fax | sales | email | oral\n\
             received = {today}\nowner = {by}\nlegible = true\ndelivery_place = \"\"\n\n\
             [[line]]\npart_number = \"\"\nproduct = \"\"\nspec = \"\"\nquantity = 1\ndelivery = {today}\n"
        ),
        Kind::Flowsheet => format!(
            "id = {id}\norder = {order}\nissued = {today}\nby = {by}\nrevision = 1\n\n\
             [[line]]\npart_number = \"\"\nquantity = 1\ndue = {today}\n"
        ),
        Kind::Capa => format!(
            "id = {id}\nkind = \"corrective\"                # corrective | preventive\n\
             source = \"complaint\"               # complaint | survey | usage-report | internal\n\
             written_complaint = false\ncustomer = {customer}\nopened = {today}\nopened_by = {by}\n\
             description = \"\"\nresponsible_department = \"manufacturing\"\n"
        ),
        Kind::Survey => format!(
            "id = {id}\ncustomer = {customer}\nyear = {}\nsent = {today}\nsent_by = {by}\n\
             # returned = {today}\n# respondent = \"\"\n\n# [scores]   # 1..5 for each policy.survey_questions entry\n",
            today.year()
        ),
        Kind::Property => format!(
            "id = {id}\ncustomer = {customer}\nitem = \"\"\nreceived = {today}\ncustodian = {by}\nlocation = \"\"\n"
        ),
        Kind::Report => format!(
            "id = {id}\ncustomer = {customer}\ndate = {today}\nby = {by}\nto = \"\"\nsummary = \"\"\ncomplaint = false\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_ids() {
        let stems = ["SO-2026-0001", "SO-2026-0009", "SO-2025-0042", "C-0007"];
        assert_eq!(
            next_id(Kind::Order, 2026, stems.iter().copied()),
            "SO-2026-0010"
        );
        assert_eq!(
            next_id(Kind::Order, 2027, stems.iter().copied()),
            "SO-2027-0001"
        );
        assert_eq!(
            next_id(Kind::Customer, 2026, stems.iter().copied()),
            "C-0008"
        );
    }
}
