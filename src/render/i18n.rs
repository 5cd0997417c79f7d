//! Every word the site prints, in each language the company may choose
//! (but the titles of the kinds' lists, which are on the kinds' lines of
//! the kind table, [`crate::kind`]).
//!
//! The labels live in one table so a translation is reviewed in one place
//! and a missing one is a compile-time shape, not a runtime surprise:
//! every entry has both languages. The Chinese terms are the procedure's
//! own (訂單, 客戶一覽表, 料號, 製造流程單, 糾正/預防措施處理單,
//! 顧客滿意度調查表), so the site reads like the paper forms it replaces.
//! Templates get the table as `t` (`{{ t.orders }}`); an unknown key is a
//! template error, which the tests catch. Field names and enum values
//! (statuses, stages) are translated here too, falling back to the
//! record-format spelling, which is what the TOML files say anyway.

use crate::kind::Kind;
use crate::lexicon;
use crate::model::Language;
use std::collections::BTreeMap;

macro_rules! labels {
    ($($key:ident: $en:literal, $zh:literal;)*) => {
        /// The page labels, by key; a kind's list title is under its
        /// folder's name (`orders`), from the kind table.
        pub fn labels(lang: Language) -> BTreeMap<&'static str, &'static str> {
            let zh = lang == Language::ZhHant;
            let mut labels = BTreeMap::from([$((stringify!($key), if zh { $zh } else { $en }),)*]);
            for kind in Kind::ALL {
                let (en, zh_title) = kind.title();
                labels.insert(kind.folder(), if zh { zh_title } else { en });
            }
            labels
        }
    };
}

