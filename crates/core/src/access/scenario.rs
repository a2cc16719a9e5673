//! Deterministic, seeded scenarios for benchmarks and tests: a large access config (personas,
//! purposes, users, groups, connections) and requests over many distinct assets. The default
//! size is the benchmark of the access issue: 1,000 personas + purposes × 10 policies, 10,000
//! users, 100,000 distinct assets with 0–3 tags.

use super::action::{
    Action, DataAction, DomainAction, Effect, GlossaryAction, MetadataAction, PolicyKind, Role,
};
use super::model::{AccessConfig, Connection, ConnectionAdmins, Group, Persona, Policy, Purpose, Resource, User};
use super::qualified_name::QualifiedName;
use super::request::{Asset, Request};
use crate::masking::MaskType;
use crate::seeded::SplitMix64;

/// How big a scenario is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScenarioSize {
    /// Number of personas.
    pub personas: usize,
    /// Number of purposes.
    pub purposes: usize,
    /// Policies per persona and per purpose.
    pub policies_per_owner: usize,
    /// Number of users.
    pub users: usize,
    /// Number of groups.
    pub groups: usize,
    /// Number of connections.
    pub connections: usize,
    /// Number of distinct assets requests are drawn from.
    pub assets: usize,
    /// Size of the tag vocabulary.
    pub tags: usize,
}

impl Default for ScenarioSize {
    /// The benchmark scale.
    fn default() -> Self {
        ScenarioSize {
            personas: 500,
            purposes: 500,
            policies_per_owner: 10,
            users: 10_000,
            groups: 200,
            connections: 20,
            assets: 100_000,
            tags: 50,
        }
    }
}

/// A generated config with the assets requests are drawn from.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The access config (valid).
    pub config: AccessConfig,
    /// Distinct assets: tables and columns (with 0–3 tags), glossary terms, domains, products.
    pub assets: Vec<Asset>,
}

/// True `p` times in 100, drawn as `below(100) < p`: the draw this scenario was first generated
/// with, so its data (and the figures in BENCHMARKS.md) stay the same.
fn percent(rng: &mut SplitMix64, p: usize) -> bool {
    rng.below(100) < p
}

const DATABASES: usize = 5;
const SCHEMAS: usize = 10;
const GLOSSARIES: usize = 10;
const DOMAINS: usize = 20;

fn connection_qn(c: usize) -> String {
    format!("default/snowflake/{}", 1_700_000_000 + c)
}

fn qn(text: String) -> QualifiedName {
    // Generated names never have empty segments.
    QualifiedName::from_generated(text)
}

fn tag_name(t: usize) -> String {
    if t == 0 {
        "PII".to_owned()
    } else {
        format!("TAG{t}")
    }
}

fn domain_qn(d: usize) -> String {
    format!("default/domain/d{}/super", d % DOMAINS)
}

