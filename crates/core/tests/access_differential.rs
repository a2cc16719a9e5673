//! Differential test: the compiled engine must agree with the naive reference evaluator (written
//! straight from SPEC §2) on every decision — `allowed`, `reason`, `decidedBy`, `policies` and
//! their order, `mask`, `maskedBy` — and on every error, over 10,000 random configs with 25
//! random requests each (plus one table preview each); and the packed batch path of `decideMany`
//! must decide those requests exactly as the compiled engine does.
//!
//! The universe is small on purpose so that collisions are frequent: look-alike paths
//! (`…/DB` vs `…/DB2`, `…/1` vs `…/12`), shared tags, shared policy names across owners (mask
//! ties), users in several groups, disabled owners and policies, guests and admins.

// Test code: a failed unwrap or index is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use steward_core::access::batch::{self, RequestStrings, StringNumbering};
use steward_core::access::{
    reference, AccessConfig, Action, Asset, Connection, ConnectionAdmins, DataAction, DomainAction, Effect,
    GlossaryAction, Group, MetadataAction, Persona, Policy, PolicyEngine, PolicyKind, PreviewColumn, PreviewRequest,
    Purpose, Request, Resource, Role, User,
};
use steward_core::access::Decision;
use steward_core::masking::{MaskOptions, MaskType};

const USERS: [&str; 6] = ["u0", "u1", "u2", "u3", "u4", "u5"];
const GROUPS: [&str; 3] = ["g0", "g1", "g2"];
const TAGS: [&str; 4] = ["T0", "T1", "T2", "PII"];
const GLOSSARIES: [&str; 2] = ["G1", "G2"];
const ENTITY_PATHS: [&str; 10] = [
    "default/snowflake/1",
    "default/snowflake/1/DB",
    "default/snowflake/1/DB/S",
    "default/snowflake/1/DB/S/T",
    "default/snowflake/1/DB/S/T/C",
    "default/snowflake/1/DB2",
    "default/snowflake/1/DB2/S",
    "default/snowflake/12",
    "default/looker/2",
    "default/looker/2/P",
];
const DOMAIN_PATHS: [&str; 4] =
    ["default/domain/a/super", "default/domain/a/super/domain/b/super", "default/domain/a2/super", "default/domain/a/super/product/p/super"];
const ASSET_PATHS: [&str; 14] = [
    "default/snowflake/1",
    "default/snowflake/1/DB",
    "default/snowflake/1/DB/S",
    "default/snowflake/1/DB/S/T",
    "default/snowflake/1/DB/S/T/C",
    "default/snowflake/1/DB/S/T/C2",
    "default/snowflake/1/DB2/S/T",
    "default/snowflake/1/DBX",
    "default/snowflake/12/DB",
    "default/looker/2/P/dash",
    "default/looker/2",
    "default/other/3/X",
    "default/snowflake",
    "x",
];
const ASSET_TYPES: [&str; 7] = ["Table", "Column", "Connection", "AtlasGlossaryTerm", "AtlasGlossary", "DataDomain", "DataProduct"];

