//! The compiled policy engine: a config is compiled once into an index; each decision then
//! looks up only the policies that can apply (by the asset's path prefixes, its glossary and its
//! tags, filtered by action bit and by the user's precomputed memberships) and hands them to the
//! rules in `rules.rs`.

use std::sync::Arc;

use super::action::{Action, ActionFamily, DataAction, DomainAction, Effect, GlossaryAction, MetadataAction, Role};
use super::config::ConfigErrors;
use super::decision::{Decision, MatchedPolicy, OwnerKind, Verdict};
use smallvec::SmallVec;

use super::index::{
    collect_members, name_hash, path_hash, prefixes, ActionIndex, ActionSet, BitRows, Entry, FxHashMap, NameTable,
    PathIndex, PathPolicies, TagEntries,
};
use super::model::{AccessConfig, Policy, Resource};
use super::preview::{self, Preview, PreviewRequest};
use super::request::{Request, RequestError, RequestView};
use super::rules;
use crate::masking::MaskOptions;

/// A request of a batch that could not be decided, with its position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("requests[{index}].{error}")]
pub struct BatchError {
    /// Position of the request in the batch.
    pub index: usize,
    /// What is wrong with it.
    pub error: RequestError,
}

/// An access config compiled for fast decisions. Build it once with
/// [`PolicyEngine::compile`], then call [`PolicyEngine::decide`] as often as needed.
#[derive(Debug, Clone)]
pub struct PolicyEngine {
    users: NameTable,
    roles: Vec<Role>,
    /// One row per user, so a decision reads one user's memberships from adjacent cache lines:
    /// column `p` — member of enabled persona `p`; column `purpose_column + q` — enabled purpose
    /// `q` names the user or a group of theirs; column `connection_column + c` — the user
    /// administers connection `c` (directly, by group or by role).
    memberships: BitRows,
    purpose_column: usize,
    connection_column: usize,
    /// Connections by qualified name, keyed by path hash so an asset's walk finds its own.
    connections: NameTable,
    /// Every `entity:` / `domain:` resource path, numbered.
    paths: PathIndex,
    /// Persona policies by resource path node and action.
    path_policies: PathPolicies,
    /// Every purpose tag, numbered.
    tags: NameTable,
    /// Policy id → the policy as a decision reports it (shared with the decisions).
    policies: Arc<[MatchedPolicy]>,
    /// Policy id → what the rules read of it.
    effects: Vec<rules::PolicyEffect>,
    /// The same while compiling.
    building: Vec<MatchedPolicy>,
    /// Persona policies by resource path and action slot while compiling.
    building_paths: Vec<(u32, u8, Entry)>,
    /// One index per action (see [`action_slot`]).
    actions: Vec<ActionIndex>,
}

/// Number of actions policies can list (metadata, data, glossary and domain actions).
const ACTION_SLOTS: usize =
    MetadataAction::ALL.len() + DataAction::ALL.len() + GlossaryAction::ALL.len() + DomainAction::ALL.len();

/// A connection's qualified name has three segments (`default/snowflake/1700000000`).
const CONNECTION_SEGMENTS: usize = 3;

// Action sets are bit sets of slots.
const _: () = assert!(ACTION_SLOTS <= ActionSet::BITS as usize);

/// A dense number for every action a policy can list; `None` for admin actions.
fn action_slot(action: Action) -> Option<usize> {
    let metadata = MetadataAction::ALL.len();
    let data = metadata + DataAction::ALL.len();
    let glossary = data + GlossaryAction::ALL.len();
    match action {
        Action::Metadata(a) => Some(a as usize),
        Action::Data(a) => Some(metadata + a as usize),
        Action::Glossary(a) => Some(data + a as usize),
        Action::Domain(a) => Some(glossary + a as usize),
        Action::Admin(_) => None,
    }
}

