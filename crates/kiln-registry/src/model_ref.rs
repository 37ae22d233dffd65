//! Model references: `name`, `name/3`, `name@production`, as written on the command line, in
//! `kiln.toml` and in server routes, and the rules for model and alias names.
//!
//! Names are restricted to letters, digits, `_`, `-` and `.` (not first) so a reference can be
//! split on `/` and `@` without quoting and can appear in a URL path and a file name unchanged.

use std::fmt;
use std::str::FromStr;

use crate::error::{RegistryError, Result};

/// The longest model or alias name accepted.
const MAX_NAME_LEN: usize = 128;

/// Which version of a model a reference means.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModelRef {
    /// `name`: the highest version number that has not been deleted — the most recently
    /// registered model, which is not necessarily the one in production.
    Latest {
        /// The model name.
        name: String,
    },
    /// `name/3`: that exact version.
    Version {
        /// The model name.
        name: String,
        /// The version number (from 1).
        version: u32,
    },
    /// `name@production`: whatever version the alias points at now.
    Alias {
        /// The model name.
        name: String,
        /// The alias.
        alias: String,
    },
}

impl ModelRef {
    /// Parses `name`, `name/<version>` or `name@<alias>`.
    ///
    /// ```
    /// use kiln_registry::ModelRef;
    /// let r = ModelRef::parse("churn@production")?;
    /// assert_eq!(r, ModelRef::Alias { name: "churn".into(), alias: "production".into() });
    /// assert_eq!(ModelRef::parse("churn/3")?.to_string(), "churn/3");
    /// assert_eq!(ModelRef::parse("churn")?.name(), "churn");
    /// assert!(ModelRef::parse("churn/0").is_err());
    /// # Ok::<(), kiln_registry::RegistryError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = |reason: &str| RegistryError::InvalidName {
            what: "model reference",
            value: text.to_string(),
            reason: format!(
                "{reason}; expected `name`, `name/<version>` or `name@<alias>` (e.g. `churn/3`, `churn@production`)"
            ),
        };
        let text_trimmed = text.trim();
        if text_trimmed.is_empty() {
            return Err(invalid("it is empty"));
        }
        let slash = text_trimmed.find('/');
        let at = text_trimmed.find('@');
        let reference = match (slash, at) {
            (Some(_), Some(_)) => return Err(invalid("it has both `/` and `@`")),
            (Some(i), None) => {
                let (name, version) = (&text_trimmed[..i], &text_trimmed[i + 1..]);
                let version = version
                    .parse::<u32>()
                    .ok()
                    .filter(|&v| v >= 1 && version.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| {
                        invalid(&format!(
                            "`{version}` is not a version number (versions count from 1)"
                        ))
                    })?;
                ModelRef::Version {
                    name: name.to_string(),
                    version,
                }
            }
            (None, Some(i)) => ModelRef::Alias {
                name: text_trimmed[..i].to_string(),
                alias: text_trimmed[i + 1..].to_string(),
            },
            (None, None) => ModelRef::Latest {
                name: text_trimmed.to_string(),
            },
        };
        check_name("model name", reference.name()).map_err(|e| invalid(&e.to_string()))?;
        if let ModelRef::Alias { alias, .. } = &reference {
            check_name("alias", alias).map_err(|e| invalid(&e.to_string()))?;
        }
        Ok(reference)
    }

    /// The model name.
    pub fn name(&self) -> &str {
        match self {
            ModelRef::Latest { name }
            | ModelRef::Version { name, .. }
            | ModelRef::Alias { name, .. } => name,
        }
    }
}

impl fmt::Display for ModelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelRef::Latest { name } => write!(f, "{name}"),
            ModelRef::Version { name, version } => write!(f, "{name}/{version}"),
            ModelRef::Alias { name, alias } => write!(f, "{name}@{alias}"),
        }
    }
}

impl FromStr for ModelRef {
    type Err = RegistryError;

    fn from_str(s: &str) -> Result<Self> {
        ModelRef::parse(s)
    }
}

/// Checks a model or alias name: 1 to 128 characters from `A-Z a-z 0-9 _ - .`, not starting
/// with `.` or `-` (hidden files, command-line flags).
pub fn check_name(what: &'static str, name: &str) -> Result<()> {
    let invalid = |reason: String| RegistryError::InvalidName {
        what,
        value: name.to_string(),
        reason,
    };
    if name.is_empty() {
        return Err(invalid("it is empty".into()));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(invalid(format!(
            "it has {} characters; at most {MAX_NAME_LEN} are allowed",
            name.len()
        )));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Err(invalid(format!(
            "`{c}` is not allowed; use letters, digits, `_`, `-` and `.`"
        )));
    }
    if name.starts_with(['.', '-']) {
        return Err(invalid("it must not start with `.` or `-`".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms_and_prints_them_back() {
        for (text, expected) in [
            (
                "churn",
                ModelRef::Latest {
                    name: "churn".into(),
                },
            ),
            (
                "churn_v2.gbdt/12",
                ModelRef::Version {
                    name: "churn_v2.gbdt".into(),
                    version: 12,
                },
            ),
            (
                "churn@production",
                ModelRef::Alias {
                    name: "churn".into(),
                    alias: "production".into(),
                },
            ),
        ] {
            let parsed: ModelRef = text.parse().expect("valid");
            assert_eq!(parsed, expected);
            assert_eq!(parsed.to_string(), text);
            assert_eq!(ModelRef::parse(&parsed.to_string()).expect("again"), parsed);
        }
        assert_eq!(
            ModelRef::parse("  churn/3 ").expect("trimmed").to_string(),
            "churn/3"
        );
    }

    #[test]
    fn refuses_malformed_references_with_the_reason() {
        for (text, reason) in [
            ("", "empty"),
            ("churn/", "not a version number"),
            ("churn/0", "not a version number"),
            ("churn/-1", "not a version number"),
            ("churn/+3", "not a version number"),
            ("churn/3.5", "not a version number"),
            ("churn/99999999999", "not a version number"),
            ("churn@", "alias"),
            ("@production", "model name"),
            ("/3", "model name"),
            ("churn/3@production", "both"),
            ("churn@prod@eu", "`@` is not allowed"),
            ("churn/a/b", "not a version number"),
            ("my model", "` ` is not allowed"),
            ("-churn", "must not start"),
        ] {
            let msg = ModelRef::parse(text).expect_err(text).to_string();
            assert!(msg.contains(reason), "{text:?}: {msg}");
            assert!(msg.contains("name/<version>"), "{text:?}: {msg}");
        }
    }

    #[test]
    fn name_rules() {
        assert!(check_name("model name", "a").is_ok());
        assert!(check_name("model name", &"a".repeat(128)).is_ok());
        let msg = check_name("model name", &"a".repeat(129))
            .expect_err("long")
            .to_string();
        assert!(msg.contains("at most 128"), "{msg}");
        let msg = check_name("alias", ".hidden").expect_err("dot").to_string();
        assert!(msg.starts_with("invalid alias `.hidden`"), "{msg}");
        assert!(check_name("alias", "naïve").is_err());
    }
}
