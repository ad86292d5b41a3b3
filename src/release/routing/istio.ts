import { JOB_LABEL, MANAGED_BY, VERSION_LABEL } from "../deployment.ts";
import type { ReleaseJob, TrafficPolicy, Version } from "../job.ts";
import { jobVersions } from "../job.ts";
import type { IngressBinding } from "./gateway.ts";
import { matchRequest, readMatchRequest } from "./istio-match.ts";
import type {
  Destination,
  DestinationRuleObject,
  HttpRoute,
  ObjectMeta,
  VirtualServiceObject,
  VirtualServiceSpec,
} from "./istio-types.ts";

export const ISTIO_API_VERSION = "networking.istio.io/v1";

type JobView = Pick<
  ReleaseJob,
  "name" | "namespace" | "service" | "stableVersion" | "newVersion" | "strategy" | "traffic"
>;

/** Routes Graydesk adds to someone else's VirtualService carry these names so nothing else is touched. */
export function routeName(job: Pick<ReleaseJob, "name">, part?: "match"): string {
  return part ? `graydesk-${job.name}-${part}` : `graydesk-${job.name}`;
}

function ownedMeta(job: JobView): ObjectMeta {
  return {
    name: job.service.name,
    namespace: job.namespace,
    labels: { "app.kubernetes.io/managed-by": MANAGED_BY, [JOB_LABEL]: job.name },
  };
}

function ownsWholeObject(job: JobView, existing?: { metadata: ObjectMeta }): boolean {
  return !existing || existing.metadata.labels?.[JOB_LABEL] === job.name;
}

/**
 * The port routes name. Istio needs it when the service has several ports; Graydesk splits the first
 * HTTP-like one (name or appProtocol starting with http or grpc), or the only one.
 */
export function routedPort(job: Pick<ReleaseJob, "service">): number | undefined {
  const ports = job.service.ports;
  const web = ports.find((port) => /^(http|grpc)/.test(port.appProtocol ?? port.name ?? ""));
  return (web ?? ports[0])?.port;
}

/** Subsets for each of the job's versions by `version` label; other subsets and policies stay as they are. */
export function desiredDestinationRule(
  job: JobView,
  existing?: DestinationRuleObject,
): DestinationRuleObject {
  const subsets = [...(existing?.spec.subsets ?? [])];
  for (const version of jobVersions(job)) {
    if (!subsets.some((subset) => subset.name === version)) {
      subsets.push({ name: version, labels: { [VERSION_LABEL]: version } });
    }
  }
  if (existing) return { ...withoutServerFields(existing), spec: { ...existing.spec, subsets } };
  return {
    apiVersion: ISTIO_API_VERSION,
    kind: "DestinationRule",
    metadata: ownedMeta(job),
    spec: { host: job.service.name, subsets },
  };
}

/** The job's own routes for a traffic policy, in the order Istio must evaluate them. */
export function jobRoutes(job: JobView, split: TrafficPolicy, named: boolean): HttpRoute[] {
  const port = routedPort(job);
  const destination = (version: Version): Destination => ({
    host: job.service.name,
    ...(port ? { port: { number: port } } : {}),
    subset: version,
  });
  const name = (part?: "match") => (named ? { name: routeName(job, part) } : {});
  const versions = jobVersions(job);
  switch (split.kind) {
    case "weights":
      return [
        {
          ...name(),
          route: versions.map((v) => ({ destination: destination(v), weight: split.weights[v] ?? 0 })),
        },
      ];
    // Blue-green keeps the idle version at weight 0, so switching back is a weight change like any other.
    case "serve":
      return [
        {
          ...name(),
          route: versions.map((v) => ({
            destination: destination(v),
            weight: v === split.version ? 100 : 0,
          })),
        },
      ];
    case "match":
      return [
        {
          ...name("match"),
          match: [matchRequest(split.rules)],
          route: [{ destination: destination(split.to) }],
        },
        { ...name(), route: [{ destination: destination(job.stableVersion) }] },
      ];
    case "mirror":
      return [
        {
          ...name(),
          route: [{ destination: destination(job.stableVersion) }],
          mirror: destination(split.to),
          mirrorPercentage: { value: split.percent },
        },
      ];
  }
}