/// Generates a scenario of the given size from a seed.
pub fn generate(size: ScenarioSize, seed: u64) -> Scenario {
    let mut rng = SplitMix64::new(seed);
    let groups: Vec<Group> = (0..size.groups).map(|g| Group::new(format!("group-{g}"))).collect();
    let users: Vec<User> = (0..size.users)
        .map(|u| {
            let role = match rng.below(100) {
                0..=1 => Role::Admin,
                2..=9 => Role::Guest,
                _ => Role::Member,
            };
            let count = 1 + rng.below(3);
            let mut member_of: Vec<String> =
                (0..count).filter_map(|_| rng.pick(&groups).map(|g| g.name.clone())).collect();
            member_of.sort();
            member_of.dedup();
            User { name: format!("user-{u}"), role, groups: member_of }
        })
        .collect();
    let connections: Vec<Connection> = (0..size.connections)
        .map(|c| Connection {
            qualified_name: qn(connection_qn(c)),
            name: format!("Snowflake {c}"),
            connector: "snowflake".to_owned(),
            admins: ConnectionAdmins {
                users: rng.pick(&users).map(|u| vec![u.name.clone()]).unwrap_or_default(),
                groups: rng.pick(&groups).map(|g| vec![g.name.clone()]).unwrap_or_default(),
                roles: if percent(&mut rng, 10) { vec![Role::Admin] } else { Vec::new() },
            },
        })
        .collect();

    let some_users = |rng: &mut SplitMix64, max: usize| -> Vec<String> {
        let n = rng.below(max + 1);
        let mut out: Vec<String> = (0..n).filter_map(|_| rng.pick(&users).map(|u| u.name.clone())).collect();
        out.sort();
        out.dedup();
        out
    };
    let mut personas = Vec::with_capacity(size.personas);
    for p in 0..size.personas {
        let member_users = some_users(&mut rng, 20);
        let mut member_groups: Vec<String> =
            (0..1 + rng.below(2)).filter_map(|_| rng.pick(&groups).map(|g| g.name.clone())).collect();
        member_groups.sort();
        member_groups.dedup();
        let policies = (0..size.policies_per_owner).map(|i| persona_policy(&mut rng, size, i)).collect();
        personas.push(Persona {
            name: format!("persona-{p}"),
            enabled: !percent(&mut rng, 3),
            users: member_users,
            groups: member_groups,
            policies,
        });
    }
    let mut purposes = Vec::with_capacity(size.purposes);
    for q in 0..size.purposes {
        let mut tags: Vec<String> = (0..1 + rng.below(2)).map(|_| tag_name(rng.below(size.tags.max(1)))).collect();
        tags.sort();
        tags.dedup();
        let all_users = percent(&mut rng, 20);
        let member_users = if all_users { Vec::new() } else { some_users(&mut rng, 10) };
        let mut member_groups: Vec<String> = if all_users {
            Vec::new()
        } else {
            (0..1 + rng.below(3)).filter_map(|_| rng.pick(&groups).map(|g| g.name.clone())).collect()
        };
        member_groups.sort();
        member_groups.dedup();
        let policies = (0..size.policies_per_owner).map(|i| purpose_policy(&mut rng, i)).collect();
        purposes.push(Purpose {
            name: format!("purpose-{q}"),
            enabled: !percent(&mut rng, 3),
            tags,
            all_users,
            users: member_users,
            groups: member_groups,
            policies,
        });
    }

    let assets = (0..size.assets).map(|i| asset(&mut rng, size, i)).collect();
    Scenario { config: AccessConfig { users, groups, connections, personas, purposes }, assets }
}

