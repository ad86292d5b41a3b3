import { createHash } from "node:crypto";
import {
  ApiException,
  AuthorizationV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1ConfigMap,
  Watch,
} from "@kubernetes/client-node";
import { emptyData, SCHEMA_VERSION, type StoreData, type StoredRecord } from "./schema.ts";
import { type Store, StoreError, StoreForbiddenError } from "./store.ts";

export interface KubeStoreOptions {
  namespace: string;
  /** Prefix of the ConfigMaps' names and the value of their `graydesk.io/state` label; default graydesk-state. */
  name?: string;
  /** Attempts of one update before giving up when other replicas keep winning the race. Default 20. */
  attempts?: number;
  /** Re-list and re-watch after a watch ends, after this many milliseconds. Default 1000. */
  rewatchDelayMs?: number;
}

export const STATE_LABEL = "graydesk.io/state";
export const COLLECTION_LABEL = "graydesk.io/collection";
export const RECORD_ID_ANNOTATION = "graydesk.io/record-id";
const RECORD_KEY = "record.json";
// A ConfigMap holds at most 1 MiB in all; leave room for its metadata.
export const MAX_RECORD_BYTES = 1_000_000;

type Collection = Exclude<keyof StoreData, "schemaVersion">;
const COLLECTIONS = Object.keys(emptyData()).filter((k) => k !== "schemaVersion") as Collection[];

interface Cached {
  collection: Collection;
  id: string;
  resourceVersion: string;
  json: string;
}

/**
 * State shared by several replicas: one ConfigMap per record (`<name>-<collection>-<hash of id>`), so no object
 * nears the 1 MiB limit however many jobs there are, and two replicas touching different records never collide.
 *
 * Consistency model:
 * - `data()` is a cache, filled by one list at start and kept current by a watch on the labelled ConfigMaps.
 *   Reads may lag another replica's write by the watch's delay.
 * - `update(mutate)` runs `mutate` on the cache, then writes every changed record with its resourceVersion as
 *   a precondition (PUT / create / delete with preconditions). If any write answers 409 Conflict (another
 *   replica changed or created that record since), the store re-lists, runs `mutate` again on the fresh data and
 *   retries. So a decision is only ever committed if the records it changes were fresh when it was made: two
 *   replicas deciding the same approval at once see exactly one win.
 * - Atomicity is per record. An update changing several records may commit some before a later one conflicts;
 *   it is then re-run on fresh data, so `mutate` must read-then-set (as every caller does) rather than append
 *   blindly. Records an update only reads are not protected.
 * Within one replica, updates are serialized as in the file store.
 */
