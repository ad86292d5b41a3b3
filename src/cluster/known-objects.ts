import type { ObjectRef } from "./client.ts";
import type { KubeObject } from "./kube.ts";
import { refKey } from "./routers/types.ts";
import { WriteCounts } from "./write-counts.ts";

/** The routing objects a job's plans read by name and write: their last answers are remembered. */
export const REMEMBERED_OBJECTS = new Set(["VirtualService", "DestinationRule", "Strategy", "HTTPRoute"]);

/** At most this many objects are remembered (the least recently answered go first): a plan reads the others. */
const MAX_OBJECTS = 5_000;

/**
 * What the API server last answered for each routing object, to Graydesk's own writes and reads by name. A plan
 * may start from it instead of reading the object again only where its dry run is conditioned on that
 * resourceVersion (see dryRunPlan): an object someone changed since is then found before anyone is asked.
 * A write whose outcome is unknown forgets the object; a read answered while a write to it was under way is not
 * remembered.
 */
export class KnownObjects {
  readonly #kinds: ReadonlySet<string>;
  readonly #objects = new Map<string, KubeObject>();
  readonly #writes = new WriteCounts();

  readonly #max: number;

  constructor(kinds: ReadonlySet<string> = REMEMBERED_OBJECTS, max = MAX_OBJECTS) {
    this.#kinds = kinds;
    this.#max = max;
  }

  get(ref: ObjectRef): KubeObject | undefined {
    return this.#objects.get(refKey(ref));
  }

  /** A write to the object is about to be sent, or was answered. */
  writing(ref: ObjectRef): void {
    if (this.#kinds.has(ref.kind)) this.#writes.bump(refKey(ref));
  }

  /** The object as answered (undefined: deleted or not found). */
  answered(ref: ObjectRef, object: unknown): void {
    if (!this.#kinds.has(ref.kind)) return;
    const key = refKey(ref);
    const found = object as KubeObject | undefined;
    this.#objects.delete(key);
    if (!found?.metadata?.resourceVersion) return;
    // The field managers' bookkeeping is most of an object's size and no plan reads it.
    const { managedFields: _managed, ...metadata } = found.metadata;
    this.#objects.set(key, { ...found, metadata });
    for (const oldest of this.#objects.keys()) {
      if (this.#objects.size <= this.#max) break;
      this.#objects.delete(oldest);
    }
  }

  forget(ref: ObjectRef): void {
    this.#objects.delete(refKey(ref));
  }

  /** A read by name: its answer is remembered unless a write to the object began meanwhile. */
  async read<T>(ref: ObjectRef, get: () => Promise<T>): Promise<T> {
    if (!this.#kinds.has(ref.kind)) return get();
    return this.#writes.readUnlessWritten(refKey(ref), get, (answer) => this.answered(ref, answer));
  }
}
