//! `docket.toml` and `people.toml`.

use super::read::{At, Diag};
use crate::finding::{RuleId, Severity};
use crate::{msg, toml_enum};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

toml_enum! {
    pub enum Language { En = "en", ZhHant = "zh-Hant" }
}

// What the language picks among texts written in both. They sit here,
// beside `Language`, so `finding` (below the model) needs no model type.
impl crate::finding::Message {
    /// The text in `lang`.
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::ZhHant => &self.zh,
            Language::En => &self.en,
        }
    }
}

impl crate::finding::Finding {
    /// The message in `lang`.
    pub fn text(&self, lang: Language) -> &str {
        match lang {
            Language::ZhHant => &self.zh,
            Language::En => &self.message,
        }
    }
}

impl RuleId {
    /// The summary in the site's language.
    pub fn summary_in(self, lang: Language) -> &'static str {
        match lang {
            Language::En => self.summary(),
            Language::ZhHant => self.summary_zh(),
        }
    }
}

toml_enum! {
    /// How a signed section is proven (docs/history.md).
    pub enum SignaturePolicy { Author = "author", None = "none", Ssh = "ssh" }
}

toml_enum! {
    pub enum Role { Gm = "gm", Sales = "sales", Qc = "qc", Manufacturing = "manufacturing", Rnd = "rnd", Head = "head" }
}

toml_enum! {
    pub enum Department {
        Commerce = "commerce", Sales = "sales", Qc = "qc", Manufacturing = "manufacturing",
        Rnd = "rnd", Purchasing = "purchasing", Warehouse = "warehouse",
    }
}

toml_enum! {
    /// Whether signing commits need an RFC 3161 timestamp (docs/timestamps.md).
    pub enum TimestampPolicy { Off = "off", Optional = "optional", Required = "required" }
}

toml_enum! {
    pub enum RuleLevel { Error = "error", Warning = "warning", Off = "off" }
}

#[derive(Debug, Clone, Serialize)]
pub struct Config {
    pub company: Company,
    pub policy: Policy,
    pub timestamps: Timestamps,
    /// Severity overrides from `[rules]`; `None` turns a rule off.
    #[serde(skip)]
    pub rules: BTreeMap<RuleId, Option<Severity>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Company {
    pub name: String,
    pub language: Language,
    /// Shown as written; commit times are displayed at this offset.
    pub timezone: String,
    #[serde(skip)]
    pub offset_seconds: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    pub signatures: SignaturePolicy,
    pub review_within_days: u32,
    pub oral_confirmation_days: u32,
    pub capa_stage_days: u32,
    pub survey_target: u32,
    /// (month, day) by which this year's survey is due.
    #[serde(serialize_with = "ser_month_day")]
    pub survey_due: (i8, i8),
    pub part_number_pattern: String,
    #[serde(skip)]
    pub part_number_regex: regex_lite::Regex,
    pub survey_questions: Vec<String>,
    /// Roles that may change the controlled documents (`people.toml`,
    /// `docket.toml`, `procedure.md`); never empty (docs/history.md).
    pub governance: Vec<Role>,
    /// Days a written date may differ from its commit's time, and a
    /// commit's time from its parent's, before it is a finding.
    pub date_tolerance_days: u32,
}

/// `[timestamps]`: RFC 3161 tokens on signing commits.
#[derive(Debug, Clone, Serialize)]
pub struct Timestamps {
    pub policy: TimestampPolicy,
    /// The TSA `docket stamp` asks (an http:// URL).
    pub url: Option<String>,
    /// The certificates trusted to sign tokens: PEM files, relative to the
    /// records root.
    pub certificates: Vec<String>,
    /// Days a signing commit may go without a token.
    pub within_days: u32,
}

/// Whether `path` (below the records root) is where a TSA certificate
/// may be kept: a `.pem` file directly in `tsa/`. Only such files may be
/// trusted (`timestamps.certificates`), and every such file is a
/// controlled document (a change to one is governed): a certificate
/// trusted from anywhere else could be swapped by anyone who can commit.
pub fn is_certificate(path: &str) -> bool {
    path.strip_prefix("tsa/")
        .is_some_and(|name| name.ends_with(".pem") && !name.contains('/'))
}

impl Default for Timestamps {
    fn default() -> Self {
        Timestamps {
            policy: TimestampPolicy::Off,
            url: None,
            certificates: Vec::new(),
            within_days: 2,
        }
    }
}

fn ser_month_day<S: serde::Serializer>(md: &(i8, i8), s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{:02}-{:02}", md.0, md.1))
}

pub const DEFAULT_PART_PATTERN: &str = "^[A-Z0-9][A-Z0-9-]{2,31}$";

impl Default for Config {
    fn default() -> Self {
        Config {
            company: Company {
                name: String::new(),
                language: Language::En,
                timezone: "+00:00".into(),
                offset_seconds: 0,
            },
            policy: Policy {
                signatures: SignaturePolicy::Author,
                review_within_days: 3,
                oral_confirmation_days: 7,
                capa_stage_days: 14,
                survey_target: 80,
                survey_due: (3, 31),
                part_number_pattern: DEFAULT_PART_PATTERN.into(),
                part_number_regex: regex_lite::Regex::new(DEFAULT_PART_PATTERN)
                    .expect("valid default pattern"),
                survey_questions: ["quality", "delivery", "service", "price", "communication"]
                    .map(String::from)
                    .to_vec(),
                governance: vec![Role::Gm],
                date_tolerance_days: 1,
            },
            timestamps: Timestamps::default(),
            rules: BTreeMap::new(),
        }
    }
}

impl Config {
    /// The severity a rule's findings get, `None` when it is turned off.
    /// `timestamp-missing` follows `[timestamps] policy` unless `[rules]`
    /// says otherwise: off, a warning under "optional", an error under
    /// "required".
    pub fn severity(&self, rule: RuleId) -> Option<Severity> {
        if let Some(set) = self.rules.get(&rule) {
            return *set;
        }
        if rule == RuleId::TimestampMissing {
            return match self.timestamps.policy {
                TimestampPolicy::Off => None,
                TimestampPolicy::Optional => Some(Severity::Warning),
                TimestampPolicy::Required => Some(Severity::Error),
            };
        }
        Some(rule.default_severity())
    }

