// Istio's standard request metrics, labelled the way the sidecars' istio.stats filter labels them.
import { serviceFqdn } from "./hosts.ts";
import { ISTIO_DURATION_BUCKETS_MS, type LabelSet, type MetricsRegistry } from "./metrics.ts";
import type { MeshService } from "./types.ts";
import type { WorkloadIdentity } from "./workload-labels.ts";

export const REQUESTS_TOTAL = "istio_requests_total";
export const REQUEST_DURATION = "istio_request_duration_milliseconds";

export function defineIstioMetrics(registry: MetricsRegistry): void {
  registry.defineCounter(REQUESTS_TOTAL, "Requests handled by an Istio proxy.");
  registry.defineHistogram(
    REQUEST_DURATION,
    "Duration of requests, in milliseconds.",
    ISTIO_DURATION_BUCKETS_MS,
  );
}

export interface RequestReport {
  reporter: "source" | "destination";
  source: WorkloadIdentity;
  /** Absent when no pod answered (the client sidecar's own 503): the peer is then unknown. */
  destination?: WorkloadIdentity;
  service?: MeshService;
  responseCode: number;
  responseFlags: string;
  durationMs: number;
}

const UNKNOWN = "unknown";
const CLUSTER = "Kubernetes";

/** Label order follows the filter's tag list so series read like a real sidecar's. */
export function reportLabels(report: RequestReport): LabelSet {
  const { source, destination, service } = report;
  const isDestination = report.reporter === "destination";
  return {
    reporter: report.reporter,
    source_workload: source.workload,
    source_canonical_service: source.canonicalService,
    source_canonical_revision: source.canonicalRevision,
    source_workload_namespace: source.namespace,
    // Principals are known from the mTLS handshake; the client side sees its own and the peer's SAN.
    source_principal: source.principal,
    source_app: source.app,
    source_version: source.version,
    source_cluster: CLUSTER,
    destination_workload: destination?.workload ?? UNKNOWN,
    destination_workload_namespace: destination?.namespace ?? UNKNOWN,
    destination_principal: destination?.principal ?? UNKNOWN,
    destination_app: destination?.app ?? UNKNOWN,
    destination_version: destination?.version ?? UNKNOWN,
    destination_service: service ? serviceFqdn(service.name, service.namespace) : UNKNOWN,
    destination_canonical_service: destination?.canonicalService ?? UNKNOWN,
    destination_canonical_revision: destination?.canonicalRevision ?? "latest",
    destination_service_name: service?.name ?? UNKNOWN,
    destination_service_namespace: service?.namespace ?? UNKNOWN,
    destination_cluster: destination ? CLUSTER : UNKNOWN,
    request_protocol: "http",
    response_code: String(report.responseCode),
    grpc_response_status: "",
    response_flags: report.responseFlags,
    // Auto mTLS: the server side sees a mutual TLS peer; the client side does not report the policy.
    connection_security_policy: isDestination ? "mutual_tls" : UNKNOWN,
  };
}

export function recordRequest(registry: MetricsRegistry, report: RequestReport): void {
  const labels = reportLabels(report);
  registry.inc(REQUESTS_TOTAL, labels);
  registry.observe(REQUEST_DURATION, labels, report.durationMs);
}
