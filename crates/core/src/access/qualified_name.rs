//! Qualified names: the catalog's case-sensitive `/`-separated asset paths.

use std::fmt;

/// A catalog qualified name such as `default/snowflake/1700000000/SALES/PUBLIC/ORDERS`.
///
/// The first three segments name the connection (`default/<connector>/<epoch>`). Coverage is
/// segment-aware: `…/DB` covers `…/DB` and `…/DB/X`, never `…/DB2`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct QualifiedName(String);

/// Why a string is not a well-formed qualified name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QualifiedNameError {
    /// The string is empty.
    #[error("empty qualified name")]
    Empty,
    /// Two slashes in a row, or a leading or trailing slash.
    #[error("qualified name {0:?} has an empty path segment")]
    EmptySegment(String),
}

impl QualifiedName {
    /// Parses a qualified name: non-empty, no empty segment (`a//b`, `/a`, `a/` are refused so
    /// that coverage at segment boundaries is unambiguous).
    pub fn parse(s: &str) -> Result<Self, QualifiedNameError> {
        check(s)?;
        Ok(Self(s.to_owned()))
    }

    /// A name built by Steward itself from well-formed parts (scenario generator); checked in
    /// debug builds only.
    #[cfg(feature = "testing")]
    pub(crate) fn from_generated(s: String) -> Self {
        debug_assert!(check(&s).is_ok(), "generated qualified name {s:?} is malformed");
        Self(s)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path segments.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// The connection's qualified name (the first three segments), when there are at least three.
    pub fn connection(&self) -> Option<&str> {
        connection_of(&self.0)
    }

    /// Whether `self` is `other` or one of its ancestors, at a `/` boundary.
    pub fn covers(&self, other: &QualifiedName) -> bool {
        covers(&self.0, &other.0)
    }
}

/// Checks that `s` is a well-formed qualified name (see [`QualifiedName::parse`]).
pub fn check(s: &str) -> Result<(), QualifiedNameError> {
    if s.is_empty() {
        return Err(QualifiedNameError::Empty);
    }
    if s.split('/').any(str::is_empty) {
        return Err(QualifiedNameError::EmptySegment(s.to_owned()));
    }
    Ok(())
}

/// Whether the path `ancestor` is `descendant` or a prefix of it ending at a `/` boundary.
pub fn covers(ancestor: &str, descendant: &str) -> bool {
    match descendant.strip_prefix(ancestor) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// The first three segments of `qualified_name`, when it has at least three.
pub fn connection_of(qualified_name: &str) -> Option<&str> {
    let mut slashes = 0;
    for (i, byte) in qualified_name.bytes().enumerate() {
        if byte == b'/' {
            slashes += 1;
            if slashes == 3 {
                return qualified_name.get(..i);
            }
        }
    }
    (slashes == 2 && !qualified_name.ends_with('/')).then_some(qualified_name)
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for QualifiedName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for QualifiedName {
    type Err = QualifiedNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_only_at_segment_boundaries() {
        let db = QualifiedName::parse("default/snowflake/1/DB").unwrap();
        assert!(db.covers(&QualifiedName::parse("default/snowflake/1/DB").unwrap()));
        assert!(db.covers(&QualifiedName::parse("default/snowflake/1/DB/X").unwrap()));
        assert!(!db.covers(&QualifiedName::parse("default/snowflake/1/DB2").unwrap()));
        assert!(!db.covers(&QualifiedName::parse("default/snowflake/1").unwrap()));
    }

    #[test]
    fn connection_is_the_first_three_segments() {
        assert_eq!(connection_of("default/snowflake/1/DB/S"), Some("default/snowflake/1"));
        assert_eq!(connection_of("default/snowflake/1"), Some("default/snowflake/1"));
        assert_eq!(connection_of("default/snowflake"), None);
        assert_eq!(connection_of("glossary-term-id"), None);
    }

    #[test]
    fn empty_segments_are_malformed() {
        assert!(QualifiedName::parse("a//b").is_err());
        assert!(QualifiedName::parse("a/").is_err());
        assert!(QualifiedName::parse("").is_err());
    }
}
