//! The packed path behind `decideMany` (driven by `js/access.js`): a batch of requests crosses
//! into wasm as one text buffer and the decisions come back as one `Uint32Array`, so a batch
//! costs two boundary crossings and no JSON. Decisions reference policies by id in the engine's
//! policy table, which JS fetches once per engine and shares between decisions.
//!
//! Requests: fields separated by NUL — `user, action, qualifiedName, typeName, glossary ("" for
//! none), tag count, tags…` per request. Anything this path cannot take exactly (a field that
//! contains NUL, an invalid request) makes it answer `undefined`, and JS falls back to the JSON
//! path, which decides identically and gives the located error.
//!
//! Decisions, per request: `[flags, decidedBy + 1, maskedBy + 1, n, policy ids…]` with
//! `flags = allowed | reason << 1 | mask << 4` (positions in [`REASONS`] and `MaskType::ALL`,
//! mask 0 meaning none) and 0 meaning "no policy" for `decidedBy` / `maskedBy`. Without
//! `explain`, the policy list is left out (`n` is 0).

use steward_core::access::{qualified_name, Decision, MatchedPolicy, PolicyRef, Reason, RequestView};
use steward_core::masking::MaskType;
use wasm_bindgen::prelude::*;

use crate::access::PolicyEngine;
use crate::error::StewardError;

/// Decision reasons by their packed number.
const REASONS: [Reason; 8] = [
    Reason::DenyPolicy,
    Reason::ConnectionAdmin,
    Reason::PersonaGrant,
    Reason::PurposeGrant,
    Reason::GlossaryDefault,
    Reason::GuestCeiling,
    Reason::NotAdmin,
    Reason::ImplicitDeny,
];

/// The names behind the packed numbers: `{reasons: [...], masks: [...]}`.
#[wasm_bindgen(js_name = packedDecisionCodes, skip_typescript)]
pub fn packed_decision_codes() -> Result<JsValue, StewardError> {
    let codes = serde_json::json!({
        "reasons": REASONS.iter().map(|r| r.name()).collect::<Vec<_>>(),
        "masks": MaskType::ALL.iter().map(|m| m.name()).collect::<Vec<_>>(),
    });
    crate::access::to_js(&codes)
}

#[wasm_bindgen]
impl PolicyEngine {
    /// The engine's policy table (`[{owner, ownerName, policy, kind, effect, mask?}]`), which
    /// packed decisions reference by position.
    #[wasm_bindgen(js_name = policyTable, skip_typescript)]
    pub fn policy_table(&self) -> Result<JsValue, StewardError> {
        crate::access::to_js(&self.inner().policy_table())
    }

    /// Decides `count` requests packed in `text` (`fields` NUL-separated fields); `undefined`
    /// when the batch must take the JSON path.
    #[wasm_bindgen(js_name = decideManyPacked, skip_typescript)]
    pub fn decide_many_packed(&self, text: &str, count: u32, fields: u32, explain: bool) -> Option<Vec<u32>> {
        // A NUL inside a field would shift every later field: the separator count catches it.
        let separators = text.bytes().filter(|b| *b == 0).count();
        if separators.checked_add(1) != usize::try_from(fields).ok() {
            return None;
        }
        let engine = self.inner();
        let table = engine.policy_table();
        let mut out = Vec::with_capacity(count as usize * if explain { 12 } else { 4 });
        let mut parts = text.split('\0');
        let mut tags: Vec<&str> = Vec::with_capacity(4);
        for _ in 0..count {
            let user = parts.next()?;
            let action = parts.next()?;
            let qualified_name = parts.next()?;
            let type_name = parts.next()?;
            let glossary = parts.next()?;
            let tag_count: usize = parts.next()?.parse().ok()?;
            tags.clear();
            for _ in 0..tag_count {
                tags.push(parts.next()?);
            }
            qualified_name::check(qualified_name).ok()?;
            let view = RequestView {
                user,
                action,
                qualified_name,
                type_name,
                tags: &tags,
                glossary: (!glossary.is_empty()).then_some(glossary),
            };
            let decision = engine.decide_view(&view).ok()?;
            pack(&decision, table, explain, &mut out)?;
        }
        parts.next().is_none().then_some(out)
    }
}

fn pack(decision: &Decision, table: &[MatchedPolicy], explain: bool, out: &mut Vec<u32>) -> Option<()> {
    let reason = REASONS.iter().position(|r| *r == decision.reason)?;
    let mask = match decision.mask {
        Some(mask) => MaskType::ALL.iter().position(|m| *m == mask)? + 1,
        None => 0,
    };
    let flags = u32::from(decision.allowed) | (u32::try_from(reason).ok()? << 1) | (u32::try_from(mask).ok()? << 4);
    let ids = decision.policies.ids();
    let position = |by: &Option<PolicyRef>| match by {
        None => Some(0),
        Some(by) => ids
            .iter()
            .copied()
            .find(|id| table.get(*id as usize).is_some_and(|p| p.owner == by.owner && p.owner_name == by.owner_name && p.policy == by.policy))
            .map(|id| id + 1),
    };
    out.push(flags);
    out.push(position(&decision.decided_by)?);
    out.push(position(&decision.masked_by)?);
    if explain {
        out.push(u32::try_from(ids.len()).ok()?);
        out.extend_from_slice(ids);
    } else {
        out.push(0);
    }
    Some(())
}
