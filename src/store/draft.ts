import { COLLECTIONS, type Collection, type StoreData, type StoredRecord } from "./schema.ts";
import { StoreError } from "./store.ts";

/** One record an update wrote (`record`) or deleted (`record` undefined). */
export interface Change {
  collection: Collection;
  id: string;
  record: StoredRecord | undefined;
}

export interface Draft {
  /** What `mutate` gets: reads see the state, writes go to copies of only the records they touch. */
  data: StoreData;
  /** The records written or deleted so far. */
  changes(): Change[];
  /** Puts plain data in place of draft objects found in `value` (a result handed back to the caller). */
  detach<T>(value: T): T;
}

const DELETED = Symbol("deleted");
const PLACE = Symbol("place");
interface ViewState {
  c: Collection;
  id: string;
  path: readonly string[];
  children?: Map<string, object>;
}
type Viewed = object & { [PLACE]: ViewState };
type Slot = StoredRecord | typeof DELETED;

/**
 * A copy-on-write view of the state for one update. Nothing is copied to read: a record, or anything inside it,
 * is seen through a proxy that reads the stored object. The first write anywhere inside a record copies that
 * record alone (structuredClone of one record); later reads and writes in the same update see the copy. So an
 * update costs what it touches, not what the store holds, and a failed update leaves the state as it was
 * (the stored objects are never written to). Values written into the draft are plain data: a proxy assigned
 * into a record is replaced by what it stands for.
 */
