//! The rules of SPEC §2, one function per rule, applied to the facts the engine gathered
//! (which policies apply, whether the user is a connection admin).
//!
//! Precedence, first match wins (SPEC §2 lists the rules; where it is terse we chose):
//! 1. `manage-policies` is decided on its own: allowed (`connection-admin`) iff the user holds
//!    the admin role *and* is a connection admin of the connection, else `not-admin`. No policy
//!    can grant or deny it.
//! 2. `deny-policy`: any applicable deny policy beats every grant, connection admin included.
//!    When several apply, the first in config order is reported.
//! 3. `guest-ceiling`: a guest asking for a write action (anything but `read` and `query`) is
//!    denied whether or not a grant exists. An explicit deny is reported before the ceiling
//!    because it names the policy to look at; the ceiling comes before every grant because no
//!    grant could lift it.
//! 4. Grants, in the order SPEC §2 lists them: `connection-admin` (metadata actions and
//!    `query`), then `persona-grant` (the first allowing persona policy in config order), then
//!    `purpose-grant` (likewise), then `glossary-default` (glossary `read`).
//! 5. `implicit-deny`.
//!
//! Masks are computed apart from the grant: on an allowed `query`, every applicable mask policy
//! counts and the most restrictive wins (`NULLIFY` > `HASH` > `REDACT` > `SHOW_LAST_4` >
//! `SHOW_FIRST_4`), ties broken by policy name, then owner kind (persona first), then owner
//! name, then config order.

use std::cmp::Ordering;

use super::action::{Action, DataAction, Effect, GlossaryAction, Role};
use super::decision::{Decision, MatchedPolicies, MatchedPolicy, OwnerKind, PolicyRef, Reason};
use crate::masking::MaskType;

/// What the rules need to know about one request.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The requesting user's role.
    pub role: Role,
    /// The typed action.
    pub action: Action,
    /// Whether the user is a connection admin of the asset's connection (directly, by group or
    /// by role); always `false` for glossary and domain assets.
    pub connection_admin: bool,
    /// Every applicable policy, in config order.
    pub matched: &'a MatchedPolicies,
}

/// A rule's verdict, before masks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Whether the action is permitted.
    pub allowed: bool,
    /// The rule.
    pub reason: Reason,
    /// The deciding policy, if a policy decided.
    pub decided_by: Option<PolicyRef>,
}

impl Outcome {
    fn by_rule(allowed: bool, reason: Reason) -> Self {
        Outcome { allowed, reason, decided_by: None }
    }

    fn by_policy(allowed: bool, reason: Reason, policy: &MatchedPolicy) -> Self {
        Outcome { allowed, reason, decided_by: Some(policy.reference()) }
    }
}

/// Applies every rule in precedence order and attaches the mask (see the module docs).
/// `matched` is every applicable policy in config order; it becomes the decision's `policies`.
pub fn decide(role: Role, action: Action, connection_admin: bool, matched: MatchedPolicies) -> Decision {
    let facts = Facts { role, action, connection_admin, matched: &matched };
    let outcome = if let Action::Admin(_) = action {
        manage_policies(&facts)
    } else {
        explicit_deny(&facts)
            .or_else(|| guest_ceiling(&facts))
            .or_else(|| connection_admin_grant(&facts))
            .or_else(|| persona_grant(&facts))
            .or_else(|| purpose_grant(&facts))
            .or_else(|| glossary_default(&facts))
            .unwrap_or_else(implicit_deny)
    };
    let strongest = if outcome.allowed && action == Action::Data(DataAction::Query) {
        strongest_mask(&matched).map(|p| (p.mask, p.reference()))
    } else {
        None
    };
    let (mask, masked_by) = match strongest {
        Some((mask, by)) => (mask, Some(by)),
        None => (None, None),
    };
    Decision {
        allowed: outcome.allowed,
        reason: outcome.reason,
        decided_by: outcome.decided_by,
        policies: matched,
        mask,
        masked_by,
    }
}

