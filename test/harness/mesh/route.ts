// The routing a client sidecar performs for one HTTP request, as pure code over a snapshot.
import { hostMatches, resolveHost, serviceFqdn } from "./hosts.ts";
import { meshRoutesFor } from "./http-route.ts";
import { type MatchInput, routeMatches } from "./match.ts";
import { pickIndex, type Random } from "./random.ts";
import type {
  Destination,
  DestinationRule,
  HttpRoute,
  HttpRouteDestination,
  Labels,
  MeshPod,
  MeshRequest,
  MeshService,
  MeshSnapshot,
  MeshSource,
  ResponseFlag,
  RouteDecision,
  Upstream,
  VirtualService,
} from "./types.ts";

function hasLabels(labels: Labels, wanted: Labels): boolean {
  return Object.entries(wanted).every(([key, value]) => labels[key] === value);
}

export function findService(snapshot: MeshSnapshot, fqdn: string): MeshService | undefined {
  return snapshot.services.find((s) => serviceFqdn(s.name, s.namespace) === fqdn);
}

/** A Service without a selector has no pods the mesh can see. */
export function servicePods(
  snapshot: MeshSnapshot,
  service: MeshService,
  subsetLabels: Labels = {},
): MeshPod[] {
  if (Object.keys(service.selector).length === 0) return [];
  return snapshot.pods.filter(
    (p) =>
      p.namespace === service.namespace &&
      hasLabels(p.labels, service.selector) &&
      hasLabels(p.labels, subsetLabels),
  );
}

function createdAt(meta: { creationTimestamp?: string | Date }): number {
  const t = meta.creationTimestamp ? new Date(meta.creationTimestamp).getTime() : 0;
  return Number.isNaN(t) ? 0 : t;
}

