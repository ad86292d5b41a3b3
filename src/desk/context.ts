import { randomUUID } from "node:crypto";
import { openPolicy, type Policy } from "../approvals/index.ts";
import {
  type ApplyDeps,
  Discovery,
  gatewayRoutesOf,
  hasOriginals,
  ingressBinding,
  type KnownLists,
  type KnownObjects,
  type Kube,
  type KubeObject,
  type MemoReads,
  memoReads,
  ReadCache,
  routerFor,
  type TrafficRouter,
  type WaitReadyOptions,
  withDeadline,
} from "../cluster/index.ts";
import type { Logger } from "../log.ts";
import { OciRegistryClient } from "../registry/index.ts";
import type { ReleaseJob } from "../release/index.ts";
import type { AuditEvent, AuditLog, Store } from "../store/index.ts";
import { RecentReads } from "./recent-reads.ts";
import { DEFAULT_RETENTION, type Retention } from "./retention.ts";
import type { DeskEvents } from "./types.ts";

export interface ReleaseDeskOptions {
  /** The Kubernetes API (a ClusterClient). */
  cluster: Kube;
  /**
   * The cluster's configured name, in a desk for several clusters: its jobs carry it, and this desk sees and
   * recovers only those. Absent with a single cluster.
   */
  clusterName?: string;
  store: Store;
  audit: AuditLog;
  clock: () => Date;
  logger: Logger;
  events?: DeskEvents;
  /** The namespaces' policy (default: the open policy); the pod-spec guard reads its allowed registries. */
  policy?: Policy;
  /** How long a new version may take to become ready (default 5 minutes). */
  waitReadyTimeoutMs?: number;
  /**
   * Poll interval while waiting for readiness where the Deployment cannot be watched (default 1 s); with a watch,
   * how often its pods are looked at while it is slow (every three polls' time).
   */
  pollMs?: number;
  /** Bound on each Kubernetes API call (default 15 s): a hung API server fails the step, retryably. */
  requestTimeoutMs?: number;
  /** Runs after each applied step is journaled; an error from it stops the apply like a crash would. */
  afterStep?: ApplyDeps["afterStep"];
  /** How long reads of rarely changing kinds (Services, Gateways, Namespaces, CRDs) are reused (default 30 s). */
  readCacheMs?: number;
  /**
   * How long a namespace's last Deployment list may stand in for a new one where only names or ready pods are
   * needed: a plan's waits and deletes, the card under a new request (default 60 s, as often as live cards
   * are redrawn).
   */
  knownDeploymentsMs?: number;
  /** How long finished plans, journals, decided requests and job history are kept in the store. */
  retention?: Partial<Retention>;
  /** How often the store is pruned after the start-up prune (default hourly; 0: only at start-up). */
  pruneEveryMs?: number;
  /** The container image registries' API (image search, default ports); the real one by default. */
  registry?: OciRegistryClient;
  /** This process's name on the journals it opens (default: a new random one). */
  identity?: string;
  /**
   * The state is shared with other replicas (STORE=kubernetes): an apply another replica has under way is left to
   * it while its word is fresh. This process renews its own word on its journals every `heartbeatMs` (default
   * 10 s) and resumes another's once it is `staleMs` old (default 45 s). See tendJournal in recover.ts.
   */
  replicas?: { heartbeatMs?: number; staleMs?: number };
}

/** Everything the use-cases share; built once per desk. */
export interface DeskContext {
  /** See ReleaseDeskOptions.clusterName. */
  clusterName: string | undefined;
  /** Fresh reads and every write: what decides a write (preconditions, readiness) is never cached. */
  kube: Kube;
  /** Reads that keep rarely changing kinds for a while; writes through `kube` forget them. */
  shared: Kube;
  /** What this call computes from: `shared`, or within an operation its memo (each object read once). */
  reads: MemoReads | Kube;
  recent: RecentReads;
  /** The last whole Deployment list per namespace (see ReleaseDeskOptions.knownDeploymentsMs). */
  known: KnownLists;
  knownDeploymentsMs: number;
  /** The routing objects as Graydesk's own writes and reads last found them. */
  objects: KnownObjects;
  retention: Retention;
  store: Store;
  audit: AuditLog;
  clock: () => Date;
  logger: Logger;
  events: DeskEvents | undefined;
  policy: Policy;
  discovery: Discovery;
  registry: OciRegistryClient;
  wait: WaitReadyOptions;
  afterStep: ApplyDeps["afterStep"];
  /** See ReleaseDeskOptions.identity. */
  identity: string;
  /** See ReleaseDeskOptions.replicas; undefined when this process is the state's only writer. */
  replicas: { heartbeatMs: number; staleMs: number } | undefined;
  newId(prefix: string): string;
  now(): string;
}

/**
 * With state shared by replicas: whether something another replica said at `at` (ISO) is less than a stale word
 * old, so what it is doing is left to it. Always false when this process is the state's only writer.
 */
