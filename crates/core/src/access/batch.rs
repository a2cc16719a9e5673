//! Batches of requests as numbers, for a boundary where strings are costly to cross (the npm
//! package's `decideMany`). The caller numbers every distinct string it sends (users, actions,
//! qualified names, type names, tags, glossaries) and sends each string once; a request is then
//! a few numbers. Each string is resolved against the engine once, on first use in each role
//! (the user's index, the asset's connection and covering resource paths, a tag's number, an
//! action per asset class), so a repeated user or asset costs no hashing at all.
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

use super::action::{Action, AssetClass};
use super::decision::{Reason, Verdict};
use super::engine::{PolicyEngine, ResolvedRequest};
use super::qualified_name;
use crate::masking::MaskType;

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

/// What one string resolves to, per role, filled in on first use in that role.
#[derive(Debug, Clone, Copy)]
struct StringFacts {
    user: u32,
    tag: u32,
    /// Index into `RequestStrings::assets`.
    asset: u32,
    /// Index into `RequestStrings::actions`.
    action: u32,
    /// `AssetClass` position in [`CLASSES`], or `u8::MAX`.
    class: u8,
}

const UNKNOWN_FACTS: StringFacts =
    StringFacts { user: UNRESOLVED, tag: UNRESOLVED, asset: UNRESOLVED, action: UNRESOLVED, class: u8::MAX };

const CLASSES: [AssetClass; 4] = [AssetClass::Glossary, AssetClass::Domain, AssetClass::Connection, AssetClass::Asset];

/// A qualified name's facts: its connection and covering nodes (a range of `nodes`).
#[derive(Debug, Clone, Copy)]
struct AssetFacts {
    connection: Option<u32>,
    start: u32,
    end: u32,
}

