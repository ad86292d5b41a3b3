// Field sets as server-side apply tracks them: each leaf is a path of fieldsV1 tokens
// (`f:spec`, `k:{"name":"app"}`, `.`), so they convert straight to and from `managedFields[].fieldsV1`.

import { mergeKeyFor } from "./patch.ts";

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

const SEP = "\u0000";
export type FieldSet = Set<string>;

/** Metadata the server owns; never part of anybody's field set. */
const SERVER_FIELDS = new Set([
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "managedFields",
  "selfLink",
]);

export function fieldsOf(obj: unknown, keyedLists: boolean): FieldSet {
  const out: FieldSet = new Set();
  const walk = (value: unknown, path: string[], field: string) => {
    if (isObject(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) {
        if (path.length === 0 && (k === "apiVersion" || k === "kind" || k === "status")) continue;
        if (path.length === 1 && path[0] === "f:metadata" && SERVER_FIELDS.has(k)) continue;
        walk(v, [...path, `f:${k}`], k);
      }
      return;
    }
    const first = Array.isArray(value) ? value.find(isObject) : undefined;
    const key = keyedLists && first ? mergeKeyFor(field, first) : undefined;
    if (Array.isArray(value) && key) {
      for (const item of value) {
        if (!isObject(item)) continue;
        const token = `k:${JSON.stringify({ [key]: item[key] })}`;
        out.add([...path, token, "."].join(SEP));
        walk(item, [...path, token], field);
      }
      return;
    }
    if (path.length > 0) out.add(path.join(SEP));
  };
  walk(obj, [], "");
  return out;
}

/** kube's way of printing a path in conflict messages: `.spec.containers[name="app"].image`. */
export function printPath(path: string): string {
  return path
    .split(SEP)
    .filter((t) => t !== ".")
    .map((t) => {
      if (t.startsWith("f:")) return `.${t.slice(2)}`;
      const key = JSON.parse(t.slice(2)) as JsonObject;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(",")}]`;
    })
    .join("");
}

/** The value at a path, or undefined; a `.` token names the list item itself. */
export function valueAt(obj: unknown, path: string): unknown {
  let node: unknown = obj;
  for (const t of path.split(SEP)) {
    if (t === ".") continue;
    if (t.startsWith("f:")) node = isObject(node) ? node[t.slice(2)] : undefined;
    else {
      const key = JSON.parse(t.slice(2)) as JsonObject;
      node = Array.isArray(node)
        ? node.find((x) => isObject(x) && Object.entries(key).every(([k, v]) => x[k] === v))
        : undefined;
    }
    if (node === undefined) return undefined;
  }
  return node;
}

/** Removes the field at a path (a `.` path removes the list item) and any objects that it leaves empty. */
export function removeAt(obj: JsonObject, path: string): void {
  const tokens = path.split(SEP);
  const dropItem = tokens.at(-1) === ".";
  if (dropItem) tokens.pop();
  const chain: unknown[] = [obj];
  for (const t of tokens.slice(0, -1)) {
    const next = valueAt(chain.at(-1), t);
    if (next === undefined) return;
    chain.push(next);
  }
  const last = tokens.at(-1);
  const parent = chain.at(-1);
  if (last === undefined) return;
  if (last.startsWith("f:") && isObject(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const item = valueAt(parent, last);
    if (dropItem) parent.splice(parent.indexOf(item), 1);
  }
  for (let i = chain.length - 1; i > 0; i--) {
    const node = chain[i];
    if (isObject(node) && Object.keys(node).length === 0) {
      const up = chain[i - 1];
      const t = tokens[i - 1] ?? "";
      if (isObject(up) && t.startsWith("f:")) delete up[t.slice(2)];
    }
  }
}

/**
 * Map-typed fields (string → string maps in kube's schemas). A manager that sets any key of one also owns the
 * map itself, which kube writes as a `.` entry beside the keys: `"f:labels": { ".": {}, "f:app": {} }`.
 */
const MAP_FIELDS = new Set([
  "f:labels",
  "f:annotations",
  "f:data",
  "f:binaryData",
  "f:stringData",
  "f:matchLabels",
  "f:nodeSelector",
]);

export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const path of [...set].sort()) {
    let node = root;
    for (const t of path.split(SEP)) {
      if (MAP_FIELDS.has(t) && !t.startsWith("k:")) {
        node[t] ??= { ".": {} };
      } else node[t] ??= {};
      node = node[t] as JsonObject;
    }
  }
  return root;
}

export function fromFieldsV1(tree: unknown): FieldSet {
  const out: FieldSet = new Set();
  const walk = (node: unknown, path: string[]) => {
    // A map's own `.` entry adds nothing its keys do not already say.
    const entries = (isObject(node) ? Object.entries(node) : []).filter(
      ([k]) => !(k === "." && MAP_FIELDS.has(path.at(-1) ?? "")),
    );
    if (entries.length === 0 && path.length > 0) out.add(path.join(SEP));
    for (const [k, v] of entries) walk(v, [...path, k]);
  };
  walk(tree, []);
  return out;
}
