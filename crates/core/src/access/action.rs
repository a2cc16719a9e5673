//! The vocabulary of the access model: actions per family, roles, effects and policy kinds.
//! Every name here is part of the public API (SPEC §2); strings are parsed once, at the
//! boundary, into these enums.

use std::fmt;

/// Defines a fieldless enum with its public wire names, `ALL`, `name()`, `parse()` and serde.
macro_rules! named_enum {
    ($(#[$meta:meta])* $vis:vis enum $ty:ident { $($(#[$vmeta:meta])* $variant:ident = $name:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $ty {
            $($(#[$vmeta])* $variant,)+
        }

        impl $ty {
            /// Every value, in the order SPEC §2 lists them.
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)+];

            /// The public name (as written in configs and requests).
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                }
            }

            /// Parses a public name; `None` when the name is not one of this enum's.
            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $($name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $ty::parse(&name).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown {} {:?}", stringify!($ty), name))
                })
            }
        }
    };
}

named_enum! {
    /// A user's role in the catalog.
    pub enum Role {
        /// Administers the tenant; with connection admin, may manage a connection's policies.
        Admin = "admin",
        /// An ordinary user.
        Member = "member",
        /// A guest: never granted a write action.
        Guest = "guest",
    }
}

named_enum! {
    /// What a policy does when it applies.
    pub enum Effect {
        /// Grants the listed actions.
        Allow = "allow",
        /// Denies the listed actions, over every grant.
        Deny = "deny",
        /// Data policies only: grants nothing, sets the mask a user who may `query` sees.
        Mask = "mask",
    }
}

named_enum! {
    /// The four kinds of policy, each with its own action family.
    pub enum PolicyKind {
        /// Asset metadata (metadata actions).
        Metadata = "metadata",
        /// Asset data (`query`).
        Data = "data",
        /// Glossaries, terms and categories (personas only).
        Glossary = "glossary",
        /// Data domains and products (personas only).
        Domain = "domain",
    }
}

named_enum! {
    /// Actions on an asset's metadata.
    pub enum MetadataAction {
        /// View the asset, its activity, custom metadata and queries.
        Read = "read",
        /// Change description, certificate, owners, README, resources.
        Update = "update",
        /// Change custom-metadata values.
        UpdateCustomMetadata = "update-custom-metadata",
        /// Add tags.
        AddTags = "add-tags",
        /// Remove tags.
        RemoveTags = "remove-tags",
        /// Link terms.
        AddTerms = "add-terms",
        /// Unlink terms.
        RemoveTerms = "remove-terms",
        /// Create assets (through the API).
        Create = "create",
        /// Delete assets (through the API).
        Delete = "delete",
    }
}

named_enum! {
    /// Actions on an asset's data.
    pub enum DataAction {
        /// Query and preview the data.
        Query = "query",
    }
}

named_enum! {
    /// Actions inside a glossary.
    pub enum GlossaryAction {
        /// Read terms, categories and glossaries (everyone has it by default).
        Read = "read",
        /// Create terms and categories.
        Create = "create",
        /// Update glossary, term and category metadata.
        Update = "update",
        /// Link terms to other assets.
        LinkTerms = "link-terms",
        /// Delete terms and categories.
        Delete = "delete",
        /// Add tags to terms.
        AddTags = "add-tags",
        /// Remove tags from terms.
        RemoveTags = "remove-tags",
        /// Update custom-metadata values on terms and categories.
        UpdateCustomMetadata = "update-custom-metadata",
    }
}

named_enum! {
    /// Actions on data domains and products.
    pub enum DomainAction {
        /// View domain metadata, resources and READMEs.
        Read = "read",
        /// Update a domain.
        UpdateDomain = "update-domain",
        /// Create a subdomain.
        CreateSubdomain = "create-subdomain",
        /// Update a subdomain.
        UpdateSubdomain = "update-subdomain",
        /// Create a data product.
        CreateProduct = "create-product",
        /// Update a data product.
        UpdateProduct = "update-product",
        /// Delete a data product.
        DeleteProduct = "delete-product",
        /// Update a domain's custom metadata.
        UpdateCustomMetadataDomain = "update-custom-metadata-domain",
        /// Update a subdomain's custom metadata.
        UpdateCustomMetadataSubdomain = "update-custom-metadata-subdomain",
        /// Update a product's custom metadata.
        UpdateCustomMetadataProduct = "update-custom-metadata-product",
    }
}

