import {
  ApiException,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from "@kubernetes/client-node";
import { UserFacingError } from "../release/errors.ts";
import { escapeText } from "../release/escape.ts";
import { type ObjectWatch, type WatchEvent, type WatchOptions, watchObject } from "./watch-object.ts";

export const FIELD_MANAGER = "graydesk";

/** A refused watch is tried again after this long (RBAC may have been granted meanwhile). */
const WATCH_REFUSAL_MS = 10 * 60_000;

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
}

export interface WriteOptions {
  dryRun?: boolean;
}

type Verb = "get" | "list" | "create" | "patch" | "apply" | "delete";

/**
 * The one door to the Kubernetes API. Every write names Graydesk as field manager; custom resources are changed
 * by JSON merge patch or server-side apply, never strategic merge (the API server answers 415 to that).
 * Failures become ClusterErrors that name the object and say what went wrong in words a user can act on.
 */
export class ClusterClient {
  readonly #api: KubernetesObjectApi;
  readonly #kc: KubeConfig;
  /** Watches refused (403) per namespace and kind, until when they are not tried again. */
  readonly #watchRefused = new Map<string, { until: number; error: ClusterError }>();

  constructor(kc: KubeConfig) {
    this.#api = KubernetesObjectApi.makeApiClient(kc);
    this.#kc = kc;
  }

  /**
   * Watches one object by name: its current version first, then each change (see watchObject). A kind the API
   * server refused to watch in a namespace (403) is not asked again for a while: the watch fails at once.
   */
  async watch(ref: ObjectRef, onEvent: WatchEvent, options?: WatchOptions): Promise<ObjectWatch> {
    const where = `${ref.namespace ?? ""}|${ref.apiVersion}|${ref.kind}`;
    const refused = this.#watchRefused.get(where);
    if (refused && Date.now() < refused.until) {
      const ended = Promise.reject(refused.error);
      ended.catch(() => undefined);
      return { stop: () => undefined, ended };
    }
    const watch = await watchObject(this.#kc, ref, onEvent, options);
    watch.ended.catch((error: unknown) => {
      if (error instanceof ClusterError && error.status === 403)
        this.#watchRefused.set(where, { until: Date.now() + WATCH_REFUSAL_MS, error });
    });
    return watch;
  }

  /** The object, or undefined when it does not exist. */
  async get<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return (await this.#api.read(header(ref))) as T;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw ClusterError.from(error, "get", ref);
    }
  }

  async list<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
  ): Promise<{ items: T[]; resourceVersion: string | undefined }> {
    try {
      const list = await this.#api.list<T>(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      );
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion };
    } catch (error) {
      throw ClusterError.from(error, "list", { apiVersion, kind, namespace, name: "" });
    }
  }

  async create<T extends KubernetesObject>(object: T, options: WriteOptions = {}): Promise<T> {
    try {
      return await this.#api.create(object, undefined, dryRun(options), FIELD_MANAGER);
    } catch (error) {
      throw ClusterError.from(error, "create", refOf(object));
    }
  }

  /**
   * JSON merge patch. Put `metadata.resourceVersion` in the body to make it conditional: the API server then
   * refuses it with 409 when the object changed since it was read.
   */
  async mergePatch<T extends KubernetesObject>(
    ref: ObjectRef,
    body: object,
    options: WriteOptions = {},
  ): Promise<T> {
    const spec = { ...body, apiVersion: ref.apiVersion, kind: ref.kind } as KubernetesObject;
    spec.metadata = { ...(spec.metadata ?? {}), name: ref.name, namespace: ref.namespace };
    try {
      return (await this.#api.patch(
        spec,
        undefined,
        dryRun(options),
        FIELD_MANAGER,
        undefined,
        PatchStrategy.MergePatch,
      )) as T;
    } catch (error) {
      throw ClusterError.from(error, "patch", ref);
    }
  }

  /** Server-side apply as field manager `graydesk`: only the fields in `object` become ours. */
  async apply<T extends KubernetesObject>(
    object: T,
    options: WriteOptions & { force?: boolean } = {},
  ): Promise<T> {
    try {
      return await this.#api.patch(
        object,
        undefined,
        dryRun(options),
        FIELD_MANAGER,
        options.force ?? false,
        PatchStrategy.ServerSideApply,
      );
    } catch (error) {
      throw ClusterError.from(error, "apply", refOf(object));
    }
  }

  /**
   * Deletes the object; true when it was there, false when it was already gone. With `resourceVersion` the
   * delete is conditional (DeleteOptions preconditions): the API server refuses it with 409 when the object
   * changed since it was read, so no read is needed before it.
   */
  async delete(ref: ObjectRef, options: WriteOptions & { resourceVersion?: string } = {}): Promise<boolean> {
    const preconditions = options.resourceVersion
      ? { preconditions: { resourceVersion: options.resourceVersion } }
      : undefined;
    try {
      await this.#api.delete(
        header(ref),
        undefined,
        dryRun(options),
        undefined,
        undefined,
        "Background",
        preconditions,
      );
      return true;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return false;
      throw ClusterError.from(error, "delete", ref);
    }
  }
}

