//! Batches of requests as numbers, for a boundary where strings are costly to cross (the npm
//! package's `decideMany`). The caller numbers every distinct string it sends (users, actions,
//! qualified names, type names, tags, glossaries) and sends each string once; a request is then
//! a few numbers. Each string is resolved against the engine once, on first use in each role
//! (the user's index, the asset's connection and covering resource paths, a tag's number, an
//! action per asset class), so a repeated user or asset costs no hashing at all. The caller's
//! side is `js/access.js` for the npm package and [`StringNumbering`] / [`unpack`] for Rust.
//!
//! Requests, per request: `[user, action, qualifiedName, typeName, glossary, n, tag × n]`, each
//! a string id, with glossary `0` for none and `id + 1` otherwise.
//!
//! Decisions, per request: `[flags, decidedBy + 1, maskedBy + 1, n, policy id × n]` with
//! `flags = allowed | reason << 1 | mask << 4` (positions in [`REASONS`] and `MaskType::ALL`,
//! mask 0 meaning none) and 0 meaning "no policy" for `decidedBy` / `maskedBy`. Policy ids are
//! positions in [`PolicyEngine::policy_table`]. Without `explain`, `n` is 0 and no ids follow.
//!
//! Anything this path cannot decide exactly as [`PolicyEngine::decide`] (an unknown user or
//! action, an invalid qualified name, a glossary asset without its glossary, an unknown string
//! id) makes the whole batch [`Unsupported`]: the caller then takes the path that reports the
//! located error.

use std::collections::HashMap;

use super::action::{Action, AssetClass};
use super::decision::{Decision, Reason, Verdict};
use super::engine::{PolicyEngine, ResolvedRequest};
use super::qualified_name;
use super::request::Request;
use crate::masking::MaskType;

use smallvec::SmallVec;

/// Words before a request's tags: user, action, qualified name, type name, glossary, tag count.
pub const REQUEST_HEADER_WORDS: usize = 6;
/// Words before a decision's policy ids: flags, decidedBy + 1, maskedBy + 1, id count.
pub const DECISION_HEADER_WORDS: usize = 4;
/// Where a decision's reason sits in its flags (its position in [`REASONS`]).
pub const FLAGS_REASON_SHIFT: u32 = 1;
/// Where a decision's mask sits in its flags (1 + its position in `MaskType::ALL`, 0 for none).
pub const FLAGS_MASK_SHIFT: u32 = 4;
/// The width of the reason and the mask fields in the flags.
pub const FLAGS_FIELD: u32 = 0b111;

/// Decision reasons by their packed number.
pub const REASONS: [Reason; 8] = [
    Reason::DenyPolicy,
    Reason::ConnectionAdmin,
    Reason::PersonaGrant,
    Reason::PurposeGrant,
    Reason::GlossaryDefault,
    Reason::GuestCeiling,
    Reason::NotAdmin,
    Reason::ImplicitDeny,
];

/// The batch holds something only the located-error path can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the batch needs the JSON path")]
pub struct Unsupported;

/// Not resolved yet in this role.
const UNRESOLVED: u32 = u32::MAX;
/// Resolved to nothing (an unknown user, an invalid qualified name, a tag no purpose names).
const ABSENT: u32 = u32::MAX - 1;
/// An [`AssetFacts::connection`] for a qualified name outside every configured connection.
const NO_CONNECTION: u32 = u32::MAX;

const CLASSES: [AssetClass; 4] = [AssetClass::Glossary, AssetClass::Domain, AssetClass::Connection, AssetClass::Asset];

/// How many covering nodes a qualified name's facts hold in place (a table's connection,
/// database and schema, with room to spare); longer lists live in `RequestStrings::spilled`.
const INLINE_NODES: usize = 6;

/// A qualified name's facts, 32 bytes aligned to 32, so resolving an asset reads one place
/// in memory: with 100,000 distinct assets in a batch each one is a cache miss, and there
/// used to be three per asset (the string's facts, the asset's, its nodes).
#[derive(Debug, Clone, Copy)]
#[repr(C, align(32))]
struct AssetFacts {
    /// The connection's index, or [`NO_CONNECTION`].
    connection: u32,
    /// How many resource-path nodes cover the asset.
    len: u32,
    /// Those nodes when `len <= INLINE_NODES`; otherwise `[start, end]` in `spilled`.
    nodes: [u32; INLINE_NODES],
}

