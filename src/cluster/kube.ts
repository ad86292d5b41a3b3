import type { KubernetesObject } from "@kubernetes/client-node";
import { type ClusterClient, ClusterError, type ObjectRef } from "./client.ts";

/**
 * What the release engine needs from the Kubernetes API; ClusterClient is the real one. `watch` is optional:
 * where it is missing (or refused), what waits for an object reads it again every so often instead.
 */
export type Kube = Pick<ClusterClient, "get" | "list" | "create" | "mergePatch" | "apply" | "delete"> &
  Partial<Pick<ClusterClient, "watch">>;

/** A Kubernetes object as the engine reads it: plain JSON with the fields every object has. */
export interface KubeObject extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: Date;
    [field: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [field: string]: unknown;
}

/**
 * Bounds every call: a hung API server would otherwise hold a job in mid-apply forever. A call that
 * times out is reported like an unreachable cluster (retryable); its late answer is ignored.
 */
export function withDeadline(kube: Kube, timeoutMs: number): Kube {
  const bound = <T>(work: Promise<T>, verb: string, ref: ObjectRef): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(ClusterError.from(new Error(`no answer within ${timeoutMs} ms`), verbOf(verb), ref)),
        timeoutMs,
      );
    });
    return Promise.race([work, expired]).finally(() => clearTimeout(timer));
  };
  return {
    get: (ref) => bound(kube.get(ref), "get", ref),
    list: (apiVersion, kind, namespace, labelSelector) =>
      bound(kube.list(apiVersion, kind, namespace, labelSelector), "list", {
        apiVersion,
        kind,
        namespace,
        name: "",
      }),
    create: (object, options) => bound(kube.create(object, options), "create", refOf(object)),
    mergePatch: (ref, body, options) => bound(kube.mergePatch(ref, body, options), "patch", ref),
    apply: (object, options) => bound(kube.apply(object, options), "apply", refOf(object)),
    delete: (ref, options) => bound(kube.delete(ref, options), "delete", ref),
    // A watch stays open as long as its reader waits, which bounds it by its own timeout; opening it is bounded.
    ...(kube.watch
      ? { watch: boundWatch(kube.watch.bind(kube), (work, ref) => bound(work, "get", ref)) }
      : {}),
  } as Kube;
}

type Watching = NonNullable<Kube["watch"]>;

/** Opening the watch is bounded; one that opens after its caller gave up is stopped at once. */
function boundWatch(watch: Watching, bound: <T>(work: Promise<T>, ref: ObjectRef) => Promise<T>): Watching {
  return async (ref, onEvent, options) => {
    const opening = watch(ref, onEvent, options);
    try {
      return await bound(opening, ref);
    } catch (error) {
      opening.then(
        (late) => late.stop(),
        () => undefined,
      );
      throw error;
    }
  };
}
type Verb = Parameters<typeof ClusterError.from>[1];
function verbOf(verb: string): Verb {
  return verb as Verb;
}

function refOf(object: KubernetesObject): ObjectRef {
  return {
    apiVersion: object.apiVersion ?? "",
    kind: object.kind ?? "",
    namespace: object.metadata?.namespace,
    name: object.metadata?.name ?? "",
  };
}

/**
 * Reads remembered for the length of one computation; `listed` says whether a list is among them, `prime` puts
 * a list known from elsewhere among them (where none was read yet).
 */
export type MemoReads = Kube & {
  listed(apiVersion: string, kind: string, namespace: string | undefined): boolean;
  prime(apiVersion: string, kind: string, namespace: string, list: { items: unknown[] }): void;
  /** Puts an object known from elsewhere among the reads by name (where it was not read yet). */
  primeObject(ref: ObjectRef, object: KubeObject): void;
  /** Whether the computation read an object put there by primeObject. */
  usedPrimed(ref: ObjectRef): boolean;
};

/** Remembers reads for the length of one computation (a plan), so routers can read freely. */
export function memoReads(kube: Kube): MemoReads {
  const cache = new Map<string, Promise<unknown>>();
  const primed = new Set<string>();
  const used = new Set<string>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    let hit = cache.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = read();
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
    }
    return hit;
  };
  const listKey = (apiVersion: string, kind: string, namespace?: string, selector?: string) =>
    `list ${apiVersion} ${kind} ${namespace ?? ""} ${selector ?? ""}`;
  const nameKey = (ref: ObjectRef) => `get ${ref.apiVersion} ${ref.kind} ${ref.namespace ?? ""} ${ref.name}`;
  return {
    create: (object, options) => kube.create(object, options),
    mergePatch: (ref, body, options) => kube.mergePatch(ref, body, options),
    apply: (object, options) => kube.apply(object, options),
    delete: (ref, options) => kube.delete(ref, options),
    get: (ref) => {
      const named = nameKey(ref);
      if (primed.has(named)) used.add(named);
      const byName = () => once(named, () => kube.get(ref));
      // An object whose kind this computation already listed in its namespace is found in that list.
      const listed = cache.get(listKey(ref.apiVersion, ref.kind, ref.namespace)) as
        | Promise<{ items: KubeObject[] }>
        | undefined;
      if (ref.namespace === undefined || !listed) return byName();
      return listed.then(({ items }) => {
        const found = items.find((item) => item.metadata.name === ref.name);
        // A list's items of built-in kinds come without their kind, which a read by name carries.
        return (
          found && { ...found, apiVersion: found.apiVersion || ref.apiVersion, kind: found.kind || ref.kind }
        );
      }, byName);
    },
    list: (apiVersion, kind, namespace, selector) =>
      once(listKey(apiVersion, kind, namespace, selector), () =>
        kube.list(apiVersion, kind, namespace, selector),
      ),
    listed: (apiVersion, kind, namespace) => cache.has(listKey(apiVersion, kind, namespace)),
    primeObject: (ref, object) => {
      const key = nameKey(ref);
      if (cache.has(key)) return;
      cache.set(key, Promise.resolve(object));
      primed.add(key);
    },
    usedPrimed: (ref) => used.has(nameKey(ref)),
    prime: (apiVersion, kind, namespace, list) => {
      const key = listKey(apiVersion, kind, namespace);
      if (!cache.has(key)) cache.set(key, Promise.resolve(list));
    },
  } as MemoReads;
}

/**
 * Reads for one round over many jobs (a card refresh): a named object in a namespace is found in its kind's list
 * for that namespace, listed once per round, so the round's requests follow the namespaces and kinds it touches,
 * not the number of jobs. Where the list is refused (RBAC may grant get alone), the object is read by name.
 */
export function roundReads(kube: Kube): Kube {
  const memo = memoReads(kube);
  return {
    ...memo,
    get: async (ref) => {
      if (!ref.namespace) return memo.get(ref);
      try {
        const { items } = await memo.list<KubeObject>(ref.apiVersion, ref.kind, ref.namespace);
        const found = items.find((item) => item.metadata.name === ref.name);
        // A list's items of built-in kinds come without their kind, which a read by name carries.
        return (
          found && { ...found, apiVersion: found.apiVersion || ref.apiVersion, kind: found.kind || ref.kind }
        );
      } catch (error) {
        if ((error as { status?: unknown }).status !== 403) throw error;
        return memo.get(ref);
      }
    },
  } as Kube;
}
