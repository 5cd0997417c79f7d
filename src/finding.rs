//! Findings and the rule catalog: the vocabulary every stage shares.
//!
//! A finding is data, not an error: the loader, the model builder and the
//! rules all push findings into one list, and the report at the end decides
//! the exit status. The catalog below is the single registry of rule ids,
//! their default severity, the procedure clause they enforce and a one-line
//! summary. The ids are fixed (`[rules]` in docket.toml and CI scripts name
//! them), and `docket rules`, the README table and the site's rule catalog
//! are all generated from this table.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A text for people, written in every language the site speaks, at the
/// place it is made: a template per language, never English fragments
/// translated piecemeal. `en` is the canonical text (JSON output, CI
/// fingerprints, the cache); `zh` is what Traditional Chinese readers see.
/// Build one with [`msg!`](crate::msg). Serialized, a message is its
/// English text (every JSON output keeps its shape); read back, a plain
/// string is both texts. The texts in the site's language come from
/// `get` (in `model::config`, beside `Language`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Message {
    pub en: String,
    pub zh: String,
}

impl Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.en)
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Plain(String),
            Both { en: String, zh: String },
        }
        Ok(match Either::deserialize(d)? {
            Either::Plain(s) => Message {
                en: s.clone(),
                zh: s,
            },
            Either::Both { en, zh } => Message { en, zh },
        })
    }
}

impl Message {
    /// Both languages' texts joined with `sep` (each in its own language).
    pub fn join(parts: &[Message], en_sep: &str, zh_sep: &str) -> Message {
        Message {
            en: parts
                .iter()
                .map(|m| m.en.as_str())
                .collect::<Vec<_>>()
                .join(en_sep),
            zh: parts
                .iter()
                .map(|m| m.zh.as_str())
                .collect::<Vec<_>>()
                .join(zh_sep),
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// A [`Message`] from two format strings, English then Chinese, with
/// their parameters named inline (`{path}`). Values only one language
/// needs (a Chinese field name) are bound after a `;`:
/// `msg!("{p} is missing", "缺少{zp}"; zp = lexicon::path(p))`.
#[macro_export]
macro_rules! msg {
    ($en:literal, $zh:literal $(,)?) => {
        $crate::finding::Message { en: format!($en), zh: format!($zh) }
    };
    ($en:literal, $zh:literal; $($k:ident = $v:expr),+ $(,)?) => {{
        $(let $k = $v; let _ = &$k;)+
        $crate::finding::Message { en: format!($en), zh: format!($zh) }
    }};
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! catalog {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $sev:ident, $clause:literal, $summary:literal, $zh:literal; )*) => {
        /// Every rule docket knows. The order is the catalog's display order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId { $( $(#[$doc])* $variant, )* }

        impl RuleId {
            pub const ALL: &'static [RuleId] = &[ $( RuleId::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( RuleId::$variant => $id, )* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $( RuleId::$variant => Severity::$sev, )* }
            }

            /// The procedure clause the rule enforces, `-` for format rules.
            pub fn clause(self) -> &'static str {
                match self { $( RuleId::$variant => $clause, )* }
            }

            /// The English summary: `docket rules`, the README, SARIF.
            pub fn summary(self) -> &'static str {
                match self { $( RuleId::$variant => $summary, )* }
            }

            /// The summary in Traditional Chinese (the site's rule
            /// catalog; `summary_in` picks by language).
            pub fn summary_zh(self) -> &'static str {
                match self { $( RuleId::$variant => $zh, )* }
            }

            pub fn from_name(name: &str) -> Option<RuleId> {
                match name { $( $id => Some(RuleId::$variant), )* _ => None }
            }
        }
    };
}

