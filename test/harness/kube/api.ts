// The verbs of the Kubernetes API over the store: get, list, create, update, patch, delete, and the
// scale/status subresources, with kube's defaulting, validation, generation and field ownership.

import { parse as parseYaml } from "yaml";
import { recordUpdate, serverSideApply } from "./apply.ts";
import { applyDefaults, builtinCauses, nameCauses } from "./builtins.ts";
import { grOf, newUid, present, randomSuffix, specOf } from "./objects.ts";
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from "./patch.ts";
import { apiVersionOf, type ResourceType } from "./registry.ts";
import { prune, type Schema, type SchemaValidator } from "./schema.ts";
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from "./selectors.ts";
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  MODIFIED,
  notFound,
  optionsInvalid,
  StatusError,
  unsupportedMediaType,
} from "./status.ts";
import type { KubeObject, ManagedFieldsEntry, Store } from "./store.ts";
import { immutableCauses, labelCauses } from "./validation.ts";

const WORKLOADS = new Set(["deployments", "replicasets", "statefulsets", "daemonsets"]);

export interface Target {
  type: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface WriteOptions {
  dryRun: boolean;
  fieldManager: string;
  /** False when the request named no fieldManager (the manager then comes from the User-Agent, except for apply). */
  fieldManagerGiven?: boolean;
  force: boolean;
  fieldValidation?: string;
}

export interface WriteResult {
  object: KubeObject;
  code: number;
  warnings: string[];
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ApiDeps {
  store: Store;
  schemas: Map<string, Schema>;
  validator: SchemaValidator;
  now: () => Date;
}

const GENERATION_TRACKED = new Set(["apps/deployments", "apps/replicasets"]);
const NAMESPACE_GR = "/namespaces";

export class Api {
  private readonly deps: ApiDeps;
  constructor(deps: ApiDeps) {
    this.deps = deps;
  }

  private get store(): Store {
    return this.deps.store;
  }

  stored(t: Target): KubeObject {
    const o = this.store.get(grOf(t.type), t.namespace, t.name ?? "");
    if (!o) throw notFound(t.type, t.name ?? "");
    return o;
  }

  get(t: Target): KubeObject {
    return present(t.type, t.version, this.stored(t));
  }

  /** Matching objects sorted by namespace/name, as etcd's key order gives them. */
  select(t: Target, q: ListQuery): KubeObject[] {
    let labels: ReturnType<typeof parseLabelSelector> = [];
    let fields: ReturnType<typeof parseFieldSelector> = [];
    try {
      labels = q.labelSelector ? parseLabelSelector(q.labelSelector) : [];
      const supported = [
        "metadata.name",
        "metadata.namespace",
        ...(t.type.resource === "pods" ? ["status.phase", "spec.nodeName"] : []),
      ];
      fields = q.fieldSelector ? parseFieldSelector(q.fieldSelector, supported) : [];
    } catch (e) {
      if (e instanceof SelectorError) throw badRequest(e.message);
      throw e;
    }
    return this.store
      .list(grOf(t.type), t.type.namespaced ? t.namespace : undefined)
      .filter(
        (o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, (f) => fieldValue(o, f)),
      )
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  }

  list(t: Target, q: ListQuery): KubeObject {
    let items = this.select(t, q);
    const metadata: Record<string, unknown> = { resourceVersion: this.store.currentRv() };
    if (q.continue) {
      const after = decodeContinue(q.continue);
      items = items.filter((o) => keyOf(o) > after);
    }
    if (q.limit && q.limit > 0 && items.length > q.limit) {
      const last = items[q.limit - 1];
      metadata.remainingItemCount = items.length - q.limit;
      items = items.slice(0, q.limit);
      if (last) metadata.continue = Buffer.from(JSON.stringify({ after: keyOf(last) })).toString("base64url");
    }
    return {
      apiVersion: apiVersionOf(t.type.group, t.version),
      kind: `${t.type.kind}List`,
      metadata,
      items: items.map((o) => {
        const copy = present(t.type, t.version, o);
        // Built-in list items come without apiVersion/kind over JSON; custom resources keep theirs.
        if (!t.type.custom) {
          delete copy.apiVersion;
          delete copy.kind;
        }
        return copy;
      }),
    } as unknown as KubeObject;
  }

