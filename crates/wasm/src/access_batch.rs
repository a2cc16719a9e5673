//! The numbered-strings path behind `decideMany` (driven by `js/access.js`): a batch crosses
//! into wasm as one `Uint32Array` of string ids plus only the strings this engine has not seen
//! yet, and the decisions come back as one `Uint32Array`, so a batch costs two boundary
//! crossings, no JSON, and each distinct string crosses once per engine. The layouts and the
//! per-string caching are `steward_core::access::batch`'s; decisions reference policies by id
//! in the engine's policy table, which JS fetches once per engine and shares between decisions.

use steward_core::access::batch::{
    RequestStrings, DECISION_HEADER_WORDS, FLAGS_FIELD, FLAGS_MASK_SHIFT, FLAGS_REASON_SHIFT, REASONS, REQUEST_HEADER_WORDS,
};
use steward_core::masking::MaskType;
use wasm_bindgen::prelude::*;

use crate::access::PolicyEngine;
use crate::error::StewardError;

/// First word of a `decideManyInterned` answer: decisions follow.
const DECIDED: u32 = 0;
/// The batch must take the JSON path; the new strings were numbered.
const UNSUPPORTED: u32 = 1;
/// The string numbering disagrees with the caller's (nothing was numbered): start over at 0.
const RENUMBER: u32 = 2;

/// The packed layouts' names and numbers, defined once here and read by `js/access.js`:
/// `{reasons, masks, answers: {decided, unsupported, renumber}, maxStrings, requestHeaderWords,
/// decisionHeaderWords, flags: {reasonShift, maskShift, field}}`.
#[wasm_bindgen(js_name = packedDecisionCodes, skip_typescript)]
pub fn packed_decision_codes() -> Result<JsValue, StewardError> {
    let codes = serde_json::json!({
        "reasons": REASONS.iter().map(|r| r.name()).collect::<Vec<_>>(),
        "masks": MaskType::ALL.iter().map(|m| m.name()).collect::<Vec<_>>(),
        "answers": { "decided": DECIDED, "unsupported": UNSUPPORTED, "renumber": RENUMBER },
        "maxStrings": RequestStrings::MAX,
        "requestHeaderWords": REQUEST_HEADER_WORDS,
        "decisionHeaderWords": DECISION_HEADER_WORDS,
        "flags": { "reasonShift": FLAGS_REASON_SHIFT, "maskShift": FLAGS_MASK_SHIFT, "field": FLAGS_FIELD },
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

    /// Decides `count` requests given as string ids (`requests`). `known` is how many strings
    /// the caller believes this engine has numbered (0 starts the numbering over); `fresh`
    /// holds the `fresh_count` strings numbered next, NUL-separated. Answers
    /// `[DECIDED, decisions…]`, `[UNSUPPORTED]` or `[RENUMBER]`.
    #[wasm_bindgen(js_name = decideManyInterned, skip_typescript)]
    pub fn decide_many_interned(
        &mut self,
        requests: &[u32],
        count: u32,
        known: u32,
        fresh: &str,
        fresh_count: u32,
        explain: bool,
    ) -> Vec<u32> {
        let (engine, strings) = self.parts();
        if known == 0 {
            strings.clear();
        } else if usize::try_from(known).ok() != Some(strings.len()) {
            return vec![RENUMBER];
        }
        if strings.extend(fresh, fresh_count as usize).is_err() {
            return vec![RENUMBER];
        }
        let mut out = vec![DECIDED];
        match strings.decide_packed(engine, requests, count as usize, explain, &mut out) {
            Ok(()) => out,
            Err(_) => vec![UNSUPPORTED],
        }
    }
}