fn names(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn role() -> impl Strategy<Value = Role> {
    select(Role::ALL.to_vec())
}

fn actions_of(kind: PolicyKind, effect: Effect) -> Vec<Action> {
    match kind {
        PolicyKind::Metadata => MetadataAction::ALL.iter().copied().map(Action::Metadata).collect(),
        PolicyKind::Data => DataAction::ALL.iter().copied().map(Action::Data).collect(),
        PolicyKind::Glossary => GlossaryAction::ALL
            .iter()
            .copied()
            .filter(|a| effect != Effect::Deny || *a != GlossaryAction::Read)
            .map(Action::Glossary)
            .collect(),
        PolicyKind::Domain => DomainAction::ALL.iter().copied().map(Action::Domain).collect(),
    }
}

fn resource(kind: PolicyKind) -> BoxedStrategy<Resource> {
    let paths = match kind {
        PolicyKind::Metadata | PolicyKind::Data => ENTITY_PATHS.to_vec(),
        PolicyKind::Glossary => GLOSSARIES.to_vec(),
        PolicyKind::Domain => DOMAIN_PATHS.to_vec(),
    };
    prop_oneof![
        1 => Just(Resource::All),
        6 => select(paths).prop_map(move |p| match kind {
            PolicyKind::Metadata | PolicyKind::Data => Resource::Entity(p.parse().unwrap()),
            PolicyKind::Glossary => Resource::Glossary(p.to_owned()),
            PolicyKind::Domain => Resource::Domain(p.parse().unwrap()),
        }),
    ]
    .boxed()
}

/// A policy of a persona (`with_resources`) or a purpose; its name is set by the owner.
fn policy(persona: bool) -> BoxedStrategy<Policy> {
    let kinds = if persona { PolicyKind::ALL.to_vec() } else { vec![PolicyKind::Metadata, PolicyKind::Data] };
    (select(kinds), 0..3usize, select(MaskType::ALL.to_vec()), prop::bool::weighted(0.85))
        .prop_flat_map(move |(kind, effect_pick, mask, enabled)| {
            let effect = match (kind, effect_pick) {
                (_, 0) => Effect::Allow,
                (_, 1) => Effect::Deny,
                (PolicyKind::Data, _) => Effect::Mask,
                _ => Effect::Allow,
            };
            let all = actions_of(kind, effect);
            let count = all.len();
            let actions = subsequence(all, 1..=count.min(3));
            let resources = if persona { prop::collection::vec(resource(kind), 1..3).boxed() } else { Just(Vec::new()).boxed() };
            (actions, resources).prop_map(move |(actions, resources)| Policy {
                name: String::new(),
                kind,
                effect,
                actions,
                resources,
                mask: (effect == Effect::Mask).then_some(mask),
                enabled,
            })
        })
        .boxed()
}

fn named(mut policies: Vec<Policy>) -> Vec<Policy> {
    for (i, p) in policies.iter_mut().enumerate() {
        // The same names recur across owners, so mask ties across owners happen.
        p.name = format!("p{i}");
    }
    policies
}

fn persona() -> impl Strategy<Value = Persona> {
    (
        prop::bool::weighted(0.9),
        subsequence(USERS.to_vec(), 0..3),
        subsequence(GROUPS.to_vec(), 0..2),
        prop::collection::vec(policy(true), 0..5),
    )
        .prop_map(|(enabled, users, groups, policies)| Persona {
            name: String::new(),
            enabled,
            users: names(&users),
            groups: names(&groups),
            policies: named(policies),
        })
}

fn purpose() -> impl Strategy<Value = Purpose> {
    (
        prop::bool::weighted(0.9),
        subsequence(TAGS.to_vec(), 1..3),
        prop::bool::weighted(0.3),
        subsequence(USERS.to_vec(), 0..3),
        subsequence(GROUPS.to_vec(), 0..2),
        prop::collection::vec(policy(false), 0..4),
    )
        .prop_map(|(enabled, tags, all_users, users, groups, policies)| Purpose {
            name: String::new(),
            enabled,
            tags: names(&tags),
            all_users,
            users: names(&users),
            groups: names(&groups),
            policies: named(policies),
        })
}

fn connection_admins() -> impl Strategy<Value = ConnectionAdmins> {
    (subsequence(USERS.to_vec(), 0..2), subsequence(GROUPS.to_vec(), 0..2), subsequence(Role::ALL.to_vec(), 0..2))
        .prop_map(|(users, groups, roles)| ConnectionAdmins { users: names(&users), groups: names(&groups), roles })
}

fn config() -> impl Strategy<Value = AccessConfig> {
    (
        prop::collection::vec((role(), subsequence(GROUPS.to_vec(), 0..3)), USERS.len()),
        connection_admins(),
        connection_admins(),
        prop::collection::vec(persona(), 0..4),
        prop::collection::vec(purpose(), 0..4),
    )
        .prop_map(|(users, snow, looker, mut personas, mut purposes)| {
            for (i, p) in personas.iter_mut().enumerate() {
                // Reversed numbering: config order and name order differ.
                p.name = format!("persona-{}", 9 - i);
            }
            for (i, p) in purposes.iter_mut().enumerate() {
                p.name = format!("purpose-{}", 9 - i);
            }
            AccessConfig {
                users: users
                    .into_iter()
                    .zip(USERS)
                    .map(|((role, groups), name)| User { name: name.to_owned(), role, groups: names(&groups) })
                    .collect(),
                groups: GROUPS.iter().map(|g| Group::new(*g)).collect(),
                connections: vec![
                    Connection {
                        qualified_name: "default/snowflake/1".parse().unwrap(),
                        name: "Snowflake".into(),
                        connector: "snowflake".into(),
                        admins: snow,
                    },
                    Connection {
                        qualified_name: "default/looker/2".parse().unwrap(),
                        name: "Looker".into(),
                        connector: "looker".into(),
                        admins: looker,
                    },
                ],
                personas,
                purposes,
            }
        })
}

fn action_name() -> impl Strategy<Value = String> {
    let mut all: Vec<&str> = Vec::new();
    all.extend(MetadataAction::ALL.iter().map(|a| a.name()));
    all.extend(GlossaryAction::ALL.iter().map(|a| a.name()));
    all.extend(DomainAction::ALL.iter().map(|a| a.name()));
    all.extend(["query", "query", "query", "manage-policies", "manage-policies", "reed"]);
    all.sort_unstable();
    select(all).prop_map(str::to_owned)
}

fn asset() -> impl Strategy<Value = Asset> {
    (
        select(ASSET_PATHS.to_vec()),
        select(DOMAIN_PATHS.to_vec()),
        select(ASSET_TYPES.to_vec()),
        subsequence(TAGS.to_vec(), 0..4),
        prop::option::weighted(0.9, select(vec!["G1", "G2", "G3"])),
    )
        .prop_map(|(path, domain_path, type_name, tags, glossary)| {
            let path = if type_name.starts_with("Data") { domain_path } else { path };
            Asset { qualified_name: path.parse().unwrap(), type_name: type_name.to_owned(), tags: names(&tags), glossary: glossary.map(str::to_owned) }
        })
}

fn request() -> impl Strategy<Value = Request> {
    (select(vec!["u0", "u1", "u2", "u3", "u4", "u5", "nobody"]), action_name(), asset())
        .prop_map(|(user, action, asset)| Request { user: user.to_owned(), action, asset })
}

fn preview() -> impl Strategy<Value = PreviewRequest> {
    (
        select(USERS.to_vec()),
        select(vec!["default/snowflake/1/DB/S/T", "default/snowflake/1/DB2/S/T", "default/looker/2/P"]),
        prop::collection::vec((select(vec!["C", "C2", "ID"]), subsequence(TAGS.to_vec(), 0..3)), 0..4),
    )
        .prop_map(|(user, table, columns)| PreviewRequest {
            user: user.to_owned(),
            asset: Asset::new(table.parse().unwrap(), "Table"),
            columns: columns
                .into_iter()
                .map(|(name, tags)| PreviewColumn { name: name.to_owned(), tags: names(&tags), values: vec![Some("1234 Street".into()), None] })
                .collect(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn compiled_engine_agrees_with_the_reference_evaluator(
        config in config(),
        requests in prop::collection::vec(request(), 25),
        preview in preview(),
    ) {
        let engine = PolicyEngine::compile(&config).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for request in &requests {
            let compiled = engine.decide(request);
            let naive = reference::decide(&config, request);
            prop_assert_eq!(&compiled, &naive, "request {:?}", request);
        }
        let options = MaskOptions::default();
        prop_assert_eq!(engine.preview_table(&preview, &options), reference::preview_table(&config, &preview, &options));

        // The packed path behind the npm package's `decideMany` (strings numbered, requests
        // resolved a chunk at a time) decides every decidable request exactly as `decide`.
        let decidable: Vec<Request> = requests.iter().filter(|r| engine.decide(r).is_ok()).cloned().collect();
        let expected: Vec<Decision> = decidable.iter().filter_map(|r| engine.decide(r).ok()).collect();
        let encoded = StringNumbering::default().encode(&decidable);
        let mut strings = RequestStrings::default();
        prop_assert!(strings.extend(&encoded.fresh, encoded.fresh_count).is_ok());
        let mut out = Vec::new();
        prop_assert!(strings.decide_packed(&engine, &encoded.words, decidable.len(), true, &mut out).is_ok());
        prop_assert_eq!(batch::unpack(&engine, &out), Ok(expected));
    }
}

/// The same comparison at benchmark-like scale (fewer requests): the index is exercised with
/// many policies per key.
#[test]
fn compiled_engine_agrees_with_the_reference_on_a_generated_scenario() {
    use steward_core::access::scenario::{generate, requests, ScenarioSize};
    let size = ScenarioSize { personas: 60, purposes: 60, users: 300, groups: 20, connections: 4, assets: 3_000, tags: 8, policies_per_owner: 10 };
    let scenario = generate(size, 7);
    let engine = PolicyEngine::compile(&scenario.config).unwrap();
    let mut allowed = 0;
    for request in requests(&scenario, 3_000, 11) {
        let compiled = engine.decide(&request);
        assert_eq!(compiled, reference::decide(&scenario.config, &request), "{request:?}");
        allowed += usize::from(compiled.map(|d| d.allowed).unwrap_or(false));
    }
    assert!(allowed > 100, "the scenario should grant a fair share ({allowed})");
}
