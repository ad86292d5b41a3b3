// Custom resources checked as kube checks them against their CRD's structural openAPIV3Schema:
// unknown fields pruned first (unless x-kubernetes-preserve-unknown-fields), then validated.

import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { hasRules, RULES_NOT_CHECKED, ruleCauses } from "./cel.ts";
import type { StatusCause } from "./status.ts";

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  [key: string]: unknown;
}

/** Removes fields the schema does not know; returns their paths (`spec.foo`) for strict field validation. */
export function prune(value: unknown, schema: Schema | undefined, path = ""): string[] {
  if (!schema || schema["x-kubernetes-preserve-unknown-fields"]) return [];
  const pruned: string[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      pruned.push(...prune(item, schema.items, `${path}[${i}]`));
    });
    return pruned;
  }
  if (!isObject(value)) return pruned;
  const extra = isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
  for (const key of Object.keys(value)) {
    const at = path ? `${path}.${key}` : key;
    const sub = schema.properties?.[key] ?? extra;
    if (path === "" && (key === "apiVersion" || key === "kind" || key === "metadata")) continue;
    if (!sub && schema.additionalProperties !== true) {
      delete value[key];
      pruned.push(at);
    } else pruned.push(...prune(value[key], sub, at));
  }
  return pruned;
}

/** `/spec/http/0/route/0/weight` → `spec.http[0].route[0].weight`, kube's field path notation. */
export function fieldPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, t) => (/^\d+$/.test(t) ? `${acc}[${t}]` : acc ? `${acc}.${t}` : t), "");
}

const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v ?? null));

function causeOf(e: ErrorObject, data: unknown): StatusCause | undefined {
  const at = fieldPath(e.instancePath);
  const value = e.instancePath
    .split("/")
    .slice(1)
    .reduce<unknown>(
      (node, t) => (isObject(node) || Array.isArray(node) ? (node as JsonObject)[t] : undefined),
      data,
    );
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required": {
      const field = at ? `${at}.${String(p.missingProperty)}` : String(p.missingProperty);
      return { reason: "FieldValueRequired", field, message: "Required value" };
    }
    case "enum": {
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ");
      return {
        reason: "FieldValueNotSupported",
        field: at,
        message: `Unsupported value: ${show(value)}: supported values: ${allowed}`,
      };
    }
    case "type":
      return {
        reason: "FieldValueTypeInvalid",
        field: at,
        message: `Invalid value: "${typeName(value)}": ${at} in body must be of type ${String(p.type)}: "${typeName(value)}"`,
      };
    case "pattern":
      return {
        reason: "FieldValueInvalid",
        field: at,
        message: `Invalid value: ${show(value)}: ${at} in body should match '${String(p.pattern)}'`,
      };
    case "minimum":
      return {
        reason: "FieldValueInvalid",
        field: at,
        message: `Invalid value: ${show(value)}: ${at} in body should be greater than or equal to ${String(p.limit)}`,
      };
    case "maximum":
      return {
        reason: "FieldValueInvalid",
        field: at,
        message: `Invalid value: ${show(value)}: ${at} in body should be less than or equal to ${String(p.limit)}`,
      };
    case "maxLength":
      return {
        reason: "FieldValueTooLong",
        field: at,
        message: `Too long: may not be longer than ${String(p.limit)}`,
      };
    case "minLength":
      return {
        reason: "FieldValueInvalid",
        field: at,
        message: `Invalid value: ${show(value)}: ${at} in body should be at least ${String(p.limit)} chars long`,
      };
    case "maxItems":
      return {
        reason: "FieldValueTooMany",
        field: at,
        message: `Too many: must have at most ${String(p.limit)} items`,
      };
    case "minItems":
      return {
        reason: "FieldValueInvalid",
        field: at,
        message: `Invalid value: ${show(value)}: ${at} in body should have at least ${String(p.limit)} items`,
      };
    case "format":
      return {
        reason: "FieldValueInvalid",
        field: at,
        message: `Invalid value: ${show(value)}: ${at} in body must be of type ${String(p.format)}: ${show(value)}`,
      };
    case "oneOf": {
      // More than one alternative held; when none does, the alternatives' own errors say what is wrong.
      const passing = p.passingSchemas;
      if (!Array.isArray(passing)) return undefined;
      return {
        reason: "FieldValueInvalid",
        field: "<nil>",
        message: `Invalid value: "": "${at}" must validate one and only one schema (oneOf). Found ${passing.length} valid alternatives`,
      };
    }
    case "anyOf":
    case "not":
    case "if":
      return undefined; // their branches' errors say what is wrong
    default:
      return {
        reason: "FieldValueInvalid",
        field: at,
        message: `Invalid value: ${show(value)}: ${e.message ?? e.keyword}`,
      };
  }
}

// ajv-formats is CommonJS; its default export arrives wrapped under Node's ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  a: Ajv,
) => Ajv;

/** Compiles schemas once per CRD version; kube's extension keywords are accepted and ignored by ajv. */
export class SchemaValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<Schema, ValidateFunction>();

  constructor() {
    this.ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addFormat("int32", {
      type: "number",
      validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
    });
    this.ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat("uint32", {
      type: "number",
      validate: (n: number) => Number.isInteger(n) && n >= 0 && n < 2 ** 32,
    });
    this.ajv.addFormat("double", { type: "number", validate: () => true });
    this.ajv.addFormat("float", { type: "number", validate: () => true });
    this.ajv.addFormat("byte", /^[A-Za-z0-9+/]*={0,2}$/);
    this.ajv.addFormat("string", /.*/);
    this.ajv.addKeyword({ keyword: "x-kubernetes-int-or-string" });
  }

  causes(schema: Schema, data: unknown): StatusCause[] {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(intOrString(schema));
      this.compiled.set(schema, validate);
    }
    // The schema first; the CRD's CEL rules only when the object passed it (else kube says they were not run).
    if (validate(data)) return ruleCauses(schema, data);
    const out: StatusCause[] = [];
    for (const e of validate.errors ?? []) {
      const c = causeOf(e, data);
      if (c && !out.some((o) => o.field === c.field && o.message === c.message)) out.push(c);
    }
    // kube cannot run typed rules over a value of the wrong type, and says so (a oneOf failure does not stop them).
    if (out.some((c) => c.reason === "FieldValueTypeInvalid") && hasRules(schema))
      out.push(RULES_NOT_CHECKED);
    return out;
  }
}

/** kube treats `x-kubernetes-int-or-string` as "integer or string" whatever `type` says. */
function intOrString(schema: Schema): Schema {
  if (Array.isArray(schema)) return schema.map(intOrString) as unknown as Schema;
  if (!isObject(schema)) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema))
    out[k] = isObject(v) || Array.isArray(v) ? intOrString(v as Schema) : v;
  if (schema["x-kubernetes-int-or-string"]) {
    delete out.type;
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  return out;
}
