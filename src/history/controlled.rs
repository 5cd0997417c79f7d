//! The controlled documents (`people.toml`, `docket.toml`,
//! `procedure.md`): one revision read as docket reads the working tree,
//! and what a change to one changed, in the words a reviewer needs.
//!
//! A reviewer of a governance change does not want a text diff of
//! people.toml: they want "keys added: wang.gm SHA256:...", "roles
//! changed: li.sales sales -> gm, sales", "policy.signatures: "ssh" ->
//! "none"". Each change is compared with the version *in force* (not with
//! the file's previous text), so a governed commit that takes over an
//! earlier ungoverned edit shows everything it puts in force.

use super::repo::{Objects, read_blob};
use crate::error::Result;
use crate::finding::{Finding, Message};
use crate::model::{Config, Key, Person};
use crate::msg;
use std::collections::BTreeMap;

/// The controlled documents, as they are named below the records root.
/// The certificates a timestamp is trusted by (`tsa/*.pem`) are
/// controlled too ([`is_certificate`]): whoever swaps the TSA's root for
/// their own can stamp any date.
pub const CONTROLLED: [&str; 3] = ["people.toml", "docket.toml", "procedure.md"];

pub use crate::model::is_certificate;

/// One revision of a controlled document.
pub enum Content {
    Config(Box<Config>),
    People(Vec<Person>),
    Procedure(String),
    /// A TSA certificate file: the SHA-256 of its bytes, which is what a
    /// reviewer compares with the TSA's published fingerprint.
    Certificate(String),
    /// The file was deleted.
    Deleted,
    /// It does not read: the first problem, as `file:line:col: message`.
    Unreadable(String),
}

/// A finding as the one line that says where and what.
pub fn located(f: &Finding) -> String {
    match f.pos {
        Some(p) => format!("{}:{}:{}: {}", f.file, p.line, p.col, f.message),
        None => format!("{}: {}", f.file, f.message),
    }
}

/// Read the revision `rev` of the controlled document `file`.
pub fn read(objects: &Objects, file: &str, blob: Option<&str>) -> Result<Content> {
    let Some(blob) = blob else {
        return Ok(Content::Deleted);
    };
    let oid =
        git2::Oid::from_str(blob).map_err(|e| crate::Error::object("blob", blob, file, &e))?;
    let bytes = match read_blob(&objects.repo, oid, file)? {
        Ok(b) => b,
        Err(why) => return Ok(Content::Unreadable(format!("{file}: {why}"))),
    };
    let first = |fs: &[Finding]| fs.first().map(located);
    Ok(match file {
        "docket.toml" => {
            let (config, findings) = crate::model::read_config_bytes(&bytes);
            match first(&findings) {
                Some(why) => Content::Unreadable(why),
                None => Content::Config(Box::new(config)),
            }
        }
        "people.toml" => {
            let (people, findings) = crate::model::read_people_bytes(&bytes);
            match first(&findings) {
                Some(why) => Content::Unreadable(why),
                None => Content::People(people),
            }
        }
        f if is_certificate(f) => {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(&bytes);
            Content::Certificate(crate::hex::hex(&digest))
        }
        _ => match String::from_utf8(bytes) {
            Ok(text) => Content::Procedure(text),
            Err(_) => Content::Unreadable(format!("{file}: is not UTF-8 text")),
        },
    })
}

/// What a key is called in a message: its SHA-256 fingerprint, or the
/// start of the line when it does not parse.
fn fingerprint(k: &Key) -> String {
    match ssh_key::PublicKey::from_openssh(&k.key) {
        Ok(p) => p.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
        Err(_) => k.key.chars().take(24).collect(),
    }
}

