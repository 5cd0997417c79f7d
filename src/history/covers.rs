//! What a signature covers (21 CFR 11.70): the section it signs, and the
//! parts of the record the signer read and vouched for.
//!
//! A proof says who signed; an auditor also asks *what*. Every signature
//! covers its own section (a change by someone else breaks it, `prove.rs`).
//! Some also vouch for other parts of the record: the GM's review approves
//! the order's substance, the GM's signature on a flow sheet its lines and
//! issue date, QC's verification the investigation it verified, the GM's
//! confirmation both, the sales analysis of a survey the scores it analysed.
//! When such a part changed after the signature commit, the signature still
//! proves who signed, but no longer covers the record as it is: it is
//! *stale*, with the first commit that changed it and the changed fields.
//! The site, `docket log` and the audit page show it so, never as plain
//! "proven".
//!
//! The signature is bound to its content by two numbers an auditor can
//! recompute without docket: the git blob id of the file at the signature
//! commit (`git rev-parse <commit>:<path>`), and a SHA-256 of the section's
//! *canonical value*: the section as parsed TOML, written as compact JSON
//! with sorted keys, non-ASCII kept, dates and times as Python prints them
//! (`2026-03-03`, `2026-03-03 09:15:00+08:00`), floats as Python's `repr`.
//! That is exactly what `json.dumps(section, sort_keys=True,
//! separators=(",", ":"), ensure_ascii=False, default=str)` gives for
//! `tomllib`'s parse, so one line of Python (docs/history.md) reproduces it.

use super::fields::{diff_tables, section};
use super::states::States;
use super::substance::substance;
use crate::kind::Kind;
use crate::load::{Table, Value};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Whether a signature covers the record as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "state")]
pub enum Covers {
    /// Nothing the signature covers changed since its signature commit.
    #[default]
    Current,
    /// Something it covers changed after it was signed.
    Stale {
        /// The first commit (index) that changed it after the signature
        /// commit; `None`: the working tree.
        since: Option<usize>,
        /// The changed field paths (`line[0].quantity`).
        fields: Vec<String>,
    },
}

/// The top-level keys besides itself that the section at `path` of a
/// record of `kind` covers; `None` when it covers only itself. An order's
/// review covers the substance (everything but [`crate::model::NON_SUBSTANCE`]).
fn extra(kind: Kind, path: &str) -> Option<Covered> {
    let base = path.split('[').next().unwrap_or(path);
    match (kind, base) {
        (Kind::Order, "review" | "extra_review") => Some(Covered::Substance),
        // The order it is for is what the GM approves production of.
        (Kind::Flowsheet, "gm_signed") => Some(Covered::Keys(&["order", "issued", "line"])),
        (Kind::Capa, "verification") => Some(Covered::Keys(&["investigation"])),
        (Kind::Capa, "confirmation") => Some(Covered::Keys(&["investigation", "verification"])),
        (Kind::Survey, "analysis") => Some(Covered::Keys(&["returned", "scores"])),
        _ => None,
    }
}

/// What a section covers besides itself, for the documentation and the
/// audit page: (kind, section, what it covers).
pub const COVERAGE: &[(&str, &str, &str)] = &[
    (
        "order",
        "review, extra_review[i]",
        "the order's substance: everything but review, extra_review, followup, change, delivery, closed, cancelled and oral.written_order_received",
    ),
    ("flow sheet", "gm_signed", "order, issued, line"),
    ("CAPA", "verification", "investigation"),
    ("CAPA", "confirmation", "investigation, verification"),
    ("survey", "analysis", "returned, scores"),
];

#[derive(Clone, Copy)]
enum Covered {
    Substance,
    Keys(&'static [&'static str]),
}