/// Admin rule: `manage-policies` needs the admin role and connection admin.
pub fn manage_policies(facts: &Facts<'_>) -> Outcome {
    if facts.role == Role::Admin && facts.connection_admin {
        Outcome::by_rule(true, Reason::ConnectionAdmin)
    } else {
        Outcome::by_rule(false, Reason::NotAdmin)
    }
}

/// Rule 3: explicit denies take priority over every grant.
pub fn explicit_deny(facts: &Facts<'_>) -> Option<Outcome> {
    facts
        .matched
        .iter()
        .find(|p| p.effect == Effect::Deny)
        .map(|p| Outcome::by_policy(false, Reason::DenyPolicy, p))
}

/// A guest is never granted a write action.
pub fn guest_ceiling(facts: &Facts<'_>) -> Option<Outcome> {
    (facts.role == Role::Guest && !facts.action.is_read_only()).then(|| Outcome::by_rule(false, Reason::GuestCeiling))
}

/// Rule 2, connection admins: every metadata action and `query` on the connection's assets.
pub fn connection_admin_grant(facts: &Facts<'_>) -> Option<Outcome> {
    let covered = matches!(facts.action, Action::Metadata(_) | Action::Data(_));
    (covered && facts.connection_admin).then(|| Outcome::by_rule(true, Reason::ConnectionAdmin))
}

/// Rule 2, personas: an enabled allow policy of a persona the user belongs to.
pub fn persona_grant(facts: &Facts<'_>) -> Option<Outcome> {
    first_allow(facts, OwnerKind::Persona).map(|p| Outcome::by_policy(true, Reason::PersonaGrant, p))
}

/// Rule 2, purposes: an enabled allow policy of a purpose that applies to the user and the
/// asset's tags.
pub fn purpose_grant(facts: &Facts<'_>) -> Option<Outcome> {
    first_allow(facts, OwnerKind::Purpose).map(|p| Outcome::by_policy(true, Reason::PurposeGrant, p))
}

fn first_allow<'a>(facts: &Facts<'a>, owner: OwnerKind) -> Option<&'a MatchedPolicy> {
    facts.matched.iter().find(|p| p.owner == owner && p.effect == Effect::Allow)
}

/// Rule 2, the glossary-read default: everyone reads glossaries, terms and categories.
pub fn glossary_default(facts: &Facts<'_>) -> Option<Outcome> {
    (facts.action == Action::Glossary(GlossaryAction::Read)).then(|| Outcome::by_rule(true, Reason::GlossaryDefault))
}

/// Rule 1: no grant, no access.
pub fn implicit_deny() -> Outcome {
    Outcome::by_rule(false, Reason::ImplicitDeny)
}

/// How restrictive a mask is: lower is stronger.
pub fn restrictiveness(mask: MaskType) -> u8 {
    match mask {
        MaskType::Nullify => 0,
        MaskType::Hash => 1,
        MaskType::Redact => 2,
        MaskType::ShowLast4 => 3,
        MaskType::ShowFirst4 => 4,
    }
}

/// Orders two mask policies: the stronger mask first, then by policy name, owner kind and owner
/// name. (Equal keys keep config order: callers take the first minimum.)
pub fn compare_masks(a: &MatchedPolicy, b: &MatchedPolicy) -> Ordering {
    let rank = |p: &MatchedPolicy| p.mask.map_or(u8::MAX, restrictiveness);
    rank(a)
        .cmp(&rank(b))
        .then_with(|| a.policy.cmp(&b.policy))
        .then_with(|| a.owner.cmp(&b.owner))
        .then_with(|| a.owner_name.cmp(&b.owner_name))
}

/// Masking: the most restrictive applicable mask policy.
pub fn strongest_mask(matched: &MatchedPolicies) -> Option<&MatchedPolicy> {
    let mut best: Option<&MatchedPolicy> = None;
    for candidate in matched.iter().filter(|p| p.effect == Effect::Mask && p.mask.is_some()) {
        best = match best {
            Some(current) if compare_masks(candidate, current) != Ordering::Less => Some(current),
            _ => Some(candidate),
        };
    }
    best
}
