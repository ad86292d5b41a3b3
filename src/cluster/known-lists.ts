/** Kinds whose last list per namespace is remembered: a card shows their ready pods, a plan needs their names. */
export const REMEMBERED_LISTS = new Set(["Deployment"]);

/**
 * The last whole list of a kind in a namespace (no label selector), as the API server answered it, with when
 * it was asked. What only shows the objects (the ready pods on a card drawn under a new request) or needs only
 * their names (which Deployment a plan waits for or deletes) may use it instead of listing again. A write of
 * the kind in the namespace through Graydesk forgets it, and a list asked before such a write is not
 * remembered, so it never shows less than Graydesk itself changed; time bounds what others changed since.
 */
export class KnownLists {
  readonly #kinds: ReadonlySet<string>;
  readonly #now: () => number;
  readonly #lists = new Map<string, { at: number; list: unknown }>();
  readonly #asking = new Map<string, { writes: number; list: Promise<unknown> }>();
  /** Writes started per namespace and kind: a list answered after one began is not remembered. */
  readonly #writes = new Map<string, number>();

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
    const writes = this.#writes.get(key) ?? 0;
    // A list asked since the last write and not answered yet answers this one too.
    const asked = this.#asking.get(`${key}|${apiVersion}`);
    if (asked && asked.writes === writes) return asked.list as Promise<T>;
    const at = this.#now();
    const list = read();
    const entry = { writes, list };
    this.#asking.set(`${key}|${apiVersion}`, entry);
    try {
      const answer = await list;
      if ((this.#writes.get(key) ?? 0) === writes)
        this.#lists.set(`${key}|${apiVersion}`, { at, list: answer });
      return answer;
    } finally {
      if (this.#asking.get(`${key}|${apiVersion}`) === entry) this.#asking.delete(`${key}|${apiVersion}`);
    }
  }

  /** The last list of the kind in the namespace, if asked less than `maxAgeMs` ago and no write came since. */
  known<T>(apiVersion: string, kind: string, namespace: string, maxAgeMs: number): T | undefined {
    const kept = this.#lists.get(`${keyOf(namespace, kind)}|${apiVersion}`);
    if (!kept || this.#now() - kept.at >= maxAgeMs) return undefined;
    return kept.list as T;
  }

  /** A write of the kind in the namespace is about to be sent. */
  wrote(namespace: string | undefined, kind: string): void {
    if (!this.#kinds.has(kind) || namespace === undefined) return;
    const key = keyOf(namespace, kind);
    this.#writes.set(key, (this.#writes.get(key) ?? 0) + 1);
    for (const listed of this.#lists.keys()) if (listed.startsWith(`${key}|`)) this.#lists.delete(listed);
  }
}

const keyOf = (namespace: string, kind: string) => `${namespace}|${kind}`;
