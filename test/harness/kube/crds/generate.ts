// Writes the CRD schemas this server installs, derived from the type declarations that
// @kubernetes-models/istio, @kubernetes-models/gateway-api and @kubernetes-models/argo-rollouts generate from
// the upstream CRDs.
// Run: node test/harness/kube/crds/generate.ts
// The declarations keep structure, enums and required fields; they lose integer formats and
// patterns, so those are absent here (noted in README.md).

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";

type Schema = Record<string, unknown>;
const require = createRequire(import.meta.url);
const moduleDir = (pkg: string) => dirname(require.resolve(`${pkg}/package.json`));
const OUT = import.meta.dirname;

/** Parses the subset of TypeScript type syntax the model generator emits. */
class Parser {
  private readonly src: string;
  private pos = 0;
  private readonly resolve: (name: string) => Schema;
  constructor(src: string, resolve: (name: string) => Schema) {
    this.src = src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    this.resolve = resolve;
  }
  private ws() {
    while (/\s/.test(this.src[this.pos] ?? "")) this.pos++;
  }
  private peek(s: string) {
    this.ws();
    return this.src.startsWith(s, this.pos);
  }
  private eat(s: string) {
    if (!this.peek(s)) throw new Error(`expected ${s} at ${this.src.slice(this.pos, this.pos + 60)}`);
    this.pos += s.length;
  }
  private ident(): string {
    this.ws();
    const m = /^[A-Za-z_$][\w$.]*/.exec(this.src.slice(this.pos));
    if (!m) throw new Error(`identifier expected at ${this.src.slice(this.pos, this.pos + 60)}`);
    this.pos += m[0].length;
    return m[0];
  }
  private literal(): string {
    this.ws();
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(this.src.slice(this.pos));
    if (!m) throw new Error("string literal expected");
    this.pos += m[0].length;
    return JSON.parse(m[0]) as string;
  }
  type(): Schema {
    const options = [this.intersection()];
    while (this.peek("|")) {
      this.eat("|");
      options.push(this.intersection());
    }
    return union(options);
  }
  /** `A & (oneOf alternatives)`: the alternatives only restate A's fields as mutually exclusive; A is the structure. */
  private intersection(): Schema {
    const first = this.postfix();
    while (this.peek("&")) {
      this.eat("&");
      this.postfix();
    }
    return first;
  }
  private postfix(): Schema {
    let t = this.primary();
    while (this.peek("[]")) {
      this.eat("[]");
      t = { type: "array", items: t };
    }
    return t;
  }
  private primary(): Schema {
    this.ws();
    if (this.peek("(")) {
      this.eat("(");
      const t = this.type();
      this.eat(")");
      return t;
    }
    if (this.peek('"')) return { enum: [this.literal()] };
    if (this.peek("{")) return this.objectLiteral();
    const m = /^-?\d+(\.\d+)?/.exec(this.src.slice(this.pos));
    if (m) {
      this.pos += m[0].length;
      return { enum: [Number(m[0])] };
    }
    const name = this.ident();
    switch (name) {
      case "string":
        return { type: "string" };
      case "number":
        return { type: "number" };
      case "boolean":
        return { type: "boolean" };
      case "null":
        return { nullable: true };
      case "any":
      case "unknown":
      case "object":
        return { "x-kubernetes-preserve-unknown-fields": true };
      case "Array": {
        this.eat("<");
        const items = this.type();
        this.eat(">");
        return { type: "array", items };
      }
      case "Exclude": {
        this.eat("<");
        const kept = this.type();
        this.eat(",");
        this.type();
        this.eat(">");
        return kept;
      }
      case "Record": {
        this.eat("<");
        this.type();
        this.eat(",");
        const values = this.type();
        this.eat(">");
        return { type: "object", additionalProperties: values };
      }
      default:
        return this.resolve(name);
    }
  }
  objectLiteral(): Schema {
    this.eat("{");
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    let additional: Schema | undefined;
    while (!this.peek("}")) {
      if (this.peek("[")) {
        this.eat("[");
        this.ident();
        this.eat(":");
        this.type();
        this.eat("]");
        this.eat(":");
        additional = this.type();
      } else {
        const key = this.peek('"') ? this.literal() : this.ident();
        const optional = this.peek("?");
        if (optional) this.eat("?");
        this.eat(":");
        properties[key] = this.type();
        if (!optional) required.push(key);
      }
      if (this.peek(";")) this.eat(";");
      else if (this.peek(",")) this.eat(",");
    }
    this.eat("}");
    const out: Schema = { type: "object" };
    if (Object.keys(properties).length > 0) out.properties = properties;
    if (required.length > 0) out.required = required;
    if (additional) out.additionalProperties = additional;
    if (!additional && Object.keys(properties).length === 0)
      out["x-kubernetes-preserve-unknown-fields"] = true;
    return out;
  }
  /** The body of `export interface Name … {` or `export type Name = …;`, following `export type { A as Name }`. */
  declaration(name: string): Schema {
    const renamed = new RegExp(`(\\w+) as ${name}\\b`).exec(this.src);
    if (renamed?.[1]) name = renamed[1];
    const iface = new RegExp(`export interface ${name}(?:\\s+extends([^{]*))?\\s*\\{`).exec(this.src);
    if (iface) {
      this.pos = iface.index + iface[0].length - 1;
      const own = this.objectLiteral();
      // `extends` brings the parents' fields (TypeMeta adds nothing a schema needs).
      for (const parent of (iface[1] ?? "")
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p && p !== "TypeMeta")) {
        const inherited = this.resolve(parent);
        own.properties = { ...(inherited.properties as object), ...(own.properties as object) };
        const req = [...((inherited.required as string[]) ?? []), ...((own.required as string[]) ?? [])];
        if (req.length > 0) own.required = req;
        delete own["x-kubernetes-preserve-unknown-fields"];
      }
      return own;
    }
    const alias = new RegExp(`export type ${name}\\s*=`).exec(this.src);
    if (!alias) throw new Error(`no declaration of ${name}`);
    this.pos = alias.index + alias[0].length;
    return this.type();
  }
}

