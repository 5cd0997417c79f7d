//! [`toml_enum!`](crate::toml_enum): the string enums of the record
//! format (a channel, a role, a decision), each declared once with its
//! TOML spellings, which reading, messages, JSON and schemas all take from
//! the declaration.

/// Declare a string enum of the record format: its TOML spellings are fixed
/// (docs/format.md lists them), so they are written once, here, next to the
/// type.
#[macro_export]
macro_rules! toml_enum {
    ($(#[$m:meta])* pub enum $name:ident { $first:ident = $first_s:literal $(, $var:ident = $s:literal)* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub enum $name { #[default] $first, $($var),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$name::$first, $($name::$var),*];
            pub const NAMES: &'static [&'static str] = &[$first_s, $($s),*];
            pub fn as_str(self) -> &'static str {
                match self { $name::$first => $first_s, $($name::$var => $s),* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl $crate::model::read::FromToml for $name {
            const EXPECTED: &'static str = "one of the listed values";
            fn shape() -> $crate::model::shape::Shape {
                $crate::model::shape::Shape::OneOf($name::NAMES)
            }
            fn from_toml(v: &$crate::load::Value) -> Result<Self, String> {
                let $crate::load::Value::String(s) = v else { return Err(String::new()) };
                $name::ALL
                    .iter()
                    .copied()
                    .find(|x| x.as_str() == s)
                    .ok_or_else(|| $crate::model::read::bad_enum(s, $name::NAMES))
            }
        }
    };
}
