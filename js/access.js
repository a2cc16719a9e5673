// decideMany's fast path. Every distinct string a batch uses (user, action, qualified name,
// type name, glossary, tag) is numbered once per engine; a batch crosses into wasm as one
// Uint32Array of those numbers plus only the strings the engine has not seen yet, and comes
// back as one Uint32Array of packed decisions (crates/core/src/access/batch.rs documents both
// layouts). The policy objects a decision lists are built once per engine, frozen, and shared.
// Anything unusual (JSON text input, a request with an unknown key or a value of the wrong type,
// a string containing NUL, an undecidable request) takes the JSON path, which decides
// identically and throws the located error.
import { PolicyEngine, packedDecisionCodes } from "./steward_wasm.js";

// The layouts' names and numbers, defined once in Rust (crates/wasm/src/access_batch.rs:
// answers of decideManyInterned, words per request and per decision, the flags' fields, and
// how many strings the numbering may hold before it starts over). Read lazily: this module is
// evaluated before the entry instantiates the wasm module.
let codes;
const layout = () => (codes ??= packedDecisionCodes());
const decideManyJson = PolicyEngine.prototype.decideMany;
const engines = new WeakMap();

/**
 * The strings numbered for one engine: string → id. A `Map` of 73,000 strings costs each lookup
 * a walk over cold entries whose strings it must read to compare; a null-prototype object used
 * as a dictionary has V8 internalize its keys, so a lookup compares pointers (~0.15 µs a request
 * less at 100,000 distinct assets). Every string is an own key of an object with no prototype,
 * `"__proto__"` and `"constructor"` included.
 */
class StringNumbers {
  constructor() {
    this.clear();
  }

  clear() {
    this.ids = Object.create(null);
    this.size = 0;
  }

  get(s) {
    return this.ids[s];
  }

  has(s) {
    return s in this.ids;
  }

  set(s, id) {
    if (!(s in this.ids)) this.size++;
    this.ids[s] = id;
  }

  delete(s) {
    if (s in this.ids) {
      delete this.ids[s];
      this.size--;
    }
  }
}

/** Per engine: its frozen policy table and the strings numbered so far. */
function stateOf(engine) {
  let state = engines.get(engine);
  if (!state) {
    const policies = engine.policyTable().map((p) => Object.freeze(p));
    const refs = policies.map(({ owner, ownerName, policy }) => Object.freeze({ owner, ownerName, policy }));
    state = { policies, refs, ids: new StringNumbers(), words: new Uint32Array(1024) };
    engines.set(engine, state);
  }
  return state;
}

/** How many requests touchAhead reads at a time. */
const AHEAD = 16;

/**
 * Reads what the requests `from` to `to` point to (the asset, its qualified name, its tags) and
 * answers a number that only keeps the reads from being optimised away. With many distinct
 * assets each of those reads misses the cache: in this short loop the misses of 16 requests
 * overlap, where in `encode`'s long one each would stall it (~120 ns a request at 100,000
 * assets). Only plain objects are read, with the same checks as `encode` (a getter defined on
 * such an object, e.g. `{ get asset() {…} }`, runs once more, as `JSON.stringify` runs it too).
 */
function touchAhead(requests, from, to) {
  let touched = 0;
  for (let i = from; i < to; i++) {
    const request = requests[i];
    if (request === null || typeof request !== "object" || request.constructor !== Object || Object.getPrototypeOf(request) !== Object.prototype) continue;
    const asset = request.asset;
    if (asset === null || typeof asset !== "object" || asset.constructor !== Object || Object.getPrototypeOf(asset) !== Object.prototype) continue;
    const { qualifiedName, tags } = asset;
    if (typeof qualifiedName === "string") touched += qualifiedName.length;
    if (Array.isArray(tags) && tags.length > 0 && typeof tags[0] === "string") touched++;
  }
  return touched;
}