labels! {
    lang: "en", "zh-Hant";
    dashboard: "Dashboard", "總覽";
    people: "People", "人員";
    findings: "Findings", "稽核發現";
    rules: "Rules", "規則";
    procedure: "Procedure", "程序書";
    changes: "Recent changes", "最近變更";
    skip: "Skip to content", "跳至內容";
    main_nav: "Main", "主選單";
    as_of: "as of", "基準日";
    filter: "Filter", "篩選";
    filter_hint: "type to filter the rows", "輸入文字以篩選";
    id: "ID", "編號";
    name: "Name", "名稱";
    status: "Status", "狀態";
    stage: "Stage", "階段";
    customer: "Customer", "客戶";
    date: "Date", "日期";
    count: "Count", "數量";
    days: "days", "天";
    none: "None.", "無。";
    record: "Record", "紀錄";
    file: "File", "檔案";
    fields: "Fields", "欄位";
    signatures: "Signatures", "簽核";
    signed_by: "Signed by", "簽核人";
    role: "Role", "角色";
    meaning: "Meaning", "意義";
    proof: "Proof", "驗證";
    commit: "Commit", "提交";
    not_verified: "not verified: no git history to prove it", "未驗證：沒有可證明的 git 歷史";
    timeline: "Timeline", "歷程";
    parse_revision: "not read (parse)", "未讀取（parse）";
    timeline_unavailable: "No git history of this record is available (not committed yet, or no git repository).", "沒有此紀錄的 git 歷史（尚未提交，或不是 git 儲存庫）。";
    attachments: "Attachments", "附件";
    attachment_active: "kept in the repository only (active content is not published)", "僅保存於儲存庫（含主動內容的檔案不發佈）";
    size: "Size", "大小";
    blob: "Git blob", "Git blob";
    related: "Related records", "相關紀錄";
    rule: "Rule", "規則";
    severity: "Severity", "嚴重度";
    clause: "Clause", "條款";
    message: "Message", "說明";
    summary: "Summary", "摘要";
    errors: "errors", "錯誤";
    warnings: "warnings", "警告";
    no_findings: "No findings.", "沒有稽核發現。";
    by_rule: "By rule", "依規則";
    by_clause: "By clause", "依條款";
    enforced_by: "Enforced by", "執行規則";
    open_findings: "Open findings", "未結發現";
    unmatched_rules: "Rules citing clauses not found in procedure.md", "程序書中找不到條款的規則";
    no_procedure: "This records repository has no procedure.md.", "此紀錄庫沒有 procedure.md。";
    orders_by_status: "Orders by status", "訂單狀態";
    orders_per_month: "Orders received per month", "每月接單數";
    awaiting_review: "Awaiting review", "待審查";
    waiting: "Waiting", "等待";
    overdue: "Overdue deliveries", "逾期交貨";
    days_late: "Days late", "逾期天數";
    delivery: "Delivery", "交期";
    part_number: "Part number", "料號";
    at_risk: "Follow-ups at risk", "交期風險追蹤";
    action: "Action", "處置";
    turnaround: "Review turnaround", "審查時效";
    reviewed: "reviewed", "已審查";
    mean_days: "mean days", "平均天數";
    max_days: "longest", "最長";
    within_policy: "within policy", "符合期限";
    capa_open: "Open CAPAs", "未結案的 CAPA";
    capa_age: "CAPA age by stage (mean days open)", "各階段 CAPA 平均天數";
    age: "Age", "天數";
    in_stage: "In stage", "本階段天數";
    stalled: "Stalled", "停滯";
    closed_per_month: "CAPAs closed per month", "每月結案數";
    by_department: "By responsible department", "依責任部門";
    by_source: "By source", "依來源";
    open: "Open", "未結";
    total: "Total", "合計";
    department: "Department", "部門";
    source: "Source", "來源";
    coverage: "Survey coverage", "調查涵蓋率";
    year: "Year", "年度";
    surveyed: "Surveyed", "已調查";
    active: "Active customers", "有效客戶";
    satisfaction: "Satisfaction per year (mean score)", "各年度滿意度（平均分數）";
    per_question: "Mean score per question (1-5)", "各題平均分數（1-5）";
    question: "Question", "題目";
    score: "Score", "分數";
    target: "Target", "目標";
    under_target: "Customers under target", "未達目標的客戶";
    analysed: "Analysed", "已分析";
    feedback: "Feedback", "回覆";
    yes: "yes", "是";
    no: "no", "否";
    incidents: "Property incidents", "客戶財產異常";
    kind: "Kind", "類別";
    reported: "Reported", "已通知";
    held: "held", "保管中";
    signatures_status: "Signatures", "簽核";
    signed_sections: "signed sections", "簽核欄";
    unproven: "unproven", "未證實";
    broken: "broken", "已破壞";
    roles: "Roles", "角色";
    left: "Left", "離職";
    signed: "What they signed", "簽核紀錄";
    data: "Data (JSON)", "資料 (JSON)";
    feed: "Changes feed (Atom)", "變更訂閱 (Atom)";
    generated_by: "Generated by docket from the records repository", "由 docket 依紀錄庫產生";
    caches_used: "built with the caches in .git/docket", "使用 .git/docket 的快取產生";
    caches_unused: "built without caches", "未使用快取產生";
    rewritten: "History rewritten", "歷史遭改寫";
    rewritten_note: "This site was last published from a commit that is no longer in the history (a reset, rebase or force-push). Quality records are kept, not rewritten: put the lost commits back into the history (git merge), then build again.", "本站上次發佈所依據的提交已不在歷史中（reset、rebase 或強制推送）。品質紀錄應保存而不得改寫：請將遺失的提交併回歷史（git merge）後重新產出。";
    published_commit: "Published commit", "已發佈的提交";
    left_line_note: "This site was last published from a commit that a merge has taken off the main line (the first-parent line): the main line now runs through commits of another line, judged under rules the published line had changed, or the merge left out what the published line had made, or both; the finding says which. Put the published commit back on the main line with a merge that has it as first parent (the finding gives the commands), then build again.", "本站上次發佈所依據的提交已被一個合併提交移出主線（第一父提交線）：主線改經另一條線上的提交，依已發佈主線已變更的規則判斷，或該合併捨棄了已發佈主線所做的變更，或兩者皆是；詳見發現事項。請以一個以已發佈提交為第一父提交的合併，讓它回到主線（指令見發現事項）後重新產出。";
    line_merge: "Merge that took it off the main line", "將其移出主線的合併提交";
    line_fork: "Where the lines parted", "兩線分出之處";
    line_commits: "Main-line commits judged under the earlier rules", "依先前規則判斷的主線提交數";
    line_changed: "Changed on the published line", "已發佈主線上變更的文件";
    line_dropped: "Left out by the merge", "合併時捨棄的檔案";
    line_unrelated: "Nowhere: an unrelated history", "無：不相關的歷史";
    line_fork_branch: "a branch commit of the published line", "已發佈主線上的分支提交";
    lost_commits: "Commits no longer in the history", "已不在歷史中的提交";
    objects_gone: "unknown (the objects are gone)", "不明（物件已不存在）";
    rewritten_records: "Records touched by the lost commits", "遺失提交所涉及的紀錄";
    last_known: "Last known commit", "最後已知的提交";
    now: "Now", "現況";
    record_gone: "gone from the records", "已自紀錄庫消失";
    record_kept: "still in the records, without what the lost commits changed", "仍在紀錄庫中，但不含遺失提交所做的變更";
    records_count: "records", "筆紀錄";
    shown: "The first {n} of {total}, most urgent first.", "顯示最緊急的 {n} 筆，共 {total} 筆。";
    all: "All", "全部";
    author: "Author", "作者";
    signature: "Signature", "簽章";
    changes_made: "Changes", "變更內容";
    proof_proven: "proven", "已證實";
    stale_since: "stale since", "已過期，始於";
    working_tree: "the working tree", "工作目錄（未提交）";
    undated: "date out of range", "日期超出範圍";
    covers_current: "covers current version", "涵蓋目前版本";
    awaiting_re_review: "awaiting re-review", "待重新審查";
    proof_recorded: "recorded, not verified (signatures = \"none\")", "已記錄，未驗證（signatures = \"none\"）";
    proof_uncommitted: "not committed yet", "尚未提交";
    changed_by: "changed after signing by", "簽核後遭修改，修改者";
    moved_from: "moved from", "移自";
    history_unavailable: "No git history is available for this build (not a git repository, or a shallow clone).", "本次產出沒有可用的 git 歷史（不是 git 儲存庫，或為淺層複製）。";
    sort_hint: "Click a column heading to sort.", "點選欄位標題可排序。";
    audit: "Audit", "稽核";
    audit_link: "Audit page: check this site without docket", "稽核頁：不依賴 docket 驗證本站";
    audit_intro: "What an auditor needs to check this site without trusting docket: where it was built from, every change to the controlled documents, the findings about the audit trail, and, on a page per month, for every signature the plain git commands that reproduce its proof.", "稽核人員不需信任 docket 即可驗證本站所需的一切：本站依據的版本、受控文件的每次變更、關於稽核軌跡的發現，以及每月一頁、每個簽核可重現其驗證的 git 指令。";
    provenance: "Build", "產出資訊";
    docket_version: "docket version", "docket 版本";
    built_commit: "Commit built", "產出所依據的提交";
    signature_policy: "Signature policy", "簽核政策";
    governance_roles: "Governance roles", "治理角色";
    caches: "Caches", "快取";
    data_sha256: "SHA-256 of data.json", "data.json 的 SHA-256";
    allowed_signers: "OpenSSH allowed_signers", "OpenSSH allowed_signers";
    how_to_check: "How to check a signature without docket", "如何不依賴 docket 驗證簽核";
    how_to_check_intro: "In a clone of the records repository, with allowed_signers from this site beside it: git checks the commit's SSH signature against the keys people.toml listed at the time; git show and git cat-file show what was signed, by whom and when; git rev-parse gives the blob and the last line the SHA-256 shown for each signature on its month's page (linked from the signatures by month below).", "在紀錄庫的複本中，將本站的 allowed_signers 放在旁邊：git 依 people.toml 當時列出的金鑰驗證提交的 SSH 簽章；git show 與 git cat-file 顯示簽核內容、簽核人與時間；git rev-parse 給出 blob，最後一行給出各簽核在其月份頁面（見下方每月簽核狀態）所列的 SHA-256。";
    canonical_note: "The SHA-256 is over the section's canonical value: the section as parsed TOML, as compact JSON with sorted keys, non-ASCII kept, dates as written. A signature also covers other parts of its record, as the table says; when one of them changed after the signature commit, the signature is stale.", "SHA-256 以區段的標準值計算：解析後的 TOML 區段，以鍵排序的緊湊 JSON 表示，保留非 ASCII 字元，日期照原樣。簽核亦涵蓋紀錄的其他部分（見下表）；簽核提交之後若其中任何部分變更，該簽核即已過期。";
    section: "Section", "區段";
    covers_also: "Also covers", "另涵蓋";
    governance_log: "Governance log", "治理紀錄";
    merged_by: "merged by", "合併者";
    bootstrap_note: "Bootstrap: the first commits, up to the one whose people.toml first names a governance role, are not judged (nobody could govern yet).", "初始建置：直到 people.toml 首次列出治理角色的提交為止，不予評判（當時尚無人可治理）。";
    records_deleted: "Records deleted", "已刪除的紀錄";
    suspicious_times: "Commits with suspicious times", "時間可疑的提交";
    clause_753: "Other findings of clause 7.5.3", "條款 7.5.3 的其他發現";
    month: "Month", "月份";
    stale: "stale", "已過期";
    recorded: "recorded", "已記錄";
    signatures_by_month: "Signatures by state per month", "每月簽核狀態";
    signatures_by_month_note: "Each month links to its signatures, with the git commands that reproduce each proof.", "點選月份可看該月的每個簽核，以及重現其驗證的 git 指令。";
    signatures_all: "Every signature", "所有簽核";
    signatures_all_note: "Each row: the commands that reproduce the proof, with the blob and SHA-256 they must print after #.", "每列：重現驗證的指令，# 之後為應得的 blob 與 SHA-256。";
    commands: "Commands", "指令";
    desc_audit: "how this site was built, the governance log, the audit trail findings and how to check every signature with git", "本站的產出資訊、治理紀錄、稽核軌跡發現，以及如何以 git 驗證每個簽核";
    desc_page: "a page of the quality records", "品質紀錄的一頁";
    desc_dashboard: "Quality records dashboard: orders, CAPAs, satisfaction surveys, customer property, signatures and findings", "品質紀錄總覽：訂單、CAPA、顧客滿意度調查、客戶財產、簽核與稽核發現";
    desc_list: "every record, its status and its findings", "所有紀錄及其狀態與稽核發現";
    desc_record: "every field, the signatures, the findings and the history of this record", "此紀錄的所有欄位、簽核、稽核發現與歷程";
    desc_people: "who holds which role and what each person signed", "每位人員的角色與簽核紀錄";
    desc_findings: "every finding, by rule and by clause, errors first", "所有稽核發現，依規則與條款，錯誤優先";
    desc_rules: "the rules checked, with their severity, clause and findings", "檢查的規則及其嚴重度、條款與稽核發現";
    desc_procedure: "the procedure, each clause with the rules that enforce it and its open findings", "程序書，各條款及其執行規則與未結發現";
    desc_changes: "the newest commits to the records, each with the records it changed", "紀錄庫最近的提交，以及每次提交變更的紀錄";
    ts_trusted: "signed {signed}, timestamped {time} by {tsa}", "簽核於 {signed}，時間戳記 {time}，由 {tsa} 簽發";
    ts_no_trusted_time: "no trusted time", "無可信時間";
    ts_missing: "not timestamped yet", "尚無時間戳記";
    ts_why_malformed: "its timestamp file cannot be read as a timestamp", "其時間戳記檔無法讀取為時間戳記";
    ts_why_not_granted: "the timestamping authority refused to timestamp it", "時間戳記機構拒絕為其加上時間戳記";
    ts_why_other_commit: "its timestamp is for another commit", "其時間戳記屬於另一個提交";
    ts_why_tampered: "its timestamp was altered after the timestamping authority signed it", "其時間戳記在時間戳記機構簽署後遭竄改";
    ts_why_untrusted: "its timestamp comes from an authority this company does not trust", "其時間戳記來自本公司未信任的機構";
    ts_why_not_valid_at: "the timestamping authority's certificate was not valid at that time", "時間戳記機構的憑證在該時間無效";
    ts_why_bad_eku: "its timestamp is signed with a certificate not issued for timestamping", "其時間戳記所用的憑證並非為時間戳記而發";
    ts_why_unsupported: "its timestamp uses an algorithm docket does not verify", "其時間戳記使用 docket 不驗證的演算法";
    ts_audit_certs: "Timestamping authorities trusted", "信任的時間戳記機構";
    ts_audit_certs_note: "The certificates docket.toml lists under [timestamps] certificates: a token counts only when its signer chains up to one of them. Compare each SHA-256 with openssl x509 -in FILE -noout -fingerprint -sha256.", "docket.toml 的 [timestamps] certificates 所列憑證：時間戳記的簽署者須可追溯至其中之一才算有效。可用 openssl x509 -in FILE -noout -fingerprint -sha256 比對各 SHA-256。";
    ts_subject: "Subject", "主體";
    ts_valid_from: "Valid from", "生效時間";
    ts_valid_until: "Valid until", "失效時間";
    ts_audit_coverage: "Timestamp coverage", "時間戳記涵蓋情形";
    ts_audit_coverage_note: "Every signing commit without a valid timestamp, with the reason; docket stamp adds the missing ones.", "每個沒有有效時間戳記的簽核提交及其原因；docket stamp 可補上缺少的時間戳記。";
    ts_policy: "Timestamp policy", "時間戳記政策";
    ts_within_days: "within days:", "期限天數：";
    ts_signing_commits: "Signing commits", "簽核提交";
    ts_with_valid: "with a valid timestamp", "具有效時間戳記";
    ts_without: "without a timestamp", "無時間戳記";
    ts_with_invalid: "with a timestamp that does not verify", "時間戳記未通過驗證";
    ts_reason: "Reason in full", "完整原因";
}