export function freshWord(ctx: DeskContext, at: string | undefined): boolean {
  if (!ctx.replicas || at === undefined) return false;
  return ctx.clock().getTime() - Date.parse(at) < ctx.replicas.staleMs;
}

export function deskContext(options: ReleaseDeskOptions): DeskContext {
  const cache = new ReadCache(withDeadline(options.cluster, options.requestTimeoutMs ?? 15_000), {
    ttlMs: options.readCacheMs ?? 30_000,
    now: () => options.clock().getTime(),
  });
  // Kept reads age by the desk clock, as the read cache does: a busy machine does not make them expire early.
  const recent = new RecentReads(5_000, () => options.clock().getTime());
  cache.onWrite((namespace) => recent.forget(namespace));
  return {
    clusterName: options.clusterName,
    kube: cache.fresh,
    shared: cache.shared,
    reads: cache.shared,
    recent,
    known: cache.known,
    objects: cache.objects,
    knownDeploymentsMs: options.knownDeploymentsMs ?? 60_000,
    retention: { ...DEFAULT_RETENTION, ...options.retention },
    store: options.store,
    audit: options.audit,
    clock: options.clock,
    logger: options.logger,
    events: options.events,
    policy: options.policy ?? openPolicy(),
    discovery: new Discovery(cache.shared),
    registry: options.registry ?? new OciRegistryClient(),
    wait: { timeoutMs: options.waitReadyTimeoutMs ?? 300_000, pollMs: options.pollMs ?? 1000 },
    afterStep: options.afterStep,
    identity: options.identity ?? `graydesk-${randomUUID().slice(0, 8)}`,
    replicas: options.replicas
      ? { heartbeatMs: options.replicas.heartbeatMs ?? 10_000, staleMs: options.replicas.staleMs ?? 45_000 }
      : undefined,
    newId: (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`,
    now: () => options.clock().toISOString(),
  };
}

export function applyDeps(ctx: DeskContext): ApplyDeps {
  return {
    kube: ctx.kube,
    store: ctx.store,
    clock: ctx.clock,
    waitReady: ctx.wait,
    owner: ctx.identity,
    ...(ctx.afterStep ? { afterStep: ctx.afterStep } : {}),
  };
}

/**
 * One user operation (a plan with its dry run, a job's creation, a status): its reads are memoized for the
 * length of the call, so the router, discovery and the desk read each object once between them. Reads made
 * before the operation's own writes are not read back after them: compute anew with a new operation.
 */
export function operation(ctx: DeskContext): DeskContext & { reads: MemoReads } {
  return { ...ctx, reads: memoReads(ctx.shared) };
}

/**
 * An operation whose reads are shared by the steps of one user request in a namespace (a command looks up the
 * services and apps, then creates the job): see RecentReads.namespaceReads.
 */
export function namespaceOperation(ctx: DeskContext, namespace: string): DeskContext & { reads: MemoReads } {
  return { ...ctx, reads: ctx.recent.namespaceReads(namespace, () => memoReads(ctx.shared)) };
}

/**
 * Puts the namespace's last Deployment list among an operation's reads when one is known and young enough: a
 * plan needs Deployments only for their names (which to wait for, which to delete; the wait and the delete
 * read or act on the object itself) and the cards drawn from its reads only for ready pods. The replicas
 * router is the exception: its routes are the replica counts, read anew.
 */
export function primeDeployments(ctx: DeskContext, reads: MemoReads, job: ReleaseJob): void {
  if (job.router === "replicas" || reads.listed("apps/v1", "Deployment", job.namespace)) return;
  const known = ctx.known.known<{ items: unknown[] }>(
    "apps/v1",
    "Deployment",
    job.namespace,
    ctx.knownDeploymentsMs,
  );
  if (known) reads.prime("apps/v1", "Deployment", job.namespace, known);
}

/** The job's router, reading through the operation's reads (see `operation`). */
export async function routerOf(ctx: DeskContext, job: ReleaseJob): Promise<TrafficRouter> {
  const kube = ctx.reads;
  const caps = await ctx.discovery.capabilities();
  return routerFor(job.router, {
    kube,
    ...(caps.kubesphere ? { flavour: caps.kubesphere } : {}),
    ...(caps.gatewayApi ? { gatewayApi: caps.gatewayApi } : {}),
    ...(caps.istioGateways
      ? {
          // A job whose routes exist binds the gateways its own VirtualService binds (see gatewayRoutesOf).
          ingress: async (j: ReleaseJob, existing?: KubeObject) =>
            ingressBinding(
              await gatewayRoutesOf(
                kube,
                j.namespace,
                j.service.name,
                hasOriginals(j) ? existing : undefined,
              ),
            ),
        }
      : {}),
  });
}

export async function audit(ctx: DeskContext, event: AuditEvent): Promise<void> {
  try {
    await ctx.audit.append(event);
  } catch (error) {
    ctx.logger.error({ err: error, event: event.kind }, "audit append failed");
  }
}