/// The strings a caller has sent to one engine, numbered in the order they came, and what each
/// resolves to there. Bounded by the caller: [`RequestStrings::MAX`] strings at most; the caller
/// starts over ([`RequestStrings::clear`]) before going past it.
///
/// What a string resolves to is kept per role, in one table per role indexed by string id
/// (`UNRESOLVED` until the string is first used in that role): 4 bytes a string, so the
/// tables a batch reads for every request (users, assets) stay in cache where one record per
/// string holding every role would not.
#[derive(Debug, Default, Clone)]
pub struct RequestStrings {
    strings: Vec<Box<str>>,
    /// The user's index in the engine, or `ABSENT`.
    users: Vec<u32>,
    /// The tag's number in the engine, or `ABSENT`.
    tags: Vec<u32>,
    /// Index into `asset_facts`, or `ABSENT` (not a valid qualified name).
    assets: Vec<u32>,
    /// Index into `action_classes`.
    actions: Vec<u32>,
    /// [`AssetClass`] position in [`CLASSES`] of a type name; `u8::MAX` until resolved.
    classes: Vec<u8>,
    asset_facts: Vec<AssetFacts>,
    /// Covering nodes of the qualified names that have more than `INLINE_NODES`.
    spilled: Vec<u32>,
    /// Per action string: the action it names for each class in [`CLASSES`].
    action_classes: Vec<[Option<Action>; 4]>,
    /// Scratch space reused across requests: the tags of a chunk's requests, a chunk of
    /// resolved requests, the policies one decision matched.
    request_tags: Vec<u32>,
    pending: Vec<Pending>,
    matched: Vec<u32>,
}

/// How many requests [`RequestStrings::decide_packed`] resolves before deciding them. Resolving
/// reads memory no other request shares (the asset's facts, the user's membership row): with
/// many distinct assets each read misses the cache, and issuing a chunk's reads back to back
/// lets them overlap instead of each stalling the decision that needs it.
const CHUNK: usize = 16;

/// A request resolved, waiting in its chunk to be decided.
#[derive(Debug, Clone, Copy)]
struct Pending {
    user: u32,
    action: Action,
    asset: AssetFacts,
    /// String id of the glossary of a glossary asset.
    glossary: Option<u32>,
    /// Its tags' range in `RequestStrings::request_tags`.
    tags: (usize, usize),
}

impl RequestStrings {
    /// The most strings a table holds.
    pub const MAX: usize = 1 << 20;

    /// How many strings have been numbered.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// Whether no string has been numbered.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// Forgets every string (the caller's numbering starts again at 0).
    pub fn clear(&mut self) {
        *self = RequestStrings::default();
    }

    /// Numbers `count` new strings, NUL-separated in `text`, after the ones already known.
    /// Refuses (adding none) when `text` does not hold exactly `count` fields (a string with a
    /// NUL in it would shift every later id) or the table would exceed [`RequestStrings::MAX`].
    pub fn extend(&mut self, text: &str, count: usize) -> Result<(), Unsupported> {
        if count == 0 {
            return if text.is_empty() { Ok(()) } else { Err(Unsupported) };
        }
        let separators = text.bytes().filter(|b| *b == 0).count();
        if separators.checked_add(1) != Some(count) || self.strings.len().saturating_add(count) > Self::MAX {
            return Err(Unsupported);
        }
        self.strings.extend(text.split('\0').map(Box::from));
        let len = self.strings.len();
        for table in [&mut self.users, &mut self.tags, &mut self.assets, &mut self.actions] {
            table.resize(len, UNRESOLVED);
        }
        self.classes.resize(len, u8::MAX);
        Ok(())
    }

