// The three patch formats kube accepts besides apply: JSON merge patch (RFC 7386), JSON patch (RFC 6902)
// and strategic merge patch (built-in kinds only; lists merge by their patchMergeKey).

type Json = unknown;
type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** A patch that kube could not apply; its message is the one kube's json-patch library gives. */
export class PatchError extends Error {}

interface Operation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

const unescapeToken = (token: string) => token.replace(/~1/g, "/").replace(/~0/g, "~");

function tokens(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`invalid JSON pointer: "${pointer}"`);
  return pointer.slice(1).split("/").map(unescapeToken);
}

function parentOf(doc: Json, path: string): { parent: JsonObject | unknown[]; key: string } {
  const t = tokens(path);
  const key = t.pop();
  if (key === undefined) throw new PatchError(`doc is missing path: "${path}"`);
  let node: Json = doc;
  for (const part of t) {
    if (Array.isArray(node)) node = node[Number(part)];
    else if (isObject(node)) node = node[part];
    else node = undefined;
    if (node === undefined) throw new PatchError(`doc is missing path: "${path}": missing value`);
  }
  if (!Array.isArray(node) && !isObject(node))
    throw new PatchError(`doc is missing path: "${path}": missing value`);
  return { parent: node, key };
}

function getAt(doc: Json, path: string): Json {
  if (path === "") return doc;
  const { parent, key } = parentOf(doc, path);
  const v = Array.isArray(parent) ? parent[Number(key)] : parent[key];
  if (v === undefined) throw new PatchError(`doc is missing path: "${path}": missing value`);
  return v;
}

function arrayIndex(arr: unknown[], key: string, forInsert: boolean, path: string): number {
  if (forInsert && key === "-") return arr.length;
  const i = Number(key);
  const max = forInsert ? arr.length : arr.length - 1;
  if (!/^\d+$/.test(key) || i > max) throw new PatchError(`Unable to access invalid index: ${key}: ${path}`);
  return i;
}

function add(doc: Json, path: string, value: Json): Json {
  if (path === "") return value;
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true, path), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: Json, path: string): Json {
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false, path), 1);
  else {
    if (!Object.hasOwn(parent, key))
      throw new PatchError(`remove operation does not apply: doc is missing path: "${path}"`);
    delete parent[key];
  }
  return doc;
}

const equal = (a: Json, b: Json): boolean => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k])]),
  );
}

export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops))
    throw new PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let doc = structuredClone(target);
  for (const raw of ops as Operation[]) {
    const { op, path } = raw;
    switch (op) {
      case "add":
        doc = add(doc, path, structuredClone(raw.value));
        break;
      case "remove":
        doc = remove(doc, path);
        break;
      case "replace":
        getAt(doc, path);
        doc =
          path === "" ? structuredClone(raw.value) : add(remove(doc, path), path, structuredClone(raw.value));
        break;
      case "move": {
        const v = getAt(doc, raw.from ?? "");
        doc = add(remove(doc, raw.from ?? ""), path, v);
        break;
      }
      case "copy":
        doc = add(doc, path, structuredClone(getAt(doc, raw.from ?? "")));
        break;
      case "test": {
        let actual: Json;
        try {
          actual = getAt(doc, path);
        } catch {
          actual = undefined;
        }
        if (!equal(actual, raw.value ?? null))
          throw new PatchError(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}

/** patchMergeKey of the built-in lists that merge rather than replace. */
export function mergeKeyFor(field: string, item: JsonObject): string | undefined {
  switch (field) {
    case "containers":
    case "initContainers":
    case "ephemeralContainers":
    case "env":
    case "volumes":
    case "imagePullSecrets":
      return "name";
    case "volumeMounts":
      return "mountPath";
    case "ports":
      return "containerPort" in item ? "containerPort" : "port";
    case "conditions":
      return "type";
    case "ownerReferences":
      return "uid";
    default:
      return undefined;
  }
}

const MERGED_PRIMITIVE_LISTS = new Set(["finalizers"]);

export function strategicMergePatch(target: Json, patch: Json, field = ""): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === "replace") {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === "delete") return undefined;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith("$")) continue; // $setElementOrder/…, $retainKeys: ordering hints kubectl sends
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(k, out[k], v);
    else {
      const merged = strategicMergePatch(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
  }
  void field;
  return out;
}

function mergeList(field: string, current: unknown, patch: unknown[]): unknown[] {
  const base = Array.isArray(current) ? current : [];
  const first = patch.find(isObject);
  const key = first ? mergeKeyFor(field, first) : undefined;
  if (!key) {
    if (MERGED_PRIMITIVE_LISTS.has(field)) return [...new Set([...base, ...patch])];
    return structuredClone(patch.filter((p) => !(isObject(p) && "$patch" in p)));
  }
  const out = base.map((x) => structuredClone(x));
  for (const item of patch) {
    if (!isObject(item)) continue;
    const i = out.findIndex((x) => isObject(x) && x[key] === item[key]);
    if (item.$patch === "delete") {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = strategicMergePatch(out[i], item, field);
    else out.push(strategicMergePatch({}, item, field));
  }
  return out;
}
