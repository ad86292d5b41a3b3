// CRD validation rules (`x-kubernetes-validations`), evaluated with a CEL interpreter as kube-apiserver does
// after the schema check: each rule at its node, with `self` that node's value. Transition rules (`oldSelf`)
// are not evaluated here.

import { evaluate } from "@marcbachmann/cel-js";
import type { Schema } from "./schema.ts";
import type { StatusCause } from "./status.ts";

interface Rule {
  rule: string;
  message?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const typeName = (v: unknown) =>
  v === null
    ? "null"
    : Array.isArray(v)
      ? "array"
      : typeof v === "number"
        ? Number.isInteger(v)
          ? "integer"
          : "number"
        : typeof v;

/** Whether a schema carries any rule (kube then reports rules it could not check). */
export function hasRules(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(hasRules);
  if (!isObject(schema)) return false;
  if (Array.isArray(schema["x-kubernetes-validations"])) return true;
  return Object.values(schema).some(hasRules);
}

/** The cause kube adds when schema errors kept its rules from running. */
export const RULES_NOT_CHECKED: StatusCause = {
  reason: "FieldValueInvalid",
  field: "<nil>",
  message:
    'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
};

/** CEL's int is 64-bit: JSON integers become BigInt, as the interpreter expects. */
function celValue(v: unknown): unknown {
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (Array.isArray(v)) return v.map(celValue);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, celValue(x)]));
  return v;
}

/** kube's words for a rule that could not be evaluated (a string that is not a duration, say). */
function evaluationError(e: Error, rule: string): string {
  const first = (e.message.split("\n")[0] ?? "").trim();
  if (/duration/i.test(first) && /duration\(/.test(rule))
    return "type conversion error from 'string' to 'google.protobuf.Duration'";
  return first;
}

export function ruleCauses(schema: Schema | undefined, value: unknown, path = ""): StatusCause[] {
  if (!schema || value === undefined) return [];
  const causes: StatusCause[] = [];
  const rules = (schema["x-kubernetes-validations"] as Rule[] | undefined) ?? [];
  for (const r of rules) {
    if (r.rule.includes("oldSelf")) continue;
    const message = r.message ?? `failed rule: ${r.rule}`;
    const field = path || "<nil>";
    try {
      if (evaluate(r.rule, { self: celValue(value) }) !== true)
        causes.push({
          reason: "FieldValueInvalid",
          field,
          message: `Invalid value: "${typeName(value)}": ${message}`,
        });
    } catch (e) {
      causes.push({
        reason: "FieldValueInvalid",
        field,
        message: `Invalid value: "${typeName(value)}": ${evaluationError(e as Error, r.rule)} evaluating rule: ${message}`,
      });
    }
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      causes.push(...ruleCauses(schema.items, item, `${path}[${i}]`));
    });
  } else if (isObject(value)) {
    const extra = isObject(schema.additionalProperties) ? (schema.additionalProperties as Schema) : undefined;
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties?.[k] ?? extra;
      causes.push(...ruleCauses(sub, v, path ? `${path}.${k}` : k));
    }
  }
  return causes;
}