fn index_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl PolicyEngine {
    /// Validates `config` (refusing it whole on any problem) and compiles it.
    pub fn compile(config: &AccessConfig) -> Result<PolicyEngine, ConfigErrors> {
        config.validate()?;
        Ok(Self::compile_valid(config))
    }

    /// Parses, validates and compiles a config from JSON text.
    pub fn from_json_str(text: &str) -> Result<PolicyEngine, ConfigErrors> {
        AccessConfig::from_json_str(text).map(|config| Self::compile_valid(&config))
    }

    /// Parses, validates and compiles a config from a JSON value.
    pub fn from_value(value: &serde_json::Value) -> Result<PolicyEngine, ConfigErrors> {
        AccessConfig::from_value(value).map(|config| Self::compile_valid(&config))
    }

    /// Compiles a config that has passed validation.
    fn compile_valid(config: &AccessConfig) -> PolicyEngine {
        let mut users = NameTable::default();
        let mut roles = Vec::with_capacity(config.users.len());
        let mut group_members: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for (u, user) in config.users.iter().enumerate() {
            // Validation refused duplicate names, so user `u` is name number `u`.
            users.insert(name_hash(&user.name), &user.name);
            roles.push(user.role);
            for group in &user.groups {
                group_members.entry(group.as_str()).or_default().push(u);
            }
        }
        let user_index = |name: &str| users.get(name_hash(name), name).map(|u| u as usize);
        let members = |names: &[String], groups: &[String]| -> Vec<usize> {
            let mut out: Vec<usize> = names.iter().filter_map(|n| user_index(n)).collect();
            for group in groups {
                out.extend(group_members.get(group.as_str()).into_iter().flatten().copied());
            }
            out
        };

        let purpose_column = config.personas.len();
        let connection_column = purpose_column + config.purposes.len();
        let mut memberships = BitRows::new(config.users.len(), connection_column + config.connections.len());
        for (p, persona) in config.personas.iter().enumerate().filter(|(_, p)| p.enabled) {
            for u in members(&persona.users, &persona.groups) {
                memberships.set(u, p);
            }
        }
        for (q, purpose) in config.purposes.iter().enumerate().filter(|(_, q)| q.enabled) {
            for u in members(&purpose.users, &purpose.groups) {
                memberships.set(u, purpose_column + q);
            }
        }
        let mut connections = NameTable::default();
        for (c, connection) in config.connections.iter().enumerate() {
            // Validation refused duplicate names, so connection `c` is name number `c`.
            let name = connection.qualified_name.as_str();
            connections.insert(path_hash(name), name);
            for u in members(&connection.admins.users, &connection.admins.groups) {
                memberships.set(u, connection_column + c);
            }
            for (u, role) in roles.iter().enumerate() {
                if connection.admins.roles.contains(role) {
                    memberships.set(u, connection_column + c);
                }
            }
        }

        let mut engine = PolicyEngine {
            users,
            roles,
            memberships,
            purpose_column,
            connection_column,
            connections,
            paths: PathIndex::default(),
            path_policies: PathPolicies::default(),
            tags: NameTable::default(),
            policies: Arc::from(Vec::new()),
            effects: Vec::new(),
            building: Vec::new(),
            building_paths: Vec::new(),
            actions: vec![ActionIndex::default(); ACTION_SLOTS],
        };
        for purpose in config.purposes.iter().filter(|q| q.enabled) {
            for tag in &purpose.tags {
                engine.tag_number(tag);
            }
        }
        for index in &mut engine.actions {
            index.purpose_tags = vec![TagEntries::default(); engine.tags.len()];
        }
        for (p, persona) in config.personas.iter().enumerate().filter(|(_, p)| p.enabled) {
            let owner_name: Arc<str> = Arc::from(persona.name.as_str());
            for policy in persona.policies.iter().filter(|policy| policy.enabled) {
                let entry = engine.add_policy(OwnerKind::Persona, &owner_name, index_u32(p), policy);
                engine.index_persona_policy(policy, entry);
            }
        }
        for (q, purpose) in config.purposes.iter().enumerate().filter(|(_, q)| q.enabled) {
            let owner_name: Arc<str> = Arc::from(purpose.name.as_str());
            let mut tags: Vec<u32> = purpose.tags.iter().map(|tag| engine.tag_number(tag)).collect();
            tags.sort_unstable();
            tags.dedup();
            for policy in purpose.policies.iter().filter(|policy| policy.enabled) {
                let entry = engine.add_policy(OwnerKind::Purpose, &owner_name, index_u32(q), policy);
                let all_users = purpose.all_users;
                for index in engine.indexes_for(policy) {
                    for tag in &tags {
                        let Some(entries) = index.purpose_tags.get_mut(*tag as usize) else { continue };
                        if all_users {
                            entries.all_users.push(entry.policy);
                        } else {
                            entries.members.push(entry);
                        }
                    }
                }
            }
        }
        engine.effects = engine.building.iter().map(rules::PolicyEffect::of).collect();
        engine.policies = std::mem::take(&mut engine.building).into();
        engine.path_policies = PathPolicies::new(engine.paths.len(), std::mem::take(&mut engine.building_paths));
        engine
    }

    fn tag_number(&mut self, tag: &str) -> u32 {
        self.tags.insert(name_hash(tag), tag).unwrap_or(u32::MAX)
    }

    fn add_policy(&mut self, owner: OwnerKind, owner_name: &Arc<str>, owner_index: u32, policy: &Policy) -> Entry {
        let id = index_u32(self.building.len());
        self.building.push(MatchedPolicy {
            owner,
            owner_name: Arc::clone(owner_name),
            policy: Arc::from(policy.name.as_str()),
            kind: policy.kind,
            effect: policy.effect,
            mask: if policy.effect == Effect::Mask { policy.mask } else { None },
        });
        Entry { policy: id, owner: owner_index }
    }

    /// The indexes of every action the policy lists (each once).
    fn indexes_for(&mut self, policy: &Policy) -> impl Iterator<Item = &mut ActionIndex> {
        let mut slots: Vec<usize> = policy.actions.iter().filter_map(|a| action_slot(*a)).collect();
        slots.sort_unstable();
        slots.dedup();
        self.actions.iter_mut().enumerate().filter(move |(i, _)| slots.contains(i)).map(|(_, index)| index)
    }

    fn index_persona_policy(&mut self, policy: &Policy, entry: Entry) {
        let slots: Vec<u8> = policy.actions.iter().filter_map(|a| action_slot(*a)).filter_map(|s| u8::try_from(s).ok()).collect();
        for resource in &policy.resources {
            if let Resource::Entity(qn) | Resource::Domain(qn) = resource {
                if let Some(node) = self.paths.insert(qn.as_str()) {
                    self.building_paths.extend(slots.iter().map(|slot| (node, *slot, entry)));
                }
            }
        }
        for index in self.indexes_for(policy) {
            for resource in &policy.resources {
                match resource {
                    Resource::All => index.persona_all.push(entry),
                    Resource::Entity(_) | Resource::Domain(_) => {}
                    Resource::Glossary(name) => {
                        index.persona_glossaries.entry(Box::from(name.as_str())).or_default().push(entry)
                    }
                }
            }
        }
    }

    /// Decides one request (SPEC §2). Errors (unknown user, unknown action, action outside the
    /// asset type's family, glossary asset without its glossary) are never grants.
    pub fn decide(&self, request: &Request) -> Result<Decision, RequestError> {
        self.decide_view(&request.view())
    }

    /// Decides a request given as borrowed parts (see [`RequestView`]); the same decision as
    /// [`PolicyEngine::decide`] on the equivalent [`Request`].
    pub fn decide_view<T: AsRef<str>>(&self, request: &RequestView<'_, T>) -> Result<Decision, RequestError> {
        let user = self.user(request.user).ok_or_else(|| RequestError::UnknownUser(request.user.to_owned()))?;
        // The user's memberships are read last but fetched from memory now, beside the rest.
        self.memberships.touch(user as usize);
        let (_, action) = request.resolve_action()?;
        let mut nodes: SmallVec<[u32; 8]> = SmallVec::new();
        let connection = self.locate(request.qualified_name, |node| nodes.push(node));
        let tags: SmallVec<[u32; 8]> = request.tags.iter().filter_map(|tag| self.tag(tag.as_ref())).collect();
        let resolved = ResolvedRequest { user, action, connection, nodes: &nodes, tags: &tags, glossary: request.glossary };
        // Room for a typical decision's policies, so collecting them rarely reallocates.
        let mut ids = Vec::with_capacity(16);
        let verdict = self.decide_resolved(&resolved, &mut ids);
        Ok(Decision::from_verdict(verdict, &self.policies, ids))
    }

    /// Decides a request whose names are already resolved (see [`ResolvedRequest`]): the
    /// verdict, with the ids of every applicable policy left in `matched` (config order).
    pub fn decide_resolved(&self, request: &ResolvedRequest<'_>, matched: &mut Vec<u32>) -> Verdict {
        let user = request.user as usize;
        let role = self.roles.get(user).copied().unwrap_or(Role::Guest);
        let connection_admin = match request.action.family() {
            ActionFamily::Metadata | ActionFamily::Data | ActionFamily::Admin => request
                .connection
                .is_some_and(|c| self.memberships.get(user, self.connection_column + c as usize)),
            ActionFamily::Glossary | ActionFamily::Domain => false,
        };
        self.matching_policies(request, matched);
        rules::decide(&rules::Facts {
            role,
            action: request.action,
            connection_admin,
            matched,
            policies: &self.policies,
            effects: &self.effects,
        })
    }

    /// Starts loading the membership row of `user` (a [`PolicyEngine::user`] index) from
    /// memory, for a caller that resolves several requests before deciding them.
    pub(crate) fn fetch_memberships(&self, user: u32) {
        self.memberships.touch(user as usize);
    }

    /// The index of a user, by name.
    pub fn user(&self, name: &str) -> Option<u32> {
        self.users.get(name_hash(name), name)
    }

    /// Resolves an asset's qualified name in one walk over it: calls `visit` with every
    /// resource-path node ([`ResolvedRequest::nodes`]) that covers the asset (its own path and
    /// its ancestors that some persona policy names, shortest first) and returns the index of
    /// the asset's connection, if the config has it.
    pub fn locate(&self, qualified_name: &str, mut visit: impl FnMut(u32)) -> Option<u32> {
        let mut connection = None;
        for (segments, hash, prefix) in prefixes(qualified_name) {
            if segments == CONNECTION_SEGMENTS {
                connection = self.connections.get(hash, prefix);
            }
            if let Some(node) = self.paths.node(segments, hash, prefix) {
                visit(node);
            }
        }
        connection
    }

    /// The number of a tag some purpose names ([`ResolvedRequest::tags`]); `None` for any
    /// other tag, which no policy can match.
    pub fn tag(&self, tag: &str) -> Option<u32> {
        self.tags.get(name_hash(tag), tag)
    }

    /// Decides every request, in order; the first request that cannot be decided fails the batch
    /// with its position.
    pub fn decide_many(&self, requests: &[Request]) -> Result<Vec<Decision>, BatchError> {
        requests
            .iter()
            .enumerate()
            .map(|(index, request)| self.decide(request).map_err(|error| BatchError { index, error }))
            .collect()
    }

    /// What `user` would see in a table: per column, whether it may be queried, the mask, and
    /// the masked values (see [`preview::preview_table`]).
    pub fn preview_table(&self, request: &PreviewRequest, options: &MaskOptions) -> Result<Preview, RequestError> {
        preview::preview_table(|r| self.decide(r), request, options)
    }

    /// Every policy a decision can report, by id: [`Decision::policies`] and the packed batches
    /// ([`super::batch`]) list positions in this table. Lets a boundary send ids instead of
    /// policies.
    pub fn policy_table(&self) -> &[MatchedPolicy] {
        &self.policies
    }

    /// The policy table itself, for decisions built outside this module ([`super::batch::unpack`]).
    pub(crate) fn shared_policy_table(&self) -> &Arc<[MatchedPolicy]> {
        &self.policies
    }

    /// Whether the named user exists in the config.
    pub fn has_user(&self, name: &str) -> bool {
        self.user(name).is_some()
    }

    /// Every applicable policy, in config order (policy ids are assigned in config order).
    fn matching_policies(&self, request: &ResolvedRequest<'_>, ids: &mut Vec<u32>) {
        ids.clear();
        let Some(index) = action_slot(request.action).and_then(|slot| self.actions.get(slot)) else {
            return;
        };
        let user = request.user as usize;
        let member = |persona: u32| self.memberships.get(user, persona as usize);
        index.persona_all.collect(ids, member);
        if request.action.family() == ActionFamily::Glossary {
            if let Some(entries) = request.glossary.and_then(|g| index.persona_glossaries.get(g)) {
                entries.collect(ids, member);
            }
        } else if let Some(slot) = action_slot(request.action) {
            for node in request.nodes {
                collect_members(self.path_policies.of(*node, slot), ids, member);
            }
        }
        if !index.purpose_tags.is_empty() {
            for tag in request.tags {
                if let Some(entries) = index.purpose_tags.get(*tag as usize) {
                    ids.extend_from_slice(&entries.all_users);
                    entries.members.collect(ids, |purpose| {
                        self.memberships.get(user, self.purpose_column + purpose as usize)
                    });
                }
            }
        }
        // Each source is in config order; several sources need a merge (and may repeat a
        // policy with two covering resources or two matching tags).
        if !ids.windows(2).all(|w| w.first() < w.get(1)) {
            ids.sort_unstable();
            ids.dedup();
        }
    }
}

/// A request with its names resolved against one engine: what a decision reads. Built by
/// [`PolicyEngine::decide_view`], or by a caller that keeps resolved names across requests.
#[derive(Debug, Clone, Copy)]
pub struct ResolvedRequest<'a> {
    /// The user's index ([`PolicyEngine::user`]).
    pub user: u32,
    /// The action, in the family the asset's type takes.
    pub action: Action,
    /// The asset's connection ([`PolicyEngine::locate`]).
    pub connection: Option<u32>,
    /// The resource-path nodes covering the asset ([`PolicyEngine::locate`]).
    pub nodes: &'a [u32],
    /// The asset's tags that some purpose names ([`PolicyEngine::tag`]), in any order.
    pub tags: &'a [u32],
    /// The glossary of a glossary asset.
    pub glossary: Option<&'a str>,
}

