// Checks every kind gets from a real API server, whatever its schema: label keys and values, and the
// fields that cannot change after creation (a workload's selector).

import type { StatusCause } from "./status.ts";
import type { KubeObject } from "./store.ts";

const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const PREFIX_RULE =
  "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const invalid = (field: string, value: string, why: string): StatusCause => ({
  reason: "FieldValueInvalid",
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
});

/** kube's label rules, worded as kube words them (`metadata.labels: Invalid value: "x y": a valid label …`). */
export function labelCauses(
  labels: Record<string, unknown> | undefined,
  field = "metadata.labels",
): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && (!PREFIX.test(prefix) || prefix.length > 253))
      causes.push(invalid(field, key, PREFIX_RULE));
    if (!NAME.test(name) || name.length > 63) causes.push(invalid(field, key, NAME_RULE));
    const v = typeof value === "string" ? value : String(value);
    if (v.length > 63) causes.push(invalid(field, v, "must be no more than 63 characters"));
    else if (!VALUE.test(v)) causes.push(invalid(field, v, VALUE_RULE));
  }
  return causes;
}

const SELECTOR_FIXED = new Set(["deployments", "replicasets", "statefulsets", "daemonsets"]);

/** Fields an update may not change. */
export function immutableCauses(resource: string, old: KubeObject, next: KubeObject): StatusCause[] {
  if (!SELECTOR_FIXED.has(resource)) return [];
  const before = (old.spec as { selector?: unknown } | undefined)?.selector;
  const after = (next.spec as { selector?: unknown } | undefined)?.selector;
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [
    {
      reason: "FieldValueInvalid",
      field: "spec.selector",
      message: `Invalid value: ${JSON.stringify(after)}: field is immutable`,
    },
  ];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** What kube fills into a pod spec (a Pod's, or a workload's template) when the client leaves it out. */
export function podSpecDefaults(spec: unknown): void {
  if (!isObject(spec)) return;
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.securityContext ??= {};
  spec.schedulerName ??= "default-scheduler";
  for (const c of [
    ...(Array.isArray(spec.containers) ? spec.containers : []),
    ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
  ]) {
    if (!isObject(c)) continue;
    const image = String(c.image ?? "");
    const tag = /:([^/:]+)$/.exec(image.split("@")[0] ?? "")?.[1];
    c.imagePullPolicy ??=
      !image.includes("@") && (tag === undefined || tag === "latest") ? "Always" : "IfNotPresent";
    c.terminationMessagePath ??= "/dev/termination-log";
    c.terminationMessagePolicy ??= "File";
    c.resources ??= {};
    if (Array.isArray(c.ports)) for (const p of c.ports) if (isObject(p)) p.protocol ??= "TCP";
  }
}
