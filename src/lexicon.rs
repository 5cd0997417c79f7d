//! The record format's words in Traditional Chinese, below every stage
//! that speaks: the loader, the model and the rules word findings in both
//! languages where they are made (`msg!`), and name a field, a status or a
//! role the way the site does, so a finding reads like the page around it.
//! The site's own labels are in `render::i18n`, which reads these tables
//! for values and field names; both follow the procedure's terms.

/// A record-format value (status, stage, role, department...) in Chinese,
/// if it has a Chinese name.
pub fn value_zh(v: &str) -> Option<&'static str> {
    Some(match v {
        "received" => "已收單",
        "rejected" => "已退回",
        "approved" => "已核准",
        "in-production" => "生產中",
        "delivered" => "已交貨",
        "closed" => "已結案",
        "cancelled" => "已取消",
        "opened" => "開立",
        "investigation" => "原因調查",
        "verification" => "效果驗證",
        "confirmation" => "總經理確認",
        "feedback" => "回覆客戶",
        "error" => "錯誤",
        "warning" => "警告",
        "bootstrap" => "初始建置",
        "proven" => "已證實",
        "unproven" => "未證實",
        "recorded" => "已記錄",
        "corrective" => "糾正",
        "preventive" => "預防",
        "complaint" => "客訴",
        "survey" => "滿意度調查",
        "usage-report" => "使用狀況報告",
        "internal" => "內部",
        "international" => "國外",
        "domestic" => "國內",
        "active" => "使用中",
        "obsolete" => "停用",
        "commerce" => "商務部",
        "sales" => "業務",
        "qc" => "品管",
        "manufacturing" => "製造",
        "rnd" => "研發",
        "purchasing" => "採購",
        "warehouse" => "倉庫",
        "gm" => "總經理",
        "head" => "部門主管",
        "damaged" => "損壞",
        "lost" => "遺失",
        "unsuitable" => "不適用",
        "website" => "網站",
        "fax" => "傳真",
        "email" => "電子郵件",
        "oral" => "口頭",
        "deleted" => "已刪除",
        "true" => "是",
        "false" => "否",
        "gm-signed-flowsheet" => "總經理簽核製造流程單",
        "customer-confirmed-flowsheet" => "客戶確認製造流程單",
        "written-order" => "補書面訂單",
        "feasible" => "可行",
        "not-feasible" => "不可行",
        "off" => "關閉",
        "author" => "提交作者",
        "ssh" => "SSH 簽章",
        "none" => "無",
        "optional" => "選用",
        "required" => "必要",
        "unverified" => "未驗證",
        "broken" => "已破壞",
        "stale" => "已過期",
        _ => return None,
    })
}

/// A record field's Chinese name, if it has one.
pub fn field_zh(key: &str) -> Option<&'static str> {
    Some(match key {
        "name" => "名稱",
        "region" => "地區",
        "address" => "地址",
        "contact" => "聯絡人",
        "phone" => "電話",
        "fax" => "傳真",
        "email" => "電子郵件",
        "since" => "往來起始",
        "account_manager" => "業務負責人",
        "active" => "有效",
        "spec" => "規格",
        "unit" => "單位",
        "status" => "狀態",
        "customer" => "客戶",
        "customer_ref" => "客戶訂單號",
        "channel" => "接單方式",
        "received" => "收單日",
        "owner" => "跟單業務",
        "legible" => "字跡清楚",
        "special_requirements" => "特殊要求",
        "delivery_place" => "交貨地點",
        "lines" => "訂購項目",
        "part_number" => "料號",
        "product" => "品名",
        "batch" => "批號",
        "quantity" => "數量",
        "delivery" => "交貨",
        "capacity" => "產能評估",
        "stock" => "庫存",
        "producible" => "可生產",
        "materials_ready" => "材料齊備",
        "new_product" => "新產品",
        "design_record" => "設計紀錄",
        "extra_review" => "會審",
        "review" => "訂單審查",
        "decision" => "決定",
        "by" => "簽核人",
        "date" => "日期",
        "note" => "備註",
        "oral" => "口頭訂單",
        "change" => "訂單變更",
        "followup" => "追蹤",
        "closed" => "結案",
        "cancelled" => "取消",
        "order" => "訂單",
        "issued" => "開立日",
        "revision" => "版次",
        "steps" => "製程",
        "due" => "期限",
        "kind" => "類別",
        "source" => "來源",
        "description" => "描述",
        "responsible_department" => "責任部門",
        "investigation" => "原因調查",
        "root_cause" => "根本原因",
        "countermeasure" => "對策",
        "verification" => "效果驗證",
        "effective" => "有效",
        "evidence" => "證據",
        "confirmation" => "總經理確認",
        "feedback" => "回覆",
        "summary" => "摘要",
        "year" => "年度",
        "sent" => "寄出日",
        "returned" => "回收日",
        "respondent" => "填寫人",
        "comments" => "意見",
        "scores" => "分數",
        "analysis" => "分析",
        "item" => "物品",
        "custodian" => "保管人",
        "location" => "存放位置",
        "verified" => "驗證",
        "incidents" => "異常",
        "to" => "呈報對象",
        "complaint" => "客訴",
        "capa" => "CAPA",
        // Columns and sections named by their key.
        "action" => "處置",
        "customer_confirmed" => "客戶確認",
        "department" => "部門",
        "done" => "完成",
        "gm_signed" => "總經理簽核",
        "id" => "編號",
        "incident" => "異常",
        "line" => "訂購項目",
        "notified" => "通知部門",
        "opened" => "開立日",
        "opened_by" => "開立人",
        "path" => "途徑",
        "person" => "人員",
        "reason" => "原因",
        "reference" => "參考文件",
        "report" => "使用狀況報告",
        "reported_to_customer" => "通知客戶",
        "resolution" => "處理結果",
        "result" => "結果",
        "risk" => "風險",
        "sent_by" => "寄發人",
        "serious" => "嚴重",
        "step" => "工序",
        "survey" => "滿意度調查",
        "what" => "內容",
        "written_complaint" => "書面客訴",
        "written_order_due" => "書面訂單期限",
        "written_order_received" => "書面訂單收到日",
        "emails" => "電子郵件",
        "keys" => "金鑰",
        "roles" => "角色",
        "left" => "離職日",
        _ => return None,
    })
}

/// A value as a Chinese reader reads it: its Chinese name, or as written.
pub fn value(v: &str) -> String {
    value_zh(v).map_or_else(|| v.to_string(), str::to_string)
}

/// A field path in Chinese: every key by its Chinese name, arrays counted
/// from 1 (`lines[0].quantity` is "訂購項目第 1 項・數量"); `[oral]`
/// style table names too. The English form is `words::field`.
pub fn path(path: &str) -> String {
    let mut out = String::new();
    for (n, part) in path.split('.').enumerate() {
        if n > 0 {
            out.push('・');
        }
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        out.push_str(field_zh(key).unwrap_or(key));
        if let Some(i) = index {
            out.push_str(&format!("第 {} 項", i + 1));
        }
    }
    out
}

/// Role names joined by "或": "總經理或品管".
pub fn roles<'a>(roles: impl IntoIterator<Item = &'a str>) -> String {
    roles.into_iter().map(value).collect::<Vec<_>>().join("或")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_in_chinese() {
        assert_eq!(path("lines[0].quantity"), "訂購項目第 1 項・數量");
        assert_eq!(path("review"), "訂單審查");
        assert_eq!(path("extra_review[1]"), "會審第 2 項");
        assert_eq!(path("unknown_key"), "unknown_key");
        assert_eq!(roles(["gm", "qc"]), "總經理或品管");
    }
}