function dryRun(options: WriteOptions) {
  return options.dryRun ? "All" : undefined;
}

function header(ref: ObjectRef): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
} {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: ref.namespace ? { name: ref.name, namespace: ref.namespace } : { name: ref.name },
  };
}

export function refOf(object: KubernetesObject): ObjectRef {
  return {
    apiVersion: object.apiVersion ?? "",
    kind: object.kind ?? "",
    namespace: object.metadata?.namespace,
    name: object.metadata?.name ?? "",
  };
}

export function describeRef(ref: ObjectRef): string {
  const where = ref.namespace ? `${ref.namespace}/` : "";
  return ref.name ? `${ref.kind} ${where}${ref.name}` : `${ref.kind} in ${ref.namespace ?? "the cluster"}`;
}

interface KubeStatus {
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { field?: string; message?: string }[]; kind?: string; group?: string };
}

const ACTION: Record<Verb, string> = {
  get: "read",
  list: "list",
  create: "create",
  patch: "update",
  apply: "update",
  delete: "delete",
};

/**
 * A Kubernetes call that failed, worded for the person who asked: which object, which action, and why.
 * `retryable` separates "try again later" (timeouts, 429, 5xx, conflicts) from "this will not work as asked".
 */
export class ClusterError extends UserFacingError {
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly ref: ObjectRef;

  constructor(
    message: string,
    fields: { code: string; status?: number; reason?: string; retryable: boolean; ref: ObjectRef },
    options?: ErrorOptions,
  ) {
    super(fields.code, message, { retryable: fields.retryable, cause: options?.cause });
    this.name = "ClusterError";
    this.status = fields.status;
    this.reason = fields.reason;
    this.ref = fields.ref;
  }

  static from(error: unknown, verb: Verb, ref: ObjectRef): ClusterError {
    const what = `${describeRef(ref)} ${ACTION[verb]} failed`;
    if (!(error instanceof ApiException)) {
      const detail = escapeText((error as Error)?.message ?? String(error));
      return new ClusterError(
        `${what}: the Kubernetes API did not answer (${detail}). Nothing was changed by this step; try again.`,
        { code: "cluster-unavailable", retryable: true, ref },
        { cause: error },
      );
    }
    const status = parseStatus(error.body);
    const code = error.code;
    const reason = status.reason;
    // The API server's words (and an admission webhook's or aggregated API's) are data: escaped for mrkdwn here.
    const detail = status.message !== undefined ? escapeText(String(status.message)) : `HTTP ${code}`;
    const resource = pluralOf(ref);
    const byCode: Record<number, { code: string; text: string; retryable: boolean }> = {
      401: {
        code: "unauthorized",
        text: `the cluster did not accept Graydesk's credentials (${detail})`,
        retryable: false,
      },
      403: {
        code: "forbidden",
        text: `forbidden: ${verbOf(verb)} ${resource} — ${detail}`,
        retryable: false,
      },
      404: { code: "not-found", text: `not found: ${detail}`, retryable: false },
      409: { code: "conflict", text: `conflict: ${detail}`, retryable: true },
      415: {
        code: "unsupported",
        text: `the API server refused the patch type: ${detail}`,
        retryable: false,
      },
      422: {
        code: "invalid",
        text: `the API server rejected the object: ${causes(status) ?? detail}`,
        retryable: false,
      },
      429: { code: "throttled", text: `the API server is busy (429): ${detail}`, retryable: true },
    };
    const known = byCode[code] ?? {
      code: code >= 500 ? "cluster-unavailable" : "cluster-error",
      text: `the API server answered ${code}: ${detail}`,
      retryable: code >= 500,
    };
    return new ClusterError(
      `${what}: ${known.text}`,
      { code: known.code, status: code, ...(reason ? { reason } : {}), retryable: known.retryable, ref },
      { cause: error },
    );
  }
}

function parseStatus(body: unknown): KubeStatus {
  if (typeof body === "string") {
    try {
      return JSON.parse(body) as KubeStatus;
    } catch {
      return { message: body.slice(0, 300) };
    }
  }
  return (body ?? {}) as KubeStatus;
}

function causes(status: KubeStatus): string | undefined {
  const list = status.details?.causes?.filter((c) => c.field || c.message);
  if (!list || list.length === 0) return undefined;
  return escapeText(list.map((c) => `${c.field ?? ""}: ${c.message ?? ""}`.trim()).join("; "));
}

function verbOf(verb: Verb): string {
  return verb === "apply" ? "patch" : verb;
}

/** `virtualservices.networking.istio.io`, as RBAC rules name resources. */
function pluralOf(ref: ObjectRef): string {
  const group = ref.apiVersion.includes("/") ? ref.apiVersion.split("/")[0] : "";
  const plural = resourceOf(ref.kind);
  return group ? `${plural}.${group}` : plural;
}

/** A kind's resource name as the API's paths spell it: `virtualservices`, `gatewayclasses`, `policies`. */
export function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith("s")) return `${lower}es`;
  return /[^aeiou]y$/.test(lower) ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}