fn some_actions<T: Copy>(rng: &mut SplitMix64, all: &[T], wrap: fn(T) -> Action) -> Vec<Action> {
    let mut out: Vec<Action> = Vec::new();
    for _ in 0..1 + rng.below(3) {
        if let Some(a) = rng.pick(all) {
            let a = wrap(*a);
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

fn entity_resource(rng: &mut SplitMix64, size: ScenarioSize) -> Resource {
    let c = rng.below(size.connections);
    let connection = connection_qn(c);
    let text = match rng.below(100) {
        0 => return Resource::All,
        1..=10 => connection,
        11..=40 => format!("{connection}/DB{}", rng.below(DATABASES)),
        41..=80 => format!("{connection}/DB{}/S{}", rng.below(DATABASES), rng.below(SCHEMAS)),
        _ => {
            let tables = (size.assets / (size.connections.max(1) * DATABASES * SCHEMAS)).max(1);
            format!("{connection}/DB{}/S{}/T{}", rng.below(DATABASES), rng.below(SCHEMAS), rng.below(tables))
        }
    };
    Resource::Entity(qn(text))
}

fn persona_policy(rng: &mut SplitMix64, size: ScenarioSize, i: usize) -> Policy {
    let name = format!("policy-{i}");
    let (kind, effect, actions, resources, mask) = match rng.below(100) {
        0..=59 => {
            let effect = if percent(rng, 15) { Effect::Deny } else { Effect::Allow };
            let resources = (0..1 + rng.below(2)).map(|_| entity_resource(rng, size)).collect();
            (PolicyKind::Metadata, effect, some_actions(rng, MetadataAction::ALL, Action::Metadata), resources, None)
        }
        60..=84 => {
            let resources = (0..1 + rng.below(2)).map(|_| entity_resource(rng, size)).collect();
            let (effect, mask) = match rng.below(10) {
                0..=5 => (Effect::Allow, None),
                6 => (Effect::Deny, None),
                _ => (Effect::Mask, rng.pick(&MaskType::ALL).copied()),
            };
            (PolicyKind::Data, effect, vec![Action::Data(DataAction::Query)], resources, mask)
        }
        85..=94 => {
            let effect = if percent(rng, 15) { Effect::Deny } else { Effect::Allow };
            let mut actions = some_actions(rng, GlossaryAction::ALL, Action::Glossary);
            if effect == Effect::Deny {
                actions.retain(|a| *a != Action::Glossary(GlossaryAction::Read));
                if actions.is_empty() {
                    actions.push(Action::Glossary(GlossaryAction::Update));
                }
            }
            let resource = if percent(rng, 5) { Resource::All } else { Resource::Glossary(format!("glossary-{}", rng.below(GLOSSARIES))) };
            (PolicyKind::Glossary, effect, actions, vec![resource], None)
        }
        _ => {
            let effect = if percent(rng, 15) { Effect::Deny } else { Effect::Allow };
            let resource = if percent(rng, 5) { Resource::All } else { Resource::Domain(qn(domain_qn(rng.below(DOMAINS)))) };
            (PolicyKind::Domain, effect, some_actions(rng, DomainAction::ALL, Action::Domain), vec![resource], None)
        }
    };
    Policy { name, kind, effect, actions, resources, mask, enabled: !percent(rng, 3) }
}

fn purpose_policy(rng: &mut SplitMix64, i: usize) -> Policy {
    let name = format!("policy-{i}");
    if percent(rng, 50) {
        let effect = if percent(rng, 20) { Effect::Deny } else { Effect::Allow };
        let actions = some_actions(rng, MetadataAction::ALL, Action::Metadata);
        Policy { name, kind: PolicyKind::Metadata, effect, actions, resources: Vec::new(), mask: None, enabled: !percent(rng, 3) }
    } else {
        let (effect, mask) = match rng.below(10) {
            0..=3 => (Effect::Allow, None),
            4 => (Effect::Deny, None),
            _ => (Effect::Mask, rng.pick(&MaskType::ALL).copied()),
        };
        Policy {
            name,
            kind: PolicyKind::Data,
            effect,
            actions: vec![Action::Data(DataAction::Query)],
            resources: Vec::new(),
            mask,
            enabled: !percent(rng, 3),
        }
    }
}

fn asset(rng: &mut SplitMix64, size: ScenarioSize, i: usize) -> Asset {
    let tags: Vec<String> = {
        let mut tags: Vec<String> = (0..rng.below(4)).map(|_| tag_name(rng.below(size.tags.max(1)))).collect();
        tags.sort();
        tags.dedup();
        tags
    };
    match rng.below(100) {
        0..=4 => Asset {
            qualified_name: qn(format!("term-{i}@glossary-{}", i % GLOSSARIES)),
            type_name: "AtlasGlossaryTerm".to_owned(),
            tags,
            glossary: Some(format!("glossary-{}", i % GLOSSARIES)),
        },
        5..=6 => Asset {
            qualified_name: qn(format!("{}/product/p{i}/super", domain_qn(i))),
            type_name: "DataProduct".to_owned(),
            tags,
            glossary: None,
        },
        n => {
            let c = i % size.connections.max(1);
            let rest = i / size.connections.max(1);
            let table = format!(
                "{}/DB{}/S{}/T{}",
                connection_qn(c),
                rest % DATABASES,
                (rest / DATABASES) % SCHEMAS,
                rest / (DATABASES * SCHEMAS)
            );
            if n < 60 {
                Asset { qualified_name: qn(table), type_name: "Table".to_owned(), tags, glossary: None }
            } else {
                Asset { qualified_name: qn(format!("{table}/COL{}", n % 7)), type_name: "Column".to_owned(), tags, glossary: None }
            }
        }
    }
}

/// Requests over the scenario's assets: a random user (from the config), a random asset, and
/// an action of the family the asset's type takes.
pub fn requests(scenario: &Scenario, count: usize, seed: u64) -> Vec<Request> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let (Some(user), Some(asset)) = (rng.pick(&scenario.config.users), rng.pick(&scenario.assets)) else {
            break;
        };
        let action = match asset.type_name.as_str() {
            "AtlasGlossaryTerm" => rng.pick(GlossaryAction::ALL).map(|a| a.name()),
            "DataProduct" => rng.pick(DomainAction::ALL).map(|a| a.name()),
            _ if percent(&mut rng, 30) => Some("query"),
            _ => rng.pick(MetadataAction::ALL).map(|a| a.name()),
        }
        .unwrap_or("read");
        out.push(Request { user: user.name.clone(), action: action.to_owned(), asset: asset.clone() });
    }
    out
}