/**
 * The batch as string ids (`[user, action, qualifiedName, typeName, glossary + 1 or 0, n, tag × n]`
 * per request) with the strings numbered for it, or undefined when it must take the JSON path
 * (the numbering is then left as it was).
 */
function encode(state, requests) {
  const { ids } = state;
  const HEADER = layout().requestHeaderWords;
  const known = ids.size;
  const fresh = [];
  // A string's id, numbering it when new; -1 for a string that cannot cross (NUL separates).
  const id = (s) => {
    let n = ids.get(s);
    if (n === undefined) {
      // NUL separates the new strings; a lone surrogate would not survive UTF-8 (and the JSON
      // path refuses it).
      if (s.includes("\0") || !s.isWellFormed()) return -1;
      n = ids.size;
      ids.set(s, n);
      fresh.push(s);
    }
    return n;
  };
  let words = state.words;
  if (words.length < requests.length * 8) words = state.words = new Uint32Array(requests.length * 10);
  let k = 0;
  let ok = true;
  let touched = 0;
  for (let i = 0; i < requests.length; i++) {
    if ((i & (AHEAD - 1)) === 0) touched += touchAhead(requests, i, Math.min(i + AHEAD, requests.length));
    const request = requests[i];
    // Plain objects with exactly the keys the JSON path reads: anything else (an unknown key
    // such as `tag`, a toJSON, inherited fields) must meet the JSON path's own checks.
    // Reading `constructor` first lets V8 see each object's hidden class and fold
    // `getPrototypeOf` into a constant compare; alone, `getPrototypeOf` is a call costing
    // ~50 ns per object here. (Written out at each use, here and in touchAhead: a shared
    // helper sees both classes, and measured ~0.05 µs a request slower over the bench.)
    if (request === null || typeof request !== "object" || request.constructor !== Object || Object.getPrototypeOf(request) !== Object.prototype) { ok = false; break; }
    const { user, action, asset } = request;
    if (typeof user !== "string" || typeof action !== "string" || asset === null || typeof asset !== "object") { ok = false; break; }
    if (asset.constructor !== Object || Object.getPrototypeOf(asset) !== Object.prototype) { ok = false; break; }
    const { qualifiedName, typeName, tags, glossary } = asset;
    if (typeof qualifiedName !== "string" || typeof typeName !== "string") { ok = false; break; }
    if (glossary !== undefined && glossary !== null && typeof glossary !== "string") { ok = false; break; }
    let keys = 0;
    for (const _ in request) keys++;
    if (keys !== 3) { ok = false; break; }
    keys = 0;
    for (const _ in asset) keys++;
    if (keys !== 2 + ("tags" in asset) + ("glossary" in asset)) { ok = false; break; }
    let n = 0;
    if (tags !== undefined) {
      if (!Array.isArray(tags)) { ok = false; break; }
      n = tags.length;
    }
    if (k + HEADER + n > words.length) {
      const grown = new Uint32Array((k + HEADER + n) * 2);
      grown.set(words);
      words = state.words = grown;
    }
    const u = id(user), a = id(action), q = id(qualifiedName), t = id(typeName);
    const g = glossary === undefined || glossary === null || glossary === "" ? 0 : id(glossary) + 1;
    if (u < 0 || a < 0 || q < 0 || t < 0 || g < 0) { ok = false; break; }
    words[k] = u; words[k + 1] = a; words[k + 2] = q; words[k + 3] = t; words[k + 4] = g; words[k + 5] = n;
    k += HEADER;
    for (let j = 0; j < n; j++) {
      const tag = tags[j];
      const x = typeof tag === "string" ? id(tag) : -1;
      if (x < 0) { ok = false; break; }
      words[k++] = x;
    }
    if (!ok) break;
  }
  // Kept so that the reads of touchAhead are not optimised away.
  state.touched = touched;
  if (!ok) {
    for (const s of fresh) ids.delete(s);
    return undefined;
  }
  return { words: words.subarray(0, k), known, fresh };
}

