import type {
  ContainerSettings,
  MatchRule,
  NewVersionGuard,
  NewVersionSettings,
  Plan,
  PortSettings,
  ReleaseJob,
  ReleaseStrategy,
  RouterKind,
  ServicePort,
  TrafficPolicy,
  Version,
} from "../release/index.ts";
import type { StoreData } from "../store/index.ts";

/**
 * The contract between the Slack side (commands/, views/, src/slack/) and the release engine. Everything the
 * Slack side needs from the cluster goes through these use-cases; none of them knows which router a job uses.
 */

/** A composed app of a namespace (KubeSphere's "composed app"; outside KubeSphere, services grouped by app label). */
export interface ComposedApp {
  name: string;
  /** Apps installed from templates (Helm charts) cannot be released gradually, as in KubeSphere. */
  template: boolean;
  services: string[];
}

export interface VersionInfo {
  version: Version;
  deployment: string;
  replicas: number;
  readyReplicas: number;
  images: string[];
  /** The pod's work containers by name, so "replace the image" can offer one field per container. */
  containers?: { name: string; image: string }[];
  /** Every container (work, then init) with all its settings, as it runs. */
  described?: ContainerSettings[];
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  app: string;
  ports: ServicePort[];
  versions: VersionInfo[];
  /** Pods carry the mesh sidecar / the namespace is mesh-enabled. */
  governed: boolean;
  /** Routers that can serve this service in this cluster, best first. */
  routers: RouterKind[];
  /** The name (as people call it, not its id) of the job already running on this service, if any. */
  activeJob?: string;
  /** Ingress gateways that route to this service (the plan offers to bind them). */
  gateways: { kind: "istio" | "kubesphere"; name: string; namespace: string; hosts: string[] }[];
}

/** ConfigMaps and Secrets of a namespace with their keys, for environment variable references. */
export interface NamespaceConfig {
  configMaps: Record<string, string[]>;
  secrets: Record<string, string[]>;
  /** Image pull Secrets (`kubernetes.io/dockerconfigjson`) by name: the private registries to choose from. */
  pullSecrets?: string[];
}

export interface ImageSearchRequest {
  /** The image pull Secret whose registry is searched, with its login. */
  pullSecret?: string;
  /** What was typed: `name`, `host/name`, `name:tag-prefix`. */
  query: string;
  timeoutMs?: number;
}

/** Images to offer (`host/repository:tag`), or a note saying why there are none. */
export interface ImageSearch {
  images: string[];
  note?: string;
}

export interface ImagePortsRequest {
  pullSecret?: string;
  image: string;
  timeoutMs?: number;
}

export type ImagePorts = { ports: PortSettings[] } | { problem: string };

export interface CreateJobInput {
  name: string;
  namespace: string;
  app: string;
  service: string;
  strategy: ReleaseStrategy;
  /** Defaults to the best router for the service. */
  router?: RouterKind;
  newVersion: { version: Version; settings: NewVersionSettings };
  /** The traffic the strategy settings asked for; it becomes the first approval request, not applied at once. */
  requestedTraffic?: TrafficPolicy;
  /** The Slack workspace of whoever creates the job: the promised request is asked with their rights. */
  requestedByTeam?: string;
  channel?: string;
}

export interface CreateJobOptions {
  /**
   * The namespace's policy asks for an approval of new versions (`approveNewVersions`): the job is stored
   * `awaiting-approval` with its plan proposed (`job.proposal`), and nothing reaches the cluster until applyPlan.
   */
  approval?: boolean;
}

/** An interrupted plan start-up recovery would finish, and the people it was asked and approved by. */
export interface RecoveredPlan {
  job: ReleaseJob;
  /** `prepare` deploys a new version; the others change traffic. */
  change: "prepare" | JobChange["kind"];
  requestedBy: string;
  /** Everyone whose approval the plan's request recorded (none for a new version deployed without approval). */
  approvedBy: string[];
}

/**
 * Whether the people behind an interrupted plan still hold the rights it needs under today's policy; a refusal
 * names the missing right. Recovery applies nothing more of a refused plan (see recover).
 */
export type RecoveryCheck = (plan: RecoveredPlan) => Promise<{ ok: true } | { ok: false; message: string }>;

/** A change to a job's traffic, which becomes a plan and then an approval request. */
export type JobChange =
  | { kind: "shift"; traffic: TrafficPolicy }
  | { kind: "takeOver"; version: Version }
  | { kind: "rollback" }
  | { kind: "takeOffline"; keep: Version }
  /** Gives up a failed job: moves traffic back and deletes what the job made, so it is approved like offline. */
  | { kind: "abandon" };

export interface ApplyOutcome {
  job: ReleaseJob;
  plan: Plan;
  /** Each step with what it did, for the job's thread. */
  applied: { step: string; result: "done" | "skipped" }[];
}

