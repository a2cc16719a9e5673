//! A deliberately naive evaluator written straight from SPEC §2: no index, no precomputation,
//! plain loops over the config. It exists to be obviously right; the differential tests check
//! that the compiled [`super::PolicyEngine`] agrees with it on every decision, including
//! `reason`, `decidedBy`, `policies` (and their order) and the mask.
//!
//! It shares only the vocabulary (types, request parsing) with the engine, not the rules.

use std::sync::Arc;

use super::action::{Action, ActionFamily, DataAction, Effect, GlossaryAction, PolicyKind, Role};
use super::decision::{Decision, MatchedPolicies, MatchedPolicy, OwnerKind, PolicyRef, Reason};
use super::model::{AccessConfig, Policy, Resource, User};
use super::preview::{self, Preview, PreviewRequest};
use super::qualified_name::covers;
use super::request::{Request, RequestError};
use crate::masking::{MaskOptions, MaskType};

/// Decides `request` against `config` by reading SPEC §2 literally.
pub fn decide(config: &AccessConfig, request: &Request) -> Result<Decision, RequestError> {
    let user = config
        .users
        .iter()
        .find(|u| u.name == request.user)
        .ok_or_else(|| RequestError::UnknownUser(request.user.clone()))?;
    let (_, action) = request.resolve_action()?;

    let policies = applicable_policies(config, user, action, request);
    let connection_admin = is_connection_admin(config, user, action, request);

    // manage-policies: only a user who is both an admin user and a connection admin.
    if action.family() == ActionFamily::Admin {
        let allowed = user.role == Role::Admin && connection_admin;
        let reason = if allowed { Reason::ConnectionAdmin } else { Reason::NotAdmin };
        return Ok(finish(allowed, reason, None, policies, action));
    }
    // Explicit denies take priority.
    if let Some(deny) = policies.iter().find(|p| p.effect == Effect::Deny) {
        let by = reference_to(deny);
        return Ok(finish(false, Reason::DenyPolicy, Some(by), policies, action));
    }
    // A guest is never granted a write action.
    let writes = !matches!(
        action,
        Action::Metadata(super::action::MetadataAction::Read)
            | Action::Data(DataAction::Query)
            | Action::Glossary(GlossaryAction::Read)
            | Action::Domain(super::action::DomainAction::Read)
    );
    if user.role == Role::Guest && writes {
        return Ok(finish(false, Reason::GuestCeiling, None, policies, action));
    }
    // Grants combine.
    if connection_admin && matches!(action.family(), ActionFamily::Metadata | ActionFamily::Data) {
        return Ok(finish(true, Reason::ConnectionAdmin, None, policies, action));
    }
    if let Some(grant) = policies.iter().find(|p| p.owner == OwnerKind::Persona && p.effect == Effect::Allow) {
        let by = reference_to(grant);
        return Ok(finish(true, Reason::PersonaGrant, Some(by), policies, action));
    }
    if let Some(grant) = policies.iter().find(|p| p.owner == OwnerKind::Purpose && p.effect == Effect::Allow) {
        let by = reference_to(grant);
        return Ok(finish(true, Reason::PurposeGrant, Some(by), policies, action));
    }
    if action == Action::Glossary(GlossaryAction::Read) {
        return Ok(finish(true, Reason::GlossaryDefault, None, policies, action));
    }
    // Denied by default.
    Ok(finish(false, Reason::ImplicitDeny, None, policies, action))
}

/// The reference preview: the same preview built on the reference `decide`.
pub fn preview_table(config: &AccessConfig, request: &PreviewRequest, options: &MaskOptions) -> Result<Preview, RequestError> {
    preview::preview_table(|r| decide(config, r), request, options)
}

fn reference_to(policy: &MatchedPolicy) -> PolicyRef {
    PolicyRef::new(policy.owner, policy.owner_name.clone(), policy.policy.clone())
}

