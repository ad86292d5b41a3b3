import { WriteCounts } from "./write-counts.ts";

/** Kinds whose last list per namespace is remembered: a card shows their ready pods, a plan needs their names. */
export const REMEMBERED_LISTS = new Set(["Deployment"]);

/**
 * The last whole list of a kind in a namespace (no label selector), as the API server answered it, with when
 * it was asked. What only shows the objects (the ready pods on a card drawn under a new request) or needs only
 * their names (which Deployment a plan waits for or deletes) may use it instead of listing again. What Graydesk's
 * own writes of the kind and its reads by name answer is laid over it (a write whose outcome is unknown forgets
 * it), and a list answered while such a write was under way is not remembered, so it never shows less than
 * Graydesk itself changed; time bounds what others changed since.
 */
export class KnownLists {
  readonly #kinds: ReadonlySet<string>;
  readonly #now: () => number;
  readonly #lists = new Map<string, { at: number; list: unknown }>();
  readonly #asking = new Map<string, { writes: number; list: Promise<unknown> }>();
  /** Writes started per namespace and kind: a list answered after one began is not remembered. */
  readonly #writes = new WriteCounts();

  constructor(options: { kinds?: ReadonlySet<string>; now?: () => number } = {}) {
    this.#kinds = options.kinds ?? REMEMBERED_LISTS;
    this.#now = options.now ?? Date.now;
  }

  /** Runs a list read and remembers its answer when it is a whole list of a remembered kind. */
  async remember<T>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    selector: string | undefined,
    read: () => Promise<T>,
  ): Promise<T> {
    if (!this.#kinds.has(kind) || namespace === undefined || selector !== undefined) return read();
    const key = keyOf(namespace, kind);
    const writes = this.#writes.count(key);
    // A list asked since the last write and not answered yet answers this one too.
    const asked = this.#asking.get(`${key}|${apiVersion}`);
    if (asked && asked.writes === writes) return asked.list as Promise<T>;
    const at = this.#now();
    const list = read();
    const entry = { writes, list };
    this.#asking.set(`${key}|${apiVersion}`, entry);
    try {
      const answer = await list;
      if (this.#writes.count(key) === writes) this.#lists.set(`${key}|${apiVersion}`, { at, list: answer });
      return answer;
    } finally {
      if (this.#asking.get(`${key}|${apiVersion}`) === entry) this.#asking.delete(`${key}|${apiVersion}`);
    }
  }

  /** The last list of the kind in the namespace with the answers since laid over, if asked less than `maxAgeMs` ago. */
  known<T>(apiVersion: string, kind: string, namespace: string, maxAgeMs: number): T | undefined {
    const kept = this.#lists.get(`${keyOf(namespace, kind)}|${apiVersion}`);
    if (!kept || this.#now() - kept.at >= maxAgeMs) return undefined;
    return kept.list as T;
  }

  /** A write of the kind in the namespace is about to be sent, or was answered: lists asked meanwhile are not kept. */
  wrote(namespace: string | undefined, kind: string): void {
    if (!this.#kinds.has(kind) || namespace === undefined) return;
    this.#writes.bump(keyOf(namespace, kind));
  }

  /**
   * What the API server answered for one object of a remembered kind (a write's answer, a read by name; undefined
   * once deleted or not found), laid over the remembered list: it then shows Graydesk's own changes and the
   * latest readiness read. The list keeps the time it was asked.
   */
  answered(
    ref: { apiVersion: string; kind: string; namespace?: string; name: string },
    object: unknown,
  ): void {
    if (!this.#kinds.has(ref.kind) || ref.namespace === undefined) return;
    const key = `${keyOf(ref.namespace, ref.kind)}|${ref.apiVersion}`;
    const kept = this.#lists.get(key);
    if (!kept) return;
    const list = kept.list as { items: { metadata?: { name?: string } }[] };
    const others = list.items.filter((item) => item.metadata?.name !== ref.name);
    // A new list: memos that were handed the old one keep what they read.
    const items = object === undefined ? others : [...others, object as { metadata?: { name?: string } }];
    this.#lists.set(key, { at: kept.at, list: { ...list, items } });
  }

  /** A read by name of a remembered kind: its answer is laid over the list unless a write began meanwhile. */
  async read<T>(
    ref: { apiVersion: string; kind: string; namespace?: string; name: string },
    get: () => Promise<T>,
  ): Promise<T> {
    if (!this.#kinds.has(ref.kind) || ref.namespace === undefined) return get();
    return this.#writes.readUnlessWritten(keyOf(ref.namespace, ref.kind), get, (answer) =>
      this.answered(ref, answer),
    );
  }

  /** Forgets the kind's lists in the namespace: a write's outcome is unknown. */
  forget(namespace: string | undefined, kind: string): void {
    if (namespace === undefined) return;
    const key = keyOf(namespace, kind);
    for (const listed of this.#lists.keys()) if (listed.startsWith(`${key}|`)) this.#lists.delete(listed);
  }
}

const keyOf = (namespace: string, kind: string) => `${namespace}|${kind}`;
