//! What `decide` answers: allowed or not, the deciding rule and policy, every policy that
//! matched, and the mask on an allowed `query`. Serialised exactly as SPEC §2 names it:
//! `{allowed, reason, decidedBy?, policies, mask?, maskedBy?}`.

use std::sync::Arc;

use serde::{Serialize, Serializer};

use super::action::{Effect, PolicyKind};
use crate::masking::MaskType;

/// The rule that settled a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// An applicable deny policy (persona or purpose) beat every grant.
    DenyPolicy,
    /// The user is a connection admin of the asset's connection (for `manage-policies`: and
    /// holds the admin role).
    ConnectionAdmin,
    /// A persona the user belongs to allows the action on the asset.
    PersonaGrant,
    /// A purpose that applies to the user and the asset's tags allows the action.
    PurposeGrant,
    /// Everyone may read glossaries, terms and categories.
    GlossaryDefault,
    /// A guest is never granted a write action.
    GuestCeiling,
    /// `manage-policies` needs both the admin role and connection admin; the catalog's own
    /// configuration needs the admin role ([`super::rules::admin_only`]).
    NotAdmin,
    /// Nothing granted the action.
    ImplicitDeny,
}

impl Reason {
    /// The public name (`deny-policy`, …).
    pub fn name(self) -> &'static str {
        match self {
            Reason::DenyPolicy => "deny-policy",
            Reason::ConnectionAdmin => "connection-admin",
            Reason::PersonaGrant => "persona-grant",
            Reason::PurposeGrant => "purpose-grant",
            Reason::GlossaryDefault => "glossary-default",
            Reason::GuestCeiling => "guest-ceiling",
            Reason::NotAdmin => "not-admin",
            Reason::ImplicitDeny => "implicit-deny",
        }
    }
}

/// Whether a policy belongs to a persona or a purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OwnerKind {
    /// A persona's policy.
    Persona,
    /// A purpose's policy.
    Purpose,
}

fn arc_str<S: Serializer>(value: &Arc<str>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value)
}

/// Names one policy: `{owner, ownerName, policy}`. A decision's references point into the
/// engine's shared policy table, so naming the deciding policy copies no names.
#[derive(Clone)]
pub struct PolicyRef(RefTo);

#[derive(Clone)]
enum RefTo {
    /// Position `id` of a shared table.
    Table(Arc<[MatchedPolicy]>, u32),
    /// Names given on their own ([`PolicyRef::new`]).
    Named { owner: OwnerKind, owner_name: Arc<str>, policy: Arc<str> },
}

impl PolicyRef {
    /// A reference to the policy `policy` of the persona or purpose `owner_name`.
    pub fn new(owner: OwnerKind, owner_name: impl Into<Arc<str>>, policy: impl Into<Arc<str>>) -> Self {
        PolicyRef(RefTo::Named { owner, owner_name: owner_name.into(), policy: policy.into() })
    }

    /// Position `id` of `table`, or `None` past its end.
    pub fn in_table(table: &Arc<[MatchedPolicy]>, id: u32) -> Option<Self> {
        table.get(id as usize).map(|_| PolicyRef(RefTo::Table(Arc::clone(table), id)))
    }

    fn parts(&self) -> (OwnerKind, &str, &str) {
        match &self.0 {
            RefTo::Table(table, id) => match table.get(*id as usize) {
                Some(p) => (p.owner, &p.owner_name, &p.policy),
                // `in_table` checked the position; a table never shrinks.
                None => (OwnerKind::Persona, "", ""),
            },
            RefTo::Named { owner, owner_name, policy } => (*owner, owner_name, policy),
        }
    }

    /// Persona or purpose.
    pub fn owner(&self) -> OwnerKind {
        self.parts().0
    }

    /// The persona's or purpose's name.
    pub fn owner_name(&self) -> &str {
        self.parts().1
    }

    /// The policy's name.
    pub fn policy(&self) -> &str {
        self.parts().2
    }
}

impl PartialEq for PolicyRef {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for PolicyRef {}

impl std::hash::Hash for PolicyRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
}

impl std::fmt::Debug for PolicyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (owner, owner_name, policy) = self.parts();
        f.debug_struct("PolicyRef").field("owner", &owner).field("owner_name", &owner_name).field("policy", &policy).finish()
    }
}

impl Serialize for PolicyRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (owner, owner_name, policy) = self.parts();
        let mut out = serializer.serialize_struct("PolicyRef", 3)?;
        out.serialize_field("owner", &owner)?;
        out.serialize_field("ownerName", owner_name)?;
        out.serialize_field("policy", policy)?;
        out.end()
    }
}

/// A policy that applied to the request: `{owner, ownerName, policy, kind, effect, mask?}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchedPolicy {
    /// Persona or purpose.
    pub owner: OwnerKind,
    /// The persona's or purpose's name.
    #[serde(serialize_with = "arc_str")]
    pub owner_name: Arc<str>,
    /// The policy's name.
    #[serde(serialize_with = "arc_str")]
    pub policy: Arc<str>,
    /// The policy's kind.
    pub kind: PolicyKind,
    /// Its effect.
    pub effect: Effect,
    /// Its mask, for a mask policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask: Option<MaskType>,
}

