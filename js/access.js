// decideMany's fast path. A batch crosses into wasm as one NUL-separated text buffer and comes
// back as one Uint32Array of packed decisions (crates/wasm/src/access_batch.rs documents the
// layout); the policy objects a decision lists are built once per engine, frozen, and shared.
// Anything unusual (JSON text input, a malformed or invalid request, a field containing NUL)
// takes the JSON path, which decides identically and throws the located error.
import { PolicyEngine, packedDecisionCodes } from "./steward_wasm.js";

// Read lazily: this module is evaluated before the entry instantiates the wasm module.
let codes;
const decisionCodes = () => (codes ??= packedDecisionCodes());
const decideManyJson = PolicyEngine.prototype.decideMany;
const policyTables = new WeakMap();

function tablesOf(engine) {
  let tables = policyTables.get(engine);
  if (!tables) {
    const policies = engine.policyTable().map((p) => Object.freeze(p));
    const refs = policies.map(({ owner, ownerName, policy }) => Object.freeze({ owner, ownerName, policy }));
    tables = { policies, refs };
    policyTables.set(engine, tables);
  }
  return tables;
}

const REQUEST_KEYS = new Set(["user", "action", "asset"]);
const ASSET_KEYS = new Set(["qualifiedName", "typeName", "tags", "glossary"]);

/** The batch as NUL-separated fields, or undefined when it must take the JSON path. */
function pack(requests) {
  const parts = [];
  for (let i = 0; i < requests.length; i++) {
    const request = requests[i];
    if (request === null || typeof request !== "object") return undefined;
    for (const key in request) if (!REQUEST_KEYS.has(key)) return undefined;
    const { user, action, asset } = request;
    if (typeof user !== "string" || typeof action !== "string" || asset === null || typeof asset !== "object") return undefined;
    for (const key in asset) if (!ASSET_KEYS.has(key)) return undefined;
    const { qualifiedName, typeName, tags, glossary } = asset;
    if (typeof qualifiedName !== "string" || typeof typeName !== "string") return undefined;
    if (glossary !== undefined && glossary !== null && typeof glossary !== "string") return undefined;
    parts.push(user, action, qualifiedName, typeName, glossary ?? "");
    if (tags === undefined) {
      parts.push("0");
    } else if (Array.isArray(tags)) {
      parts.push(String(tags.length));
      for (const tag of tags) {
        if (typeof tag !== "string") return undefined;
        parts.push(tag);
      }
    } else {
      return undefined;
    }
  }
  return { text: parts.join("\0"), fields: parts.length };
}

function unpack(engine, words, count, explain) {
  const { policies, refs } = tablesOf(engine);
  const { reasons: REASONS, masks: MASKS } = decisionCodes();
  const out = new Array(count);
  let k = 0;
  for (let i = 0; i < count; i++) {
    const flags = words[k];
    const decidedBy = words[k + 1];
    const maskedBy = words[k + 2];
    const n = words[k + 3];
    k += 4;
    const decision = { allowed: (flags & 1) === 1, reason: REASONS[(flags >>> 1) & 7] };
    if (decidedBy !== 0) decision.decidedBy = refs[decidedBy - 1];
    if (explain) {
      const matched = new Array(n);
      for (let j = 0; j < n; j++) matched[j] = policies[words[k + j]];
      k += n;
      decision.policies = matched;
    }
    const mask = (flags >>> 4) & 7;
    if (mask !== 0) decision.mask = MASKS[mask - 1];
    if (explain && maskedBy !== 0) decision.maskedBy = refs[maskedBy - 1];
    out[i] = decision;
  }
  return out;
}

Object.defineProperty(PolicyEngine.prototype, "decideMany", {
  configurable: true,
  writable: true,
  value: function decideMany(requests, options) {
    const explain = options?.explain;
    if (Array.isArray(requests) && (explain === undefined || typeof explain === "boolean")) {
      const packed = pack(requests);
      if (packed !== undefined) {
        const words = this.decideManyPacked(packed.text, requests.length, packed.fields, explain !== false);
        if (words !== undefined) return unpack(this, words, requests.length, explain !== false);
      }
    }
    return decideManyJson.call(this, requests, options);
  },
});

export { PolicyEngine };
