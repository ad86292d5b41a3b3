import type { ObjectRef } from "./client.ts";
import { KnownLists } from "./known-lists.ts";
import { KnownObjects } from "./known-objects.ts";
import type { Kube, KubeObject } from "./kube.ts";

/**
 * Kinds whose objects change rarely (Graydesk writes only the version Services of Gateway API jobs, and
 * every write forgets what was kept): reading them again within a few seconds
 * tells nothing new, yet every plan, card and discovery used to list them. Ingresses only feed the warning
 * that traffic bypasses the split.
 */
export const RARELY_CHANGING = new Set([
  "Service",
  "Namespace",
  "Gateway",
  "CustomResourceDefinition",
  "Ingress",
]);

/** Kinds a create asks a question with (may I?) and stores nothing: not a write, so nothing is forgotten. */
const QUESTIONS = new Set([
  "SelfSubjectAccessReview",
  "SelfSubjectRulesReview",
  "SubjectAccessReview",
  "LocalSubjectAccessReview",
  "TokenReview",
]);

export interface ReadCacheOptions {
  /** How long a read of a rarely changing kind is reused (default 30 s). */
  ttlMs?: number;
  now?: () => number;
  kinds?: ReadonlySet<string>;
}

type WriteListener = (namespace: string | undefined, kind: string) => void;

/**
 * The cluster as the desk sees it. `fresh` reads straight from the API server: writes and the reads that
 * decide a write (preconditions, readiness) go through it. `shared` keeps reads of rarely changing kinds for
 * a short while, per namespace. Any write through either forgets what was kept for its namespace and tells
 * the listeners, so Graydesk never reads back an answer older than its own change.
 */
export class ReadCache {
  readonly fresh: Kube;
  readonly shared: Kube;
  /** The last whole Deployment list per namespace read through either (see KnownLists). */
  readonly known: KnownLists;
  /** The routing objects as Graydesk's own writes and reads by name last found them (see KnownObjects). */
  readonly objects = new KnownObjects();
  readonly #kept = new Map<string, { at: number; value: Promise<unknown> }>();
  readonly #listeners: WriteListener[] = [];
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #kinds: ReadonlySet<string>;

  constructor(kube: Kube, options: ReadCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#kinds = options.kinds ?? RARELY_CHANGING;
    this.known = new KnownLists({ now: this.#now });
    const list: Kube["list"] = (apiVersion, kind, namespace, selector) =>
      this.known.remember(apiVersion, kind, namespace, selector, () =>
        kube.list(apiVersion, kind, namespace, selector),
      );
    // A list answered while a write of its kind was under way may or may not show it: not remembered.
    const writing = async <T>(
      ref: ObjectRef,
      dryRun: unknown,
      write: () => Promise<T>,
      deletes = false,
    ): Promise<T> => {
      if (dryRun || QUESTIONS.has(ref.kind)) return write();
      this.#wrote(ref.namespace, ref.kind);
      this.objects.writing(ref);
      try {
        const answer = await write();
        this.known.answered(ref, deletes ? undefined : answer);
        this.objects.answered(ref, deletes ? undefined : answer);
        return answer;
      } catch (error) {
        this.known.forget(ref.namespace, ref.kind);
        this.objects.forget(ref);
        throw error;
      } finally {
        this.known.wrote(ref.namespace, ref.kind);
        this.objects.writing(ref);
      }
    };
    const refOf = (object: {
      apiVersion?: string;
      kind?: string;
      metadata?: { namespace?: string; name?: string };
    }) => ({
      apiVersion: object.apiVersion ?? "",
      kind: object.kind ?? "",
      namespace: object.metadata?.namespace,
      name: object.metadata?.name ?? "",
    });
    const writes = {
      create: ((object, options) =>
        writing(refOf(object), options?.dryRun, () => kube.create(object, options))) as Kube["create"],
      mergePatch: ((ref: ObjectRef, body, options) =>
        writing(ref, options?.dryRun, () => kube.mergePatch(ref, body, options))) as Kube["mergePatch"],
      apply: ((object, options) =>
        writing(refOf(object), options?.dryRun, () => kube.apply(object, options))) as Kube["apply"],
      delete: ((ref: ObjectRef, options) =>
        writing(ref, options?.dryRun, () => kube.delete(ref, options), true)) as Kube["delete"],
    };
    const get: Kube["get"] = (ref) => this.objects.read(ref, () => this.known.read(ref, () => kube.get(ref)));
    // A watch (readiness) is a read that decides a write: straight to the API server, as `get`.
    const watch = kube.watch ? { watch: kube.watch.bind(kube) } : {};
    this.fresh = { ...writes, get, list, ...watch } as Kube;
    this.shared = {
      ...writes,
      get: (ref) => {
        if (!this.#kinds.has(ref.kind)) return get(ref);
        const read = () => kube.get(ref);
        // The kind's whole list kept for the namespace answers a read by name as well as a kept read would.
        const listed =
          ref.namespace === undefined
            ? undefined
            : this.#kept.get(`${ref.namespace}|list ${ref.apiVersion} ${ref.kind} `);
        if (listed && this.#now() - listed.at < this.#ttlMs) {
          return (listed.value as Promise<{ items: KubeObject[] }>).then(({ items }) => {
            const found = items.find((item) => item.metadata.name === ref.name);
            // A list's items of built-in kinds come without their kind, which a read by name carries.
            return (
              found && {
                ...found,
                apiVersion: found.apiVersion || ref.apiVersion,
                kind: found.kind || ref.kind,
              }
            );
          }, read) as ReturnType<Kube["get"]>;
        }
        return this.#keep(ref.namespace, `get ${ref.apiVersion} ${ref.kind} ${ref.name}`, read);
      },
      list: (apiVersion, kind, namespace, selector) =>
        this.#kinds.has(kind)
          ? this.#keep(namespace, `list ${apiVersion} ${kind} ${selector ?? ""}`, () =>
              list(apiVersion, kind, namespace, selector),
            )
          : list(apiVersion, kind, namespace, selector),
    } as Kube;
  }

  /** Called on every write (dry runs aside), before it is sent. */
  onWrite(listener: WriteListener): void {
    this.#listeners.push(listener);
  }

  /** Forgets everything kept for a namespace (undefined: cluster-wide reads). */
  forget(namespace: string | undefined): void {
    const prefix = `${namespace ?? ""}|`;
    for (const key of this.#kept.keys()) if (key.startsWith(prefix)) this.#kept.delete(key);
  }

  #keep<T>(namespace: string | undefined, what: string, read: () => Promise<T>): Promise<T> {
    const key = `${namespace ?? ""}|${what}`;
    const kept = this.#kept.get(key);
    if (kept && this.#now() - kept.at < this.#ttlMs) return kept.value as Promise<T>;
    const value = read();
    const entry = { at: this.#now(), value };
    this.#kept.set(key, entry);
    value.catch(() => {
      if (this.#kept.get(key) === entry) this.#kept.delete(key);
    });
    return value;
  }

  #wrote(namespace: string | undefined, kind: string): void {
    if (this.#kinds.has(kind)) this.forget(namespace);
    this.known.wrote(namespace, kind);
    for (const listener of this.#listeners) listener(namespace, kind);
  }
}
