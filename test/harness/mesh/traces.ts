// Spans as Istio's Envoy sidecars emit them, kept in a bounded ring buffer.
import { hex, type Random } from "./random.ts";
import type { WorkloadIdentity } from "./workload-labels.ts";

export type TagValue = string | number | boolean;

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** Jaeger service name Istio uses: `<canonical service>.<namespace>`. */
  serviceName: string;
  operationName: string;
  startTimeUs: number;
  durationUs: number;
  tags: Record<string, TagValue>;
  processTags: Record<string, TagValue>;
}

export interface Trace {
  traceId: string;
  spans: Span[];
}

export class TraceStore {
  #ring: (Trace | undefined)[];
  #next = 0;
  #byId = new Map<string, Trace>();

  constructor(capacity = 5_000) {
    this.#ring = new Array(Math.max(1, capacity));
  }

  add(trace: Trace): void {
    const evicted = this.#ring[this.#next];
    if (evicted) this.#byId.delete(evicted.traceId);
    this.#ring[this.#next] = trace;
    this.#byId.set(trace.traceId, trace);
    this.#next = (this.#next + 1) % this.#ring.length;
  }

  get(traceId: string): Trace | undefined {
    return this.#byId.get(traceId.toLowerCase());
  }

  /** Newest first, as Jaeger lists search results. */
  *newestFirst(): Generator<Trace> {
    const n = this.#ring.length;
    for (let i = 1; i <= n; i++) {
      const trace = this.#ring[(this.#next - i + n) % n];
      if (trace) yield trace;
    }
  }

  get size(): number {
    return this.#byId.size;
  }
}

export function jaegerServiceName(identity: WorkloadIdentity): string {
  return `${identity.canonicalService}.${identity.namespace}`;
}

export interface SidecarSpanInput {
  traceId: string;
  parentSpanId?: string;
  kind: "client" | "server";
  /** The sidecar that records the span. */
  proxy: WorkloadIdentity;
  podName: string;
  podIp: string;
  /** Host:port as the route names it, e.g. `reviews.bookinfo.svc.cluster.local:9080`. */
  routeHost: string;
  /** The Host header on the wire; a shadow copy carries the `-shadow` suffix Envoy appends. */
  authority: string;
  method: string;
  path: string;
  status: number;
  responseFlags: string;
  startTimeUs: number;
  durationUs: number;
  upstreamCluster: string;
  requestId: string;
  userAgent?: string;
}

export function sidecarSpan(input: SidecarSpanInput, random: Random): Span {
  const { proxy } = input;
  const tags: Record<string, TagValue> = {
    "istio.canonical_revision": proxy.canonicalRevision,
    "istio.canonical_service": proxy.canonicalService,
    "istio.mesh_id": "cluster.local",
    "istio.namespace": proxy.namespace,
    node_id: `sidecar~${input.podIp}~${input.podName}.${proxy.namespace}~${proxy.namespace}.svc.cluster.local`,
    zone: "",
    "guid:x-request-id": input.requestId,
    "http.url": `http://${input.authority}${input.path}`,
    "http.method": input.method,
    downstream_cluster: "-",
    user_agent: input.userAgent ?? "-",
    "http.protocol": "HTTP/1.1",
    "peer.address": input.podIp,
    request_size: 0,
    response_size: input.status >= 400 ? 0 : 358,
    component: "proxy",
    "upstream_cluster.name": input.upstreamCluster,
    upstream_cluster: input.upstreamCluster,
    "http.status_code": String(input.status),
    response_flags: input.responseFlags,
    "span.kind": input.kind,
  };
  if (input.status >= 500 || input.status === 0) tags.error = true;
  const span: Span = {
    traceId: input.traceId,
    spanId: hex(random, 16),
    serviceName: jaegerServiceName(proxy),
    operationName: `${input.routeHost}/*`,
    startTimeUs: input.startTimeUs,
    durationUs: input.durationUs,
    tags,
    processTags: { ip: input.podIp, hostname: input.podName },
  };
  if (input.parentSpanId) span.parentSpanId = input.parentSpanId;
  return span;
}