    /// Decides `count` requests encoded in `requests` (see the module docs), appending packed
    /// decisions to `out`. On [`Unsupported`], `out` holds a partial answer to be discarded.
    pub fn decide_packed(
        &mut self,
        engine: &PolicyEngine,
        requests: &[u32],
        count: usize,
        explain: bool,
        out: &mut Vec<u32>,
    ) -> Result<(), Unsupported> {
        let mut words = requests.iter().copied();
        let mut next = || words.next().ok_or(Unsupported);
        out.reserve(count.saturating_mul(if explain { 12 } else { 4 }));
        let mut matched = std::mem::take(&mut self.matched);
        let mut tags = std::mem::take(&mut self.request_tags);
        let mut pending = std::mem::take(&mut self.pending);
        let mut left = count;
        while left > 0 {
            // Resolve a chunk of requests, then decide them: see [`CHUNK`].
            let chunk = left.min(CHUNK);
            left -= chunk;
            pending.clear();
            tags.clear();
            for _ in 0..chunk {
                let user = self.user(engine, next()?)?;
                engine.fetch_memberships(user);
                let action = next()?;
                let asset = self.asset(engine, next()?)?;
                let class = self.class(next()?)?;
                let glossary = match next()? {
                    0 => None,
                    id => (!self.text(id - 1)?.is_empty()).then_some(id - 1),
                };
                let action = self.action(action, class, glossary.is_some())?;
                let first_tag = tags.len();
                for _ in 0..next()? {
                    if let Some(tag) = self.tag(engine, next()?)? {
                        tags.push(tag);
                    }
                }
                pending.push(Pending { user, action, asset, glossary, tags: (first_tag, tags.len()) });
            }
            for request in &pending {
                let (first_tag, end_tag) = request.tags;
                let resolved = ResolvedRequest {
                    user: request.user,
                    action: request.action,
                    connection: (request.asset.connection != NO_CONNECTION).then_some(request.asset.connection),
                    nodes: self.nodes(&request.asset),
                    tags: tags.get(first_tag..end_tag).unwrap_or_default(),
                    glossary: request.glossary.and_then(|g| self.text(g).ok()),
                };
                let verdict = engine.decide_resolved(&resolved, &mut matched);
                pack(&verdict, &matched, explain, out);
            }
        }
        self.matched = matched;
        self.request_tags = tags;
        self.pending = pending;
        if words.next().is_some() {
            return Err(Unsupported);
        }
        Ok(())
    }

    fn text(&self, id: u32) -> Result<&str, Unsupported> {
        self.strings.get(id as usize).map(|s| &**s).ok_or(Unsupported)
    }

    /// The entry of string `id` in a per-role table.
    fn slot(table: &mut [u32], id: u32) -> Result<&mut u32, Unsupported> {
        table.get_mut(id as usize).ok_or(Unsupported)
    }

    fn user(&mut self, engine: &PolicyEngine, id: u32) -> Result<u32, Unsupported> {
        let mut user = *Self::slot(&mut self.users, id)?;
        if user == UNRESOLVED {
            user = engine.user(self.text(id)?).unwrap_or(ABSENT);
            *Self::slot(&mut self.users, id)? = user;
        }
        if user == ABSENT {
            Err(Unsupported)
        } else {
            Ok(user)
        }
    }

    fn tag(&mut self, engine: &PolicyEngine, id: u32) -> Result<Option<u32>, Unsupported> {
        let mut tag = *Self::slot(&mut self.tags, id)?;
        if tag == UNRESOLVED {
            tag = engine.tag(self.text(id)?).unwrap_or(ABSENT);
            *Self::slot(&mut self.tags, id)? = tag;
        }
        Ok((tag != ABSENT).then_some(tag))
    }

    fn asset(&mut self, engine: &PolicyEngine, id: u32) -> Result<AssetFacts, Unsupported> {
        let mut asset = *Self::slot(&mut self.assets, id)?;
        if asset == UNRESOLVED {
            asset = self.resolve_asset(engine, id)?;
            *Self::slot(&mut self.assets, id)? = asset;
        }
        self.asset_facts.get(asset as usize).copied().ok_or(Unsupported)
    }

