//! The record kinds: one table, one line a kind.
//!
//! Every fixed fact that differs between kinds is written on the kind's
//! line of `kinds!` and nowhere else: its name on the command line, its
//! folder, the shape of its ids, how a person reads it, the title of its
//! list on the site in each language, and which model type and index hold
//! its records. Like the rule `catalog!` in [`crate::finding`], the table
//! is expanded where it is needed: here into [`Kind`] and its methods, and
//! in [`crate::model`] into the model's indexes,
//! [`Model::records`](crate::model::Model::records) and the reading of a
//! record file. So adding a kind is its model module, one line here, its
//! templates (the `docket new` skeleton, its list columns) and its tests;
//! docs/architecture.md counts the files.

use serde::Serialize;

/// The kind table, handed to the macro `$then`. Each line: the variant;
/// its name (command line, data); its folder below the records root; the
/// shape of its ids; how a person reads it; the title of its list in
/// English and in Traditional Chinese (the procedure's own form names);
/// the model's index of its records, and their type.
macro_rules! kinds {
    ($then:ident) => {
        $then! {
            Customer = "customer", "customers", IdShape::Serial("C"), "customer",
                "Customers", "客戶一覽表", customers: Customer;
            Product = "product", "products", IdShape::PartNumber, "product",
                "Part numbers", "料號", products: Product;
            Order = "order", "orders", IdShape::Yearly("SO"), "order",
                "Orders", "訂單", orders: Order;
            Flowsheet = "flowsheet", "flowsheets", IdShape::Yearly("MF"), "flow sheet",
                "Flow sheets", "製造流程單", flowsheets: Flowsheet;
            Capa = "capa", "capa", IdShape::Yearly("CAPA"), "CAPA",
                "CAPA", "糾正/預防措施處理單", capa: Capa;
            Survey = "survey", "surveys", IdShape::Yearly("SV"), "survey",
                "Satisfaction surveys", "顧客滿意度調查表", surveys: Survey;
            Property = "property", "property", IdShape::Yearly("CP"), "customer property",
                "Customer property", "客戶財產", property: Property;
            Report = "report", "reports", IdShape::Yearly("UR"), "usage report",
                "Usage reports", "使用狀況報告", reports: Report;
        }
    };
}
pub(crate) use kinds;

/// How a kind's ids are formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdShape {
    /// `C-0001`: the prefix and a number of at least four digits.
    Serial(&'static str),
    /// `SO-2026-0001`: the prefix, the year, and a number of at least four
    /// digits; the records are filed in a folder per year.
    Yearly(&'static str),
    /// A product's part number, in the key `part_number`, checked against
    /// the policy's `part_number_pattern` instead of a fixed shape.
    PartNumber,
}

macro_rules! kind_enum {
    ($($variant:ident = $name:literal, $folder:literal, $shape:expr, $label:literal,
       $en:literal, $zh:literal, $field:ident: $ty:ident;)*) => {
        /// A record kind; its facts are its line of the kind table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Kind { $($variant,)* }

        impl Kind {
            /// Every kind, in the table's order (the site's and the data's).
            pub const ALL: [Kind; [$($name),*].len()] = [$(Kind::$variant,)*];

            /// The name used on the command line (`docket new order`) and
            /// in data.
            pub fn name(self) -> &'static str {
                match self { $(Kind::$variant => $name,)* }
            }

            /// The first folder under the records root that holds this kind.
            pub fn folder(self) -> &'static str {
                match self { $(Kind::$variant => $folder,)* }
            }

            pub fn id_shape(self) -> IdShape {
                match self { $(Kind::$variant => $shape,)* }
            }

            /// How a person reads the kind, for messages and page titles.
            pub fn label(self) -> &'static str {
                match self { $(Kind::$variant => $label,)* }
            }

            /// The title of the kind's list: (English, Traditional Chinese).
            pub fn title(self) -> (&'static str, &'static str) {
                match self { $(Kind::$variant => ($en, $zh),)* }
            }
        }
    };
}
kinds!(kind_enum);

