//! A request: `{user, action, asset: {qualifiedName, typeName, tags, glossary?}}`. The action's
//! family follows the asset's type (SPEC §2); an action outside that family, an unknown action
//! or an unknown user is an error, never a grant.

use serde::{Deserialize, Serialize};

use super::action::{Action, AssetClass};
use super::qualified_name::QualifiedName;

/// "May `user` do `action` on `asset`?"
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    /// Username (must be in the config's `users`).
    pub user: String,
    /// Action name, of the family the asset's type takes.
    pub action: String,
    /// The asset acted on.
    pub asset: Asset,
}

/// The asset of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Asset {
    /// The asset's qualified name; its first three segments name its connection.
    #[serde(deserialize_with = "deserialize_qualified_name")]
    pub qualified_name: QualifiedName,
    /// Catalog type name (`Table`, `Column`, `AtlasGlossaryTerm`, `DataProduct`, `Connection`…).
    pub type_name: String,
    /// Tag display names on the asset.
    #[serde(default)]
    pub tags: Vec<String>,
    /// For glossary types: the glossary's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glossary: Option<String>,
}

fn deserialize_qualified_name<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<QualifiedName, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    QualifiedName::parse(&text).map_err(serde::de::Error::custom)
}

impl Asset {
    /// An asset with no tags and no glossary.
    pub fn new(qualified_name: QualifiedName, type_name: impl Into<String>) -> Self {
        Self { qualified_name, type_name: type_name.into(), tags: Vec::new(), glossary: None }
    }
}

/// Why a request cannot be decided. The message names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The user is not in the config.
    #[error("user: unknown user {0:?}")]
    UnknownUser(String),
    /// The action is not an action of any family.
    #[error("action: unknown action {0:?}")]
    UnknownAction(String),
    /// The action exists, but not for this asset type.
    #[error("action: {action:?} is not an action on a {type_name} (it takes {expected})")]
    WrongFamily {
        /// The action as given.
        action: String,
        /// The asset's type.
        type_name: String,
        /// What that type takes.
        expected: &'static str,
    },
    /// A glossary asset must name its glossary.
    #[error("asset.glossary: required for {0} assets (the glossary's name)")]
    MissingGlossary(String),
    /// A field is missing or malformed.
    #[error("{location}: {message}")]
    Malformed {
        /// Where.
        location: String,
        /// What.
        message: String,
    },
}

impl Request {
    /// Parses a request from JSON, with the location of what is wrong.
    pub fn from_value(value: &serde_json::Value) -> Result<Request, RequestError> {
        Request::deserialize(value).map_err(|e| RequestError::Malformed { location: "request".to_owned(), message: e.to_string() })
    }

    /// The typed action this request asks for, in the family the asset's type takes.
    pub fn resolve_action(&self) -> Result<(AssetClass, Action), RequestError> {
        self.view().resolve_action()
    }

    /// The request as borrowed parts, which is what the engine reads.
    pub fn view(&self) -> RequestView<'_, String> {
        RequestView {
            user: &self.user,
            action: &self.action,
            qualified_name: self.asset.qualified_name.as_str(),
            type_name: &self.asset.type_name,
            tags: &self.asset.tags,
            glossary: self.asset.glossary.as_deref(),
        }
    }
}

/// A request borrowed from its caller's buffers: what the engine reads. [`Request::view`] gives
/// one; a batch decoder can build them straight from one text buffer, without allocating.
///
/// The qualified name must already be valid ([`super::qualified_name::check`]): a
/// deserialised [`Request`] guarantees it; other producers must check it.
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a, T: AsRef<str>> {
    /// Username.
    pub user: &'a str,
    /// Action name.
    pub action: &'a str,
    /// The asset's qualified name.
    pub qualified_name: &'a str,
    /// The asset's type name.
    pub type_name: &'a str,
    /// The asset's tags (display names).
    pub tags: &'a [T],
    /// The glossary of a glossary asset.
    pub glossary: Option<&'a str>,
}

impl<T: AsRef<str>> RequestView<'_, T> {
    /// The typed action this request asks for, in the family the asset's type takes.
    pub fn resolve_action(&self) -> Result<(AssetClass, Action), RequestError> {
        let class = AssetClass::of(self.type_name);
        if let Some(action) = class.action(self.action) {
            if class == AssetClass::Glossary && self.glossary.is_none_or(str::is_empty) {
                return Err(RequestError::MissingGlossary(self.type_name.to_owned()));
            }
            return Ok((class, action));
        }
        if Action::families_of(self.action).is_empty() {
            Err(RequestError::UnknownAction(self.action.to_owned()))
        } else {
            Err(RequestError::WrongFamily {
                action: self.action.to_owned(),
                type_name: self.type_name.to_owned(),
                expected: class.expected(),
            })
        }
    }
}