impl MatchedPolicy {
    /// The `{owner, ownerName, policy}` reference to this policy.
    pub fn reference(&self) -> PolicyRef {
        PolicyRef::new(self.owner, Arc::clone(&self.owner_name), Arc::clone(&self.policy))
    }
}

/// Every policy that applied to a request, in config order. Serialises as a JSON array.
///
/// The policies are positions in a table shared with the engine, so a decision that lists
/// thirty policies costs one reference count, not thirty.
#[derive(Clone, Default)]
pub struct MatchedPolicies {
    table: Option<Arc<[MatchedPolicy]>>,
    ids: Vec<u32>,
}

impl MatchedPolicies {
    /// Positions `ids` (in order) of a shared `table`.
    pub fn from_table(table: &Arc<[MatchedPolicy]>, ids: Vec<u32>) -> Self {
        if ids.is_empty() {
            MatchedPolicies::default()
        } else {
            MatchedPolicies { table: Some(Arc::clone(table)), ids }
        }
    }

    /// The given policies, in the given order.
    pub fn from_vec(policies: Vec<MatchedPolicy>) -> Self {
        let ids = (0..policies.len()).map(|i| u32::try_from(i).unwrap_or(u32::MAX)).collect();
        let table: Arc<[MatchedPolicy]> = policies.into();
        MatchedPolicies::from_table(&table, ids)
    }

    /// The policies, in config order.
    pub fn iter(&self) -> MatchedIter<'_> {
        MatchedIter { table: self.table.as_deref().unwrap_or(&[]), ids: self.ids.iter() }
    }

    /// The `i`-th policy.
    pub fn get(&self, i: usize) -> Option<&MatchedPolicy> {
        let id = *self.ids.get(i)?;
        self.table.as_deref()?.get(id as usize)
    }

    /// How many policies applied.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no policy applied.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The policies as an owned list.
    pub fn to_vec(&self) -> Vec<MatchedPolicy> {
        self.iter().cloned().collect()
    }
}

impl PartialEq for MatchedPolicies {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for MatchedPolicies {}

impl std::fmt::Debug for MatchedPolicies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for MatchedPolicies {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// Iterator over [`MatchedPolicies`], in config order.
#[derive(Debug, Clone)]
pub struct MatchedIter<'a> {
    table: &'a [MatchedPolicy],
    ids: std::slice::Iter<'a, u32>,
}

impl<'a> Iterator for MatchedIter<'a> {
    type Item = &'a MatchedPolicy;

    fn next(&mut self) -> Option<&'a MatchedPolicy> {
        let table = self.table;
        self.ids.by_ref().find_map(|id| table.get(*id as usize))
    }
}

impl<'a> IntoIterator for &'a MatchedPolicies {
    type Item = &'a MatchedPolicy;
    type IntoIter = MatchedIter<'a>;

    fn into_iter(self) -> MatchedIter<'a> {
        self.iter()
    }
}

/// A decision whose policies are ids in the engine's policy table
/// ([`super::PolicyEngine::policy_table`]); the matched ids travel beside it. What the rules
/// produce, before [`Decision`] names the policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the action is permitted.
    pub allowed: bool,
    /// The rule that settled it.
    pub reason: Reason,
    /// The id of the policy that settled it.
    pub decided_by: Option<u32>,
    /// On an allowed `query`: the most restrictive applicable mask.
    pub mask: Option<MaskType>,
    /// The id of the policy whose mask won.
    pub masked_by: Option<u32>,
}

impl Decision {
    /// The decision a verdict stands for, with its matched policy `ids`, naming policies from
    /// `table`.
    pub fn from_verdict(verdict: Verdict, table: &Arc<[MatchedPolicy]>, ids: Vec<u32>) -> Decision {
        let reference = |id: Option<u32>| id.and_then(|id| PolicyRef::in_table(table, id));
        Decision {
            allowed: verdict.allowed,
            reason: verdict.reason,
            decided_by: reference(verdict.decided_by),
            policies: MatchedPolicies::from_table(table, ids),
            mask: verdict.mask,
            masked_by: reference(verdict.masked_by),
        }
    }
}

/// The answer to "may this user do this on this asset, and why".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Whether the action is permitted.
    pub allowed: bool,
    /// The rule that settled it.
    pub reason: Reason,
    /// The policy that settled it, when a policy did (deny, persona or purpose grant).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<PolicyRef>,
    /// Every policy that applied to the request (allow, deny and mask), in config order:
    /// personas as listed, then purposes as listed, each owner's policies as listed.
    pub policies: MatchedPolicies,
    /// On an allowed `query`: the most restrictive applicable mask.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask: Option<MaskType>,
    /// The policy whose mask won.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_by: Option<PolicyRef>,
}