/// The strings a caller has sent to one engine, numbered in the order they came, and what each
/// resolves to there. Bounded by the caller: [`RequestStrings::MAX`] strings at most; the caller
/// starts over ([`RequestStrings::clear`]) before going past it.
#[derive(Debug, Default, Clone)]
pub struct RequestStrings {
    strings: Vec<Box<str>>,
    facts: Vec<StringFacts>,
    assets: Vec<AssetFacts>,
    nodes: Vec<u32>,
    /// Per action string: the action it names for each class in [`CLASSES`].
    actions: Vec<[Option<Action>; 4]>,
    /// Scratch space reused across requests.
    tags: Vec<u32>,
    matched: Vec<u32>,
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
        self.facts.resize(self.strings.len(), UNKNOWN_FACTS);
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
        let mut tags = std::mem::take(&mut self.tags);
        for _ in 0..count {
            let user = self.user(engine, next()?)?;
            let action = next()?;
            let asset = self.asset(engine, next()?)?;
            let class = self.class(next()?)?;
            let glossary = match next()? {
                0 => None,
                id => (!self.text(id - 1)?.is_empty()).then_some(id - 1),
            };
            let action = self.action(action, class, glossary.is_some())?;
            tags.clear();
            for _ in 0..next()? {
                if let Some(tag) = self.tag(engine, next()?)? {
                    tags.push(tag);
                }
            }
            let request = ResolvedRequest {
                user,
                action,
                connection: asset.connection,
                nodes: self.nodes.get(asset.start as usize..asset.end as usize).unwrap_or_default(),
                tags: &tags,
                glossary: glossary.and_then(|g| self.text(g).ok()),
            };
            let verdict = engine.decide_resolved(&request, &mut matched);
            pack(&verdict, &matched, explain, out);
        }
        self.matched = matched;
        self.tags = tags;
        if words.next().is_some() {
            return Err(Unsupported);
        }
        Ok(())
    }

    fn text(&self, id: u32) -> Result<&str, Unsupported> {
        self.strings.get(id as usize).map(|s| &**s).ok_or(Unsupported)
    }

    fn facts(&mut self, id: u32) -> Result<&mut StringFacts, Unsupported> {
        self.facts.get_mut(id as usize).ok_or(Unsupported)
    }

    fn user(&mut self, engine: &PolicyEngine, id: u32) -> Result<u32, Unsupported> {
        let mut user = self.facts(id)?.user;
        if user == UNRESOLVED {
            user = engine.user(self.text(id)?).unwrap_or(ABSENT);
            self.facts(id)?.user = user;
        }
        if user == ABSENT {
            Err(Unsupported)
        } else {
            Ok(user)
        }
    }

    fn tag(&mut self, engine: &PolicyEngine, id: u32) -> Result<Option<u32>, Unsupported> {
        let mut tag = self.facts(id)?.tag;
        if tag == UNRESOLVED {
            tag = engine.tag(self.text(id)?).unwrap_or(ABSENT);
            self.facts(id)?.tag = tag;
        }
        Ok((tag != ABSENT).then_some(tag))
    }

    fn asset(&mut self, engine: &PolicyEngine, id: u32) -> Result<AssetFacts, Unsupported> {
        let mut asset = self.facts(id)?.asset;
        if asset == UNRESOLVED {
            asset = self.resolve_asset(engine, id)?;
            self.facts(id)?.asset = asset;
        }
        self.assets.get(asset as usize).copied().ok_or(Unsupported)
    }

    fn resolve_asset(&mut self, engine: &PolicyEngine, id: u32) -> Result<u32, Unsupported> {
        let Some(name) = self.strings.get(id as usize) else { return Err(Unsupported) };
        if qualified_name::check(name).is_err() {
            return Ok(ABSENT);
        }
        let start = u32::try_from(self.nodes.len()).map_err(|_| Unsupported)?;
        let nodes = &mut self.nodes;
        let connection = engine.locate(name, |node| nodes.push(node));
        let end = u32::try_from(self.nodes.len()).map_err(|_| Unsupported)?;
        self.assets.push(AssetFacts { connection, start, end });
        u32::try_from(self.assets.len() - 1).map_err(|_| Unsupported)
    }

    fn class(&mut self, id: u32) -> Result<usize, Unsupported> {
        let mut class = self.facts(id)?.class;
        if class == u8::MAX {
            let of = AssetClass::of(self.text(id)?);
            class = CLASSES.iter().position(|c| *c == of).and_then(|c| u8::try_from(c).ok()).ok_or(Unsupported)?;
            self.facts(id)?.class = class;
        }
        Ok(usize::from(class))
    }

    /// The action `id` names on an asset of class `class` (an index in [`CLASSES`]); glossary
    /// assets must name their glossary.
    fn action(&mut self, id: u32, class: usize, has_glossary: bool) -> Result<Action, Unsupported> {
        let mut action = self.facts(id)?.action;
        if action == UNRESOLVED {
            let name = self.text(id)?;
            let per_class = CLASSES.map(|c| c.action(name));
            self.actions.push(per_class);
            action = u32::try_from(self.actions.len() - 1).map_err(|_| Unsupported)?;
            self.facts(id)?.action = action;
        }
        let resolved = self.actions.get(action as usize).and_then(|per_class| per_class.get(class).copied().flatten());
        match (resolved, CLASSES.get(class)) {
            (Some(_), Some(AssetClass::Glossary)) if !has_glossary => Err(Unsupported),
            (Some(action), _) => Ok(action),
            (None, _) => Err(Unsupported),
        }
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
    out.push(u32::from(verdict.allowed) | (reason << 1) | (mask << 4));
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

    use std::collections::HashMap;

    use super::*;
    use crate::access::scenario::{generate, requests, ScenarioSize};
    use crate::access::{Decision, Request};

    /// Numbers the strings of `batch` in `known` (the caller's side of the protocol): the ids
    /// and the new strings, NUL-joined.
    fn encode(batch: &[Request], known: &mut HashMap<String, u32>) -> (Vec<u32>, String, usize) {
        let mut fresh: Vec<String> = Vec::new();
        let mut id = |s: &str| {
            let next = u32::try_from(known.len()).unwrap();
            *known.entry(s.to_owned()).or_insert_with(|| {
                fresh.push(s.to_owned());
                next
            })
        };
        let mut words = Vec::new();
        for r in batch {
            words.extend([id(&r.user), id(&r.action), id(r.asset.qualified_name.as_str()), id(&r.asset.type_name)]);
            words.push(r.asset.glossary.as_deref().map_or(0, |g| id(g) + 1));
            words.push(u32::try_from(r.asset.tags.len()).unwrap());
            for tag in &r.asset.tags {
                words.push(id(tag));
            }
        }
        let count = fresh.len();
        (words, fresh.join("\0"), count)
    }

    fn unpack(engine: &PolicyEngine, words: &[u32]) -> Vec<Decision> {
        let table: std::sync::Arc<[crate::access::MatchedPolicy]> = engine.policy_table().to_vec().into();
        let mut out = Vec::new();
        let mut k = 0;
        while k < words.len() {
            let (flags, decided_by, masked_by, n) = (words[k], words[k + 1], words[k + 2], words[k + 3] as usize);
            let verdict = Verdict {
                allowed: flags & 1 == 1,
                reason: REASONS[((flags >> 1) & 7) as usize],
                decided_by: decided_by.checked_sub(1),
                mask: ((flags >> 4) & 7).checked_sub(1).map(|m| MaskType::ALL[m as usize]),
                masked_by: masked_by.checked_sub(1),
            };
            out.push(Decision::from_verdict(verdict, &table, words[k + 4..k + 4 + n].to_vec()));
            k += 4 + n;
        }
        out
    }

    #[test]
    fn numbered_batches_decide_exactly_like_decide_across_calls() {
        let size = ScenarioSize { personas: 60, purposes: 60, users: 300, assets: 2_000, ..ScenarioSize::default() };
        let scenario = generate(size, 7);
        let engine = PolicyEngine::compile(&scenario.config).unwrap();
        let all: Vec<Request> = requests(&scenario, 6_000, 3).into_iter().filter(|r| engine.decide(r).is_ok()).collect();
        let mut strings = RequestStrings::default();
        let mut known = HashMap::new();
        for batch in all.chunks(1_000) {
            let (words, fresh, count) = encode(batch, &mut known);
            strings.extend(&fresh, count).unwrap();
            let mut out = Vec::new();
            strings.decide_packed(&engine, &words, batch.len(), true, &mut out).unwrap();
            let expected: Vec<Decision> = batch.iter().map(|r| engine.decide(r).unwrap()).collect();
            assert_eq!(unpack(&engine, &out), expected);
        }
        assert_eq!(strings.len(), known.len());
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
            let (words, fresh, count) = encode(&[good.clone(), bad], &mut HashMap::new());
            strings.extend(&fresh, count).unwrap();
            assert_eq!(strings.decide_packed(&engine, &words, 2, true, &mut Vec::new()), Err(Unsupported));
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
