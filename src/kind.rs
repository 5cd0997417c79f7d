//! The eight record kinds, their folders and their id shapes.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Customer,
    Product,
    Order,
    Flowsheet,
    Capa,
    Survey,
    Property,
    Report,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Customer,
        Kind::Product,
        Kind::Order,
        Kind::Flowsheet,
        Kind::Capa,
        Kind::Survey,
        Kind::Property,
        Kind::Report,
    ];

    /// The first folder under the records root that holds this kind.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Customer => "customers",
            Kind::Product => "products",
            Kind::Order => "orders",
            Kind::Flowsheet => "flowsheets",
            Kind::Capa => "capa",
            Kind::Survey => "surveys",
            Kind::Property => "property",
            Kind::Report => "reports",
        }
    }

    pub fn from_folder(folder: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.folder() == folder)
    }

    /// The name used on the command line (`docket new order`) and in data.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Product => "product",
            Kind::Order => "order",
            Kind::Flowsheet => "flowsheet",
            Kind::Capa => "capa",
            Kind::Survey => "survey",
            Kind::Property => "property",
            Kind::Report => "report",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == name || k.folder() == name)
    }

    /// The id prefix; `None` for products, whose id is the part number.
    pub fn prefix(self) -> Option<&'static str> {
        match self {
            Kind::Customer => Some("C"),
            Kind::Product => None,
            Kind::Order => Some("SO"),
            Kind::Flowsheet => Some("MF"),
            Kind::Capa => Some("CAPA"),
            Kind::Survey => Some("SV"),
            Kind::Property => Some("CP"),
            Kind::Report => Some("UR"),
        }
    }

    /// The key that holds the record's id.
    pub fn id_key(self) -> &'static str {
        if self == Kind::Product {
            "part_number"
        } else {
            "id"
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
        if self == Kind::Customer {
            return digits(rest, 4);
        }
        match rest.split_once('-') {
            Some((year, n)) => year.len() == 4 && digits(year, 4) && digits(n, 4),
            None => false,
        }
    }

    /// The year part of a `PREFIX-YYYY-NNNN` id.
    pub fn id_year(self, id: &str) -> Option<i16> {
        if matches!(self, Kind::Customer | Kind::Product) {
            return None;
        }
        id.split('-').nth(1)?.parse().ok()
    }

    /// How a person reads the kind, for messages and page titles.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Product => "product",
            Kind::Order => "order",
            Kind::Flowsheet => "flow sheet",
            Kind::Capa => "CAPA",
            Kind::Survey => "survey",
            Kind::Property => "customer property",
            Kind::Report => "usage report",
        }
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
}