named_enum! {
    /// Administrative actions (never granted by a policy).
    pub enum AdminAction {
        /// Define access policies for a connection's assets.
        ManagePolicies = "manage-policies",
    }
}

named_enum! {
    /// The family an action belongs to; it follows the asset's type.
    pub enum ActionFamily {
        /// [`MetadataAction`].
        Metadata = "metadata",
        /// [`DataAction`].
        Data = "data",
        /// [`GlossaryAction`].
        Glossary = "glossary",
        /// [`DomainAction`].
        Domain = "domain",
        /// [`AdminAction`].
        Admin = "admin",
    }
}

/// An action of any family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// A metadata action.
    Metadata(MetadataAction),
    /// A data action.
    Data(DataAction),
    /// A glossary action.
    Glossary(GlossaryAction),
    /// A domain action.
    Domain(DomainAction),
    /// An administrative action.
    Admin(AdminAction),
}

impl Action {
    /// The public name, e.g. `add-tags`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Metadata(a) => a.name(),
            Action::Data(a) => a.name(),
            Action::Glossary(a) => a.name(),
            Action::Domain(a) => a.name(),
            Action::Admin(a) => a.name(),
        }
    }

    /// The family the action belongs to.
    pub fn family(self) -> ActionFamily {
        match self {
            Action::Metadata(_) => ActionFamily::Metadata,
            Action::Data(_) => ActionFamily::Data,
            Action::Glossary(_) => ActionFamily::Glossary,
            Action::Domain(_) => ActionFamily::Domain,
            Action::Admin(_) => ActionFamily::Admin,
        }
    }

    /// Parses `name` as an action of `family`.
    pub fn parse_in(family: ActionFamily, name: &str) -> Option<Action> {
        match family {
            ActionFamily::Metadata => MetadataAction::parse(name).map(Action::Metadata),
            ActionFamily::Data => DataAction::parse(name).map(Action::Data),
            ActionFamily::Glossary => GlossaryAction::parse(name).map(Action::Glossary),
            ActionFamily::Domain => DomainAction::parse(name).map(Action::Domain),
            ActionFamily::Admin => AdminAction::parse(name).map(Action::Admin),
        }
    }

    /// The families in which `name` is an action (empty for an unknown name).
    pub fn families_of(name: &str) -> Vec<ActionFamily> {
        ActionFamily::ALL.iter().copied().filter(|f| Action::parse_in(*f, name).is_some()).collect()
    }

    /// Whether the action only reads (`read`, `query`); every other action is a write, which a
    /// guest is never granted.
    pub fn is_read_only(self) -> bool {
        matches!(
            self,
            Action::Metadata(MetadataAction::Read)
                | Action::Data(DataAction::Query)
                | Action::Glossary(GlossaryAction::Read)
                | Action::Domain(DomainAction::Read)
        )
    }

    /// A small dense number for the action within its family (for bit sets).
    pub fn bit(self) -> u32 {
        let index = match self {
            Action::Metadata(a) => a as u32,
            Action::Data(a) => a as u32,
            Action::Glossary(a) => a as u32,
            Action::Domain(a) => a as u32,
            Action::Admin(a) => a as u32,
        };
        1u32 << index
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl PolicyKind {
    /// The action families a policy of this kind may list.
    pub fn family(self) -> ActionFamily {
        match self {
            PolicyKind::Metadata => ActionFamily::Metadata,
            PolicyKind::Data => ActionFamily::Data,
            PolicyKind::Glossary => ActionFamily::Glossary,
            PolicyKind::Domain => ActionFamily::Domain,
        }
    }
}

/// Asset types whose actions are glossary actions.
pub const GLOSSARY_TYPES: [&str; 3] = ["AtlasGlossary", "AtlasGlossaryTerm", "AtlasGlossaryCategory"];
/// Asset types whose actions are domain actions.
pub const DOMAIN_TYPES: [&str; 2] = ["DataDomain", "DataProduct"];

/// What kind of asset a type name is, for choosing the action family (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetClass {
    /// `AtlasGlossary`, `AtlasGlossaryTerm`, `AtlasGlossaryCategory`.
    Glossary,
    /// `DataDomain`, `DataProduct`.
    Domain,
    /// `Connection` (metadata actions, `query`, and `manage-policies`).
    Connection,
    /// Every other type: metadata actions and `query`.
    Asset,
}