function unpack(state, words, count, explain) {
  const { policies, refs } = state;
  const { reasons: REASONS, masks: MASKS, decisionHeaderWords: HEADER, flags: { reasonShift, maskShift, field } } = layout();
  const out = new Array(count);
  let k = 1;
  for (let i = 0; i < count; i++) {
    const flags = words[k];
    const decidedBy = words[k + 1];
    const maskedBy = words[k + 2];
    const n = words[k + 3];
    k += HEADER;
    const allowed = (flags & 1) === 1;
    const reason = REASONS[(flags >>> reasonShift) & field];
    const mask = (flags >>> maskShift) & field;
    let decision;
    if (explain) {
      // Sized up front: `push` would give every list a backing store of 17+ slots, which the
      // young-generation GC then copies.
      const matched = new Array(n);
      for (let j = 0; j < n; j++) matched[j] = policies[words[k + j]];
      k += n;
      // Object literals in the JSON path's key order, one shape per combination (a property
      // added later would need a second allocation for its storage).
      if (decidedBy === 0) {
        if (mask === 0) decision = { allowed, reason, policies: matched };
        else if (maskedBy === 0) decision = { allowed, reason, policies: matched, mask: MASKS[mask - 1] };
        else decision = { allowed, reason, policies: matched, mask: MASKS[mask - 1], maskedBy: refs[maskedBy - 1] };
      } else if (mask === 0) {
        decision = { allowed, reason, decidedBy: refs[decidedBy - 1], policies: matched };
      } else if (maskedBy === 0) {
        decision = { allowed, reason, decidedBy: refs[decidedBy - 1], policies: matched, mask: MASKS[mask - 1] };
      } else {
        decision = { allowed, reason, decidedBy: refs[decidedBy - 1], policies: matched, mask: MASKS[mask - 1], maskedBy: refs[maskedBy - 1] };
      }
    } else if (decidedBy === 0) {
      decision = mask === 0 ? { allowed, reason } : { allowed, reason, mask: MASKS[mask - 1] };
    } else {
      decision = mask === 0 ? { allowed, reason, decidedBy: refs[decidedBy - 1] } : { allowed, reason, decidedBy: refs[decidedBy - 1], mask: MASKS[mask - 1] };
    }
    out[i] = decision;
  }
  return out;
}

/** The decisions through the numbered-strings path, or undefined for the JSON path. */
function decideInterned(engine, requests, explain) {
  const state = stateOf(engine);
  for (let attempt = 0; attempt < 2; attempt++) {
    const encoded = encode(state, requests);
    if (encoded === undefined) return undefined;
    const { words, known, fresh } = encoded;
    if (state.ids.size > layout().maxStrings) {
      // Bounded memory on both sides: start the numbering over with this batch's strings.
      state.ids.clear();
      if (known === 0) return undefined;
      continue;
    }
    const answer = engine.decideManyInterned(words, requests.length, known, fresh.join("\0"), fresh.length, explain);
    const { decided, unsupported } = layout().answers;
    if (answer[0] === decided) return unpack(state, answer, requests.length, explain);
    if (answer[0] === unsupported) return undefined;
    // The engine's numbering and ours disagree: start both over.
    state.ids.clear();
  }
  return undefined;
}

Object.defineProperty(PolicyEngine.prototype, "decideMany", {
  configurable: true,
  writable: true,
  value: function decideMany(requests, options) {
    const explain = options?.explain;
    if (Array.isArray(requests) && (explain === undefined || typeof explain === "boolean")) {
      const decisions = decideInterned(this, requests, explain !== false);
      if (decisions !== undefined) return decisions;
    }
    return decideManyJson.call(this, requests, options);
  },
});

export { PolicyEngine };

/** The stages of the fast path, for bench/profile-decide-many.mjs (not exported by the package). */
export const stages = { stateOf, encode, unpack };