impl Covered {
    fn of(self, t: &Table) -> Table {
        match self {
            Covered::Substance => substance(t),
            Covered::Keys(keys) => t
                .iter()
                .filter(|(k, _)| keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// Whether the signature of section `path`, whose signature commit is
/// state `s` of `st`, still covers the record's last state.
pub fn covers(st: &States, s: usize, kind: Kind, path: &str) -> Covers {
    let Some(what) = extra(kind, path) else {
        return Covers::Current;
    };
    let covered = |k: usize| st.list[k].1.as_ref().map(|t| what.of(t));
    let Some(last) = st.list.len().checked_sub(1) else {
        return Covers::Current;
    };
    let signed = covered(s);
    let now = covered(last);
    let fields: Vec<String> = diff_tables(signed.as_ref(), now.as_ref())
        .into_iter()
        .map(|c| c.path)
        .collect();
    if fields.is_empty() {
        return Covers::Current;
    }
    // The first state after the signature whose covered part differs.
    let since = (s + 1..=last)
        .find(|&k| !diff_tables(signed.as_ref(), covered(k).as_ref()).is_empty())
        .and_then(|k| st.list[k].0);
    Covers::Stale { since, fields }
}

/// The SHA-256 (hex) of the canonical value of the section at `path` of
/// `t`, `None` when there is no such section.
pub fn sha256_of(t: &Table, path: &str) -> Option<String> {
    section(t, path).map(sha256)
}

/// The SHA-256 (hex) of `v`'s canonical value.
pub fn sha256(v: &Value) -> String {
    let mut text = String::new();
    canonical(v, &mut text);
    let digest = Sha256::digest(text.as_bytes());
    crate::hex::hex(&digest)
}

/// The canonical value: what Python's `json.dumps(v, sort_keys=True,
/// separators=(",", ":"), ensure_ascii=False, default=str)` writes for
/// `tomllib`'s parse of it.
pub fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
        Value::Integer(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&python_float(*f)),
        Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Datetime(d) => {
            out.push('"');
            out.push_str(&python_datetime(d));
            out.push('"');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, n) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(&n.value, out);
            }
            out.push(']');
        }
        Value::Table(t) => {
            let mut entries: Vec<(&String, &Value)> =
                t.iter().map(|(k, (_, n))| (k, &n.value)).collect();
            // Python sorts by code point, which is UTF-8 byte order.
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push(':');
                canonical(v, out);
            }
            out.push('}');
        }
    }
}

/// A float as Python's `repr` (and so `json.dumps`) writes it: the
/// shortest digits that read back, fixed notation for decimal exponents
/// from -4 to 15, else `1e+16`, `1.5e-05`.
fn python_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f.is_sign_positive() {
            "Infinity"
        } else {
            "-Infinity"
        }
        .into();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    // Rust's `{:e}` gives the shortest round-trip digits: "1.2345e3".
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let decpt = exp + 1;
    if f == 0.0 {
        return format!("{sign}0.0");
    }
    if decpt > -4 && decpt <= 16 {
        let n = digits.len() as i32;
        let body = if decpt <= 0 {
            format!("0.{}{digits}", "0".repeat((-decpt) as usize))
        } else if decpt >= n {
            format!("{digits}{}.0", "0".repeat((decpt - n) as usize))
        } else {
            let (a, b) = digits.split_at(decpt as usize);
            format!("{a}.{b}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let m = if rest.is_empty() {
            first.to_string()
        } else {
            format!("{first}.{rest}")
        };
        let e = decpt - 1;
        let es = if e < 0 { '-' } else { '+' };
        format!("{sign}{m}e{es}{:02}", e.abs())
    }
}

/// A TOML date or time as Python's `str` writes `tomllib`'s value:
/// `2026-03-03`, `09:15:00`, `2026-03-03 09:15:00.500000+08:00`.
fn python_datetime(d: &toml::value::Datetime) -> String {
    let mut parts = Vec::new();
    if let Some(date) = &d.date {
        parts.push(format!(
            "{:04}-{:02}-{:02}",
            date.year, date.month, date.day
        ));
    }
    if let Some(t) = &d.time {
        let mut s = format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second.unwrap_or(0));
        let micros = t.nanosecond.unwrap_or(0) / 1000;
        if micros != 0 {
            s.push_str(&format!(".{micros:06}"));
        }
        if let Some(o) = &d.offset {
            let minutes = match o {
                toml::value::Offset::Z => 0,
                toml::value::Offset::Custom { minutes } => i32::from(*minutes),
            };
            let sign = if minutes < 0 { '-' } else { '+' };
            s.push_str(&format!(
                "{sign}{:02}:{:02}",
                minutes.abs() / 60,
                minutes.abs() % 60
            ));
        }
        parts.push(s);
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_as_python_repr() {
        for (f, s) in [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (1234.5, "1234.5"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345.0, "123456789012345.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            // TOML's inf and nan, as json.dumps writes them.
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(python_float(f), s, "{f}");
        }
    }

    #[test]
    fn datetimes_as_python_str() {
        for (toml, s) in [
            ("2026-03-03", "2026-03-03"),
            ("09:15:00", "09:15:00"),
            (
                "2026-03-03T09:15:00.5+08:00",
                "2026-03-03 09:15:00.500000+08:00",
            ),
            ("2026-03-03T09:15:00Z", "2026-03-03 09:15:00+00:00"),
        ] {
            let d: toml::value::Datetime = toml.parse().unwrap();
            assert_eq!(python_datetime(&d), s);
        }
    }
}
