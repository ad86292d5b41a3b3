// Defaults and validation for the built-in kinds: the checks a release tool is likely to trip on.

import type { StatusCause } from "./status.ts";
import type { KubeObject } from "./store.ts";
import { podSpecDefaults } from "./validation.ts";

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const obj = (v: unknown): JsonObject => (isObject(v) ? v : {});

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

export const invalidValue = (field: string, value: unknown, why: string): StatusCause => ({
  reason: "FieldValueInvalid",
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
});
export const required = (field: string, why?: string): StatusCause => ({
  reason: "FieldValueRequired",
  field,
  message: why ? `Required value: ${why}` : "Required value",
});

/** The name rule each kind follows: most are DNS-1123 subdomains; namespaces are labels, services DNS-1035. */
export function nameCauses(resource: string, name: string | undefined, maxLen = 253): StatusCause[] {
  if (!name) return [required("metadata.name", "name or generateName is required")];
  const [re, msg, max] =
    resource === "namespaces"
      ? [LABEL, LABEL_MSG, 63]
      : resource === "services"
        ? [DNS1035, DNS1035_MSG, 63]
        : [SUBDOMAIN, SUBDOMAIN_MSG, maxLen];
  const causes: StatusCause[] = [];
  if (name.length > max)
    causes.push(invalidValue("metadata.name", name, `must be no more than ${max} characters`));
  if (!re.test(name)) causes.push(invalidValue("metadata.name", name, msg));
  return causes;
}

/** Go's `%#v` of a map[string]string, which kube prints in selector errors. */
const goMap = (m: Record<string, string>) =>
  `map[string]string{${Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`)
    .join(", ")}}`;

function podSpecCauses(spec: JsonObject, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  if (containers.length === 0) causes.push(required(`${path}.containers`));
  const seen = new Set<string>();
  containers.forEach((raw, i) => {
    const c = obj(raw);
    const at = `${path}.containers[${i}]`;
    const name = typeof c.name === "string" ? c.name : "";
    if (!name) causes.push(required(`${at}.name`));
    else if (!LABEL.test(name) || name.length > 63) causes.push(invalidValue(`${at}.name`, name, LABEL_MSG));
    else if (seen.has(name)) {
      causes.push({
        reason: "FieldValueDuplicate",
        field: `${at}.name`,
        message: `Duplicate value: "${name}"`,
      });
    }
    seen.add(name);
    if (typeof c.image !== "string" || c.image.trim() === "") causes.push(required(`${at}.image`));
  });
  return causes;
}

function matchesSelector(selector: JsonObject, labels: Record<string, string>): boolean {
  const matchLabels = obj(selector.matchLabels) as Record<string, string>;
  return Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
}

function workloadCauses(o: KubeObject): StatusCause[] {
  const spec = obj(o.spec);
  const causes: StatusCause[] = [];
  const replicas = spec.replicas;
  if (typeof replicas === "number" && replicas < 0) {
    causes.push(invalidValue("spec.replicas", replicas, "must be greater than or equal to 0"));
  }
  const template = obj(spec.template);
  const labels = obj(obj(template.metadata).labels) as Record<string, string>;
  const selector = spec.selector;
  if (!isObject(selector) || Object.keys(selector).length === 0) {
    causes.push(required("spec.selector"));
  } else if (!matchesSelector(selector, labels)) {
    causes.push({
      reason: "FieldValueInvalid",
      field: "spec.template.metadata.labels",
      message: `Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\``,
    });
  }
  causes.push(...podSpecCauses(obj(template.spec), "spec.template.spec"));
  return causes;
}

function serviceCauses(o: KubeObject): StatusCause[] {
  const spec = obj(o.spec);
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  const causes: StatusCause[] = [];
  if (ports.length === 0 && spec.type !== "ExternalName" && spec.clusterIP !== "None") {
    causes.push(required("spec.ports"));
  }
  ports.forEach((raw, i) => {
    const port = obj(raw).port;
    if (typeof port !== "number" || port < 1 || port > 65535) {
      causes.push(invalidValue(`spec.ports[${i}].port`, port ?? 0, "must be between 1 and 65535, inclusive"));
    }
  });
  return causes;
}

export function builtinCauses(resource: string, o: KubeObject): StatusCause[] {
  switch (resource) {
    case "deployments":
    case "replicasets":
      return workloadCauses(o);
    case "pods":
      return podSpecCauses(obj(o.spec), "spec");
    case "services":
      return serviceCauses(o);
    default:
      return [];
  }
}

let nextIp = 10;
/** Defaults the API server fills in, as far as readers of these objects look at them. */
export function applyDefaults(resource: string, o: KubeObject): void {
  const spec = obj(o.spec);
  if (resource === "pods") podSpecDefaults(spec);
  if (["deployments", "replicasets", "statefulsets", "daemonsets", "jobs"].includes(resource))
    podSpecDefaults(obj(spec.template).spec);
  if (resource === "deployments") {
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    spec.strategy ??= { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } };
    o.spec = spec;
  } else if (resource === "replicasets") {
    spec.replicas ??= 1;
    o.spec = spec;
  } else if (resource === "services") {
    spec.type ??= "ClusterIP";
    spec.sessionAffinity ??= "None";
    if (spec.type !== "ExternalName" && spec.clusterIP === undefined) {
      nextIp += 1;
      spec.clusterIP = `10.96.${Math.floor(nextIp / 250) % 250}.${(nextIp % 250) + 1}`;
      spec.clusterIPs = [spec.clusterIP];
    }
    if (Array.isArray(spec.ports)) {
      for (const p of spec.ports) {
        if (!isObject(p)) continue;
        p.protocol ??= "TCP";
        p.targetPort ??= p.port;
      }
    }
    o.spec = spec;
  } else if (resource === "namespaces") {
    o.metadata.labels = { ...o.metadata.labels, "kubernetes.io/metadata.name": o.metadata.name ?? "" };
    o.spec = { finalizers: ["kubernetes"], ...spec };
    o.status = { phase: "Active" };
  }
}
