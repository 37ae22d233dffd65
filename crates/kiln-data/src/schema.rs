//! Column types, roles and the `Schema` that describes a `Frame`.
//!
//! The type says how a column is stored (see `Frame`); the role says what a model does with it.
//! Both are inferred from data (see `infer`) and can be overridden from a TOML schema file, so a
//! user is never stuck with a wrong guess.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{DataError, Result};

/// How a column's values are stored and interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// 64-bit floats (Arrow `Float64`); missing cells are nulls.
    Numeric,
    /// 64-bit signed integers (Arrow `Int64`).
    Integer,
    /// true / false (Arrow `Boolean`).
    Boolean,
    /// A small set of string values (Arrow `Dictionary<Int32, Utf8>`, categories sorted).
    Categorical,
    /// Free text (Arrow `Utf8`).
    Text,
    /// Timestamps without zone, microsecond precision (Arrow `Timestamp(Microsecond)`).
    Datetime,
}

impl ColumnType {
    /// All types, in the order they are listed in help texts.
    pub const ALL: [ColumnType; 6] = [
        ColumnType::Numeric,
        ColumnType::Integer,
        ColumnType::Boolean,
        ColumnType::Categorical,
        ColumnType::Text,
        ColumnType::Datetime,
    ];

    /// The lower-case name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Numeric => "numeric",
            ColumnType::Integer => "integer",
            ColumnType::Boolean => "boolean",
            ColumnType::Categorical => "categorical",
            ColumnType::Text => "text",
            ColumnType::Datetime => "datetime",
        }
    }

    /// True for types a model can read as numbers directly.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            ColumnType::Numeric | ColumnType::Integer | ColumnType::Boolean
        )
    }
}

impl std::fmt::Display for ColumnType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ColumnType {
    type Err = DataError;
    fn from_str(s: &str) -> Result<Self> {
        ColumnType::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                DataError::invalid(
                    "column type",
                    format!("'{s}' (expected one of: numeric, integer, boolean, categorical, text, datetime)"),
                )
            })
    }
}

/// What a column is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An input of the model.
    Feature,
    /// What the model predicts.
    Target,
    /// A row identifier: carried through predictions, never a feature.
    Id,
    /// Per-row sample weight.
    Weight,
    /// The time of the row: orders time-based splits, never a feature by default.
    Time,
    /// Kept in the data but used by nothing.
    Ignore,
}

impl Role {
    /// All roles, in help-text order.
    pub const ALL: [Role; 6] = [
        Role::Feature,
        Role::Target,
        Role::Id,
        Role::Weight,
        Role::Time,
        Role::Ignore,
    ];

    /// The lower-case name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Role::Feature => "feature",
            Role::Target => "target",
            Role::Id => "id",
            Role::Weight => "weight",
            Role::Time => "time",
            Role::Ignore => "ignore",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Role {
    type Err = DataError;
    fn from_str(s: &str) -> Result<Self> {
        Role::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                DataError::invalid(
                    "role",
                    format!("'{s}' (expected one of: feature, target, id, weight, time, ignore)"),
                )
            })
    }
}

/// One column's name, type, role and whether it may hold missing values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Column name, unique within a schema.
    pub name: String,
    /// Storage type.
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// What the column is for.
    pub role: Role,
    /// Whether missing values were seen (inferred) or are allowed (declared).
    pub nullable: bool,
}

impl Field {
    /// A nullable feature column of the given type.
    pub fn new(name: impl Into<String>, column_type: ColumnType) -> Self {
        Field {
            name: name.into(),
            column_type,
            role: Role::Feature,
            nullable: true,
        }
    }

    /// The same field with another role.
    pub fn with_role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }
}

/// The ordered list of fields of a `Frame`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Schema {
    /// Fields in column order.
    pub fields: Vec<Field>,
}

impl Schema {
    /// A schema from fields; names must be unique and non-empty.
    pub fn new(fields: Vec<Field>) -> Result<Self> {
        let schema = Schema { fields };
        schema.check_names()?;
        Ok(schema)
    }