    /// The day this year's survey falls due.
    pub fn survey_due_in(&self, year: i16) -> Date {
        let (m, d) = self.policy.survey_due;
        Date::new(year, m, d).unwrap_or_else(|_| Date::new(year, 12, 31).expect("valid date"))
    }
}

pub(super) fn read_config(diag: &Diag) -> Config {
    let mut cfg = Config::default();
    let root = diag.root();
    if let Some(c) = root.req_table("company") {
        cfg.company.name = c.req::<String>("name").value;
        if let Some(l) = c.opt("language") {
            cfg.company.language = l.value;
        }
        if let Some(tz) = c.opt::<String>("timezone") {
            match parse_offset(&tz) {
                Some(secs) => {
                    cfg.company.offset_seconds = secs;
                    cfg.company.timezone = tz.value;
                }
                None => diag.schema(
                    None,
                    msg!(
                        "`company.timezone` at line {line}: \"{tz}\" is not an offset like \"+08:00\"",
                        "第 {line} 行的時區 `company.timezone`：「{tz}」不是如 \"+08:00\" 的時差";
                        line = tz.pos.line,
                        tz = &tz.value
                    ),
                    false,
                ),
            }
        }
        c.finish();
    }
    if let Some(p) = root.table("policy") {
        let pol = &mut cfg.policy;
        set(&mut pol.signatures, p.opt("signatures"));
        set(&mut pol.review_within_days, p.opt("review_within_days"));
        set(
            &mut pol.oral_confirmation_days,
            p.opt("oral_confirmation_days"),
        );
        set(&mut pol.capa_stage_days, p.opt("capa_stage_days"));
        set(&mut pol.survey_target, p.opt("survey_target"));
        if let Some(due) = p.opt::<String>("survey_due") {
            match parse_month_day(&due) {
                Some(md) => pol.survey_due = md,
                None => diag.schema(
                    None,
                    msg!(
                        "`policy.survey_due` at line {line}: \"{due}\" is not a day like \"03-31\"",
                        "第 {line} 行的調查期限 `policy.survey_due`：「{due}」不是如 \"03-31\" 的月日";
                        line = due.pos.line,
                        due = &due.value
                    ),
                    false,
                ),
            }
        }
        if let Some(pat) = p.opt::<String>("part_number_pattern") {
            match regex_lite::Regex::new(&pat) {
                Ok(re) => {
                    pol.part_number_regex = re;
                    pol.part_number_pattern = pat.value;
                }
                Err(e) => diag.schema(
                    None,
                    msg!(
                        "`policy.part_number_pattern` at line {line} is not a valid pattern: {e}",
                        "第 {line} 行的料號格式 `policy.part_number_pattern` 不是有效的樣式（解析器訊息：{e}）";
                        line = pat.pos.line
                    ),
                    false,
                ),
            }
        }
        set(&mut pol.survey_questions, p.opt("survey_questions"));
        if let Some(g) = p.opt::<Vec<Role>>("governance") {
            if g.is_empty() {
                diag.push_at(
                    RuleId::Schema,
                    g.pos,
                    msg!(
                        "`policy.governance` is empty: someone must be able to change people.toml \
                         and docket.toml (the default is [\"gm\"])",
                        "治理角色 `policy.governance` 是空的：必須有人能變更 people.toml 與 docket.toml\
                         （預設為 [\"gm\"]）"
                    ),
                );
            } else {
                pol.governance = g.value;
            }
        }
        set(&mut pol.date_tolerance_days, p.opt("date_tolerance_days"));
        p.finish();
    }
    if let Some(t) = root.table("timestamps") {
        read_timestamps(&t, &mut cfg.timestamps, diag);
        t.finish();
    }
    if let Some(r) = root.table("rules") {
        r.accept_entries(
            RuleId::ALL.iter().map(|r| r.as_str().to_string()),
            super::shape::Shape::OneOf(RuleLevel::NAMES),
        );
        for (key, node) in r.entries() {
            let Some(rule) = RuleId::from_name(key) else {
                let names = RuleId::ALL.iter().map(|r| r.as_str());
                let hint = super::read::suggest(key, names);
                let (en, zh) = hint.map_or_else(Default::default, |s| {
                    (
                        format!("; did you mean `{s}`?"),
                        format!("；是否應為 `{s}`？"),
                    )
                });
                diag.schema(
                    Some(node.span),
                    msg!(
                        "`rules.{key}` is not a rule id{en} (see `docket rules`)",
                        "`rules.{key}` 不是規則編號{zh}（請見 `docket rules`）"
                    ),
                    false,
                );
                continue;
            };
            match <RuleLevel as super::read::FromToml>::from_toml(&node.value) {
                Ok(RuleLevel::Error) => cfg.rules.insert(rule, Some(Severity::Error)),
                Ok(RuleLevel::Warning) => cfg.rules.insert(rule, Some(Severity::Warning)),
                Ok(RuleLevel::Off) => cfg.rules.insert(rule, None),
                Err(msg) => {
                    let msg = if msg.is_empty() {
                        msg!(
                            "must be \"error\", \"warning\" or \"off\"",
                            "必須是 \"error\"、\"warning\" 或 \"off\""
                        )
                    } else {
                        msg!("{msg}", "值不正確（{msg}）")
                    };
                    diag.schema(
                        Some(node.span),
                        msg!(
                            "`rules.{key}`: {en}",
                            "`rules.{key}`：{zh}";
                            en = &msg.en,
                            zh = &msg.zh
                        ),
                        false,
                    );
                    None
                }
            };
        }
        r.finish();
    }
    root.finish();
    cfg
}

fn read_timestamps(t: &super::read::Reader, ts: &mut Timestamps, diag: &Diag) {
    set(&mut ts.policy, t.opt("policy"));
    set(&mut ts.within_days, t.opt("within_days"));
    if let Some(url) = t.opt::<String>("url") {
        if url.value.starts_with("http://") || url.value.starts_with("https://") {
            ts.url = Some(url.value);
        } else {
            diag.schema(
                None,
                msg!(
                    "`timestamps.url` at line {line}: \"{url}\" is not an http:// URL of a TSA",
                    "第 {line} 行的 `timestamps.url`：「{url}」不是時戳機構（TSA）的 http:// 網址";
                    line = url.pos.line,
                    url = &url.value
                ),
                false,
            );
        }
    }
    let certs = t.opt::<Vec<String>>("certificates");
    let line = certs.as_ref().map_or(0, |c| c.pos.line);
    for path in certs.map(|c| c.value).unwrap_or_default() {
        if !crate::load::inside_root(&path) {
            diag.schema(
                None,
                msg!(
                    "`timestamps.certificates` at line {line}: \"{path}\" is not a path inside the records \
                     root (keep the TSA certificates in the repository, e.g. tsa/tsa-chain.pem)",
                    "第 {line} 行的 `timestamps.certificates`：「{path}」不是紀錄庫內的路徑\
                     （時戳機構的憑證請保存在儲存庫中，例如 tsa/tsa-chain.pem）"
                ),
                false,
            );
        } else if is_certificate(&path) {
            ts.certificates.push(path);
        } else {
            diag.schema(
                None,
                msg!(
                    "`timestamps.certificates` at line {line}: \"{path}\" is not a .pem file directly in tsa/; \
                     keep the TSA certificates there (e.g. tsa/tsa-chain.pem), where a change to one needs the \
                     GM's signature like a change to people.toml",
                    "第 {line} 行的 `timestamps.certificates`：「{path}」不是直接放在 tsa/ 的 .pem 檔；\
                     時戳機構的憑證請放在該處（例如 tsa/tsa-chain.pem），在那裡修改憑證與修改 people.toml \
                     一樣需要總經理簽核"
                ),
                false,
            );
        }
    }
    if ts.policy != TimestampPolicy::Off && ts.certificates.is_empty() {
        diag.schema(
            None,
            msg!(
                "`timestamps.policy` is \"{policy}\" but `timestamps.certificates` lists no certificate, so no \
                 token could be trusted: list the TSA's certificate chain (PEM, in the repository), e.g. \
                 certificates = [\"tsa/tsa-chain.pem\"]",
                "`timestamps.policy` 為 \"{policy}\"，但 `timestamps.certificates` 沒有列出任何憑證，\
                 因此沒有任何時戳可信：請列出時戳機構的憑證鏈（PEM，保存在儲存庫中），例如 \
                 certificates = [\"tsa/tsa-chain.pem\"]";
                policy = ts.policy
            ),
            false,
        );
    }
}

fn set<T>(slot: &mut T, value: Option<At<T>>) {
    if let Some(v) = value {
        *slot = v.value;
    }
}

/// "+08:00" -> seconds east of UTC.
pub fn parse_offset(s: &str) -> Option<i32> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    if rest.len() != 5 {
        return None;
    }
    let (h, m) = rest.split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

fn parse_month_day(s: &str) -> Option<(i8, i8)> {
    let (m, d) = s.split_once('-')?;
    let (m, d): (i8, i8) = (m.parse().ok()?, d.parse().ok()?);
    Date::new(2024, m, d).ok().map(|_| (m, d))
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: At<String>,
    pub name: At<String>,
    pub emails: Vec<String>,
    pub roles: Vec<Role>,
    pub department: Option<Department>,
    pub keys: Vec<super::keys::Key>,
    pub left: Option<Date>,
}

impl Person {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the person could still sign on `date`.
    pub fn active_on(&self, date: Date) -> bool {
        self.left.is_none_or(|left| date <= left)
    }

