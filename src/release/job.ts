import type { NewVersionSettings } from "./container-settings.ts";

export type Version = string;
export type ReleaseStrategy = "blue-green" | "canary" | "mirror";
/** Every traffic router Graydesk has, in the order it prefers them; `routerFor` builds each. */
export const ROUTER_KINDS = ["istio", "gateway-api", "kubesphere", "replicas"] as const;
export type RouterKind = (typeof ROUTER_KINDS)[number];

export type JobState =
  /** Created where new versions need an approval: nothing is in the cluster until someone approves it. */
  | "awaiting-approval"
  | "deploying"
  | "ready"
  | "active"
  | "taken-over"
  | "offline"
  | "failed"
  | "rolled-back"
  | "abandoned"
  /** Closed before its new version was deployed (rejected, expired, refused): nothing reached the cluster. */
  | "not-deployed";

export interface ServicePort {
  name?: string;
  port: number;
  protocol: "TCP" | "UDP" | "SCTP";
  appProtocol?: string;
}

export interface ServiceRef {
  name: string;
  ports: ServicePort[];
}

export type MatchKind = "exact" | "prefix" | "regex";
export type ClientOs = "windows" | "linux" | "macos" | "android" | "ios";

/** One condition of a canary by request parameters. All conditions of a job must hold together. */
export type MatchRule =
  | { kind: "header"; name: string; match: MatchKind; value: string }
  | { kind: "cookie"; name: string; match: MatchKind; value: string }
  | { kind: "uri"; match: MatchKind; value: string }
  /** A query parameter of the request (`?name=value`). */
  | { kind: "query"; name: string; match: MatchKind; value: string }
  /** The request comes from any of these client operating systems (read from User-Agent). */
  | { kind: "os"; systems: ClientOs[] };

/** What the routes say, whichever router carries them. */
export type TrafficPolicy =
  /** Canary by percentage: whole percents per version, summing to 100. */
  | { kind: "weights"; weights: Record<Version, number> }
  /** Canary by request parameters: matching requests go to `to`, the rest to the stable version. */
  | { kind: "match"; rules: MatchRule[]; to: Version }
  /** All served traffic on the stable version; `percent` of it copied to `to`. */
  | { kind: "mirror"; percent: number; to: Version }
  /** Blue-green: one version gets all traffic. */
  | { kind: "serve"; version: Version };

export interface JobEvent {
  at: string;
  actor: string;
  kind: string;
  detail?: string;
  /** The routes as this event left them, on events that move traffic (charts draw the configured split from it). */
  traffic?: TrafficPolicy;
}

export interface JobFailure {
  reason: string;
  retryable: boolean;
  at: string;
  /** The state the job was in when it failed; `retry` returns there. */
  from: JobState;
}

/** The routing objects' specs as they were before the job touched them, so finalize can restore them. */
export interface RecordedOriginal {
  apiVersion: string;
  kind: string;
  name: string;
  /** Undefined when the job created the object (finalize deletes it). */
  spec?: unknown;
}

export interface ReleaseJob {
  id: string;
  name: string;
  /** The cluster of a desk with several (its configured name); absent with a single cluster. */
  cluster?: string;
  namespace: string;
  /** The composed app the service belongs to. */
  app: string;
  service: ServiceRef;
  strategy: ReleaseStrategy;
  router: RouterKind;
  stableVersion: Version;
  newVersion: { version: Version; settings: NewVersionSettings };
  traffic: TrafficPolicy;
  state: JobState;
  history: JobEvent[];
  createdAt: string;
  createdBy: string;
  channel?: string;
  failure?: JobFailure;
  takenOverBy?: Version;
  originals: RecordedOriginal[];
  /**
   * The first approval request the creator was promised ("once it is ready, Graydesk asks for approval…"),
   * kept with the job so a restart while the new version comes up still opens it, once.
   */
  promised?: PromisedRequest;
  /**
   * The new version as proposed for approval (policy `approveNewVersions`): the plan that deploys it, with what
   * the approver is shown of it. Kept after the decision, for the record.
   */
  proposal?: NewVersionProposal;
}

/** What an approver sees of a new version before it exists. */
export interface NewVersionProposal {
  planId: string;
  images: string[];
  replicas: number;
  /** The new pod template against the stable version's, as a line diff (`-`/`+`). */
  podSpecDiff: string;
}

export interface PromisedRequest {
  traffic: TrafficPolicy;
  by: string;
  team?: string;
  channel?: string;
  /** `opening`: claimed by a process that may have died before recording the request it opened. */
  state: "promised" | "opening" | "opened" | "broken";
  requestId?: string;
  /** Why it could not be opened (refused, the version never became ready). */
  problem?: string;
}

/** The versions a job routes between, stable first. */
export function jobVersions(job: Pick<ReleaseJob, "stableVersion" | "newVersion">): Version[] {
  return [job.stableVersion, job.newVersion.version];
}

/**
 * The traffic policy a new job is created with. Until the job's routes are set (state `ready`), the
 * stable version keeps all traffic whatever the policy says; blue-green's strategy settings then pick
 * the serving version, canary defaults to 0 % on the new version, mirroring to a full copy.
 */
export function initialTraffic(
  strategy: ReleaseStrategy,
  stable: Version,
  next: Version,
  requested?: TrafficPolicy,
): TrafficPolicy {
  if (requested) return requested;
  if (strategy === "blue-green") return { kind: "serve", version: stable };
  if (strategy === "mirror") return { kind: "mirror", percent: 100, to: next };
  return { kind: "weights", weights: { [stable]: 100, [next]: 0 } };
}

/** Which traffic policy kinds each strategy may use. */
export const POLICY_KINDS: Record<ReleaseStrategy, TrafficPolicy["kind"][]> = {
  "blue-green": ["serve"],
  canary: ["weights", "match"],
  mirror: ["mirror"],
};

/** A namespace as a desk for several clusters writes it: `cluster/namespace` (just the namespace without a cluster). */
export function withScope(cluster: string | undefined, namespace: string): string {
  return cluster === undefined ? namespace : `${cluster}/${namespace}`;
}

/** The cluster and namespace of `cluster/namespace`, or of a bare namespace (no cluster). */
export function splitScope(scope: string): { cluster?: string; namespace: string } {
  const slash = scope.indexOf("/");
  if (slash < 0) return { namespace: scope };
  return { cluster: scope.slice(0, slash), namespace: scope.slice(slash + 1) };
}

/** Where a job runs, as people read it: `prod-eu/bookinfo`, or `bookinfo` with a single cluster. */
export function jobScope(job: Pick<ReleaseJob, "cluster" | "namespace">): string {
  return withScope(job.cluster, job.namespace);
}
