// Label and field selectors, with kube's grammar: `a=b,c!=d,e in (f,g),h notin (i),j,!k`.

import { type ParsedRequirement, parseLabels } from "./label-parser.ts";

export type Requirement =
  | { key: string; op: "=" | "!=" | ">" | "<"; values: [string] }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists"; values: [] };

export class SelectorError extends Error {}

/** Splits on commas outside parentheses. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(current);
      current = "";
    } else current += ch;
  }
  out.push(current);
  return out.map((t) => t.trim()).filter((t) => t !== "");
}

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key))
    throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
  return key;
}

function checkValue(value: string, whole: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw new SelectorError(`unable to parse requirement: invalid label value: "${value}" in "${whole}"`);
  }
  return value;
}

export function parseLabelSelector(selector: string): Requirement[] {
  let parsed: ParsedRequirement[];
  try {
    parsed = parseLabels(selector);
  } catch (e) {
    throw new SelectorError(`unable to parse requirement: ${(e as Error).message}`);
  }
  return parsed.map((r): Requirement => {
    const whole = `${r.key} ${r.op} ${r.values.join(",")}`;
    checkKey(r.key, whole);
    for (const v of r.values) checkValue(v, whole);
    if (r.op === "in" || r.op === "notin") return { key: r.key, op: r.op, values: r.values };
    if (r.op === "exists" || r.op === "!exists") return { key: r.key, op: r.op, values: [] };
    if (r.op === ">" || r.op === "<") return { key: r.key, op: r.op, values: [r.values[0] ?? ""] };
    return { key: r.key, op: r.op, values: [r.values[0] ?? ""] };
  });
}

export function matchesLabels(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case "=":
        return has && v === r.values[0];
      case "!=":
        return !has || v !== r.values[0];
      case "in":
        return has && r.values.includes(v ?? "");
      case "notin":
        return !has || !r.values.includes(v ?? "");
      case ">":
        return has && Number(v) > Number(r.values[0]);
      case "<":
        return has && Number(v) < Number(r.values[0]);
      case "exists":
        return has;
      default:
        return !has;
    }
  });
}

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

/** `fields` maps each supported field label to a getter; others are rejected as kube rejects them. */
export function parseFieldSelector(selector: string, supported: readonly string[]): FieldRequirement[] {
  return terms(selector).map((t) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(t);
    if (!m) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${t}'`);
    const field = (m[1] ?? "").trim();
    if (!supported.includes(field)) {
      const known = supported.map((f) => `"${f}"`).join(", ");
      throw new SelectorError(`"${field}" is not a known field selector: only ${known}`);
    }
    return { field, op: m[2] === "!=" ? "!=" : "=", value: (m[3] ?? "").trim() };
  });
}

export function matchesFields(reqs: FieldRequirement[], get: (field: string) => string | undefined): boolean {
  return reqs.every((r) => ((get(r.field) ?? "") === r.value) === (r.op === "="));
}

/** A LabelSelector object (`matchLabels` + `matchExpressions`) as requirements. */
export function fromLabelSelector(sel: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}): Requirement[] {
  const reqs: Requirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({
    key,
    op: "=",
    values: [v],
  }));
  for (const e of sel.matchExpressions ?? []) {
    const op = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!exists" }[e.operator];
    if (op === "in" || op === "notin") reqs.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === "exists" || op === "!exists") reqs.push({ key: e.key, op, values: [] });
  }
  return reqs;
}