function union(options: Schema[]): Schema {
  if (options.length === 1) return options[0] ?? {};
  const nonNull = options.filter((o) => !o.nullable);
  if (nonNull.every((o) => Array.isArray(o.enum)))
    return {
      type: typeof ((nonNull[0]?.enum ?? []) as unknown[])[0],
      enum: nonNull.flatMap((o) => o.enum as unknown[]),
    } as Schema;
  const types = new Set(nonNull.map((o) => o.type));
  if (types.has("number") && types.has("string")) return { "x-kubernetes-int-or-string": true };
  return nonNull[0] ?? {};
}

/** What a type imported from another package becomes; by default an object kept as given. */
type External = (ref: string) => Schema;
const keepExternal: External = () => ({ "x-kubernetes-preserve-unknown-fields": true });

/** Parses one declaration in a .d.ts file, following `import { X } from "./X.js"` to other files. */
function fromDeclarations(
  file: string,
  name: string,
  seen = new Map<string, Schema>(),
  external: External = keepExternal,
): Schema {
  const src = readFileSync(file, "utf8");
  const imports = new Map<string, string>();
  for (const m of src.matchAll(/import \{ ([^}]+) \} from "([^"]+)"/g)) {
    for (const n of (m[1] ?? "").split(",")) imports.set(n.trim(), m[2] ?? "");
  }
  const resolve = (ref: string): Schema => {
    if (/ObjectMeta$/.test(ref)) return { type: "object" };
    const from = imports.get(ref);
    const key = `${from ?? file}#${ref}`;
    const known = seen.get(key);
    if (known) return known;
    let target = file;
    if (from?.startsWith(".")) target = join(dirname(file), from.replace(/\.js$/, ".d.ts"));
    else if (from) return external(ref);
    const placeholder: Schema = {};
    seen.set(key, placeholder);
    const schema = fromDeclarations(target, ref, seen, external);
    Object.assign(placeholder, schema);
    return schema;
  };
  return new Parser(src, resolve).declaration(name);
}