    fn resolve_asset(&mut self, engine: &PolicyEngine, id: u32) -> Result<u32, Unsupported> {
        let Some(name) = self.strings.get(id as usize) else { return Err(Unsupported) };
        if qualified_name::check(name).is_err() {
            return Ok(ABSENT);
        }
        let mut covering: SmallVec<[u32; INLINE_NODES]> = SmallVec::new();
        let connection = engine.locate(name, |node| covering.push(node)).unwrap_or(NO_CONNECTION);
        let mut nodes = [0; INLINE_NODES];
        if let Some(inline) = nodes.get_mut(..covering.len()) {
            inline.copy_from_slice(&covering);
        } else {
            let start = u32::try_from(self.spilled.len()).map_err(|_| Unsupported)?;
            self.spilled.extend_from_slice(&covering);
            let end = u32::try_from(self.spilled.len()).map_err(|_| Unsupported)?;
            nodes[0] = start;
            nodes[1] = end;
        }
        let len = u32::try_from(covering.len()).map_err(|_| Unsupported)?;
        self.asset_facts.push(AssetFacts { connection, len, nodes });
        u32::try_from(self.asset_facts.len() - 1).map_err(|_| Unsupported)
    }

    /// The resource-path nodes covering an asset.
    fn nodes<'a>(&'a self, asset: &'a AssetFacts) -> &'a [u32] {
        let len = asset.len as usize;
        match asset.nodes.get(..len) {
            Some(inline) => inline,
            None => {
                let [start, end, ..] = asset.nodes;
                self.spilled.get(start as usize..end as usize).unwrap_or_default()
            }
        }
    }

    fn class(&mut self, id: u32) -> Result<usize, Unsupported> {
        let mut class = *self.classes.get(id as usize).ok_or(Unsupported)?;
        if class == u8::MAX {
            let of = AssetClass::of(self.text(id)?);
            class = CLASSES.iter().position(|c| *c == of).and_then(|c| u8::try_from(c).ok()).ok_or(Unsupported)?;
            *self.classes.get_mut(id as usize).ok_or(Unsupported)? = class;
        }
        Ok(usize::from(class))
    }

    /// The action `id` names on an asset of class `class` (an index in [`CLASSES`]); glossary
    /// assets must name their glossary.
    fn action(&mut self, id: u32, class: usize, has_glossary: bool) -> Result<Action, Unsupported> {
        let mut action = *Self::slot(&mut self.actions, id)?;
        if action == UNRESOLVED {
            let name = self.text(id)?;
            let per_class = CLASSES.map(|c| c.action(name));
            self.action_classes.push(per_class);
            action = u32::try_from(self.action_classes.len() - 1).map_err(|_| Unsupported)?;
            *Self::slot(&mut self.actions, id)? = action;
        }
        let resolved = self.action_classes.get(action as usize).and_then(|per_class| per_class.get(class).copied().flatten());
        match (resolved, CLASSES.get(class)) {
            (Some(_), Some(AssetClass::Glossary)) if !has_glossary => Err(Unsupported),
            (Some(action), _) => Ok(action),
            (None, _) => Err(Unsupported),
        }
    }
}

/// The caller's side of the protocol for Rust callers (the npm package's is `js/access.js`):
/// numbers every distinct string the first time a batch uses it, across batches.
#[derive(Debug, Default, Clone)]
pub struct StringNumbering {
    ids: HashMap<String, u32>,
}

/// One batch as [`StringNumbering::encode`] numbers it: what
/// [`RequestStrings::extend`] and [`RequestStrings::decide_packed`] take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedBatch {
    /// The requests as string ids (see the module docs).
    pub words: Vec<u32>,
    /// The strings numbered for this batch, NUL-separated, in the order of their ids.
    pub fresh: String,
    /// How many strings `fresh` holds.
    pub fresh_count: usize,
}

impl StringNumbering {
    /// Numbers the strings of `batch` (a string holding a NUL makes
    /// [`RequestStrings::extend`] refuse the batch).
    pub fn encode(&mut self, batch: &[Request]) -> EncodedBatch {
        let mut fresh: Vec<&str> = Vec::new();
        let mut words = Vec::with_capacity(batch.len() * 8);
        for request in batch {
            let asset = &request.asset;
            for name in [request.user.as_str(), &request.action, asset.qualified_name.as_str(), &asset.type_name] {
                words.push(self.id(name, &mut fresh));
            }
            words.push(asset.glossary.as_deref().map_or(0, |g| self.id(g, &mut fresh).saturating_add(1)));
            words.push(u32::try_from(asset.tags.len()).unwrap_or(u32::MAX));
            for tag in &asset.tags {
                words.push(self.id(tag, &mut fresh));
            }
        }
        EncodedBatch { words, fresh_count: fresh.len(), fresh: fresh.join("\0") }
    }

