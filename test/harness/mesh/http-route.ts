// Gateway API HTTPRoutes attached to a Service (GAMMA), routed as Istio routes them: Istio turns them into
// VirtualService routes for the Service's host, sorted by Gateway API's match precedence.
import { hostMatches, resolveHost, serviceFqdn } from "./hosts.ts";
import type { HttpMatchRequest, HttpRoute, ObjectMeta, StringMatch, VirtualService } from "./types.ts";

interface ValueMatch {
  name: string;
  type?: "Exact" | "RegularExpression";
  value: string;
}

interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
}

export interface GatewayRouteMatch {
  path?: { type?: "Exact" | "PathPrefix" | "RegularExpression"; value?: string };
  headers?: ValueMatch[];
  queryParams?: ValueMatch[];
  method?: string;
}

export interface GatewayHttpRoute {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    parentRefs?: { group?: string; kind?: string; name: string; namespace?: string; port?: number }[];
    rules?: {
      matches?: GatewayRouteMatch[];
      backendRefs?: BackendRef[];
      filters?: {
        type: string;
        requestMirror?: {
          backendRef: BackendRef;
          percent?: number;
          fraction?: { numerator: number; denominator?: number };
        };
      }[];
    }[];
  };
}

/** The API server fills these in when a rule or match leaves them out. */
const DEFAULT_PATH = { type: "PathPrefix" as const, value: "/" };

function attachedTo(route: GatewayHttpRoute, fqdn: string): boolean {
  const ns = route.metadata.namespace ?? "default";
  return (route.spec.parentRefs ?? []).some(
    (ref) =>
      ref.kind === "Service" &&
      (ref.group ?? "") === "" &&
      hostMatches(serviceFqdn(ref.name, ref.namespace ?? ns), fqdn),
  );
}

/** Istio's ranking of a path match: Exact over PathPrefix over RegularExpression, then longer first. */
function pathRank(match: GatewayRouteMatch): [number, number] {
  const path = match.path ?? DEFAULT_PATH;
  const rank = path.type === "Exact" ? 3 : path.type === "RegularExpression" ? 1 : 2;
  return [rank, (path.value ?? "/").length];
}

function precedence(a: GatewayRouteMatch, b: GatewayRouteMatch): number {
  const [rankA, lengthA] = pathRank(a);
  const [rankB, lengthB] = pathRank(b);
  return (
    rankB - rankA ||
    lengthB - lengthA ||
    Number(b.method !== undefined) - Number(a.method !== undefined) ||
    (b.headers?.length ?? 0) - (a.headers?.length ?? 0) ||
    (b.queryParams?.length ?? 0) - (a.queryParams?.length ?? 0)
  );
}

const valueMatch = (m: ValueMatch): StringMatch =>
  m.type === "RegularExpression" ? { regex: m.value } : { exact: m.value };

/** A PathPrefix matches whole segments: `/api` takes `/api` and `/api/...`, not `/apis`. */
function toBlocks(match: GatewayRouteMatch): HttpMatchRequest[] {
  const base: HttpMatchRequest = {};
  if (match.headers?.length) {
    base.headers = Object.fromEntries(match.headers.map((h) => [h.name.toLowerCase(), valueMatch(h)]));
  }
  if (match.queryParams?.length) {
    base.queryParams = Object.fromEntries(match.queryParams.map((q) => [q.name, valueMatch(q)]));
  }
  if (match.method) base.method = { exact: match.method };
  const path = match.path ?? DEFAULT_PATH;
  const value = path.value ?? "/";
  if (path.type === "Exact") return [{ ...base, uri: { exact: value } }];
  if (path.type === "RegularExpression") return [{ ...base, uri: { regex: value } }];
  if (value.endsWith("/")) return [{ ...base, uri: { prefix: value } }];
  return [
    { ...base, uri: { exact: value } },
    { ...base, uri: { prefix: `${value}/` } },
  ];
}

function destination(ref: BackendRef, ns: string) {
  return {
    host: serviceFqdn(ref.name, ref.namespace ?? ns),
    ...(ref.port !== undefined ? { port: { number: ref.port } } : {}),
  };
}

/**
 * The routes a sidecar applies to requests for `fqdn` from the HTTPRoutes attached to that Service, as one
 * VirtualService; undefined when none is. Routes attached only to Gateways are not a sidecar's business.
 */
export function meshRoutesFor(routes: GatewayHttpRoute[], fqdn: string): VirtualService | undefined {
  const attached = routes
    .filter((route) => attachedTo(route, fqdn))
    .sort(
      (a, b) =>
        String(a.metadata.creationTimestamp ?? "").localeCompare(
          String(b.metadata.creationTimestamp ?? ""),
        ) ||
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
          `${b.metadata.namespace}/${b.metadata.name}`,
        ),
    );
  const first = attached[0];
  if (!first) return undefined;
  const pairs = attached.flatMap((route) => {
    const ns = route.metadata.namespace ?? "default";
    return (route.spec.rules ?? []).flatMap((rule) =>
      (rule.matches?.length ? rule.matches : [{}]).map((match) => ({ ns, rule, match })),
    );
  });
  // Stable: ties keep the oldest route's rules first, then each route's rule order, as Gateway API asks.
  pairs.sort((a, b) => precedence(a.match, b.match));
  const http: HttpRoute[] = pairs.map(({ ns, rule, match }) => {
    const route: HttpRoute = {
      match: toBlocks(match),
      route: (rule.backendRefs ?? []).map((ref) => ({
        destination: destination(ref, ns),
        weight: ref.weight ?? 1,
      })),
    };
    const mirrors = (rule.filters ?? []).flatMap((filter) => {
      const mirror = filter.type === "RequestMirror" ? filter.requestMirror : undefined;
      if (!mirror) return [];
      const fraction = mirror.fraction;
      const value =
        mirror.percent ?? (fraction ? (fraction.numerator * 100) / (fraction.denominator ?? 100) : 100);
      return [{ destination: destination(mirror.backendRef, ns), percentage: { value } }];
    });
    if (mirrors.length > 0) route.mirrors = mirrors;
    return route;
  });
  return {
    metadata: { ...first.metadata, name: `httproute-${first.metadata.name}` },
    spec: { hosts: [resolveHost(fqdn, first.metadata.namespace ?? "default")], http },
  };
}