/// What changed from the people in force to `new`: one line per kind of
/// change ("keys added: wang.gm SHA256:...; li.sales SHA256:..."), in both
/// languages (the ids, fingerprints and values are as written).
pub fn people_changes(old: &[Person], new: &[Person]) -> Vec<Message> {
    let mut kinds: BTreeMap<&str, Vec<Message>> = BTreeMap::new();
    let mut push = |kind: &'static str, what: Message| kinds.entry(kind).or_default().push(what);
    // Most items read the same in both languages (ids, keys, values).
    let same = |s: String| Message {
        en: s.clone(),
        zh: s,
    };
    let by_id = |list: &[Person], id: &str| list.iter().find(|p| *p.id == id).cloned();
    for p in new {
        let id = p.id.value.as_str();
        let Some(o) = by_id(old, id) else {
            push("people added", same(format!("{id} ({})", p.name.value)));
            for k in &p.keys {
                push("keys added", same(format!("{id} {}", fingerprint(k))));
            }
            continue;
        };
        if o.name.value != p.name.value {
            push(
                "names changed",
                same(format!("{id} \"{}\" -> \"{}\"", o.name.value, p.name.value)),
            );
        }
        let list = |v: &[String]| v.join(", ");
        if o.emails != p.emails {
            push(
                "emails changed",
                same(format!(
                    "{id} [{}] -> [{}]",
                    list(&o.emails),
                    list(&p.emails)
                )),
            );
        }
        let roles = |p: &Person| p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>();
        if o.roles != p.roles {
            push(
                "roles changed",
                same(format!(
                    "{id} [{}] -> [{}]",
                    roles(&o).join(", "),
                    roles(p).join(", ")
                )),
            );
        }
        if o.department != p.department {
            let d = |p: &Person| p.department.map_or("none".to_string(), |d| d.to_string());
            push(
                "departments changed",
                same(format!("{id} {} -> {}", d(&o), d(p))),
            );
        }
        if o.left != p.left {
            match p.left {
                Some(day) => push("people left", msg!("{id} on {day}", "{id} 於 {day}")),
                None => push("leaving days removed", same(id.to_string())),
            }
        }
        for k in &p.keys {
            match o.keys.iter().find(|ok| ok.key == k.key) {
                None => push("keys added", same(format!("{id} {}", fingerprint(k)))),
                Some(ok) if ok.revoked != k.revoked => match k.revoked {
                    Some(day) => push(
                        "keys revoked",
                        msg!("{id} {f} from {day}", "{id} {f} 自 {day} 起"; f = fingerprint(k)),
                    ),
                    None => push(
                        "revocations removed",
                        same(format!("{id} {}", fingerprint(k))),
                    ),
                },
                Some(ok) if ok != k => push(
                    "key windows changed",
                    same(format!("{id} {}", fingerprint(k))),
                ),
                Some(_) => {}
            }
        }
        for ok in o
            .keys
            .iter()
            .filter(|ok| !p.keys.iter().any(|k| k.key == ok.key))
        {
            push("keys removed", same(format!("{id} {}", fingerprint(ok))));
        }
    }
    for o in old.iter().filter(|o| by_id(new, &o.id).is_none()) {
        push(
            "people removed",
            same(format!("{} ({})", o.id.value, o.name.value)),
        );
    }
    // Keys first: they are what proves a signature.
    let order = [
        "keys added",
        "keys removed",
        "keys revoked",
        "revocations removed",
        "key windows changed",
        "roles changed",
        "emails changed",
        "people added",
        "people removed",
        "people left",
        "leaving days removed",
        "departments changed",
        "names changed",
    ];
    order
        .iter()
        .filter_map(|k| {
            let list = Message::join(kinds.get(k)?, "; ", "；");
            Some(Message {
                en: format!("{k}: {}", list.en),
                zh: format!("{}：{}", kind_zh(k), list.zh),
            })
        })
        .collect()
}

/// A kind of change to people.toml, in Chinese.
fn kind_zh(kind: &str) -> &'static str {
    match kind {
        "keys added" => "新增金鑰",
        "keys removed" => "移除金鑰",
        "keys revoked" => "撤銷金鑰",
        "revocations removed" => "取消撤銷",
        "key windows changed" => "金鑰有效期間變更",
        "roles changed" => "角色變更",
        "emails changed" => "電子郵件變更",
        "people added" => "新增人員",
        "people removed" => "移除人員",
        "people left" => "人員離職",
        "leaving days removed" => "取消離職日",
        "departments changed" => "部門變更",
        _ => "姓名變更",
    }
}

