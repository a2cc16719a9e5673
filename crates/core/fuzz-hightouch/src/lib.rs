//! The properties the Hightouch role-policy fuzz target checks on any input. Shared with the
//! corpus replay test in `crates/core/tests/hightouch_fuzz_corpus.rs` (included there by path),
//! so keep it free of anything but `steward_core` and `serde_json`.
//!
//! Input: a role-policy document, `{"version": "2022-04-26", "policies": [{"effect", "actions",
//! "resource", "conditions"?}]}`, as text. Invalid UTF-8 is skipped; anything else must be
//! parsed or refused cleanly.
//!
//! Properties:
//! - nothing panics;
//! - a refused document names at least one located problem;
//! - an accepted policy serialises to a document that parses back to the same statements and
//!   serialises to the same text again, and `to_json` is that document as a value;
//! - for every action × resource probed (the known names, `*`, an unknown one and the names the
//!   policy itself uses): `allows_named` agrees with `explain`; an allow comes from an
//!   unconditional allow statement naming both; a deny statement naming both (conditional or
//!   not) means denied; and the deciding statement is the first deny naming both, else the
//!   first unconditional allow, else none;
//! - the catalog check: `ok` exactly when nothing is missing or too broad; `missing` is the
//!   catalog resources without `read`, in catalog order; `too_broad` is every grant of an allow
//!   statement (conditional ones included) that is not `read` on a catalog resource and not
//!   taken away by an unconditional deny, once each, in document order.

use serde_json::Value;
use steward_core::hightouch::policy::{Action, Effect, Grant, Resource, RolePolicy, Statement};

/// Action names probed on every accepted policy, besides the policy's own.
const ACTIONS: [&str; 10] = ["read", "create", "update", "delete", "manage", "run", "preview", "approve", "*", "x"];
/// Resource names probed on every accepted policy, besides the policy's own.
const RESOURCES: [&str; 8] = ["workspace", "source", "destination", "model", "sync", "sync_templates", "*", "x"];
/// How many of the policy's own names are probed, each kind (keeps a long input fast).
const OWN_NAMES: usize = 16;

/// Checks every property on one input.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let policy = match RolePolicy::parse(text) {
        Ok(policy) => policy,
        Err(error) => {
            assert!(!error.problems.is_empty(), "a refused document names a problem");
            return;
        }
    };
    round_trip(&policy);
    decisions(&policy);
    catalog_check(&policy);
}

/// The policy serialises to its document, which reads back to the same statements and writes
/// the same document again. Numbers in `conditions` are `f64`s, which serde_json's default
/// (fast, not correctly rounded) parser may read one ULP off for long or extreme literals; they
/// are compared within that (conditions are never evaluated, and exact parsing would cost the
/// module 14 KB gzipped).
fn round_trip(policy: &RolePolicy) {
    let written = serde_json::to_string(policy);
    let Ok(written) = written else {
        unreachable!("a policy always serialises: {written:?}");
    };
    let reread = RolePolicy::parse(&written);
    assert!(
        matches!(&reread, Ok(again) if same_statements(&again.statements, &policy.statements)),
        "round trip of {written}: {reread:?}\nstatements: {:?}",
        policy.statements
    );
    let rewritten = reread.map(|again| serde_json::to_value(&again));
    let as_value = serde_json::from_str::<Value>(&written);
    assert!(
        matches!((&rewritten, &as_value), (Ok(Ok(again)), Ok(first)) if same_json(again, first)),
        "rewritten {rewritten:?}, written {written}"
    );
    assert!(matches!(&as_value, Ok(value) if same_json(value, &policy.to_json())), "to_json {} vs {as_value:?}", policy.to_json());
}

fn same_statements(a: &[Statement], b: &[Statement]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.effect == y.effect
                && x.actions == y.actions
                && x.resources == y.resources
                && match (&x.conditions, &y.conditions) {
                    (Some(p), Some(q)) => same_json(p, q),
                    (None, None) => true,
                    _ => false,
                }
        })
}

/// JSON equality with numbers compared as `f64` within a few ULPs.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(p), Some(q)) => p == q || (p - q).abs() <= 4.0 * f64::EPSILON * p.abs().max(q.abs()),
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w))),
        _ => a == b,
    }
}

/// Whether a statement's action covers `wanted`: `*` covers every action, a name itself.
fn action_covers(action: &Action, wanted: &Action) -> bool {
    *action == Action::Any || action == wanted
}

/// Whether a statement's resource covers `wanted`: `*` covers every resource, a name itself.
fn resource_covers(resource: &Resource, wanted: &Resource) -> bool {
    *resource == Resource::Any || resource == wanted
}

/// Whether the statement names both the action and the resource.
fn names_both(statement: &Statement, action: &Action, resource: &Resource) -> bool {
    statement.actions.iter().any(|a| action_covers(a, action)) && statement.resources.iter().any(|r| resource_covers(r, resource))
}

