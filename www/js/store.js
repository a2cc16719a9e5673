// What the page keeps: integrations and the pulled external tags, in IndexedDB. A token is
// written to IndexedDB only when its integration says "Remember on this device"; otherwise it
// lives in this module's memory for the tab and is gone on reload.

const DB_NAME = "steward";
const DB_VERSION = 1;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

let dbPromise;
function db() {
  dbPromise ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, DB_VERSION);
    open.onupgradeneeded = () => {
      const d = open.result;
      if (!d.objectStoreNames.contains("integrations")) d.createObjectStore("integrations", { keyPath: "id" });
      if (!d.objectStoreNames.contains("kv")) d.createObjectStore("kv");
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  return dbPromise;
}

async function tx(store, mode, fn) {
  const d = await db();
  const t = d.transaction(store, mode);
  const result = await fn(t.objectStore(store));
  await new Promise((resolve, reject) => {
    t.oncomplete = resolve;
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
  return result;
}

/** A small key-value store (external tags, the last inventory). */
export const kv = {
  get: (key) => tx("kv", "readonly", (s) => request(s.get(key))),
  set: (key, value) => tx("kv", "readwrite", (s) => request(s.put(value, key))),
  delete: (key) => tx("kv", "readwrite", (s) => request(s.delete(key))),
};

/**
 * Integrations: `{id, name, type: "catalog" | "hightouch", url, remember, sandbox?}`. Sandbox
 * integrations are made by the page on each load and never stored.
 */
export class Integrations extends EventTarget {
  constructor() {
    super();
    this.items = new Map();
    this.tokens = new Map();
  }

  async load(sandboxDefaults = []) {
    for (const item of sandboxDefaults) {
      const { token, ...record } = item;
      this.items.set(record.id, { ...record, sandbox: true, remember: false });
      this.tokens.set(record.id, token);
    }
    try {
      for (const record of await tx("integrations", "readonly", (s) => request(s.getAll()))) {
        const { token, ...rest } = record;
        this.items.set(rest.id, rest);
        if (token) this.tokens.set(rest.id, token);
      }
    } catch {
      // IndexedDB unavailable (private mode in some browsers): everything stays in memory.
    }
    this.changed();
  }

  list() {
    return [...this.items.values()];
  }

  get(id) {
    return this.items.get(id);
  }

  token(id) {
    return this.tokens.get(id) ?? "";
  }

  /** Adds or updates; `token` empty keeps the current one. */
  async save(record, token) {
    const id = record.id ?? (crypto.randomUUID?.() ?? `i-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    const item = { id, name: record.name, type: record.type, url: record.url, remember: Boolean(record.remember) };
    if (token) this.tokens.set(id, token);
    this.items.set(id, item);
    const stored = item.remember && this.tokens.has(id) ? { ...item, token: this.tokens.get(id) } : item;
    try {
      await tx("integrations", "readwrite", (s) => request(s.put(stored)));
    } catch {
      // Kept in memory only.
    }
    this.changed();
    return item;
  }

  async remove(id) {
    this.items.delete(id);
    this.tokens.delete(id);
    try {
      await tx("integrations", "readwrite", (s) => request(s.delete(id)));
    } catch {
      // Nothing stored.
    }
    this.changed();
  }

  changed() {
    this.dispatchEvent(new Event("change"));
  }
}
