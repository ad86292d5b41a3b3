// The mesh traffic simulator: routes synthetic requests as Istio's sidecars do and exposes the telemetry
// (Prometheus metrics, Jaeger traces) a real mesh would.
export type { ClusterReader } from "./cluster-reader.ts";
export { KubeClusterReader, MeshReadError, staticClusterReader } from "./cluster-reader.ts";
export { hostMatches, resolveHost, serviceFqdn } from "./hosts.ts";
export { REQUEST_DURATION, REQUESTS_TOTAL, reportLabels } from "./istio-telemetry.ts";
export { JaegerQueryError, parseDurationUs } from "./jaeger-query.ts";
export { stringMatches } from "./match.ts";
export { ISTIO_DURATION_BUCKETS_MS, MetricsRegistry } from "./metrics.ts";
export type { BehaviourProfile, LatencyModel } from "./profiles.ts";
export { BehaviourProfiles, DEFAULT_PROFILE } from "./profiles.ts";
export { type Random, seededRandom } from "./random.ts";
export { routeRequest } from "./route.ts";
export {
  MeshSimulator,
  type MeshSimulatorOptions,
  podVersion,
  type RequestSource,
  shadowHost,
} from "./simulator.ts";
export type { TelemetryServer } from "./telemetry-server.ts";
export { startTelemetryServer } from "./telemetry-server.ts";
export type { Span, Trace } from "./traces.ts";
export { TraceStore } from "./traces.ts";
export type { RunningTraffic, TrafficPlan } from "./traffic.ts";
export { type SendResult, share, type TrafficCounts } from "./traffic-counts.ts";
export type * from "./types.ts";
export { canonicalRevision, identityOf, istioApp, istioVersion } from "./workload-labels.ts";