    fn id<'a>(&mut self, name: &'a str, fresh: &mut Vec<&'a str>) -> u32 {
        let next = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        *self.ids.entry(name.to_owned()).or_insert_with(|| {
            fresh.push(name);
            next
        })
    }
}

/// Reads packed decisions (see the module docs) back into [`Decision`]s, the policy ids
/// resolved in `engine`'s policy table; [`Unsupported`] if the words are not such decisions.
pub fn unpack(engine: &PolicyEngine, words: &[u32]) -> Result<Vec<Decision>, Unsupported> {
    let table = engine.shared_policy_table();
    let mut decisions = Vec::new();
    let mut rest = words;
    while let [flags, decided_by, masked_by, n, tail @ ..] = rest {
        let n = *n as usize;
        let (ids, after) = (tail.get(..n).ok_or(Unsupported)?, tail.get(n..).ok_or(Unsupported)?);
        let mask = match (flags >> FLAGS_MASK_SHIFT) & FLAGS_FIELD {
            0 => None,
            m => Some(*MaskType::ALL.get(m as usize - 1).ok_or(Unsupported)?),
        };
        let verdict = Verdict {
            allowed: flags & 1 == 1,
            reason: *REASONS.get(((flags >> FLAGS_REASON_SHIFT) & FLAGS_FIELD) as usize).ok_or(Unsupported)?,
            decided_by: decided_by.checked_sub(1),
            mask,
            masked_by: masked_by.checked_sub(1),
        };
        decisions.push(Decision::from_verdict(verdict, table, ids.to_vec()));
        rest = after;
    }
    if rest.is_empty() {
        Ok(decisions)
    } else {
        Err(Unsupported)
    }
}