/** Sidecars ignore gateway-only VirtualServices; with several for one host the oldest wins, as in Istio. */
export function findVirtualService(snapshot: MeshSnapshot, fqdn: string): VirtualService | undefined {
  const candidates = snapshot.virtualServices.filter((vs) => {
    const gateways = vs.spec.gateways ?? [];
    if (gateways.length > 0 && !gateways.includes("mesh")) return false;
    const ns = vs.metadata.namespace ?? "default";
    return (vs.spec.hosts ?? []).some((h) => hostMatches(resolveHost(h, ns), fqdn));
  });
  candidates.sort(
    (a, b) =>
      createdAt(a.metadata) - createdAt(b.metadata) ||
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace}/${b.metadata.name}`,
      ),
  );
  return candidates[0];
}

/** The caller's namespace is searched first, then the service's, as Istio's DestinationRule lookup does. */
export function findDestinationRule(
  snapshot: MeshSnapshot,
  fqdn: string,
  preferredNamespaces: string[],
): DestinationRule | undefined {
  const candidates = snapshot.destinationRules.filter((dr) =>
    hostMatches(resolveHost(dr.spec.host, dr.metadata.namespace ?? "default"), fqdn),
  );
  for (const ns of preferredNamespaces) {
    const found = candidates.find((dr) => dr.metadata.namespace === ns);
    if (found) return found;
  }
  return candidates[0];
}

type Resolved = { upstream: Upstream } | { flag: ResponseFlag; service?: MeshService };

function resolveDestination(
  snapshot: MeshSnapshot,
  destination: Destination,
  vsNamespace: string,
  callerNamespace: string,
  random: Random,
): Resolved {
  const fqdn = resolveHost(destination.host, vsNamespace);
  const service = findService(snapshot, fqdn);
  if (!service) return { flag: "NC" };
  let subsetLabels: Labels = {};
  if (destination.subset) {
    const rule = findDestinationRule(snapshot, fqdn, [callerNamespace, service.namespace]);
    const subset = rule?.spec.subsets?.find((s) => s.name === destination.subset);
    // Istio points the route at a cluster that was never built: Envoy answers 503 with NC.
    if (!subset) return { flag: "NC", service };
    subsetLabels = subset.labels ?? {};
  }
  const pods = servicePods(snapshot, service, subsetLabels);
  if (pods.length === 0) return { flag: "UH", service };
  const pod = pods[pickIndex(random, pods.length)] as MeshPod;
  return { upstream: { service, pod } };
}

/** One destination without a weight takes everything; otherwise weights are relative to their sum. */
function pickWeighted(
  destinations: HttpRouteDestination[],
  random: Random,
): HttpRouteDestination | undefined {
  if (destinations.length <= 1) return destinations[0];
  const total = destinations.reduce((sum, d) => sum + Math.max(0, d.weight ?? 0), 0);
  if (total <= 0) return destinations[0];
  let roll = random() * total;
  for (const d of destinations) {
    roll -= Math.max(0, d.weight ?? 0);
    if (roll < 0) return d;
  }
  return destinations[destinations.length - 1];
}

function mirrorPolicies(route: HttpRoute): { destination: Destination; percent: number }[] {
  if (route.mirrors && route.mirrors.length > 0) {
    return route.mirrors.map((m) => ({ destination: m.destination, percent: m.percentage?.value ?? 100 }));
  }
  if (!route.mirror) return [];
  const percent = route.mirrorPercentage?.value ?? route.mirrorPercent ?? 100;
  return [{ destination: route.mirror, percent }];
}

const PROXY_STATUS: Record<Exclude<ResponseFlag, "-">, number> = { UH: 503, NC: 503, NR: 404 };

function answeredByProxy(
  flag: Exclude<ResponseFlag, "-">,
  service?: MeshService,
  subset?: string,
): RouteDecision {
  const decision: RouteDecision = { proxyStatus: PROXY_STATUS[flag], responseFlags: flag, mirrors: [] };
  if (service) decision.service = service;
  if (subset) decision.subset = subset;
  return decision;
}

export function matchInputFor(request: MeshRequest, port: number, source?: MeshSource): MatchInput {
  // Header names are data: a request header named __proto__ must be seen like any other, as Envoy sees it.
  const headers: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = v;
  const input: MatchInput = {
    headers,
    path: request.uri ?? "/",
    method: (request.method ?? "GET").toUpperCase(),
    authority: headers.host ?? `${request.service}:${port}`,
    port,
  };
  if (source) input.source = source;
  return input;
}

/** Routes one request: VirtualService first, plain Kubernetes Service balancing when there is none. */
export function routeRequest(
  snapshot: MeshSnapshot,
  request: MeshRequest,
  random: Random,
  source?: MeshSource,
): RouteDecision {
  const fqdn = resolveHost(request.service, request.namespace);
  const service = findService(snapshot, fqdn);
  const port = request.port ?? service?.ports[0]?.port ?? 80;
  // Istio gives a Service's own HTTPRoutes (GAMMA) precedence over VirtualServices for its host.
  const vs = meshRoutesFor(snapshot.httpRoutes ?? [], fqdn) ?? findVirtualService(snapshot, fqdn);
  if (!vs) {
    if (!service) return answeredByProxy("NC");
    const pods = servicePods(snapshot, service);
    if (pods.length === 0) return answeredByProxy("UH", service);
    const pod = pods[pickIndex(random, pods.length)] as MeshPod;
    return { upstream: { service, pod }, responseFlags: "-", service, mirrors: [] };
  }
  const input = matchInputFor(request, port, source);
  const route = (vs.spec.http ?? []).find((r) => routeMatches(r.match, input));
  if (!route?.route || route.route.length === 0) return answeredByProxy("NR", service);
  const vsNamespace = vs.metadata.namespace ?? request.namespace;
  const chosen = pickWeighted(route.route, random) as HttpRouteDestination;
  const resolved = resolveDestination(snapshot, chosen.destination, vsNamespace, request.namespace, random);
  const subset = chosen.destination.subset;
  // Envoy launches shadows only once the primary request has an upstream; a 503 from the proxy sends none.
  if (!("upstream" in resolved)) {
    return answeredByProxy(resolved.flag as Exclude<ResponseFlag, "-">, resolved.service ?? service, subset);
  }
  const mirrors: Upstream[] = [];
  for (const policy of mirrorPolicies(route)) {
    if (random() * 100 >= policy.percent) continue;
    const shadow = resolveDestination(snapshot, policy.destination, vsNamespace, request.namespace, random);
    if ("upstream" in shadow) mirrors.push(shadow.upstream);
  }
  const decision: RouteDecision = {
    upstream: resolved.upstream,
    responseFlags: "-",
    service: service ?? resolved.upstream.service,
    mirrors,
  };
  if (subset) decision.subset = subset;
  return decision;
}