/** A CRD's openAPIV3Schema: spec from the declarations, status kept as the upstream CRDs keep it. */
function crdSchema(spec: Schema, status?: Schema, requireSpec = false): Schema {
  return {
    type: "object",
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec,
      status: status ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    },
    ...(requireSpec ? { required: ["spec"] } : {}),
  };
}

/**
 * The declarations say `number` for every numeric field; the upstream CRDs make all of them
 * integers except Istio's percentages (`value`) and warmup `aggression`, which are doubles.
 */
function integers(s: Schema, key = ""): Schema {
  if (s.type === "number" && key !== "value" && key !== "aggression") return { ...s, type: "integer" };
  const out: Schema = { ...s };
  if (s.properties)
    out.properties = Object.fromEntries(
      Object.entries(s.properties as Record<string, Schema>).map(([k, v]) => [k, integers(v, k)]),
    );
  if (s.items) out.items = integers(s.items as Schema, key);
  if (typeof s.additionalProperties === "object")
    out.additionalProperties = integers(s.additionalProperties as Schema);
  return out;
}

const specOf = (root: Schema): Schema =>
  integers(((root.properties as Record<string, Schema>).spec ?? {}) as Schema);
const istio = (kind: string) =>
  specOf(
    fromDeclarations(
      join(moduleDir("@kubernetes-models/istio"), "networking.istio.io/v1", `${kind}.d.ts`),
      `I${kind}`,
    ),
  );

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** KubeSphere 3.4 embeds the Istio specs with Go-protobuf (snake_case) field names. */
function snakeCase(s: Schema): Schema {
  const out: Schema = { ...s };
  if (s.properties) {
    out.properties = Object.fromEntries(
      Object.entries(s.properties as Record<string, Schema>).map(([k, v]) => [snake(k), snakeCase(v)]),
    );
  }
  if (Array.isArray(s.required)) out.required = (s.required as string[]).map(snake);
  if (s.items) out.items = snakeCase(s.items as Schema);
  if (typeof s.additionalProperties === "object")
    out.additionalProperties = snakeCase(s.additionalProperties as Schema);
  return out;
}
const labelSelector: Schema = {
  type: "object",
  properties: {
    matchLabels: { type: "object", additionalProperties: { type: "string" } },
    matchExpressions: {
      type: "array",
      items: {
        type: "object",
        required: ["key", "operator"],
        properties: {
          key: { type: "string" },
          operator: { type: "string" },
          values: { type: "array", items: { type: "string" } },
        },
      },
    },
  },
};

function strategy(vsSpec: Schema): Schema {
  return crdSchema(
    {
      type: "object",
      properties: {
        type: { type: "string", description: "Canary, BlueGreen or Mirror" },
        principal: { type: "string" },
        governor: { type: "string" },
        selector: labelSelector,
        strategyPolicy: { type: "string", description: "WaitForWorkloadReady, Immediately or Paused" },
        template: {
          type: "object",
          properties: {
            metadata: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
            spec: vsSpec,
          },
        },
      },
    },
    {
      type: "object",
      properties: {
        conditions: {
          type: "array",
          items: {
            type: "object",
            properties: {
              type: { type: "string" },
              status: { type: "string" },
              lastProbeTime: { type: "string", format: "date-time" },
              lastTransitionTime: { type: "string", format: "date-time" },
              reason: { type: "string" },
              message: { type: "string" },
            },
          },
        },
        startTime: { type: "string", format: "date-time" },
        completionTime: { type: "string", format: "date-time" },
      },
    },
  );
}

function servicePolicy(drSpec: Schema): Schema {
  return crdSchema({
    type: "object",
    properties: {
      selector: labelSelector,
      template: {
        type: "object",
        properties: {
          metadata: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
          spec: drSpec,
        },
      },
    },
  });
}

/**
 * A published CRD's schema (its storage version): descriptions dropped, everything else kept, so that pruning,
 * types, oneOf and CEL rules follow the real CRD (KubeSphere 3.4's StringMatch and `template.metadata` are
 * objects without properties, so their contents are pruned; its `mirror_percent` is an object).
 */