    /// "Wang Daming (wang.gm)": how messages name a person.
    pub fn named(&self) -> String {
        format!("{} ({})", self.name.value, self.id.value)
    }
}

/// The person with this id among `people`.
pub fn person_in<'p>(people: &'p [Person], id: &str) -> Option<&'p Person> {
    people.iter().find(|p| *p.id == id)
}

/// The person among `people` whose commit email this is (ignoring case).
pub fn person_by_email_in<'p>(people: &'p [Person], email: &str) -> Option<&'p Person> {
    people
        .iter()
        .find(|p| p.emails.iter().any(|e| e.eq_ignore_ascii_case(email)))
}

pub(super) fn read_people(diag: &Diag) -> Vec<Person> {
    let root = diag.root();
    let people = root
        .tables("person")
        .into_iter()
        .map(|p| {
            let person = Person {
                id: p.req("id"),
                name: p.req("name"),
                emails: p
                    .opt::<Vec<String>>("emails")
                    .map(|v| v.value)
                    .unwrap_or_default(),
                roles: p
                    .opt::<Vec<Role>>("roles")
                    .map(|v| v.value)
                    .unwrap_or_default(),
                department: p.opt("department").map(|v| v.value),
                keys: p
                    .opt::<Vec<super::keys::Key>>("keys")
                    .map(|v| v.value)
                    .unwrap_or_default(),
                left: p.opt("left").map(|v| v.value),
            };
            p.finish();
            person
        })
        .collect();
    root.finish();
    people
}
