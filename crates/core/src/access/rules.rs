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
//! Apart from the chain, [`admin_only`] decides what the catalog keeps to admin users (its type
//! definitions and the access-control entities themselves): the role alone settles it, so no
//! policy can grant or deny it either.
//!
//! Masks are computed apart from the grant: on an allowed `query`, every applicable mask policy
//! counts and the most restrictive wins (`NULLIFY` > `HASH` > `REDACT` > `SHOW_LAST_4` >
//! `SHOW_FIRST_4`), ties broken by policy name, then owner kind (persona first), then owner
//! name, then config order.

use std::cmp::Ordering;

use super::action::{Action, DataAction, Effect, GlossaryAction, Role};
use super::decision::{MatchedPolicy, OwnerKind, Reason, Verdict};
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
    /// Every applicable policy, in config order, as ids in `policies`.
    pub matched: &'a [u32],
    /// The engine's policy table, read only to break ties between masks by name.
    pub policies: &'a [MatchedPolicy],
    /// What the rules read of each policy of the table, by the same ids.
    pub effects: &'a [PolicyEffect],
}

/// What the rules read of a policy: its owner kind, effect and mask. Kept in a table of its own
/// beside the policies' names, so deciding reads three bytes per applicable policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyEffect {
    /// Persona or purpose.
    pub owner: OwnerKind,
    /// Its effect.
    pub effect: Effect,
    /// Its mask, for a mask policy.
    pub mask: Option<MaskType>,
}

impl PolicyEffect {
    /// The effect part of `policy`.
    pub fn of(policy: &MatchedPolicy) -> Self {
        PolicyEffect { owner: policy.owner, effect: policy.effect, mask: policy.mask }
    }
}

impl<'a> Facts<'a> {
    /// The applicable policies with their ids, in config order.
    fn matched(&self) -> impl Iterator<Item = (u32, PolicyEffect)> + 'a {
        let effects = self.effects;
        self.matched.iter().filter_map(move |id| effects.get(*id as usize).map(|p| (*id, *p)))
    }
}

/// A rule's verdict, before masks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Whether the action is permitted.
    pub allowed: bool,
    /// The rule.
    pub reason: Reason,
    /// The id of the deciding policy, if a policy decided.
    pub decided_by: Option<u32>,
}

impl Outcome {
    fn by_rule(allowed: bool, reason: Reason) -> Self {
        Outcome { allowed, reason, decided_by: None }
    }

    fn by_policy(allowed: bool, reason: Reason, policy: u32) -> Self {
        Outcome { allowed, reason, decided_by: Some(policy) }
    }
}

/// Applies every rule in precedence order and attaches the mask (see the module docs).
pub fn decide(facts: &Facts<'_>) -> Verdict {
    let action = facts.action;
    let outcome = if let Action::Admin(_) = action {
        manage_policies(facts)
    } else {
        explicit_deny(facts)
            .or_else(|| guest_ceiling(facts))
            .or_else(|| connection_admin_grant(facts))
            .or_else(|| persona_grant(facts))
            .or_else(|| purpose_grant(facts))
            .or_else(|| glossary_default(facts))
            .unwrap_or_else(implicit_deny)
    };
    let strongest = if outcome.allowed && action == Action::Data(DataAction::Query) { strongest_mask(facts) } else { None };
    Verdict {
        allowed: outcome.allowed,
        reason: outcome.reason,
        decided_by: outcome.decided_by,
        mask: strongest.map(|(_, mask)| mask),
        masked_by: strongest.map(|(id, _)| id),
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

/// Admin rule: the catalog's own configuration (type definitions, personas, purposes and their
/// policies) is read and changed by admin users only; no policy grants or denies it. Like
/// [`guest_ceiling`], it answers the refusal (`not-admin`) or `None` when it lets the user
/// through, which for these operations is all there is to decide. A user the config does not
/// know holds no role, so is refused.
pub fn admin_only(role: Option<Role>) -> Option<Outcome> {
    (role != Some(Role::Admin)).then(|| Outcome::by_rule(false, Reason::NotAdmin))
}

/// Rule 3: explicit denies take priority over every grant.
pub fn explicit_deny(facts: &Facts<'_>) -> Option<Outcome> {
    facts
        .matched()
        .find(|(_, p)| p.effect == Effect::Deny)
        .map(|(id, _)| Outcome::by_policy(false, Reason::DenyPolicy, id))
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
    first_allow(facts, OwnerKind::Persona).map(|id| Outcome::by_policy(true, Reason::PersonaGrant, id))
}

/// Rule 2, purposes: an enabled allow policy of a purpose that applies to the user and the
/// asset's tags.
pub fn purpose_grant(facts: &Facts<'_>) -> Option<Outcome> {
    first_allow(facts, OwnerKind::Purpose).map(|id| Outcome::by_policy(true, Reason::PurposeGrant, id))
}

fn first_allow(facts: &Facts<'_>, owner: OwnerKind) -> Option<u32> {
    facts.matched().find(|(_, p)| p.owner == owner && p.effect == Effect::Allow).map(|(id, _)| id)
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

/// Masking: the most restrictive applicable mask policy's id, with its mask.
pub fn strongest_mask(facts: &Facts<'_>) -> Option<(u32, MaskType)> {
    let mut best: Option<(u32, MaskType)> = None;
    let masks = facts.matched().filter_map(|(id, p)| if p.effect == Effect::Mask { p.mask.map(|mask| (id, mask)) } else { None });
    for candidate in masks {
        best = match best {
            Some(current) if !stronger(facts, candidate, current) => Some(current),
            _ => Some(candidate),
        };
    }
    best
}

/// Whether mask policy `a` beats `b` ([`compare_masks`]); names are read only on a tie of mask.
fn stronger(facts: &Facts<'_>, a: (u32, MaskType), b: (u32, MaskType)) -> bool {
    match restrictiveness(a.1).cmp(&restrictiveness(b.1)) {
        Ordering::Equal => match (facts.policies.get(a.0 as usize), facts.policies.get(b.0 as usize)) {
            (Some(a), Some(b)) => compare_masks(a, b) == Ordering::Less,
            _ => false,
        },
        order => order == Ordering::Less,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_admin_role_passes_the_admin_rule_and_everyone_else_is_not_admin() {
        assert_eq!(admin_only(Some(Role::Admin)), None);
        for role in [Some(Role::Member), Some(Role::Guest), None] {
            assert_eq!(admin_only(role), Some(Outcome::by_rule(false, Reason::NotAdmin)), "{role:?}");
        }
    }
}