impl AssetClass {
    /// Classifies a catalog type name (case-sensitive, as the catalog spells it).
    pub fn of(type_name: &str) -> AssetClass {
        if GLOSSARY_TYPES.contains(&type_name) {
            AssetClass::Glossary
        } else if DOMAIN_TYPES.contains(&type_name) {
            AssetClass::Domain
        } else if type_name == "Connection" {
            AssetClass::Connection
        } else {
            AssetClass::Asset
        }
    }

    /// Resolves an action name for an asset of this class, or `None` when the name is not an
    /// action this class takes.
    pub fn action(self, name: &str) -> Option<Action> {
        match self {
            AssetClass::Glossary => Action::parse_in(ActionFamily::Glossary, name),
            AssetClass::Domain => Action::parse_in(ActionFamily::Domain, name),
            AssetClass::Connection => Action::parse_in(ActionFamily::Metadata, name)
                .or_else(|| Action::parse_in(ActionFamily::Data, name))
                .or_else(|| Action::parse_in(ActionFamily::Admin, name)),
            AssetClass::Asset => Action::parse_in(ActionFamily::Metadata, name)
                .or_else(|| Action::parse_in(ActionFamily::Data, name)),
        }
    }

    /// What the class takes, for error messages.
    pub fn expected(self) -> &'static str {
        match self {
            AssetClass::Glossary => "glossary actions",
            AssetClass::Domain => "domain actions",
            AssetClass::Connection => "metadata actions, query or manage-policies",
            AssetClass::Asset => "metadata actions or query",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_bits_fit_in_u32_and_are_distinct_per_family() {
        for family in ActionFamily::ALL {
            let names: Vec<&str> = match family {
                ActionFamily::Metadata => MetadataAction::ALL.iter().map(|a| a.name()).collect(),
                ActionFamily::Data => DataAction::ALL.iter().map(|a| a.name()).collect(),
                ActionFamily::Glossary => GlossaryAction::ALL.iter().map(|a| a.name()).collect(),
                ActionFamily::Domain => DomainAction::ALL.iter().map(|a| a.name()).collect(),
                ActionFamily::Admin => AdminAction::ALL.iter().map(|a| a.name()).collect(),
            };
            let mut seen = 0u32;
            for name in names {
                let bit = Action::parse_in(*family, name).unwrap().bit();
                assert_eq!(seen & bit, 0);
                seen |= bit;
            }
        }
    }

    #[test]
    fn the_action_family_follows_the_asset_type() {
        assert_eq!(AssetClass::of("Table").action("query"), Some(Action::Data(DataAction::Query)));
        assert_eq!(AssetClass::of("Table").action("link-terms"), None);
        assert_eq!(
            AssetClass::of("AtlasGlossaryTerm").action("link-terms"),
            Some(Action::Glossary(GlossaryAction::LinkTerms))
        );
        assert_eq!(AssetClass::of("Table").action("manage-policies"), None);
        assert_eq!(
            AssetClass::of("Connection").action("manage-policies"),
            Some(Action::Admin(AdminAction::ManagePolicies))
        );
        assert_eq!(AssetClass::of("DataProduct").action("query"), None);
    }
}
