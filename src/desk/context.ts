import { randomUUID } from "node:crypto";
import {
  type ApplyDeps,
  Discovery,
  gatewaysByService,
  ingressBinding,
  type Kube,
  memoReads,
  routerFor,
  type TrafficRouter,
  type WaitReadyOptions,
  withDeadline,
} from "../cluster/index.ts";

import type { Logger } from "../log.ts";
import type { ReleaseJob } from "../release/index.ts";
import type { AuditEvent, AuditLog, Store } from "../store/index.ts";
import type { DeskEvents } from "./types.ts";

export interface ReleaseDeskOptions {
  /** The Kubernetes API (a ClusterClient). */
  cluster: Kube;
  store: Store;
  audit: AuditLog;
  clock: () => Date;
  logger: Logger;
  events?: DeskEvents;
  /** How long a new version may take to become ready (default 5 minutes). */
  waitReadyTimeoutMs?: number;
  /** Poll interval while waiting for readiness (default 1 s). */
  pollMs?: number;
  /** Bound on each Kubernetes API call (default 15 s): a hung API server fails the step, retryably. */
  requestTimeoutMs?: number;
  /** Runs after each applied step is journaled; an error from it stops the apply like a crash would. */
  afterStep?: ApplyDeps["afterStep"];
}

/** Everything the use-cases share; built once per desk. */
export interface DeskContext {
  kube: Kube;
  store: Store;
  audit: AuditLog;
  clock: () => Date;
  logger: Logger;
  events: DeskEvents | undefined;
  discovery: Discovery;
  wait: WaitReadyOptions;
  afterStep: ApplyDeps["afterStep"];
  newId(prefix: string): string;
  now(): string;
}

export function deskContext(options: ReleaseDeskOptions): DeskContext {
  const kube = withDeadline(options.cluster, options.requestTimeoutMs ?? 15_000);
  return {
    kube,
    store: options.store,
    audit: options.audit,
    clock: options.clock,
    logger: options.logger,
    events: options.events,
    discovery: new Discovery(kube),
    wait: { timeoutMs: options.waitReadyTimeoutMs ?? 300_000, pollMs: options.pollMs ?? 1000 },
    afterStep: options.afterStep,
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
    ...(ctx.afterStep ? { afterStep: ctx.afterStep } : {}),
  };
}

/**
 * A router for one computation, reading through a memo so a plan reads each object once; a caller that
 * reads more itself passes its own memo, so the router's reads and its own are shared.
 */
export async function routerOf(
  ctx: DeskContext,
  job: ReleaseJob,
  kube: Kube = memoReads(ctx.kube),
): Promise<TrafficRouter> {
  const caps = await ctx.discovery.capabilities();
  return routerFor(job.router, {
    kube,
    ...(caps.kubesphere ? { flavour: caps.kubesphere } : {}),
    ...(caps.istioGateways
      ? {
          ingress: async (j: ReleaseJob) =>
            ingressBinding((await gatewaysByService(kube, j.namespace)).get(j.service.name) ?? []),
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