/// The names probed: the fixed ones, then the policy's own (a few, once each).
fn probes<'p>(fixed: &[&'p str], own: impl Iterator<Item = &'p str>) -> Vec<&'p str> {
    let mut names: Vec<&str> = fixed.to_vec();
    for name in own {
        if names.len() >= fixed.len() + OWN_NAMES {
            break;
        }
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// `explain` and `allows_named` against the rules, for every probed action × resource.
fn decisions(policy: &RolePolicy) {
    let statements = &policy.statements;
    let actions = probes(&ACTIONS, statements.iter().flat_map(|s| s.actions.iter().map(Action::as_str)));
    let resources = probes(&RESOURCES, statements.iter().flat_map(|s| s.resources.iter().map(Resource::as_str)));
    for a in &actions {
        for r in &resources {
            let (action, resource) = (Action::parse(a), Resource::parse(r));
            let explained = policy.explain(&action, &resource);
            let case = format!("\"{a}\" on \"{r}\": {explained:?}");
            assert_eq!(policy.allows_named(a, r), explained.allowed, "allows_named vs explain, {case}");
            assert_eq!(policy.allows(&action, &resource), explained.allowed, "allows vs explain, {case}");

            let decider = explained.statement.and_then(|i| statements.get(i));
            if explained.allowed {
                assert!(
                    decider.is_some_and(|s| s.effect == Effect::Allow && s.conditions.is_none() && names_both(s, &action, &resource)),
                    "an allow comes from an unconditional allow statement naming both, {case}"
                );
            }
            let denied_by_statement = statements.iter().any(|s| s.effect == Effect::Deny && names_both(s, &action, &resource));
            if denied_by_statement {
                assert!(!explained.allowed, "deny wins, {case}");
            }

            let first_deny = statements.iter().position(|s| s.effect == Effect::Deny && names_both(s, &action, &resource));
            let first_allow = statements
                .iter()
                .position(|s| s.effect == Effect::Allow && s.conditions.is_none() && names_both(s, &action, &resource));
            let expected = match (first_deny, first_allow) {
                (Some(i), _) => (false, Some(i), Some(Effect::Deny)),
                (None, Some(i)) => (true, Some(i), Some(Effect::Allow)),
                (None, None) => (false, None, None),
            };
            assert_eq!((explained.allowed, explained.statement, explained.effect), expected, "deciding statement, {case}");
            assert!(explained.message.contains(&format!("\"{action}\" on \"{resource}\"")), "message names the request, {case}");
        }
    }
}

/// The catalog's least-privilege check against the rules.
fn catalog_check(policy: &RolePolicy) {
    let check = policy.check_catalog_role();
    assert_eq!(check.ok, check.missing.is_empty() && check.too_broad.is_empty(), "ok, {check:?}");
    assert_eq!(check.warnings, policy.warnings, "the check carries the policy's warnings");

    for resource in &check.missing {
        assert!(Resource::CATALOG.contains(resource), "missing {resource:?} is not a catalog resource, {check:?}");
        assert!(!policy.allows(&Action::Read, resource), "missing {resource:?} is allowed, {check:?}");
    }
    for resource in Resource::CATALOG.iter().filter(|r| !check.missing.contains(r)) {
        assert!(policy.allows(&Action::Read, resource), "{resource:?} is neither missing nor allowed, {check:?}");
    }
    let expected_missing: Vec<Resource> = Resource::CATALOG.iter().filter(|r| !policy.allows(&Action::Read, r)).cloned().collect();
    assert_eq!(check.missing, expected_missing, "missing, in catalog order");

    for (i, grant) in check.too_broad.iter().enumerate() {
        assert!(
            !(grant.action == Action::Read && Resource::CATALOG.contains(&grant.resource)),
            "a needed read is too broad: {grant:?}"
        );
        assert!(!check.too_broad.iter().skip(i + 1).any(|g| g == grant), "{grant:?} is listed twice, {check:?}");
    }

    let mut expected_too_broad: Vec<Grant> = Vec::new();
    for statement in policy.statements.iter().filter(|s| s.effect == Effect::Allow) {
        for action in &statement.actions {
            for resource in &statement.resources {
                let needed = *action == Action::Read && Resource::CATALOG.contains(resource);
                let removed = policy
                    .statements
                    .iter()
                    .any(|d| d.effect == Effect::Deny && d.conditions.is_none() && names_both(d, action, resource));
                let grant = Grant { action: action.clone(), resource: resource.clone() };
                if !needed && !removed && !expected_too_broad.contains(&grant) {
                    expected_too_broad.push(grant);
                }
            }
        }
    }
    assert_eq!(check.too_broad, expected_too_broad, "too broad, in document order");
}