export async function openKubeStore(kc: KubeConfig, options: KubeStoreOptions): Promise<Store> {
  const { namespace } = options;
  const prefix = options.name ?? "graydesk-state";
  const attempts = options.attempts ?? 20;
  const api = kc.makeApiClient(CoreV1Api);
  const selector = `${STATE_LABEL}=${prefix}`;
  const cache = new Map<string, Cached>();
  let state: StoreData = emptyData();
  let closed = false;
  let watchAbort: AbortController | undefined;
  let rewatchTimer: NodeJS.Timeout | undefined;

  const setRecord = (cm: V1ConfigMap) => {
    const entry = readConfigMap(cm);
    if (!entry) return;
    const name = cm.metadata?.name as string;
    const previous = cache.get(name);
    if (previous && olderThan(entry.resourceVersion, previous.resourceVersion)) return;
    cache.set(name, entry);
    state[entry.collection] = { ...state[entry.collection], [entry.id]: JSON.parse(entry.json) };
  };
  const dropRecord = (name: string) => {
    const previous = cache.get(name);
    if (!previous) return;
    cache.delete(name);
    const { [previous.id]: _gone, ...rest } = state[previous.collection];
    state[previous.collection] = rest;
  };

  async function relist(): Promise<string | undefined> {
    let list: Awaited<ReturnType<CoreV1Api["listNamespacedConfigMap"]>>;
    try {
      list = await api.listNamespacedConfigMap({ namespace, labelSelector: selector });
    } catch (cause) {
      throw new StoreError(`cannot list the state ConfigMaps in namespace ${namespace}: ${describe(cause)}`, {
        cause,
      });
    }
    cache.clear();
    state = emptyData();
    for (const cm of list.items) setRecord(cm);
    return list.metadata?.resourceVersion;
  }

  async function watchFrom(resourceVersion: string | undefined) {
    if (closed) return;
    // Without the right to watch, re-list on the timer rather than open a watch the API server refuses.
    if (!mayWatch) {
      scheduleRewatch();
      return;
    }
    const path = `/api/v1/namespaces/${namespace}/configmaps`;
    try {
      watchAbort = await new Watch(kc).watch(
        path,
        { labelSelector: selector, allowWatchBookmarks: true, resourceVersion },
        (phase, object: V1ConfigMap) => {
          if (phase === "ADDED" || phase === "MODIFIED") setRecord(object);
          else if (phase === "DELETED" && object.metadata?.name) dropRecord(object.metadata.name);
        },
        () => scheduleRewatch(),
      );
    } catch {
      scheduleRewatch();
    }
  }
  // A watch ends now and then (timeouts, 410 Gone): list again so nothing between the two is missed.
  function scheduleRewatch() {
    if (closed) return;
    rewatchTimer = setTimeout(() => {
      relist()
        .then((rv) => watchFrom(rv))
        .catch(() => scheduleRewatch());
    }, options.rewatchDelayMs ?? 1000);
    rewatchTimer.unref();
  }

  async function write(
    name: string,
    before: Cached | undefined,
    record: StoredRecord | undefined,
    c: Collection,
  ) {
    if (record === undefined) {
      if (!before) return;
      await refusable("delete", () =>
        api.deleteNamespacedConfigMap({
          name,
          namespace,
          body: { preconditions: { resourceVersion: before.resourceVersion } },
        }),
      );
      dropRecord(name);
      return;
    }
    const json = JSON.stringify(record);
    if (Buffer.byteLength(json) > MAX_RECORD_BYTES) {
      throw new StoreError(
        `${c} record ${record.id} is ${Buffer.byteLength(json)} bytes; a Kubernetes ConfigMap holds at most 1 MiB`,
      );
    }
    const body: V1ConfigMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name,
        namespace,
        labels: { "app.kubernetes.io/managed-by": "graydesk", [STATE_LABEL]: prefix, [COLLECTION_LABEL]: c },
        annotations: {
          [RECORD_ID_ANNOTATION]: record.id,
          "graydesk.io/schema-version": String(SCHEMA_VERSION),
        },
        ...(before ? { resourceVersion: before.resourceVersion } : {}),
      },
      data: { [RECORD_KEY]: json },
    };
    const saved = before
      ? await refusable("update", () => api.replaceNamespacedConfigMap({ name, namespace, body }))
      : await refusable("create", () => api.createNamespacedConfigMap({ namespace, body }));
    setRecord(saved);
  }

  // A missing permission is for the operator to grant, and the person whose change was not saved should be
  // told which one rather than get a generic apology.
  async function refusable<T>(verb: "create" | "update" | "delete", call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ApiException && error.code === 403)
        throw new StoreForbiddenError(verb, namespace, error);
      throw error;
    }
  }

  async function commit(draft: StoreData) {
    for (const c of COLLECTIONS) {
      const ids = new Set([...Object.keys(state[c]), ...Object.keys(draft[c])]);
      for (const id of ids) {
        const name = recordName(prefix, c, id);
        const before = cache.get(name);
        const after = draft[c][id];
        if (after !== undefined && before && JSON.stringify(after) === before.json) continue;
        await write(name, before, after, c);
      }
    }
  }

  const firstVersion = await relist();
  const mayWatch = await mayWatchConfigMaps(kc, namespace);
  await watchFrom(firstVersion);

  let queue: Promise<unknown> = Promise.resolve();
  return {
    data: () => state,
    update<T>(mutate: (draft: StoreData) => T): Promise<T> {
      if (closed) return Promise.reject(new StoreError("the store is closed"));
      const run = queue.then(async () => {
        for (let attempt = 1; ; attempt++) {
          const draft = structuredClone(state);
          const result = mutate(draft);
          try {
            await commit(draft);
            return result;
          } catch (error) {
            if (!isConflict(error)) throw asStoreError(error, namespace);
            if (attempt >= attempts) {
              throw new StoreError(
                `the state in namespace ${namespace} kept changing under this update (${attempts} conflicts); try again`,
                { cause: error },
              );
            }
            await relist();
            await jitter(attempt);
          }
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async flush() {
      await queue;
    },
    async close() {
      await queue;
      closed = true;
      clearTimeout(rewatchTimer);
      watchAbort?.abort();
    },
  };
}

/** `graydesk-state-approvals-3f2a…`: names stay valid and short whatever characters a record id holds. */
export function recordName(prefix: string, collection: string, id: string): string {
  const hash = createHash("sha256").update(id).digest("hex").slice(0, 20);
  return `${prefix}-${collection}-${hash}`;
}

function readConfigMap(cm: V1ConfigMap): Cached | undefined {
  const collection = cm.metadata?.labels?.[COLLECTION_LABEL] as Collection | undefined;
  const id = cm.metadata?.annotations?.[RECORD_ID_ANNOTATION];
  const json = cm.data?.[RECORD_KEY];
  const resourceVersion = cm.metadata?.resourceVersion;
  if (!collection || !COLLECTIONS.includes(collection) || !id || !json || !resourceVersion) return undefined;
  return { collection, id, json, resourceVersion };
}

// resourceVersions are opaque, but the API server's are increasing integers; a watch event older than what a
// write already returned would otherwise briefly roll the cache back (harmless for safety: the next write
// would just conflict and re-list).
function olderThan(a: string, b: string): boolean {
  return /^\d+$/.test(a) && /^\d+$/.test(b) && BigInt(a) < BigInt(b);
}

/** 409 Conflict (changed or created since read) and 404 on a replace/delete (deleted since read). */
function isConflict(error: unknown): boolean {
  return error instanceof ApiException && (error.code === 409 || error.code === 404);
}

function asStoreError(error: unknown, namespace: string): Error {
  if (error instanceof StoreError || error instanceof StoreForbiddenError) return error;
  return new StoreError(`cannot save state to namespace ${namespace}: ${describe(error)}`, { cause: error });
}

function describe(error: unknown): string {
  if (error instanceof ApiException) {
    const body = typeof error.body === "string" ? error.body : JSON.stringify(error.body ?? "");
    const message = /"message":"([^"]*)"/.exec(body)?.[1];
    return `the API server answered ${error.code}${message ? `: ${message}` : ""}`;
  }
  return (error as Error)?.message ?? String(error);
}

function jitter(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 5 * attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Asks the API server (a SelfSubjectAccessReview) whether Graydesk may watch its state ConfigMaps, instead of
 * learning it from a refused watch every second. A server that does not answer gets the benefit of the doubt.
 */
async function mayWatchConfigMaps(kc: KubeConfig, namespace: string): Promise<boolean> {
  try {
    const review = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb: "watch", resource: "configmaps", namespace } } },
    });
    return review.status?.allowed === true;
  } catch {
    return true;
  }
}