impl Kind {
    /// How a Chinese reader names one record of the kind, for messages.
    pub fn label_zh(self) -> &'static str {
        match self {
            Kind::Customer => "客戶",
            Kind::Product => "料號",
            Kind::Order => "訂單",
            Kind::Flowsheet => "製造流程單",
            Kind::Capa => "CAPA",
            Kind::Survey => "滿意度調查",
            Kind::Property => "客戶財產",
            Kind::Report => "使用狀況報告",
        }
    }

    pub fn from_folder(folder: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.folder() == folder)
    }

    /// The kind whose folder holds the file `rel` (relative to the records
    /// root, `/`-separated): the file is a record, or an attachment of one.
    pub fn of_path(rel: &str) -> Option<Kind> {
        let (top, rest) = rel.split_once('/')?;
        (!rest.is_empty()).then(|| Kind::from_folder(top)).flatten()
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == name || k.folder() == name)
    }

    /// The id prefix; `None` for products, whose id is the part number.
    pub fn prefix(self) -> Option<&'static str> {
        match self.id_shape() {
            IdShape::Serial(p) | IdShape::Yearly(p) => Some(p),
            IdShape::PartNumber => None,
        }
    }

    /// The key that holds the record's id.
    pub fn id_key(self) -> &'static str {
        match self.id_shape() {
            IdShape::PartNumber => "part_number",
            _ => "id",
        }
    }

    /// Whether records of this kind are filed in a folder per year.
    pub fn by_year(self) -> bool {
        matches!(self.id_shape(), IdShape::Yearly(_))
    }

    /// The form of an id, for messages: `C-NNNN`, `SO-YYYY-NNNN`; `None`
    /// for part numbers (the policy's pattern says).
    pub fn id_form(self) -> Option<String> {
        match self.id_shape() {
            IdShape::Serial(p) => Some(format!("{p}-NNNN")),
            IdShape::Yearly(p) => Some(format!("{p}-YYYY-NNNN")),
            IdShape::PartNumber => None,
        }
    }

    /// Whether `id` has this kind's shape: `C-NNNN`, or `PREFIX-YYYY-NNNN`
    /// (at least four digits). Products are checked against the policy's
    /// part-number pattern instead, so they always pass here.
    pub fn id_shape_ok(self, id: &str) -> bool {
        let Some(prefix) = self.prefix() else {
            return true;
        };
        let Some(rest) = id.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')) else {
            return false;
        };
        let digits = |s: &str, min: usize| s.len() >= min && s.bytes().all(|b| b.is_ascii_digit());
        if !self.by_year() {
            return digits(rest, 4);
        }
        match rest.split_once('-') {
            Some((year, n)) => year.len() == 4 && digits(year, 4) && digits(n, 4),
            None => false,
        }
    }

    /// The shape of an id as a regular expression (what
    /// [`Kind::id_shape_ok`] accepts), for schemas; `None` for part
    /// numbers, whose pattern is the policy's.
    pub fn id_pattern(self) -> Option<String> {
        let prefix = self.prefix()?;
        Some(if self.by_year() {
            format!("^{prefix}-[0-9]{{4}}-[0-9]{{4,}}$")
        } else {
            format!("^{prefix}-[0-9]{{4,}}$")
        })
    }

    /// The year part of a `PREFIX-YYYY-NNNN` id.
    pub fn id_year(self, id: &str) -> Option<i16> {
        if !self.by_year() {
            return None;
        }
        id.split('-').nth(1)?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_shapes() {
        assert!(Kind::Customer.id_shape_ok("C-0001"));
        assert!(Kind::Customer.id_shape_ok("C-12345"));
        assert!(!Kind::Customer.id_shape_ok("C-001"));
        assert!(Kind::Order.id_shape_ok("SO-2026-0001"));
        assert!(!Kind::Order.id_shape_ok("SO-26-0001"));
        assert!(!Kind::Order.id_shape_ok("MF-2026-0001"));
        assert!(!Kind::Order.id_shape_ok("../../etc/passwd"));
        assert_eq!(Kind::Capa.id_year("CAPA-2026-0001"), Some(2026));
    }

    /// The schema's pattern and the check accept the same ids.
    #[test]
    fn id_patterns_agree_with_the_shape_check() {
        let samples = [
            "C-0001",
            "C-12345",
            "C-001",
            "C-00a1",
            "SO-2026-0001",
            "SO-26-0001",
            "SO-2026-001",
            "SO-2026-12345",
            "MF-2026-0001",
            "CAPA-2026-0001",
            "SV-2026-0001",
            "CP-2026-0001",
            "UR-2026-0001",
            "UR-2026-0001x",
            "x-C-0001",
        ];
        for kind in Kind::ALL {
            let Some(pattern) = kind.id_pattern() else {
                assert_eq!(kind, Kind::Product);
                continue;
            };
            let re = regex_lite::Regex::new(&pattern).unwrap();
            for id in samples {
                assert_eq!(
                    re.is_match(id),
                    kind.id_shape_ok(id),
                    "{kind:?} {id} {pattern}"
                );
            }
        }
    }

    #[test]
    fn names_and_folders_are_distinct() {
        for (i, a) in Kind::ALL.iter().enumerate() {
            for b in &Kind::ALL[i + 1..] {
                assert_ne!(a.name(), b.name());
                assert_ne!(a.folder(), b.folder());
                assert!(a.prefix().is_none() || a.prefix() != b.prefix());
            }
            assert_eq!(Kind::from_name(a.name()), Some(*a));
            assert_eq!(Kind::from_folder(a.folder()), Some(*a));
        }
    }
}