    /// Rejects empty and duplicate names, naming the first offender.
    pub fn check_names(&self) -> Result<()> {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, f) in self.fields.iter().enumerate() {
            if f.name.trim().is_empty() {
                return Err(DataError::invalid(
                    "schema",
                    format!("column {} has an empty name", i + 1),
                ));
            }
            if let Some(first) = seen.insert(&f.name, i) {
                return Err(DataError::invalid(
                    "schema",
                    format!(
                        "duplicate column name '{}' (columns {} and {})",
                        f.name,
                        first + 1,
                        i + 1
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when there are no columns.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Position of a column by name.
    pub fn index_of(&self, name: &str) -> Result<usize> {
        self.fields
            .iter()
            .position(|f| f.name == name)
            .ok_or_else(|| self.unknown_column(name))
    }

    /// The field of a column by name.
    pub fn field(&self, name: &str) -> Result<&Field> {
        Ok(&self.fields[self.index_of(name)?])
    }

    /// The error for a name that is not in this schema, listing the real names.
    pub fn unknown_column(&self, name: &str) -> DataError {
        DataError::UnknownColumn {
            name: name.to_string(),
            available: self.names().collect::<Vec<_>>().join(", "),
        }
    }

    /// Column names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }

    /// Names of the columns with a role.
    pub fn names_with_role(&self, role: Role) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|f| f.role == role)
            .map(|f| f.name.as_str())
            .collect()
    }

    /// Sets the role of one column; an unknown name is an error.
    pub fn set_role(&mut self, name: &str, role: Role) -> Result<()> {
        let i = self.index_of(name)?;
        self.fields[i].role = role;
        Ok(())
    }

    /// Marks `name` as the target. Any previous target goes back to being a feature.
    pub fn set_target(&mut self, name: &str) -> Result<()> {
        let i = self.index_of(name)?;
        for f in &mut self.fields {
            if f.role == Role::Target {
                f.role = Role::Feature;
            }
        }
        self.fields[i].role = Role::Target;
        Ok(())
    }
}

/// A user's corrections to inferred types and roles, usually read from a TOML file:
///
/// ```toml
/// [columns.passenger_id]
/// role = "id"
///
/// [columns.zip_code]
/// type = "categorical"
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaOverrides {
    /// Per-column overrides by name.
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnOverride>,
}

/// What to force for one column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnOverride {
    /// Forced storage type; values that do not parse are errors naming the row.
    #[serde(rename = "type", default)]
    pub column_type: Option<ColumnType>,
    /// Forced role.
    #[serde(default)]
    pub role: Option<Role>,
}

impl SchemaOverrides {
    /// Parses a TOML overrides document; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| DataError::parse(origin, e.to_string()))
    }

    /// Reads a TOML overrides file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| DataError::io(path, e))?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// Forces `name` to `column_type`.
    pub fn set_type(&mut self, name: &str, column_type: ColumnType) {
        self.columns
            .entry(name.to_string())
            .or_default()
            .column_type = Some(column_type);
    }

    /// Forces `name` to `role`.
    pub fn set_role(&mut self, name: &str, role: Role) {
        self.columns.entry(name.to_string()).or_default().role = Some(role);
    }

    /// The forced type of `name`, if any.
    pub fn type_of(&self, name: &str) -> Option<ColumnType> {
        self.columns.get(name).and_then(|c| c.column_type)
    }

    /// Applies the role overrides to a schema; a name absent from it is an error, so a typo in a
    /// schema file is caught rather than silently ignored.
    pub fn apply_roles(&self, schema: &mut Schema) -> Result<()> {
        for name in self.columns.keys() {
            schema.index_of(name)?;
        }
        for (name, o) in &self.columns {
            if let Some(role) = o.role {
                if role == Role::Target {
                    schema.set_target(name)?;
                } else {
                    schema.set_role(name, role)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_and_empty_names_are_rejected_with_positions() {
        let err = Schema::new(vec![
            Field::new("a", ColumnType::Numeric),
            Field::new("b", ColumnType::Numeric),
            Field::new("a", ColumnType::Text),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("duplicate column name 'a' (columns 1 and 3)"),
            "{err}"
        );
        let err = Schema::new(vec![Field::new(" ", ColumnType::Numeric)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("column 1 has an empty name"), "{err}");
    }

    #[test]
    fn overrides_parse_and_reject_unknown_keys_and_columns() {
        let o = SchemaOverrides::from_toml(
            "[columns.id]\nrole = \"id\"\n[columns.zip]\ntype = \"categorical\"\n",
            "s.toml",
        )
        .unwrap();
        assert_eq!(o.type_of("zip"), Some(ColumnType::Categorical));
        let err = SchemaOverrides::from_toml("[columns.x]\nkind = \"text\"\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("s.toml:") && err.contains("kind"), "{err}");
        let mut schema = Schema::new(vec![Field::new("a", ColumnType::Numeric)]).unwrap();
        let err = o.apply_roles(&mut schema).unwrap_err().to_string();
        assert!(err.contains("unknown column 'id'"), "{err}");
    }

    #[test]
    fn setting_a_target_demotes_the_previous_one() {
        let mut s = Schema::new(vec![
            Field::new("a", ColumnType::Numeric),
            Field::new("b", ColumnType::Numeric),
        ])
        .unwrap();
        s.set_target("a").unwrap();
        s.set_target("b").unwrap();
        assert_eq!(s.names_with_role(Role::Target), vec!["b"]);
        assert_eq!(s.fields[0].role, Role::Feature);
    }
}