export interface JobStatus {
  job: ReleaseJob;
  /** What the routing objects in the cluster say now (read back, not what the store remembers). */
  configured: TrafficPolicy | undefined;
  versions: VersionInfo[];
  /** The routing objects as YAML, like `kubectl get virtualservice -o yaml`; only when asked for (StatusOptions). */
  objects: { kind: string; name: string; yaml: string }[];
  notes: string[];
  /** Ingresses or HTTPRoutes that send to the Service directly, so their traffic bypasses the split. */
  bypass?: string;
}

/** A round of statuses sharing their reads (see ReleaseDesk.readRound); opaque to callers. */
export type ReadRound = { readonly round: true };

export interface StatusOptions {
  round?: ReadRound;
  /** Read the routing objects for their YAML (JobStatus.objects); empty without it. */
  objects?: boolean;
}

export interface JobRef {
  namespace: string;
  name: string;
}

/** What the engine tells the outside world after it changes a job (the Slack side updates cards from it). */
export interface DeskEvents {
  jobChanged(job: ReleaseJob, what: string): void | Promise<void>;
}

export interface ReleaseDesk {
  namespaces(): Promise<string[]>;
  apps(namespace: string): Promise<ComposedApp[]>;
  /** `gateways: false`: each service's ingress gateways are left out (empty), for callers that do not show them. */
  services(namespace: string, app?: string, options?: { gateways?: boolean }): Promise<ServiceInfo[]>;
  namespaceConfig(namespace: string): Promise<NamespaceConfig>;
  /** What the pod-spec guard checks a service's next version against, so forms can check each save inline. */
  newVersionGuard(namespace: string, service: string): Promise<NewVersionGuard | undefined>;
  /** Images of the namespace's registries matching what was typed (never throws: a note says what failed). */
  searchImages(
    namespace: string,
    service: string | undefined,
    request: ImageSearchRequest,
  ): Promise<ImageSearch>;
  /** The ports an image's config exposes ("Use Default Port of Images"). */
  imagePorts(namespace: string, service: string | undefined, request: ImagePortsRequest): Promise<ImagePorts>;

  /** Validates every field (ReleaseError "invalid-field" with `fields`), deploys the new version at 0 % traffic. */
  createJob(input: CreateJobInput, actor: string, options?: CreateJobOptions): Promise<ReleaseJob>;
  /**
   * Closes a job still awaiting approval of its new version (rejected, expired, its rights gone): nothing was
   * deployed, and the reason is kept in its history.
   */
  closeNotDeployed(jobId: string, reason: string, actor: string): Promise<ReleaseJob>;
  /** Resolves once the new version is ready (or the job failed); createJob returns before that. */
  waitDeployed(jobId: string, timeoutMs?: number): Promise<ReleaseJob>;
  job(id: string): ReleaseJob | undefined;
  findJob(ref: JobRef): ReleaseJob | undefined;
  jobs(namespace?: string): ReleaseJob[];
  /** Takes KubeSphere console jobs of a namespace (or all) into the store, so lookups by name find them. */
  adoptConsoleJobs(namespace?: string): Promise<ReleaseJob[]>;

  /** Computes the plan for a change, checks it with the API server's dry run, and keeps it for approval. */
  planChange(jobId: string, change: JobChange, actor: string): Promise<Plan>;
  plan(planId: string): Plan | undefined;
  /** Applies an approved plan exactly as approved; refuses it ("stale-plan") when the cluster changed since. */
  /** `approvedHash`: the plan hash the approvers saw; a plan that no longer hashes to it is refused. */
  applyPlan(planId: string, actor: string, approvedHash?: string, start?: PlanStart): Promise<ApplyOutcome>;
  /**
   * Retries a failed job. A failed deployment is deployed again (no traffic moves). A failed change is resumed
   * only as `resumePlan`, the plan that was approved, and only while its preconditions still hold ("stale-plan"
   * otherwise); without it the job returns to where it was and the change must be asked for again.
   */
  retry(jobId: string, actor: string, options?: { resumePlan?: string }): Promise<ReleaseJob>;
  abandon(jobId: string, actor: string): Promise<ReleaseJob>;
  /**
   * `options.round`: from `readRound()`; every status given the same round shares its reads. `options.objects`:
   * also the routing objects' YAML (the card does not show them, so it does not read them).
   */
  status(jobId: string, options?: StatusOptions): Promise<JobStatus>;
  /**
   * Reads for a round of statuses over many jobs (a card refresh): each kind is listed once per namespace for the
   * whole round, so its requests do not grow with the number of jobs. Use a new round for each refresh.
   */
  readRound(): ReadRound;
  /** Start-up: completes or reverts plans whose apply was interrupted. */
  recover(check?: RecoveryCheck): Promise<void>;
}

export type { MatchRule };

/**
 * What the caller commits in the same store write that moves an approved plan to applying (the approval's own
 * compare-and-set), so the decision and the start of its apply are one write before anything reaches the cluster.
 */
export interface PlanStart {
  /** Runs first inside that write; false leaves the plan proposed (what it changed is committed all the same). */
  together(draft: StoreData): boolean;
  /** Called once that write is committed (whether or not the plan started), before the plan runs. */
  committed?(): void;
}