/// What changed from the configuration in force to `new`: policy values,
/// company settings and rule overrides, each `key: old -> new`.
pub fn config_changes(old: &Config, new: &Config) -> Vec<Message> {
    let mut out = Vec::new();
    for section in ["policy", "company"] {
        let value = |c: &Config| {
            serde_json::to_value(c)
                .ok()
                .and_then(|v| v.get(section).cloned())
        };
        let (Some(a), Some(b)) = (value(old), value(new)) else {
            continue;
        };
        let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
            continue;
        };
        for (key, now) in b {
            let was = a.get(key).unwrap_or(&serde_json::Value::Null);
            if was != now {
                out.push(msg!(
                    "{section}.{key}: {was} -> {now}",
                    "{section}.{key}：{was} → {now}"
                ));
            }
        }
    }
    let level = |c: &Config, r| match c.rules.get(r) {
        None => "(default)".to_string(),
        Some(None) => "\"off\"".to_string(),
        Some(Some(s)) => format!("\"{}\"", s.as_str()),
    };
    let rules: std::collections::BTreeSet<_> = old.rules.keys().chain(new.rules.keys()).collect();
    for r in rules {
        let (was, now) = (level(old, r), level(new, r));
        if was != now {
            let zh = |v: &str| {
                if v == "(default)" {
                    "（預設）".to_string()
                } else {
                    v.to_string()
                }
            };
            out.push(msg!("rules.{r}: {was} -> {now}", "rules.{r}：{zw} → {zn}"; zw = zh(&was), zn = zh(&now)));
        }
    }
    out
}

/// The clauses of a procedure: the text under each heading that carries
/// an anchor (`## Orders {#c4.2.1}`), by anchor.
fn clauses(text: &str) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let anchor = line
            .trim_start()
            .starts_with('#')
            .then(|| line.rsplit_once("{#"))
            .flatten()
            .and_then(|(_, rest)| rest.split_once('}'))
            .map(|(a, _)| a.trim().to_string());
        if let Some(a) = anchor {
            current = Some(a.clone());
            out.entry(a).or_default();
        } else if let Some(a) = &current {
            let body = out.entry(a.clone()).or_default();
            body.push_str(line.trim_end());
            body.push('\n');
        }
    }
    // Blank lines around a clause (the one a new heading below it needs)
    // do not change what it says.
    for body in out.values_mut() {
        *body = body.trim().to_string();
    }
    out
}

/// Which clauses of the procedure changed from `old` to `new`.
pub fn procedure_changes(old: Option<&str>, new: &str) -> Vec<Message> {
    let (a, b) = (clauses(old.unwrap_or_default()), clauses(new));
    let pick = |f: &dyn Fn(&String) -> bool, from: &BTreeMap<String, String>| {
        from.keys().filter(|k| f(k)).cloned().collect::<Vec<_>>()
    };
    let added = pick(&|k| !a.contains_key(k), &b);
    let removed = pick(&|k| !b.contains_key(k), &a);
    // A removed clause is "removed", not also "changed".
    let changed = pick(
        &|k| a.get(k).zip(b.get(k)).is_some_and(|(was, now)| was != now),
        &a,
    );
    let mut out = Vec::new();
    for (what, zh, list) in [
        ("procedure clauses changed", "程序書條款變更", changed),
        ("procedure clauses added", "程序書條款新增", added),
        ("procedure clauses removed", "程序書條款刪除", removed),
    ] {
        if !list.is_empty() {
            out.push(msg!("{what}: {en}", "{zh}：{z}"; en = list.join(", "), z = list.join("、")));
        }
    }
    if out.is_empty() && old.is_none_or(|o| o != new) {
        out.push(msg!(
            "procedure text changed outside its numbered clauses",
            "程序書編號條款以外的文字變更"
        ));
    }
    out
}