export function schemaFromPublishedCrd(yamlText: string): Schema {
  const crd = parseYaml(yamlText) as {
    spec: { versions: { storage?: boolean; schema: { openAPIV3Schema: Schema } }[] };
  };
  const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
  if (!version) throw new Error("the CRD has no versions");
  return withoutDescriptions(version.schema.openAPIV3Schema);
}

function withoutDescriptions(s: unknown): Schema {
  if (Array.isArray(s)) return s.map(withoutDescriptions) as unknown as Schema;
  if (typeof s !== "object" || s === null) return s as Schema;
  return Object.fromEntries(
    Object.entries(s)
      .filter(([k, v]) => !(k === "description" && typeof v === "string"))
      .map(([k, v]) => [k, typeof v === "object" && v !== null ? withoutDescriptions(v) : v]),
  );
}

// Kubernetes' own types the Rollout imports are given the types the upstream CRD gives them, so a real API
// server accepts the schema as structural.
const kubeTypes: External = (ref) => {
  if (/Time$/.test(ref)) return { type: "string", format: "date-time" };
  if (/IntOrString$/.test(ref))
    return { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] };
  if (/LabelSelector$/.test(ref)) return labelSelector;
  return { type: "object", "x-kubernetes-preserve-unknown-fields": true };
};

/** Every schema file this generator derives from installed packages (the KubeSphere 3.4 Strategy aside). */
export function generatedSchemas(): Record<string, Schema> {
  const vs = istio("VirtualService");
  const dr = istio("DestinationRule");
  const gw = moduleDir("@kubernetes-models/gateway-api");
  // Argo Rollouts' Rollout: spec and status from the declarations (Graydesk patches rollouts/status as the
  // argo-rollouts CLI does, so status is checked too).
  const argoRollout = fromDeclarations(
    join(moduleDir("@kubernetes-models/argo-rollouts"), "argoproj.io/v1alpha1/Rollout.d.ts"),
    "IRollout",
    new Map(),
    kubeTypes,
  );
  const argoParts = argoRollout.properties as Record<string, Schema>;
  return {
    "istio-destinationrule.json": crdSchema(dr),
    "istio-gateway.json": crdSchema(istio("Gateway")),
    "gateway-httproute.json": crdSchema(
      specOf(fromDeclarations(join(gw, "gateway.networking.k8s.io/v1/HTTPRoute.d.ts"), "IHTTPRoute")),
      undefined,
      true,
    ),
    "kubesphere-strategy-v3.3.json": strategy(vs),
    "kubesphere-servicepolicy.json": servicePolicy(snakeCase(dr)),
    "kubesphere-servicepolicy-v3.3.json": servicePolicy(dr),
    "argo-rollout.json": crdSchema(integers(argoParts.spec ?? {}), integers(argoParts.status ?? {}), true),
  };
}

/**
 * Schema files taken from published CRDs: KubeSphere v3.4.1's
 * `config/ks-core/crds/servicemesh.kubesphere.io_strategies.yaml`, and Istio's VirtualService from istio/api
 * v1.30.3 `kubernetes/customresourcedefinitions.gen.yaml` (its `virtualservices.networking.istio.io` document,
 * with CEL rules on durations and oneOf on string matches).
 */
export const PUBLISHED: Record<string, string> = {
  "--kubesphere-strategy": "kubesphere-strategy.json",
  "--istio-virtualservice": "istio-virtualservice.json",
};

export const schemaText = (schema: Schema): string => `${JSON.stringify(schema, null, 1)}\n`;

// Run: node test/harness/kube/crds/generate.ts [--kubesphere-strategy <published strategies CRD YAML>]
//   [--istio-virtualservice <published VirtualService CRD YAML>]
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const write = (file: string, schema: Schema) => writeFileSync(join(OUT, file), schemaText(schema));
  for (const [file, schema] of Object.entries(generatedSchemas())) write(file, schema);
  // Published CRDs the generator takes as they are (their CEL rules, oneOf and pruning are the point).
  for (const [flag, file] of Object.entries(PUBLISHED)) {
    const at = process.argv.indexOf(flag);
    const published = at > 0 ? process.argv[at + 1] : undefined;
    if (published) write(file, schemaFromPublishedCrd(readFileSync(published, "utf8")));
  }
}
