// Every PromQL query Graydesk sends, with the reasoning behind it. Pure string builders: no I/O.
//
// Why these labels:
// - `reporter="destination"`: the serving pod's sidecar reports every request that reached the version, so the
//   per-version numbers describe the version itself. The client side (`reporter="source"`) is used only to tell
//   mirrored copies apart (below).
// - Versions are told apart by `destination_version` (the pod's `app.kubernetes.io/version`, else `version`
//   label). Series whose version is "unknown" are matched by `destination_workload` instead (the owning
//   Deployment, e.g. `reviews-v2`), so both labels are kept in the grouping. Never the canonical revision: it
//   falls back to `app.kubernetes.io/version`, which KubeSphere sets to the application's version on every
//   workload, so both versions can report the same revision.
// - One query per metric covers many jobs: the selector lists every namespace and service of the jobs and the
//   result is grouped by namespace, service and version, so the cost of a digest or a refresh does not grow
//   with the number of jobs. Over-matching (another service's name in another job's namespace) only adds a few
//   series that the caller ignores.

/** The Kubernetes Service a job releases, as the metrics name it. */
export interface ServiceTarget {
  namespace: string;
  service: string;
}

/** How the mesh reports a version, as grouped by every query below. */
export const VERSION_LABELS = [
  "destination_service_namespace",
  "destination_service_name",
  "destination_version",
  "destination_workload",
] as const;

const BY_VERSION = VERSION_LABELS.join(", ");
const BY_SERVICE = "destination_service_namespace, destination_service_name";

/** A Prometheus duration such as `30s`, `1m`, `1h30m`. */
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

export class PromqlInputError extends Error {
  readonly code = "telemetry_bad_window";
}

function checkWindow(window: string): string {
  if (!DURATION.test(window))
    throw new PromqlInputError(`"${window}" is not a Prometheus duration such as 30s, 1m or 1h`);
  return window;
}

/** Regex-escapes a label value for `=~` (PromQL strings are RE2, fully anchored). */
function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function quote(value: string): string {
  return JSON.stringify(value);
}

function matcher(label: string, values: string[]): string {
  const unique = [...new Set(values)].sort();
  if (unique.length === 1) return `${label}=${quote(unique[0] as string)}`;
  return `${label}=~${quote(unique.map(escapeRegex).join("|"))}`;
}

/** The label matchers selecting the jobs' services, without the reporter. */
export function serviceSelector(targets: ServiceTarget[]): string {
  if (targets.length === 0) throw new PromqlInputError("a telemetry query needs at least one service");
  return [
    matcher(
      "destination_service_namespace",
      targets.map((t) => t.namespace),
    ),
    matcher(
      "destination_service_name",
      targets.map((t) => t.service),
    ),
  ].join(",");
}

function requests(reporter: "destination" | "source", targets: ServiceTarget[], extra = ""): string {
  return `istio_requests_total{reporter="${reporter}",${serviceSelector(targets)}${extra}}`;
}

/** Requests per second each version's pods handled: served and mirrored copies alike. */
export function requestRate(targets: ServiceTarget[], window: string): string {
  return `sum by (${BY_VERSION}) (rate(${requests("destination", targets)}[${checkWindow(window)}]))`;
}

/**
 * Requests per second the callers' sidecars sent to each version. Envoy drops a shadow's response inside the
 * router, so the client-side stats never count mirrored copies (istio/istio#11093): this is served traffic as
 * the callers saw it.
 */
export function sentRate(targets: ServiceTarget[], window: string): string {
  return `sum by (${BY_VERSION}) (rate(${requests("source", targets)}[${checkWindow(window)}]))`;
}

/**
 * Mirrored requests per second per version: what the version's own sidecar saw minus what callers sent it.
 * A pure mirror target has no client-side series at all, hence `or <destination> * 0`; `clamp_min` absorbs the
 * small negative differences two scrapes taken a moment apart can give.
 */
export function mirroredRate(targets: ServiceTarget[], window: string): string {
  const seen = requestRate(targets, window);
  return `clamp_min(${seen} - (${sentRate(targets, window)} or ${seen} * 0), 0)`;
}

/** Served (not mirrored) requests per second per version: what was seen minus the mirrored copies. */
export function servedRate(targets: ServiceTarget[], window: string): string {
  return `(${requestRate(targets, window)} - ${mirroredRate(targets, window)})`;
}

/**
 * Each version's share (0–1) of its service's served traffic: the split users actually get. Mirrored copies
 * are left out, so a 100 % mirror leaves the stable version at a share of 1.
 */
export function servedShare(targets: ServiceTarget[], window: string): string {
  const served = servedRate(targets, window);
  return `${served} / ignoring(destination_version, destination_workload) group_left sum by (${BY_SERVICE}) (${served})`;
}

/**
 * Share (0–1) of each version's requests answered without a 5xx, as Istio's dashboards count success.
 * Mirrored copies count too: a shadow that fails is exactly what a mirror release is meant to reveal.
 */
export function successRate(targets: ServiceTarget[], window: string): string {
  const w = checkWindow(window);
  const ok = `sum by (${BY_VERSION}) (rate(${requests("destination", targets, ',response_code!~"5.."')}[${w}]))`;
  return `${ok} / ${requestRate(targets, w)}`;
}

/** Latency quantile in milliseconds (Istio records the histogram in ms), interpolated within buckets. */
export function latencyQuantile(targets: ServiceTarget[], window: string, quantile: number): string {
  if (!(quantile > 0 && quantile < 1))
    throw new PromqlInputError(`quantile ${quantile} is not between 0 and 1`);
  const buckets = `istio_request_duration_milliseconds_bucket{reporter="destination",${serviceSelector(targets)}}`;
  return `histogram_quantile(${quantile}, sum by (${BY_VERSION}, le) (rate(${buckets}[${checkWindow(window)}])))`;
}

/** Every query a health snapshot needs, one per metric whatever the number of jobs. */
export function healthQueries(targets: ServiceTarget[], window: string) {
  return {
    rps: requestRate(targets, window),
    mirroredRps: mirroredRate(targets, window),
    share: servedShare(targets, window),
    successRate: successRate(targets, window),
    p50: latencyQuantile(targets, window, 0.5),
    p90: latencyQuantile(targets, window, 0.9),
    p99: latencyQuantile(targets, window, 0.99),
  } as const;
}

export type HealthMetric = keyof ReturnType<typeof healthQueries>;
