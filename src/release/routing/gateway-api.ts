import { JOB_LABEL, MANAGED_BY, VERSION_LABEL } from "../deployment.ts";
import { ReleaseError } from "../errors.ts";
import type { ReleaseJob, TrafficPolicy, Version } from "../job.ts";
import { jobVersions } from "../job.ts";
import { routeMatch } from "./gateway-api-match.ts";
import { narrowed } from "./gateway-api-narrow.ts";
import type {
  GatewayApiFeatures,
  HttpBackendRef,
  HttpRouteFilter,
  HttpRouteObject,
  HttpRouteRule,
  HttpRouteSpec,
  VersionServiceObject,
} from "./gateway-api-types.ts";
import { GATEWAY_API_VERSION } from "./gateway-api-types.ts";
import { routedPort } from "./istio.ts";
import type { ObjectMeta } from "./istio-types.ts";

type JobView = Pick<
  ReleaseJob,
  "name" | "namespace" | "service" | "stableVersion" | "newVersion" | "strategy" | "traffic"
>;

/** The Service that stands for one version, as Flagger's `<name>-primary` and `<name>-canary` do. */
export function versionServiceName(service: string, version: Version): string {
  return `${service}-${version}`;
}

function ownedMeta(job: JobView, name: string): ObjectMeta {
  return {
    name,
    namespace: job.namespace,
    labels: { "app.kubernetes.io/managed-by": MANAGED_BY, [JOB_LABEL]: job.name },
  };
}

/** The service's own selector narrowed to one version, with the service's ports as they are. */
export function desiredVersionService(
  job: JobView,
  version: Version,
  service: { selector: Record<string, string>; ports: unknown[] },
): VersionServiceObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: ownedMeta(job, versionServiceName(job.service.name, version)),
    spec: {
      selector: { ...service.selector, [VERSION_LABEL]: version },
      ports: structuredClone(service.ports),
    },
  };
}