/// A record-format value (status, stage, enum) in the site's language.
pub fn value(lang: Language, v: &str) -> String {
    if lang != Language::ZhHant {
        return v.replace(['-', '_'], " ");
    }
    lexicon::value_zh(v).map_or_else(|| v.to_string(), str::to_string)
}

/// What a signature means (21 CFR 11.50), in the site's language. The
/// model words it in English ("order review: approved"); in Chinese the
/// section names the form's box and the result after the colon is
/// translated like any other value.
pub fn meaning(lang: Language, path: &str, english: &str) -> String {
    if lang != Language::ZhHant {
        return english.to_string();
    }
    let section = path.split('[').next().unwrap_or(path);
    let base = match section {
        "review" => "訂單審查",
        "extra_review" => "會審",
        "gm_signed" => "總經理簽核製造流程單（口頭訂單）",
        "investigation" => "CAPA 原因調查與對策",
        "verification" => "CAPA 效果驗證",
        "confirmation" => "CAPA 總經理確認",
        "feedback" => "CAPA 回覆客戶",
        "analysis" => "滿意度調查分析",
        "verified" => "客戶財產驗證",
        _ => return english.to_string(),
    };
    match english.rsplit_once(": ") {
        Some((_, result)) if matches!(section, "review" | "extra_review" | "verification") => {
            let result = match result {
                "effective" => "有效".to_string(),
                "not effective" => "無效".to_string(),
                "feasible" => "可行".to_string(),
                "not-feasible" => "不可行".to_string(),
                r => value(lang, r),
            };
            format!("{base}：{result}")
        }
        _ => base.to_string(),
    }
}