export function createDraft(base: StoreData): Draft {
  const touched = new Map<Collection, Map<string, Slot>>(COLLECTIONS.map((c) => [c, new Map()]));

  const current = (c: Collection, id: string): StoredRecord | undefined => {
    const slot = touched.get(c)?.get(id);
    if (slot === DELETED) return undefined;
    return slot ?? base[c][id];
  };
  const owned = (c: Collection, id: string): StoredRecord => {
    const slots = touched.get(c) as Map<string, Slot>;
    const slot = slots.get(id);
    if (slot === DELETED || (slot === undefined && !Object.hasOwn(base[c], id)))
      throw new StoreError(`${c} record ${id} was deleted in this update; it cannot be changed`);
    if (slot !== undefined) return slot;
    const copy = structuredClone(base[c][id]) as StoredRecord;
    slots.set(id, copy);
    return copy;
  };

  const detach = <T>(value: T, seen = new WeakSet<object>()): T => {
    if (typeof value !== "object" || value === null) return value;
    // A view answers its place (own to this draft's handler); plain objects have none.
    const place = (value as Partial<Viewed>)[PLACE];
    if (place) return resolve(place) as T;
    if (seen.has(value) || !isPlain(value)) return value;
    seen.add(value);
    const holder = value as Record<string, unknown>;
    for (const key of Object.keys(holder)) {
      const inner = holder[key];
      if (typeof inner === "object" && inner !== null) {
        const plain = detach(inner, seen);
        if (plain !== inner) holder[key] = plain;
      }
    }
    return value;
  };

  const resolve = (at: ViewState): Record<PropertyKey, unknown> | undefined => {
    let value: unknown = current(at.c, at.id);
    for (const key of at.path) value = (value as Record<string, unknown> | undefined)?.[key];
    return value as Record<PropertyKey, unknown> | undefined;
  };
  const writable = (at: ViewState, key: PropertyKey): Record<PropertyKey, unknown> => {
    at.children?.delete(key as string);
    let value: unknown = owned(at.c, at.id);
    for (const step of at.path) value = (value as Record<string, unknown>)[step];
    if (typeof value !== "object" || value === null)
      throw new StoreError(
        `${at.c} record ${at.id} no longer holds ${at.path.join(".")}; it cannot be changed`,
      );
    return value as Record<PropertyKey, unknown>;
  };
  const read = (at: ViewState, key: string | symbol) => {
    const target = resolve(at);
    if (target === undefined || target === null) return undefined;
    const value = Reflect.get(target, key);
    if (typeof key === "symbol" || typeof value !== "object" || value === null || !Object.hasOwn(target, key))
      return value;
    at.children ??= new Map();
    let child = at.children.get(key);
    if (!child || Array.isArray(value) !== Array.isArray(child)) {
      child = view(at.c, at.id, [...at.path, key], Array.isArray(value));
      at.children.set(key, child);
    }
    return child;
  };
  // One handler for every view of this draft; each view's place is kept on its (otherwise empty) target.
  const handler: ProxyHandler<Viewed> = {
    get: (t, key) => (key === PLACE ? t[PLACE] : read(t[PLACE], key)),
    set: (t, key, value) => Reflect.set(writable(t[PLACE], key), key, detach(value)),
    deleteProperty: (t, key) => Reflect.deleteProperty(writable(t[PLACE], key), key),
    defineProperty(t, key, descriptor) {
      const plain = "value" in descriptor ? { ...descriptor, value: detach(descriptor.value) } : descriptor;
      return Reflect.defineProperty(writable(t[PLACE], key), key, plain);
    },
    has(t, key) {
      const target = resolve(t[PLACE]);
      return target !== undefined && target !== null && key in target;
    },
    ownKeys: (t) => Reflect.ownKeys(resolve(t[PLACE]) ?? (Array.isArray(t) ? [] : {})),
    getOwnPropertyDescriptor(t, key) {
      if (key === PLACE) return undefined;
      const target = resolve(t[PLACE]);
      const descriptor = target ? Reflect.getOwnPropertyDescriptor(target, key) : undefined;
      if (descriptor && "value" in descriptor) descriptor.value = read(t[PLACE], key);
      return descriptor;
    },
  };
  /** A view of the object at `path` inside record `id` of collection `c`. */
  const view = (c: Collection, id: string, path: readonly string[], array: boolean): object => {
    const target = (array ? [] : {}) as Viewed;
    Object.defineProperty(target, PLACE, { value: { c, id, path }, configurable: true });
    const proxy = new Proxy(target, handler);
    return proxy;
  };

  const collection = (c: Collection): Record<string, StoredRecord> => {
    const slots = touched.get(c) as Map<string, Slot>;
    const records = new Map<string, object>();
    const has = (id: string) => {
      const slot = slots.get(id);
      return slot === undefined ? Object.hasOwn(base[c], id) : slot !== DELETED;
    };
    const read = (id: string | symbol) => {
      if (typeof id === "symbol") return Reflect.get(base[c], id);
      // Not a record (deleted here, or never): undefined, or what every object has (`toString`).
      if (!has(id)) return Object.hasOwn(base[c], id) ? undefined : Reflect.get(base[c], id);
      let record = records.get(id);
      if (!record) {
        record = view(c, id, [], false);
        records.set(id, record);
      }
      return record;
    };
    const write = (id: string, value: unknown) => {
      const plain = detach(value);
      if (plain === undefined) slots.set(id, DELETED);
      else slots.set(id, plain as StoredRecord);
      return true;
    };
    return new Proxy({} as Record<string, StoredRecord>, {
      get: (_t, id) => read(id),
      set: (_t, id, value) => typeof id === "string" && write(id, value),
      defineProperty: (_t, id, descriptor) => typeof id === "string" && write(id, descriptor.value),
      deleteProperty(_t, id) {
        if (typeof id === "string" && has(id)) slots.set(id, DELETED);
        return true;
      },
      has: (_t, id) => typeof id === "string" && has(id),
      ownKeys() {
        const stored = Object.keys(base[c]);
        if (slots.size === 0) return stored;
        const keys = stored.filter((id) => slots.get(id) !== DELETED);
        for (const [id, slot] of slots) if (slot !== DELETED && !Object.hasOwn(base[c], id)) keys.push(id);
        return keys;
      },
      getOwnPropertyDescriptor: (_t, id) =>
        typeof id === "string" && has(id)
          ? { value: read(id), writable: true, enumerable: true, configurable: true }
          : undefined,
    });
  };

  const views = Object.fromEntries(COLLECTIONS.map((c) => [c, collection(c)])) as Record<
    Collection,
    Record<string, StoredRecord>
  >;
  const data = { schemaVersion: base.schemaVersion, ...views } as StoreData;

  return {
    data,
    detach: (value) => detach(value),
    changes() {
      const out: Change[] = [];
      for (const c of COLLECTIONS) {
        // A collection replaced as a whole (`draft.outbox = {}`): every record of the new one, none of the old.
        if (data[c] !== views[c]) {
          const next = detach(data[c] ?? {}) as Record<string, StoredRecord>;
          for (const id of Object.keys(base[c]))
            if (!Object.hasOwn(next, id)) out.push({ collection: c, id, record: undefined });
          for (const [id, record] of Object.entries(next)) out.push({ collection: c, id, record });
          continue;
        }
        for (const [id, slot] of touched.get(c) as Map<string, Slot>) {
          if (slot !== DELETED) out.push({ collection: c, id, record: slot });
          else if (Object.hasOwn(base[c], id)) out.push({ collection: c, id, record: undefined });
        }
      }
      return out;
    },
  };
}

function isPlain(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