interface Ref {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

function isService(ref: Ref, name: string, namespace: string, routeNamespace: string): boolean {
  return (
    (ref.group ?? "") === "" &&
    (ref.kind ?? "Service") === "Service" &&
    ref.name === name &&
    (ref.namespace ?? routeNamespace) === namespace
  );
}

/** Whether a route carries the job's service: attached to it (GAMMA), or sending requests to it or its versions. */
export function routesService(route: HttpRouteObject, job: JobView): boolean {
  if (route.metadata.labels?.[JOB_LABEL] === job.name) return true;
  const ns = route.metadata.namespace ?? job.namespace;
  const names = [job.service.name, ...jobVersions(job).map((v) => versionServiceName(job.service.name, v))];
  const parent = (route.spec.parentRefs ?? []).some(
    (ref) => ref.kind === "Service" && isService(ref, job.service.name, job.namespace, ns),
  );
  return (
    parent ||
    (route.spec.rules ?? []).some((rule) =>
      (rule.backendRefs ?? []).some((ref) => names.some((name) => isService(ref, name, job.namespace, ns))),
    )
  );
}

/** Whether the route's parents are only Gateways: requests between pods inside the mesh do not take it. */
export function gatewaysOnly(route: HttpRouteObject): string[] | undefined {
  const parents = route.spec.parentRefs ?? [];
  if (parents.length === 0 || parents.some((ref) => (ref.kind ?? "Gateway") !== "Gateway")) return undefined;
  return parents.map((ref) => `${ref.namespace ?? route.metadata.namespace}/${ref.name}`);
}

/** The route a job creates when none carries the service: attached to the Service itself (GAMMA). */
function meshSpec(job: JobView): HttpRouteSpec {
  const port = routedPort(job);
  const portField = port ? { port } : {};
  return {
    parentRefs: [{ group: "", kind: "Service", name: job.service.name, ...portField }],
    rules: [{ backendRefs: [{ name: job.service.name, ...portField }] }],
  };
}

function mirrorFilter(
  ref: HttpBackendRef,
  to: string,
  percent: number,
  features: GatewayApiFeatures,
): HttpRouteFilter {
  const backendRef = { name: to, ...(ref.port ? { port: ref.port } : {}) };
  if (percent === 100) return { type: "RequestMirror", requestMirror: { backendRef } };
  if (features.mirrorPercent) return { type: "RequestMirror", requestMirror: { backendRef, percent } };
  if (features.mirrorFraction) {
    return {
      type: "RequestMirror",
      requestMirror: { backendRef, fraction: { numerator: percent, denominator: 100 } },
    };
  }
  const message =
    "This cluster's HTTPRoute CRD has no percent or fraction on RequestMirror, so it can only mirror every request: mirror 100 %, or install a Gateway API release whose RequestMirror filter has percent.";
  throw new ReleaseError("unsupported", message, { fields: [{ field: "traffic.percent", message }] });
}

/** The rules one found rule becomes under a policy; rules that do not send requests to the service stay. */
function rewriteRule(
  job: JobView,
  rule: HttpRouteRule,
  policy: TrafficPolicy,
  ns: string,
  features: GatewayApiFeatures,
) {
  const service = job.service.name;
  const refs = rule.backendRefs ?? [];
  const isOurs = (ref: HttpBackendRef) => isService(ref, service, job.namespace, ns);
  if (!refs.some(isOurs)) return [rule];
  const named = (version: Version) => versionServiceName(service, version);
  const to = (version: Version) =>
    refs.map((ref) => {
      if (!isOurs(ref)) return ref;
      const { weight: _weight, ...rest } = ref;
      return { ...rest, name: named(version) };
    });
  switch (policy.kind) {
    case "weights":
    case "serve": {
      const share = (version: Version) =>
        policy.kind === "weights" ? (policy.weights[version] ?? 0) : version === policy.version ? 100 : 0;
      const alone = refs.every(isOurs);
      const backendRefs = refs.flatMap((ref) => {
        const { weight, ...rest } = ref;
        if (!isOurs(ref)) return [{ ...rest, weight: (weight ?? 1) * 100 }];
        return jobVersions(job).map((version) => ({
          ...rest,
          name: named(version),
          weight: alone ? share(version) : (weight ?? 1) * share(version),
        }));
      });
      return [{ ...rule, backendRefs }];
    }
    case "mirror": {
      const first = refs.find(isOurs) as HttpBackendRef;
      const filter = mirrorFilter(first, named(policy.to), policy.percent, features);
      return [{ ...rule, backendRefs: to(job.stableVersion), filters: [...(rule.filters ?? []), filter] }];
    }
    case "match": {
      const { name: _name, ...unnamed } = rule;
      const { match, exclude } = routeMatch(policy.rules);
      const stable = { ...rule, backendRefs: to(job.stableVersion) };
      const matches = narrowed(rule, match);
      if (matches.length === 0) return [stable];
      const canary = { ...unnamed, matches, backendRefs: to(policy.to) };
      if (!exclude) return [stable, canary];
      const excluded = { ...unnamed, matches: narrowed(rule, exclude), backendRefs: to(job.stableVersion) };
      return [stable, excluded, canary];
    }
  }
}

/**
 * The route with the job's policy: every rule of the route as the job found it (`found`, or the mesh route
 * it creates) that sends requests to the service sends them to the versions' Services instead, as the
 * policy says. Rules for other backends and every other field stay as found; the route's current fields
 * other than `rules` stay as they are now.
 */
export function desiredHttpRoute(
  job: JobView,
  policy: TrafficPolicy,
  features: GatewayApiFeatures,
  existing?: HttpRouteObject,
  found?: HttpRouteSpec,
): HttpRouteObject {
  const base = found ?? meshSpec(job);
  const ns = existing?.metadata.namespace ?? job.namespace;
  const rules = (base.rules ?? []).flatMap((rule) => rewriteRule(job, rule, policy, ns, features));
  const spec = { ...(existing?.spec ?? base), rules };
  if (existing) return { ...withoutServerFields(existing), spec };
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: "HTTPRoute",
    metadata: ownedMeta(job, job.service.name),
    spec,
  };
}

function withoutServerFields<T extends { metadata: ObjectMeta }>(object: T): T {
  const { status: _status, ...rest } = object as T & { status?: unknown };
  const { managedFields: _managed, ...metadata } = rest.metadata;
  return { ...rest, metadata } as T;
}