function isOwnedRoute(job: JobView, route: HttpRoute, whole: boolean): boolean {
  if (route.name === routeName(job) || route.name === routeName(job, "match")) return true;
  return whole && route.name === undefined;
}

/**
 * The VirtualService for the service host with the job's routes set to `split`. Routes and fields
 * Graydesk does not own survive untouched; its routes replace the old ones in place, or go before the
 * first catch-all route (one without `match`) of a VirtualService someone else wrote.
 */
export function desiredVirtualService(
  job: JobView,
  split: TrafficPolicy,
  existing?: VirtualServiceObject,
  options: { ingress?: IngressBinding } = {},
): VirtualServiceObject {
  const whole = ownsWholeObject(job, existing);
  const routes = jobRoutes(job, split, !whole);
  const current = existing?.spec.http ?? [];
  const firstOwned = current.findIndex((route) => isOwnedRoute(job, route, whole));
  const others = current.filter((route) => !isOwnedRoute(job, route, whole));
  // Before firstOwned every route is someone else's, so the index carries over to `others`.
  let at = firstOwned;
  if (at < 0) at = others.findIndex((route) => !route.match || route.match.length === 0);
  if (at < 0) at = others.length;
  const http = [...others.slice(0, at), ...routes, ...others.slice(at)];

  const spec: VirtualServiceSpec = {
    ...(existing?.spec ?? {}),
    hosts: existing?.spec.hosts ?? [job.service.name],
  };
  const ingress = options.ingress;
  if (ingress?.kind === "istio-gateway") {
    spec.hosts = union(spec.hosts ?? [], ingress.hosts);
    spec.gateways = union(existing?.spec.gateways ?? [], [ingress.gateway, "mesh"]);
  }
  spec.http = http;
  if (existing) return { ...withoutServerFields(existing), spec };
  return { apiVersion: ISTIO_API_VERSION, kind: "VirtualService", metadata: ownedMeta(job), spec };
}

/** The traffic policy the job's routes in `vs` express, or undefined when it has none of them. */
export function readSplit(vs: VirtualServiceObject, job: JobView): TrafficPolicy | undefined {
  const whole = ownsWholeObject(job, vs);
  const owned = (vs.spec.http ?? []).filter((route) => isOwnedRoute(job, route, whole));
  return policyFromRoutes(owned, job.strategy !== "canary" || job.traffic.kind === "serve");
}

/**
 * Reads a traffic policy back from routes shaped like jobRoutes' output. A 100/0 split reads as
 * `serve` when `preferServe` (blue-green jobs, taken-over canaries), as weights otherwise.
 */
export function policyFromRoutes(routes: HttpRoute[], preferServe: boolean): TrafficPolicy | undefined {
  const first = routes[0];
  if (!first) return undefined;
  if (first.mirror?.subset) {
    return { kind: "mirror", percent: first.mirrorPercentage?.value ?? 100, to: first.mirror.subset };
  }
  if (first.match?.[0]) {
    return {
      kind: "match",
      rules: readMatchRequest(first.match[0]),
      to: first.route?.[0]?.destination.subset ?? "",
    };
  }
  const destinations = first.route ?? [];
  const weights: Record<Version, number> = {};
  for (const { destination, weight } of destinations) {
    if (destination.subset) weights[destination.subset] = weight ?? (destinations.length === 1 ? 100 : 0);
  }
  const serving = Object.entries(weights).find(([, weight]) => weight === 100)?.[0];
  if (serving && preferServe) return { kind: "serve", version: serving };
  return { kind: "weights", weights };
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}

function withoutServerFields<T extends { metadata: ObjectMeta }>(object: T): T {
  const { status: _status, ...rest } = object as T & { status?: unknown };
  const { managedFields: _managed, ...metadata } = rest.metadata;
  return { ...rest, metadata } as T;
}