catalog! {
    Parse = "parse", Error, "-", "a file that is not valid TOML or not UTF-8 (or too large, empty, or unreadable)", "無效的 TOML 或非 UTF-8 檔案（或檔案過大、空白、無法讀取）";
    Schema = "schema", Error, "-", "missing or unknown field, wrong type, bad enum value", "欄位缺漏或不明、型別錯誤、列舉值不正確";
    IdMismatch = "id-mismatch", Error, "-", "id/part_number does not match the file stem or its pattern", "編號或料號與檔名或其格式不符";
    DuplicateId = "duplicate-id", Error, "-", "two records with one id", "兩筆紀錄使用同一編號";
    UnknownRef = "unknown-ref", Error, "-", "a reference to a customer, product, order, person, survey, report or CAPA that does not exist", "引用不存在的客戶、產品、訂單、人員、調查、報告或 CAPA";
    /// docket's addition to the fixed ids (docs/decisions.md): a file the
    /// loader cannot route to a kind.
    UnknownFile = "unknown-file", Warning, "-", "a file outside the known record folders, which docket does not read", "不在已知紀錄資料夾內的檔案，docket 不會讀取";
    AttachmentMissing = "attachment-missing", Error, "6", "an attachment listed by a record that is not there, or that points outside the records root", "紀錄列出的附件不存在，或指向紀錄庫之外";
    PartNumberUnique = "part-number-unique", Error, "1", "two products with the same name and spec, or one part number for two products", "兩項產品品名與規格相同，或一個料號對應兩項產品";
    LineMismatch = "line-mismatch", Error, "4.2.1", "an order line whose product or spec differs from its part number's registry entry, or an obsolete part", "訂購項目的品名或規格與料號登錄不符，或料號已停用";
    CustomerIncomplete = "customer-incomplete", Error, "4.2.1 B", "a customer without address, contact or phone", "客戶缺少地址、聯絡人或電話";
    ReviewMissing = "review-missing", Error, "4.2.1", "an order not reviewed review_within_days after receipt", "訂單收單後 review_within_days 天內未審查";
    ReviewRole = "review-role", Error, "3.3", "a review, or any signed section, by someone without the required role, or after they left", "審查或任何簽核欄由不具所需角色的人員簽核，或於離職後簽核";
    CapacityMissing = "capacity-missing", Error, "4.2.1 D", "a reviewed order without [capacity], or a new product without design_record", "已審查的訂單沒有產能評估 [capacity]，或新產品沒有設計紀錄 design_record";
    IllegibleApproved = "illegible-approved", Error, "4.2.1 A", "an approved order with legible = false", "核准了標示 legible = false（字跡不清）的訂單";
    OralOrder = "oral-order", Error, "4.2.3", "an oral order without a valid path: no GM-signed flow sheet, no customer-confirmed flow sheet, or the written order missing after its due date", "口頭訂單未依例外途徑處理：沒有總經理簽核的製造流程單、沒有客戶確認的製造流程單，或書面訂單逾期未到";
    FlowsheetMissing = "flowsheet-missing", Error, "4.2.2 B", "an approved order with no flow sheet", "已核准的訂單沒有製造流程單";
    ProducedUnapproved = "produced-unapproved", Error, "4.2.2", "a flow sheet for an order that is not approved (oral path 1 aside) or issued before the approval", "訂單未核准即開立製造流程單（口頭訂單途徑 1 除外），或流程單早於核准日";
    FlowsheetOutdated = "flowsheet-outdated", Error, "4.4", "the latest revision of the flow sheet differs from the order's lines, or a change of the order is dated after the sheet was issued", "製造流程單最新版次與訂單項目不符，或訂單變更晚於流程單開立日";
    ChangeUnnotified = "change-unnotified", Error, "4.4", "a change entry with no department notified", "訂單變更未通知任何部門";
    Overdue = "overdue", Warning, "4.3.2", "a line's delivery date has passed without delivery", "訂購項目已過交期仍未交貨";
    RiskUnhandled = "risk-unhandled", Error, "4.3.2", "a follow-up with risk = true and no action", "追蹤紀錄標示交期風險（risk = true）卻沒有處置";
    CapaStageOrder = "capa-stage-order", Error, "4.5.2", "a stage present while an earlier one is missing, dates going backwards, or closed after an ineffective verification", "CAPA 缺少較早的階段、日期倒退，或在效果驗證無效後結案";
    CapaStalled = "capa-stalled", Warning, "4.5.2", "a CAPA sitting in one stage longer than capa_stage_days", "CAPA 停留在同一階段超過 capa_stage_days 天";
    CapaSource = "capa-source", Error, "4.5.2", "source survey/usage-report without the link, or a written complaint not opened to QC", "來源為滿意度調查或使用狀況報告卻未連結，或書面客訴未開立給品管";
    ComplaintWithoutCapa = "complaint-without-capa", Error, "4.5.2", "a usage report with complaint = true and no CAPA", "使用狀況報告記載客訴（complaint = true）卻沒有 CAPA";
    SurveyMissing = "survey-missing", Error, "4.6.1", "an active customer with no survey for a past year, or for this year after survey_due", "有效客戶在過去年度沒有滿意度調查，或本年度已過 survey_due 仍未調查";
    SurveyBelowTarget = "survey-below-target", Error, "4.6.3", "a returned survey under target without analysis and a CAPA", "回收的調查低於目標，卻沒有分析與 CAPA";
    SurveySerious = "survey-serious", Error, "4.6.2", "an analysis marked serious without a CAPA", "分析判定為嚴重，卻沒有 CAPA";
    SurveyFeedbackMissing = "survey-feedback-missing", Warning, "4.6.2", "an analysed survey with no feedback to the customer after 30 days", "已分析的調查超過 30 天未回覆客戶";
    PropertyUnverified = "property-unverified", Error, "4.7", "customer property without verified", "客戶財產沒有驗證紀錄 [verified]";
    PropertyIncidentUnreported = "property-incident-unreported", Error, "4.7", "an incident not reported to the customer", "客戶財產異常未通知客戶";
    SignatureUnproven = "signature-unproven", Error, "3", "a signed section whose signature commit does not prove it under the policy", "簽核欄的簽核提交無法依簽核政策證實簽核";
    SignatureBroken = "signature-broken", Error, "3", "a signed section changed after signing by someone else", "簽核欄在簽核後遭他人修改";
    SignatureTime = "signature-time", Error, "3", "a written date far from the signing time, a backdated author date, or a signature after the signer left", "書面日期與簽核時間相差過大、作者日期遭回溯，或簽核人離職後才簽核";
    ReviewStale = "review-stale", Error, "4.2.2 A", "the order's substance changed after the current review was signed", "訂單內容在目前的審查簽核後又有變更";
    ChangeUnrecorded = "change-unrecorded", Error, "4.4", "the order's substance changed after a review with no [[change]] entry for it", "訂單審查後內容變更，卻沒有對應的 [[change]] 訂單變更紀錄";
    RecordDeleted = "record-deleted", Error, "7.5.3", "a record file that existed in history is gone", "曾存在於歷史中的紀錄檔案已消失";
    GovernanceUnproven = "governance-unproven", Error, "7.5.3", "a change to people.toml, docket.toml or procedure.md not made by a governance role under the policy in force", "people.toml、docket.toml 或 procedure.md 的變更未依當時政策由治理角色完成";
    HistoryTime = "history-time", Warning, "7.5.3", "commit times going backwards along history, or after the as-of date", "提交時間沿歷史倒退，或晚於基準日";
    /// docket's addition (docs/timestamps.md): follows `[timestamps]
    /// policy`, a warning under "optional", an error under "required".
    TimestampMissing = "timestamp-missing", Warning, "3", "a signing commit without a valid RFC 3161 timestamp token within_days after it (a warning under timestamps policy \"optional\", an error under \"required\")", "簽核提交在 within_days 天內沒有有效的 RFC 3161 時戳（timestamps policy 為 \"optional\" 時為警告，\"required\" 時為錯誤）";
    HistoryRewritten = "history-rewritten", Error, "7.5.3", "the commit a previous build published is no longer in history, or a merge took it off the main line past a change of the rules, from an unrelated history, or leaving out what it published", "先前產出所發佈的提交已不在歷史中，或被合併移出主線而略過了規則的變更、來自不相關的歷史，或捨棄了已發佈的內容";
    HistoryUnavailable = "history-unavailable", Warning, "-", "no git repository, a shallow clone, or uncommitted changes: history rules could not run on some files (the first two are errors under policy author or ssh)", "沒有 git 儲存庫、為淺層複製，或有未提交的變更：部分檔案無法執行歷史規則（前兩者在 author 或 ssh 政策下為錯誤）";
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// One thing wrong with the records. Severity is not stored here: it comes
/// from the catalog and `[rules]` when the report is made, in one place;
/// except where `[rules]` may not lower it (`pinned`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: RuleId,
    /// Relative to the records root, `/`-separated.
    pub file: String,
    pub pos: Option<Pos>,
    /// The record id, where the file held one that could be read.
    pub record: Option<String>,
    /// The English text: JSON output and CI fingerprints use it, so they
    /// do not change with the language.
    pub message: String,
    /// The Traditional Chinese text, for people reading zh-Hant.
    pub zh: String,
    /// A severity `[rules]` cannot change or turn off: failing closed
    /// (a missing history under `author` or `ssh` is always an error, or
    /// a shallow clone could pass the gate by configuration).
    pub pinned: Option<Severity>,
}

impl Finding {
    pub fn new(rule: RuleId, file: impl Into<String>, pos: Option<Pos>, message: Message) -> Self {
        Finding {
            rule,
            file: file.into(),
            pos,
            record: None,
            message: message.en,
            zh: message.zh,
            pinned: None,
        }
    }

    /// This finding with a severity `[rules]` cannot change.
    pub fn pinned(mut self, severity: Severity) -> Self {
        self.pinned = Some(severity);
        self
    }

    pub fn with_record(mut self, id: impl Into<String>) -> Self {
        self.record = Some(id.into());
        self
    }

    /// The order findings are reported in: by file, then position, then rule.
    pub fn sort_key(&self) -> (&str, Option<Pos>, RuleId, &str) {
        (&self.file, self.pos, self.rule, &self.message)
    }
}
