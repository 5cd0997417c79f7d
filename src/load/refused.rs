//! Why a file below the records root is not read: the guard's verdict,
//! and the names' ([`super::names`]), in words a person can act on.

use crate::finding::Message;
use crate::msg;

/// Why a file below the records root is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// An absolute path, or `..` above the records root.
    Outside,
    /// Not below a record kind's folder (attachments live there).
    NotInRecords,
    /// A character that means different things on different systems.
    BadName(&'static str),
    /// A hidden file or folder (`.git`, `.env`, ...) named directly.
    Hidden,
    /// A link (anywhere on the path) whose target is outside the root.
    LinkOutside,
    /// A link whose target is a hidden file or folder inside the root.
    LinkHidden(String),
    Missing,
    /// A folder, a device, a pipe: nothing docket reads.
    NotAFile,
    /// Larger than the limit asked for (bytes).
    TooLarge(u64),
    Unreadable(String),
}

impl Refused {
    /// Why, as the end of a sentence that starts with the file's name.
    pub fn why(&self) -> String {
        self.reason().en
    }

    /// Why, in both languages: the end of a sentence after the file's name.
    pub fn reason(&self) -> Message {
        match self {
            Refused::Outside => msg!("points outside the records root", "指向紀錄庫之外"),
            Refused::NotInRecords => msg!(
                "points outside the record folders (orders/, capa/, ...); \
                 keep attachments beside the record",
                "指向紀錄資料夾（orders/、capa/ 等）之外；附件請放在紀錄旁"
            ),
            Refused::BadName(what) => msg!(
                "uses {what} in its name; separate folders with /",
                "名稱中使用了 {what}；資料夾請以 / 分隔"
            ),
            Refused::Hidden => msg!(
                "is a hidden file or folder: hidden files are not read or published",
                "是隱藏檔案或資料夾：隱藏檔案不讀取也不發佈"
            ),
            Refused::LinkOutside => msg!(
                "is a link leaving the records root: docket reads nothing outside \
                 the records root; replace the link with the file itself",
                "是指向紀錄庫之外的連結：docket 不讀取紀錄庫以外的任何內容；請以檔案本身取代連結"
            ),
            Refused::LinkHidden(target) => msg!(
                "is a link to a hidden file ({target}): hidden files are not read or published",
                "是指向隱藏檔案（{target}）的連結：隱藏檔案不讀取也不發佈"
            ),
            Refused::Missing => msg!("is not there", "不存在"),
            Refused::NotAFile => msg!("is not a file", "不是檔案"),
            Refused::TooLarge(limit) => msg!(
                "is larger than {kib} KiB, the most docket reads; a record is a few KiB \
                 (keep large documents as attachments, not TOML)",
                "超過 docket 可讀取的上限 {kib} KiB；一筆紀錄只有幾 KiB（大型文件請以附件保存，不要寫成 TOML）";
                kib = limit / 1024
            ),
            Refused::Unreadable(e) => msg!("cannot be read: {e}", "無法讀取：{e}"),
        }
    }

    /// Whether the file is refused for what it is or where it leads, not
    /// for being absent or unreadable: a configuration file refused so
    /// stops the run.
    pub fn is_unsafe(&self) -> bool {
        matches!(
            self,
            Refused::Outside
                | Refused::Hidden
                | Refused::LinkOutside
                | Refused::LinkHidden(_)
                | Refused::NotAFile
                | Refused::BadName(_)
        )
    }
}
