import { ReleaseError } from "../errors.ts";
import type { ReleaseJob, ReleaseStrategy, TrafficPolicy, Version } from "../job.ts";
import { jobRoutes, policyFromRoutes } from "./istio.ts";
import type { HttpRoute, ObjectMeta } from "./istio-types.ts";

/**
 * KubeSphere 3.4 generated the Strategy CRD's embedded VirtualService spec with snake_case field names;
 * 3.2/3.3 with camelCase like Istio. The API server prunes fields the schema does not know, so the
 * wrong casing silently loses them.
 */
export type KubeSphereFlavour = "3.4" | "3.3";
export type StrategyType = "Canary" | "BlueGreen" | "Mirror";
export type StrategyPolicy = "WaitForWorkloadReady" | "Immediately" | "Paused";

export const STRATEGY_API_VERSION = "servicemesh.kubesphere.io/v1alpha2";

export interface StrategyObject {
  apiVersion: string;
  kind: "Strategy";
  metadata: ObjectMeta;
  spec: {
    type: StrategyType;
    principal?: string;
    governor?: string;
    selector?: { matchLabels?: Record<string, string> };
    strategyPolicy?: StrategyPolicy;
    template: { metadata?: Partial<ObjectMeta>; spec: Record<string, unknown> };
  };
  [field: string]: unknown;
}

const TYPES: Record<ReleaseStrategy, StrategyType> = {
  canary: "Canary",
  "blue-green": "BlueGreen",
  mirror: "Mirror",
};

// The VirtualService fields whose names differ between the two flavours (the rest are one word).
const SNAKE: Record<string, string> = {
  exportTo: "export_to",
  corsPolicy: "cors_policy",
  mirrorPercent: "mirror_percent",
  mirrorPercentage: "mirror_percentage",
  ignoreUriCase: "ignore_uri_case",
  queryParams: "query_params",
  sourceLabels: "source_labels",
  sourceNamespace: "source_namespace",
  withoutHeaders: "without_headers",
  perTryTimeout: "per_try_timeout",
  retryOn: "retry_on",
  redirectCode: "redirect_code",
  sniHosts: "sni_hosts",
};
const CAMEL = Object.fromEntries(Object.entries(SNAKE).map(([camel, snake]) => [snake, camel]));

/** Renames known keys at every depth; map keys such as header names are never in the table. */
function renameKeys(value: unknown, names: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => renameKeys(item, names));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      Object.hasOwn(names, key) ? (names[key] ?? key) : key,
      renameKeys(item, names),
    ]),
  );
}

type JobView = Pick<
  ReleaseJob,
  | "name"
  | "namespace"
  | "app"
  | "service"
  | "stableVersion"
  | "newVersion"
  | "strategy"
  | "traffic"
  | "takenOverBy"
>;

/** The Strategy object that makes KubeSphere's own controller write the VirtualService for this job. */
export function desiredStrategy(
  job: JobView,
  split: TrafficPolicy,
  flavour: KubeSphereFlavour,
  policy: StrategyPolicy = "Immediately",
): StrategyObject {
  // In 3.4 a StringMatch is an object with no declared fields, so exact/prefix/regex would be pruned
  // and every request carrying the header would match.
  if (flavour === "3.4" && split.kind === "match") {
    throw new ReleaseError(
      "unsupported",
      "KubeSphere 3.4 drops request-parameter conditions from grayscale jobs; use the Istio router for this job.",
    );
  }
  const selector = { app: job.service.name, "app.kubernetes.io/name": job.app };
  const spec = { hosts: [job.service.name], http: jobRoutes(job, split, false) };
  const governor = split.kind === "serve" ? split.version : job.takenOverBy;
  return {
    apiVersion: STRATEGY_API_VERSION,
    kind: "Strategy",
    metadata: {
      name: job.name,
      namespace: job.namespace,
      labels: { ...selector, "app.kubernetes.io/managed-by": "graydesk" },
    },
    spec: {
      type: TYPES[job.strategy],
      principal: job.stableVersion,
      ...(governor ? { governor } : {}),
      selector: { matchLabels: selector },
      strategyPolicy: policy,
      // No template.metadata: both releases' CRDs declare it an object without fields, so the API server
      // prunes whatever is written there (and KubeSphere's controller never reads it).
      template: { spec: (flavour === "3.4" ? renameKeys(spec, SNAKE) : spec) as Record<string, unknown> },
    },
  };
}

/**
 * The desired Strategy laid over the one in the cluster: what the console (or anyone) chose for the selector and
 * the policy stays — a paused job stays paused — and template.metadata is left as the API server keeps it, so
 * a change moves only the routes.
 */
export function overExisting(desired: StrategyObject, existing: StrategyObject | undefined): StrategyObject {
  if (!existing) return desired;
  const { selector, strategyPolicy, template } = existing.spec;
  return {
    ...desired,
    spec: {
      ...desired.spec,
      ...(selector ? { selector } : {}),
      ...(strategyPolicy ? { strategyPolicy } : {}),
      template: {
        ...(template?.metadata ? { metadata: template.metadata } : {}),
        spec: desired.spec.template.spec,
      },
    },
  };
}

/** A Strategy as Graydesk lists and operates it, whoever created it (console or Graydesk). */
export interface StrategyView {
  name: string;
  namespace?: string;
  strategy: ReleaseStrategy;
  service?: string;
  principal?: string;
  governor?: string;
  versions: Version[];
  split?: TrafficPolicy;
  policy?: StrategyPolicy;
}

/** Reads either flavour: snake_case keys are read as their camelCase twins. */
export function readStrategy(strategy: StrategyObject): StrategyView {
  const kind =
    (Object.keys(TYPES) as ReleaseStrategy[]).find((key) => TYPES[key] === strategy.spec.type) ?? "canary";
  const spec = renameKeys(strategy.spec.template.spec, CAMEL) as { hosts?: string[]; http?: HttpRoute[] };
  const routes = spec.http ?? [];
  const versions = new Set<Version>();
  for (const route of routes) {
    for (const { destination } of route.route ?? []) if (destination.subset) versions.add(destination.subset);
    if (route.mirror?.subset) versions.add(route.mirror.subset);
  }
  const governor = strategy.spec.governor || undefined;
  const split = policyFromRoutes(routes, kind !== "canary" || governor !== undefined);
  return {
    name: strategy.metadata.name,
    ...(strategy.metadata.namespace ? { namespace: strategy.metadata.namespace } : {}),
    strategy: kind,
    ...(spec.hosts?.[0] ? { service: spec.hosts[0] } : {}),
    ...(strategy.spec.principal ? { principal: strategy.spec.principal } : {}),
    ...(governor ? { governor } : {}),
    versions: [...versions],
    ...(split ? { split } : {}),
    ...(strategy.spec.strategyPolicy ? { policy: strategy.spec.strategyPolicy } : {}),
  };
}
