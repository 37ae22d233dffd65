//! One macro for the enums stored as text in the database and typed on the command line
//! (run kinds and statuses, version statuses, alias changes), so each name is written once.

/// Gives a fieldless enum its lower-case text form (`as_str`, `parse`, `Display`, `ALL`).
macro_rules! text_enum {
    ($ty:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in display order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The lower-case name stored in the database and printed.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $text),+
                }
            }

            /// Parses the lower-case name.
            pub fn parse(text: &str) -> $crate::error::Result<Self> {
                match text {
                    $($text => Ok($ty::$variant),)+
                    _ => Err($crate::error::RegistryError::InvalidName {
                        what: $what,
                        value: text.to_string(),
                        reason: format!(
                            "expected one of {}",
                            [$(concat!("`", $text, "`")),+].join(", ")
                        ),
                    }),
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use text_enum;
