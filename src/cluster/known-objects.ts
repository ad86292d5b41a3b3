import type { ObjectRef } from "./client.ts";
import type { KubeObject } from "./kube.ts";
import { refKey } from "./routers/types.ts";

/** The routing objects a job's plans read by name and write: their last answers are remembered. */
export const REMEMBERED_OBJECTS = new Set(["VirtualService", "DestinationRule", "Strategy", "HTTPRoute"]);

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
  readonly #writes = new Map<string, number>();

  constructor(kinds: ReadonlySet<string> = REMEMBERED_OBJECTS) {
    this.#kinds = kinds;
  }

  get(ref: ObjectRef): KubeObject | undefined {
    return this.#objects.get(refKey(ref));
  }

  /** A write to the object is about to be sent, or was answered. */
  writing(ref: ObjectRef): void {
    if (!this.#kinds.has(ref.kind)) return;
    const key = refKey(ref);
    this.#writes.set(key, (this.#writes.get(key) ?? 0) + 1);
  }

  /** The object as answered (undefined: deleted or not found). */
  answered(ref: ObjectRef, object: unknown): void {
    if (!this.#kinds.has(ref.kind)) return;
    const key = refKey(ref);
    const found = object as KubeObject | undefined;
    if (found?.metadata?.resourceVersion) this.#objects.set(key, found);
    else this.#objects.delete(key);
  }

  forget(ref: ObjectRef): void {
    this.#objects.delete(refKey(ref));
  }

  /** A read by name: its answer is remembered unless a write to the object began meanwhile. */
  async read<T>(ref: ObjectRef, get: () => Promise<T>): Promise<T> {
    if (!this.#kinds.has(ref.kind)) return get();
    const key = refKey(ref);
    const writes = this.#writes.get(key) ?? 0;
    const answer = await get();
    if ((this.#writes.get(key) ?? 0) === writes) this.answered(ref, answer);
    return answer;
  }
}