/// A record field's name, for the record pages.
pub fn field(lang: Language, key: &str) -> String {
    if lang == Language::ZhHant
        && let Some(zh) = lexicon::field_zh(key)
    {
        return zh.to_string();
    }
    // The procedure's own word (4.3 "Order follow-up"), as on the
    // dashboard's "Follow-ups at risk", not the record format's key.
    if key == "followup" {
        return "Follow-ups".to_string();
    }
    let mut s = key.replace('_', " ");
    if let Some(first) = s.get(..1) {
        s.replace_range(..1, &first.to_uppercase());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_key() {
        let en = labels(Language::En);
        let zh = labels(Language::ZhHant);
        assert_eq!(en.keys().collect::<Vec<_>>(), zh.keys().collect::<Vec<_>>());
        assert_eq!(zh["orders"], "訂單");
        assert_eq!(value(Language::ZhHant, "in-production"), "生產中");
        assert_eq!(field(Language::En, "customer_ref"), "Customer ref");
        assert_eq!(
            meaning(Language::ZhHant, "review", "order review: approved"),
            "訂單審查：已核准"
        );
        assert_eq!(
            meaning(
                Language::ZhHant,
                "extra_review[1]",
                "extra review (rnd): feasible"
            ),
            "會審：可行"
        );
        assert_eq!(
            meaning(Language::En, "review", "order review: approved"),
            "order review: approved"
        );
    }
}