fn finish(allowed: bool, reason: Reason, decided_by: Option<PolicyRef>, policies: Vec<MatchedPolicy>, action: Action) -> Decision {
    let mut mask = None;
    let mut masked_by = None;
    if allowed && action == Action::Data(DataAction::Query) {
        // Most restrictive wins; ties by policy name, then persona before purpose, then owner name.
        let order = [MaskType::Nullify, MaskType::Hash, MaskType::Redact, MaskType::ShowLast4, MaskType::ShowFirst4];
        'search: for strength in order {
            let mut candidates: Vec<&MatchedPolicy> =
                policies.iter().filter(|p| p.effect == Effect::Mask && p.mask == Some(strength)).collect();
            candidates.sort_by(|a, b| {
                (a.policy.as_ref(), a.owner, a.owner_name.as_ref()).cmp(&(b.policy.as_ref(), b.owner, b.owner_name.as_ref()))
            });
            if let Some(winner) = candidates.first() {
                mask = Some(strength);
                masked_by = Some(reference_to(winner));
                break 'search;
            }
        }
    }
    Decision { allowed, reason, decided_by, policies: MatchedPolicies::from_vec(policies), mask, masked_by }
}

fn in_groups(user: &User, groups: &[String]) -> bool {
    user.groups.iter().any(|g| groups.contains(g))
}

fn is_connection_admin(config: &AccessConfig, user: &User, action: Action, request: &Request) -> bool {
    if matches!(action.family(), ActionFamily::Glossary | ActionFamily::Domain) {
        return false;
    }
    let segments: Vec<&str> = request.asset.qualified_name.as_str().split('/').collect();
    if segments.len() < 3 {
        return false;
    }
    let connection_qn = segments.iter().take(3).copied().collect::<Vec<_>>().join("/");
    config.connections.iter().filter(|c| c.qualified_name.as_str() == connection_qn).any(|c| {
        c.admins.users.contains(&user.name) || in_groups(user, &c.admins.groups) || c.admins.roles.contains(&user.role)
    })
}

fn kind_of(action: Action) -> Option<PolicyKind> {
    match action.family() {
        ActionFamily::Metadata => Some(PolicyKind::Metadata),
        ActionFamily::Data => Some(PolicyKind::Data),
        ActionFamily::Glossary => Some(PolicyKind::Glossary),
        ActionFamily::Domain => Some(PolicyKind::Domain),
        ActionFamily::Admin => None,
    }
}

fn policy_applies(policy: &Policy, action: Action) -> bool {
    policy.enabled && Some(policy.kind) == kind_of(action) && policy.actions.contains(&action)
}

fn matched(owner: OwnerKind, owner_name: &str, policy: &Policy) -> MatchedPolicy {
    MatchedPolicy {
        owner,
        owner_name: Arc::from(owner_name),
        policy: Arc::from(policy.name.as_str()),
        kind: policy.kind,
        effect: policy.effect,
        mask: if policy.effect == Effect::Mask { policy.mask } else { None },
    }
}

/// Every policy that applies: personas (member, enabled, resource covers the asset), then
/// purposes (applies to the user, enabled, a tag in common), in config order.
fn applicable_policies(config: &AccessConfig, user: &User, action: Action, request: &Request) -> Vec<MatchedPolicy> {
    let asset = &request.asset;
    let mut out = Vec::new();
    for persona in &config.personas {
        let member = persona.users.contains(&user.name) || in_groups(user, &persona.groups);
        if !persona.enabled || !member {
            continue;
        }
        for policy in &persona.policies {
            if !policy_applies(policy, action) {
                continue;
            }
            let covered = policy.resources.iter().any(|resource| match resource {
                Resource::All => true,
                Resource::Entity(qn) | Resource::Domain(qn) => covers(qn.as_str(), asset.qualified_name.as_str()),
                Resource::Glossary(name) => asset.glossary.as_deref() == Some(name.as_str()),
            });
            if covered {
                out.push(matched(OwnerKind::Persona, &persona.name, policy));
            }
        }
    }
    for purpose in &config.purposes {
        let applies = purpose.all_users || purpose.users.contains(&user.name) || in_groups(user, &purpose.groups);
        let tagged = purpose.tags.iter().any(|t| asset.tags.contains(t));
        if !purpose.enabled || !applies || !tagged {
            continue;
        }
        for policy in &purpose.policies {
            if policy_applies(policy, action) {
                out.push(matched(OwnerKind::Purpose, &purpose.name, policy));
            }
        }
    }
    out
}
