// Server-side apply and field ownership: who set which field (managedFields), conflicts between
// managers, and removal of fields a manager stops applying.

import { type FieldSet, fieldsOf, fromFieldsV1, printPath, removeAt, toFieldsV1, valueAt } from "./fields.ts";
import { mergeKeyFor } from "./patch.ts";
import { type StatusCause, StatusError } from "./status.ts";
import type { KubeObject, ManagedFieldsEntry } from "./store.ts";

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

interface Owner {
  entry: ManagedFieldsEntry;
  fields: FieldSet;
}

const ownersOf = (obj: KubeObject | undefined): Owner[] =>
  (obj?.metadata.managedFields ?? []).map((entry) => ({ entry, fields: fromFieldsV1(entry.fieldsV1) }));

function store(obj: KubeObject, owners: Owner[]): void {
  const entries = owners
    .filter((o) => o.fields.size > 0)
    .map((o) => ({ ...o.entry, fieldsV1: toFieldsV1(o.fields) }));
  if (entries.length > 0) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

/** Merges applied configuration into the live object: maps merge, keyed built-in lists merge by key, the rest replaces. */
function merge(live: unknown, applied: unknown, field: string, keyedLists: boolean): unknown {
  if (isObject(applied)) {
    const out: JsonObject = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) out[k] = merge(out[k], v, k, keyedLists);
    return out;
  }
  const first = Array.isArray(applied) ? applied.find(isObject) : undefined;
  const key = keyedLists && first ? mergeKeyFor(field, first) : undefined;
  if (Array.isArray(applied) && key) {
    const base = Array.isArray(live) ? live : [];
    return applied.map((item) => {
      const match = base.find((x) => isObject(x) && isObject(item) && x[key] === item[key]);
      return merge(match, item, field, keyedLists);
    });
  }
  return structuredClone(applied);
}

function printManager(e: ManagedFieldsEntry): string {
  const name = JSON.stringify(e.manager);
  return e.operation === "Update" ? `${name} using ${e.apiVersion}` : name;
}

function conflictError(conflicts: Array<{ owner: ManagedFieldsEntry; path: string }>): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(c.owner)}`,
    field: printPath(c.path),
  }));
  let message: string;
  const [only] = conflicts;
  if (conflicts.length === 1 && only) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(only.owner)}: ${printPath(only.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = printManager(c.owner);
      byManager.set(m, [...(byManager.get(m) ?? []), printPath(c.path)]);
    }
    const lines = [...byManager.keys()]
      .sort()
      .flatMap((m) => [`conflicts with ${m}:`, ...(byManager.get(m) ?? []).map((p) => `- ${p}`)]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new StatusError(409, "Conflict", message, { causes });
}

export interface ApplyInput {
  live: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
  apiVersion: string;
  keyedLists: boolean;
  now: string;
}

/** The object after applying; throws a 409 listing conflicts unless forced. */
export function serverSideApply(input: ApplyInput): KubeObject {
  const { live, applied, manager, force, apiVersion, keyedLists, now } = input;
  const appliedFields = fieldsOf(applied, keyedLists);
  const owners = ownersOf(live);
  const mine = owners.find((o) => o.entry.manager === manager && o.entry.operation === "Apply");
  const others = owners.filter((o) => o !== mine);

  const conflicts: Array<{ owner: ManagedFieldsEntry; path: string }> = [];
  for (const o of others) {
    for (const path of appliedFields) {
      if (o.fields.has(path) && !same(valueAt(live, path), valueAt(applied, path))) {
        conflicts.push({ owner: o.entry, path });
      }
    }
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  for (const c of conflicts) for (const o of others) if (o.entry === c.owner) o.fields.delete(c.path);

  const result = merge(live ?? { metadata: {} }, applied, "", keyedLists) as KubeObject;
  // Fields this manager applied before and no longer applies go, unless someone else still owns them.
  for (const path of mine?.fields ?? []) {
    if (appliedFields.has(path) || others.some((o) => o.fields.has(path))) continue;
    removeAt(result, path);
  }
  const entry: ManagedFieldsEntry = {
    manager,
    operation: "Apply",
    apiVersion,
    time: now,
    fieldsType: "FieldsV1",
    fieldsV1: {},
  };
  store(result, [...others, { entry, fields: appliedFields }]);
  return result;
}

/** Records an Update (create, PUT, non-apply patch): the manager takes the fields whose values it changed. */
export function recordUpdate(
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string,
  apiVersion: string,
  keyedLists: boolean,
  now: string,
  subresource?: string,
): void {
  const owners = ownersOf(before);
  const afterFields = fieldsOf(after, keyedLists);
  const changed = new Set<string>();
  for (const path of afterFields)
    if (!before || !same(valueAt(before, path), valueAt(after, path))) changed.add(path);
  for (const o of owners) {
    for (const path of o.fields) if (changed.has(path) || !afterFields.has(path)) o.fields.delete(path);
  }
  let mine = owners.find((o) => o.entry.manager === manager && o.entry.operation === "Update");
  if (!mine) {
    mine = {
      entry: { manager, operation: "Update", apiVersion, time: now, fieldsType: "FieldsV1", fieldsV1: {} },
      fields: new Set(),
    };
    owners.push(mine);
  }
  if (subresource) mine.entry.subresource = subresource;
  if (changed.size > 0) mine.entry.time = now;
  for (const path of changed) mine.fields.add(path);
  store(after, owners);
}