  /** `applied` carries the field ownership of a server-side apply that creates the object. */
  create(t: Target, body: KubeObject, opts: WriteOptions, applied?: ManagedFieldsEntry[]): WriteResult {
    // kube's storage refuses this late, as an internal error without a reason.
    if (!applied && body.metadata?.resourceVersion)
      throw new StatusError(500, "", "resourceVersion should not be set on objects to be created");
    const obj = structuredClone(body);
    obj.metadata = { ...(obj.metadata ?? {}) };
    if (!obj.metadata.name && obj.metadata.generateName)
      obj.metadata.name = obj.metadata.generateName + randomSuffix();
    if (t.type.namespaced) {
      const ns = t.namespace ?? obj.metadata.namespace;
      if (obj.metadata.namespace && t.namespace && obj.metadata.namespace !== t.namespace) {
        throw badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
      obj.metadata.namespace = ns;
      const home = this.store.get(NAMESPACE_GR, undefined, ns ?? "");
      if (!home) throw notFound({ group: "", resource: "namespaces" }, ns ?? "");
      if (home.metadata.deletionTimestamp) {
        throw forbidden(
          t.type,
          obj.metadata.name,
          `unable to create new content in namespace ${ns} because it is being terminated`,
        );
      }
    } else delete obj.metadata.namespace;
    const name = obj.metadata.name ?? "";
    if (name && this.store.get(grOf(t.type), obj.metadata.namespace, name)) throw alreadyExists(t.type, name);
    if (t.type.subresources?.includes("status") && t.type.resource !== "namespaces") delete obj.status;
    // Workloads come back from a create with an empty status, as the real server's defaulting leaves it.
    if (WORKLOADS.has(t.type.resource) && !t.type.custom) obj.status = {};
    const warnings = this.admit(t, undefined, obj, opts);
    const now = this.deps
      .now()
      .toISOString()
      .replace(/\.\d+Z$/, "Z");
    obj.metadata.uid = newUid();
    obj.metadata.creationTimestamp = now;
    if (t.type.custom || GENERATION_TRACKED.has(grOf(t.type))) obj.metadata.generation = 1;
    if (applied) obj.metadata.managedFields = applied;
    else
      recordUpdate(
        undefined,
        obj,
        opts.fieldManager,
        apiVersionOf(t.type.group, t.version),
        !t.type.custom,
        now,
      );
    return { object: this.commit(t, obj, "ADDED", opts), code: 201, warnings };
  }

  /** PUT of the object or of its status subresource. */
  update(t: Target, body: KubeObject, opts: WriteOptions): WriteResult {
    const current = this.stored(t);
    const name = t.name ?? "";
    if (body.metadata?.name !== undefined && body.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const rv = body.metadata?.resourceVersion;
    // Custom resources never allow an unconditional update; built-in types mostly do.
    if (!rv && t.type.custom) {
      throw invalid(t.type.resource, t.type.group, name, [
        {
          reason: "FieldValueInvalid",
          field: "metadata.resourceVersion",
          message: "Invalid value: 0x0: must be specified for an update",
        },
      ]);
    }
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(t.type, name, MODIFIED);
    return this.replace(t, current, structuredClone(body), opts, "Update");
  }

  patch(t: Target, contentType: string, raw: string, opts: WriteOptions): WriteResult {
    const type = contentType.split(";")[0]?.trim() ?? "";
    const grKey = grOf(t.type);
    const existing = this.store.get(grKey, t.namespace, t.name ?? "");
    if (type === "application/apply-patch+yaml") return this.apply(t, existing, raw, opts);
    if (!existing) throw notFound(t.type, t.name ?? "");
    const current = present(t.type, t.version, existing);
    let patch: unknown;
    try {
      patch = JSON.parse(raw);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    let patched: unknown;
    try {
      if (type === "application/json-patch+json") patched = jsonPatch(current, patch);
      else if (type === "application/merge-patch+json") patched = mergePatch(current, patch);
      else if (type === "application/strategic-merge-patch+json" && !t.type.custom)
        patched = strategicMergePatch(current, patch);
      else throw unsupportedMediaType(acceptedPatchTypes(t.type));
    } catch (e) {
      if (e instanceof PatchError) {
        throw new StatusError(
          422,
          "Invalid",
          "the server rejected our request due to an error in our request",
          {
            causes: [{ reason: "UnexpectedServerResponse", message: e.message }],
          },
        );
      }
      throw e;
    }
    const obj = patched as KubeObject;
    const rv = obj.metadata?.resourceVersion;
    if (rv && rv !== existing.metadata.resourceVersion) throw conflict(t.type, t.name ?? "", MODIFIED);
    return this.replace(t, existing, obj, opts, "Update");
  }

  private apply(t: Target, existing: KubeObject | undefined, raw: string, opts: WriteOptions): WriteResult {
    if (opts.fieldManagerGiven === false) {
      throw optionsInvalid("PatchOptions", {
        reason: "FieldValueRequired",
        field: "fieldManager",
        message: "Required value: is required for apply patch",
      });
    }
    let applied: KubeObject;
    try {
      applied = parseYaml(raw) as KubeObject;
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
    const expected = apiVersionOf(t.type.group, t.version);
    if (applied?.apiVersion !== expected || applied.kind !== t.type.kind) {
      throw badRequest(
        `apiVersion and kind in the applied configuration must be ${expected} and ${t.type.kind}`,
      );
    }
    const now = this.deps
      .now()
      .toISOString()
      .replace(/\.\d+Z$/, "Z");
    const live = existing ? present(t.type, t.version, existing) : undefined;
    const merged = serverSideApply({
      live,
      applied,
      manager: opts.fieldManager,
      force: opts.force,
      apiVersion: expected,
      keyedLists: !t.type.custom,
      now,
    });
    merged.metadata.name = t.name;
    if (!existing) return this.create(t, merged, opts, merged.metadata.managedFields ?? []);
    return this.replace(t, existing, merged, opts, "Apply");
  }

  /** The common path of PUT and PATCH: keeps what clients may not change, then admits and stores. */
  private replace(
    t: Target,
    current: KubeObject,
    next: KubeObject,
    opts: WriteOptions,
    op: "Update" | "Apply",
  ): WriteResult {
    next.metadata = { ...(next.metadata ?? {}) };
    const keep = current.metadata;
    next.metadata.name = keep.name;
    next.metadata.namespace = keep.namespace;
    next.metadata.uid = keep.uid;
    next.metadata.creationTimestamp = keep.creationTimestamp;
    next.metadata.resourceVersion = keep.resourceVersion;
    if (t.subresource === "status") {
      const onlyStatus = structuredClone(current);
      onlyStatus.status = next.status;
      next = onlyStatus;
    } else if (t.type.subresources?.includes("status") && t.type.resource !== "namespaces") {
      if (current.status === undefined) delete next.status;
      else next.status = structuredClone(current.status);
    }
    const warnings = this.admit(t, current, next, opts);
    if (keep.generation !== undefined) {
      next.metadata.generation = specOf(current) === specOf(next) ? keep.generation : keep.generation + 1;
    }
    const now = this.deps
      .now()
      .toISOString()
      .replace(/\.\d+Z$/, "Z");
    if (op === "Update") {
      next.metadata.managedFields = current.metadata.managedFields;
      recordUpdate(
        current,
        next,
        opts.fieldManager,
        apiVersionOf(t.type.group, t.version),
        !t.type.custom,
        now,
        t.subresource,
      );
    }
    return { object: this.commit(t, next, "MODIFIED", opts), code: 200, warnings };
  }

  /** Pruning, defaulting and validation; returns warnings for pruned fields (or rejects them when strict). */
  private admit(t: Target, old: KubeObject | undefined, obj: KubeObject, opts: WriteOptions): string[] {
    obj.apiVersion = apiVersionOf(t.type.group, t.type.versions[0] ?? t.version);
    obj.kind = t.type.kind;
    const name = obj.metadata.name;
    const warnings: string[] = [];
    if (t.type.custom) {
      const schema = this.deps.schemas.get(grOf(t.type));
      const pruned = schema ? prune(obj, schema) : [];
      if (pruned.length > 0 && opts.fieldValidation === "Strict") {
        const fields = pruned.map((p) => `unknown field "${p}"`).join(", ");
        throw badRequest(
          `${t.type.kind} in version "${t.version}" cannot be handled as a ${t.type.kind}: strict decoding error: ${fields}`,
        );
      }
      if (opts.fieldValidation !== "Ignore") warnings.push(...pruned.map((p) => `unknown field "${p}"`));
      const causes = [
        ...(old ? [] : nameCauses(t.type.resource, name)),
        ...labelCauses(obj.metadata.labels),
        ...(schema ? this.deps.validator.causes(schema, obj) : []),
      ];
      if (causes.length > 0) throw invalid(t.type.kind, t.type.group, name ?? "", causes);
      return warnings;
    }
    applyDefaults(t.type.resource, obj);
    const causes = [
      ...(old ? [] : nameCauses(t.type.resource, name)),
      ...labelCauses(obj.metadata.labels),
      ...(old ? immutableCauses(t.type.resource, old, obj) : []),
      ...builtinCauses(t.type.resource, obj),
    ];
    if (causes.length > 0) throw invalid(t.type.kind, t.type.group, name ?? "", causes);
    return warnings;
  }

  private commit(t: Target, obj: KubeObject, type: "ADDED" | "MODIFIED", opts: WriteOptions): KubeObject {
    if (opts.dryRun) return present(t.type, t.version, obj);
    return present(t.type, t.version, this.store.put(grOf(t.type), obj, type));
  }

  /** Removes one object; dependents go with it unless orphaned (the garbage collector does the rest). */
  delete(
    t: Target,
    opts: {
      dryRun: boolean;
      propagationPolicy?: string;
      preconditions?: { uid?: string; resourceVersion?: string };
    },
  ): KubeObject {
    const current = this.stored(t);
    const name = t.name ?? "";
    const pre = opts.preconditions ?? {};
    // As the real API server words it (rest.BeforeDelete): the Kind, not the resource, names what conflicts.
    const byKind = { group: t.type.group, resource: t.type.kind };
    if (pre.uid && pre.uid !== current.metadata.uid) {
      throw conflict(
        byKind,
        name,
        `the UID in the precondition (${pre.uid}) does not match the UID in record (${current.metadata.uid}). The object might have been deleted and then recreated`,
      );
    }
    if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        byKind,
        name,
        `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${current.metadata.resourceVersion}). The object might have been modified`,
      );
    }
    const shown = present(t.type, t.version, current);
    if (opts.dryRun) return deletedReply(t, shown);
    if (opts.propagationPolicy === "Orphan") this.orphanDependents(current.metadata.uid ?? "");
    if (t.type.resource === "namespaces") {
      // Terminating until the namespace controller has removed its contents.
      if (current.metadata.deletionTimestamp) return shown;
      const terminating = structuredClone(current);
      terminating.metadata.deletionTimestamp = this.deps
        .now()
        .toISOString()
        .replace(/\.\d+Z$/, "Z");
      terminating.status = { ...(terminating.status as object), phase: "Terminating" };
      return present(t.type, t.version, this.store.put(grOf(t.type), terminating, "MODIFIED"));
    }
    const gone = this.store.remove(grOf(t.type), t.namespace, name);
    return deletedReply(t, present(t.type, t.version, gone ?? current));
  }

  private orphanDependents(uid: string): void {
    for (const gr of ["apps/replicasets", "/pods"]) {
      for (const o of this.store.list(gr)) {
        if (!o.metadata.ownerReferences?.some((r) => r.uid === uid)) continue;
        const copy = structuredClone(o);
        copy.metadata.ownerReferences = copy.metadata.ownerReferences?.filter((r) => r.uid !== uid);
        this.store.put(gr, copy, "MODIFIED");
      }
    }
  }
}

function deletedReply(t: Target, shown: KubeObject): KubeObject {
  if (t.type.resource === "pods") return shown;
  if (t.type.resource === "namespaces") {
    shown.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    shown.status = { phase: "Terminating" };
    return shown;
  }
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: {
      name: shown.metadata.name,
      group: t.type.group,
      kind: t.type.resource,
      uid: shown.metadata.uid,
    },
  } as unknown as KubeObject;
}

export function acceptedPatchTypes(t: ResourceType): string[] {
  const types = [
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
  ];
  return t.custom ? types : [...types.slice(0, 2), "application/strategic-merge-patch+json", types[2] ?? ""];
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

function decodeContinue(token: string): string {
  try {
    return String((JSON.parse(Buffer.from(token, "base64url").toString()) as { after: string }).after);
  } catch {
    throw badRequest(
      "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
    );
  }
}

export function fieldValue(o: KubeObject, field: string): string | undefined {
  switch (field) {
    case "metadata.name":
      return o.metadata.name;
    case "metadata.namespace":
      return o.metadata.namespace;
    case "status.phase":
      return (o.status as { phase?: string } | undefined)?.phase;
    case "spec.nodeName":
      return (o.spec as { nodeName?: string } | undefined)?.nodeName;
    default:
      return undefined;
  }
}