/// Appends one packed decision (see the module docs).
fn pack(verdict: &Verdict, matched: &[u32], explain: bool, out: &mut Vec<u32>) {
    let reason = REASONS.iter().position(|r| *r == verdict.reason).unwrap_or_default() as u32;
    let mask = match verdict.mask {
        Some(mask) => MaskType::ALL.iter().position(|m| *m == mask).map_or(0, |m| m as u32 + 1),
        None => 0,
    };
    let id = |policy: Option<u32>| policy.map_or(0, |p| p.saturating_add(1));
    out.push(u32::from(verdict.allowed) | (reason << FLAGS_REASON_SHIFT) | (mask << FLAGS_MASK_SHIFT));
    out.push(id(verdict.decided_by));
    out.push(id(verdict.masked_by));
    if explain {
        out.push(u32::try_from(matched.len()).unwrap_or(u32::MAX));
        out.extend_from_slice(matched);
    } else {
        out.push(0);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::access::scenario::{generate, requests, ScenarioSize};
    use crate::access::{Decision, Request};

    #[test]
    fn numbered_batches_decide_exactly_like_decide_across_calls() {
        let size = ScenarioSize { personas: 60, purposes: 60, users: 300, assets: 2_000, ..ScenarioSize::default() };
        let scenario = generate(size, 7);
        let engine = PolicyEngine::compile(&scenario.config).unwrap();
        let all: Vec<Request> = requests(&scenario, 6_000, 3).into_iter().filter(|r| engine.decide(r).is_ok()).collect();
        let mut strings = RequestStrings::default();
        let mut numbering = StringNumbering::default();
        for batch in all.chunks(1_000) {
            let encoded = numbering.encode(batch);
            strings.extend(&encoded.fresh, encoded.fresh_count).unwrap();
            let mut out = Vec::new();
            strings.decide_packed(&engine, &encoded.words, batch.len(), true, &mut out).unwrap();
            let expected: Vec<Decision> = batch.iter().map(|r| engine.decide(r).unwrap()).collect();
            assert_eq!(unpack(&engine, &out).unwrap(), expected);
        }
        assert_eq!(strings.len(), numbering.ids.len());
    }

    #[test]
    fn a_deep_asset_covered_by_more_nodes_than_fit_in_place_decides_like_decide() {
        // Persona policies on every level of an 11-segment path: a column there is covered by
        // more resource-path nodes than `INLINE_NODES`, which then live in `spilled`.
        let levels = ["DB", "S", "T", "C1", "C2", "C3", "C4", "C5"];
        let mut path = String::from("default/snowflake/1700000000");
        let mut policies = Vec::new();
        for (i, level) in levels.iter().enumerate() {
            path = format!("{path}/{level}");
            let (effect, actions) = if i == 6 { ("deny", r#"["update"]"#) } else { ("allow", r#"["read", "update"]"#) };
            policies.push(format!(
                r#"{{"name": "p{i}", "kind": "metadata", "effect": "{effect}", "actions": {actions}, "resources": ["entity:{path}"]}}"#
            ));
        }
        assert!(levels.len() + 1 > INLINE_NODES);
        let engine = PolicyEngine::from_json_str(&format!(
            r#"{{"users": [{{"name": "ana", "role": "member"}}],
                "connections": [{{"qualifiedName": "default/snowflake/1700000000", "name": "Snowflake", "connector": "snowflake"}}],
                "personas": [{{"name": "deep", "users": ["ana"], "policies": [{}]}}]}}"#,
            policies.join(",")
        ))
        .unwrap();
        let request = |action: &str, qualified_name: &str| -> Request {
            serde_json::from_value(serde_json::json!({
                "user": "ana", "action": action, "asset": {"qualifiedName": qualified_name, "typeName": "Column"}
            }))
            .unwrap()
        };
        let shallow = "default/snowflake/1700000000/DB/S/T";
        let batch: Vec<Request> = ["read", "update"]
            .iter()
            .flat_map(|action| [request(action, &path), request(action, shallow), request(action, &format!("{path}/C6"))])
            .collect();
        let mut strings = RequestStrings::default();
        let encoded = StringNumbering::default().encode(&batch);
        strings.extend(&encoded.fresh, encoded.fresh_count).unwrap();
        let mut out = Vec::new();
        strings.decide_packed(&engine, &encoded.words, batch.len(), true, &mut out).unwrap();
        let expected: Vec<Decision> = batch.iter().map(|r| engine.decide(r).unwrap()).collect();
        assert_eq!(unpack(&engine, &out).unwrap(), expected);
        assert!(!expected[3].allowed, "the deny on C4 covers the deepest column");
        assert!(expected[4].allowed);
        assert!(!strings.spilled.is_empty());
    }

    #[test]
    fn an_undecidable_request_makes_the_batch_unsupported() {
        let scenario = generate(ScenarioSize { personas: 5, purposes: 5, users: 20, assets: 50, ..ScenarioSize::default() }, 1);
        let engine = PolicyEngine::compile(&scenario.config).unwrap();
        let mut good = requests(&scenario, 1, 2).remove(0);
        good.asset.type_name = "Table".into();
        good.action = "read".into();
        good.asset.glossary = None;
        for (field, value) in [("user", "nobody"), ("action", "reed"), ("action", "link-terms")] {
            let mut bad = good.clone();
            match field {
                "user" => bad.user = value.into(),
                _ => bad.action = value.into(),
            }
            let mut strings = RequestStrings::default();
            let encoded = StringNumbering::default().encode(&[good.clone(), bad]);
            strings.extend(&encoded.fresh, encoded.fresh_count).unwrap();
            assert_eq!(strings.decide_packed(&engine, &encoded.words, 2, true, &mut Vec::new()), Err(Unsupported));
        }
    }

    #[test]
    fn a_string_with_a_nul_is_refused_and_nothing_is_numbered() {
        let mut strings = RequestStrings::default();
        assert_eq!(strings.extend("a\0b\0c", 2), Err(Unsupported));
        assert!(strings.is_empty());
        strings.extend("a\0b", 2).unwrap();
        assert_eq!(strings.len(), 2);
    }
}
