// Objects in memory, one cluster-wide resourceVersion counter, and a bounded event history that
// watches replay from (older than the window → 410 Gone, as etcd compaction causes in a real cluster).

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
  }>;
  managedFields?: ManagedFieldsEntry[];
  finalizers?: string[];
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: EventType;
  /** "group/resource", e.g. "apps/deployments", "/pods". */
  gr: string;
  rv: number;
  object: KubeObject;
  /** The object before a MODIFIED event, so watches with selectors see objects leave and enter them. */
  old?: KubeObject;
}

const keyOf = (namespace: string | undefined, name: string): string => `${namespace ?? ""}/${name}`;

export class Store {
  // A fresh cluster starts near 1, so a watch from resourceVersion 1 replays its whole history (as etcd does).
  private rv = 1;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly historySize: number;
  /** The newest resourceVersion that has fallen out of the history window (none before the first). */
  private compactedRv = this.rv;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  constructor(historySize = 1000) {
    this.historySize = historySize;
  }

  currentRv(): string {
    return String(this.rv);
  }

  get(gr: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(gr)?.get(keyOf(namespace, name));
  }

  /** The "group/resource" keys that hold objects. */
  resources(): string[] {
    return [...this.objects.keys()];
  }

  /** Objects of one resource, optionally in one namespace. The stored objects: callers must not mutate them. */
  list(gr: string, namespace?: string): KubeObject[] {
    const all = this.objects.get(gr);
    if (!all) return [];
    const out: KubeObject[] = [];
    for (const o of all.values())
      if (namespace === undefined || o.metadata.namespace === namespace) out.push(o);
    return out;
  }

  /** Stores `obj` (taking ownership of it) under a fresh resourceVersion and tells watchers. */
  put(gr: string, obj: KubeObject, type: "ADDED" | "MODIFIED"): KubeObject {
    const name = obj.metadata.name ?? "";
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    let byName = this.objects.get(gr);
    if (!byName) {
      byName = new Map();
      this.objects.set(gr, byName);
    }
    const key = keyOf(obj.metadata.namespace, name);
    const old = byName.get(key);
    byName.set(key, obj);
    this.record(old ? { type, gr, rv: this.rv, object: obj, old } : { type, gr, rv: this.rv, object: obj });
    return obj;
  }

  remove(gr: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const byName = this.objects.get(gr);
    const existing = byName?.get(keyOf(namespace, name));
    if (!byName || !existing) return undefined;
    byName.delete(keyOf(namespace, name));
    this.rv += 1;
    const gone = { ...existing, metadata: { ...existing.metadata, resourceVersion: String(this.rv) } };
    this.record({ type: "DELETED", gr, rv: this.rv, object: gone });
    return gone;
  }

  /** Events for `gr` after resourceVersion `from`, or "expired" when the window no longer reaches back that far. */
  eventsSince(gr: string, from: number): StoreEvent[] | "expired" {
    if (from < this.compactedRv) return "expired";
    return this.history.filter((e) => e.rv > from && e.gr === gr);
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > this.historySize) {
      const dropped = this.history.shift();
      if (dropped) this.compactedRv = dropped.rv;
    }
    for (const l of this.listeners) l(e);
  }
}
