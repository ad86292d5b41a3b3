import type { ObjectRef } from "./client.ts";
import type { Kube, KubeObject, MemoReads } from "./kube.ts";
import { refKey } from "./routers/types.ts";

/**
 * What an apply's writes answered: each object as the API server returned it after a create or a patch (or as
 * a wait for readiness last read it), or undefined once deleted.
 */
export class WrittenObjects {
  readonly #objects = new Map<string, { ref: ObjectRef; object: KubeObject | undefined }>();

  wrote(ref: ObjectRef, object: KubeObject | undefined): void {
    this.#objects.set(refKey(ref), { ref, object });
  }

  /** The reads after the apply: written objects as answered, the rest from `before` (the plan's reads). */
  over(before: MemoReads, fresh: Kube): Kube {
    const objects = this.#objects;
    return {
      create: (object, options) => fresh.create(object, options),
      mergePatch: (ref, body, options) => fresh.mergePatch(ref, body, options),
      apply: (object, options) => fresh.apply(object, options),
      delete: (ref, options) => fresh.delete(ref, options),
      get: async (ref: ObjectRef) => {
        const written = objects.get(refKey(ref));
        if (written) return written.object;
        // A plan that found the object in its kind's list answers a read by name from that list.
        if (ref.namespace === undefined || !before.listed(ref.apiVersion, ref.kind, ref.namespace))
          return before.get(ref);
        const { items } = await before.list<KubeObject>(ref.apiVersion, ref.kind, ref.namespace);
        return items.find((item) => item.metadata.name === ref.name);
      },
      list: async (apiVersion: string, kind: string, namespace?: string, selector?: string) => {
        // A label selector may or may not pick a written object: such a list is read again.
        const rewritten = [...objects.values()].some((w) => w.ref.kind === kind);
        if (selector !== undefined && rewritten) return fresh.list(apiVersion, kind, namespace, selector);
        const read = await before.list<KubeObject>(apiVersion, kind, namespace, selector);
        const items = new Map(read.items.map((item) => [item.metadata.name, item]));
        for (const { ref, object } of objects.values()) {
          if (ref.kind !== kind || ref.apiVersion !== apiVersion || ref.namespace !== namespace) continue;
          if (object) items.set(ref.name, object);
          else items.delete(ref.name);
        }
        return { ...read, items: [...items.values()] };
      },
    } as Kube;
  }
}
