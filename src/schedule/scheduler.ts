import type { KubeConfig } from "@kubernetes/client-node";
import type { Config } from "../config.ts";
import { stateNamespace } from "../store/index.ts";
import type { DigestSchedules } from "./digests.ts";
import { type Leadership, type LeadershipCallbacks, leaseLeadership, soleLeadership } from "./lease.ts";
import type { StepRunner } from "./step-runner.ts";

export interface Scheduler {
  readonly identity: string;
  /** Starts competing for leadership; digests and steps run only while this replica leads. */
  start(): void;
  /** Stops the schedules and gives up leadership (released, so another replica takes over at once). */
  stop(): Promise<void>;
  isLeader(): boolean;
}

export type LeadershipFactory = (callbacks: LeadershipCallbacks) => Leadership;

/** Other work only the leader does (refreshing job cards, expiring approval requests). */
export interface LeaderTask {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

/**
 * Runs digest and step schedules on the leader only. Leadership changes are applied in order (a stop finishes
 * before the next start), so a replica never runs two copies of its schedules.
 */
export function createScheduler(
  parts: { digests: DigestSchedules; steps: StepRunner; others?: LeaderTask[] },
  leadership: LeadershipFactory,
  onError: (error: unknown) => void = () => undefined,
): Scheduler {
  let transitions: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<void> | void) => {
    transitions = transitions.then(work).catch(onError);
  };
  const lead = leadership({
    onStartedLeading: () =>
      enqueue(async () => {
        await parts.digests.start();
        parts.steps.start();
        for (const task of parts.others ?? []) await task.start();
      }),
    onStoppedLeading: () =>
      enqueue(async () => {
        for (const task of parts.others ?? []) await task.stop();
        await parts.digests.stop();
        await parts.steps.stop();
      }),
  });
  return {
    identity: lead.identity,
    start: () => lead.start(),
    async stop() {
      await lead.stop();
      await transitions;
    },
    isLeader: () => lead.isLeader(),
  };
}

/**
 * One replica with the file store leads alone; with STORE=kubernetes, replicas elect a leader through the
 * `graydesk-leader` Lease in the namespace the state lives in.
 */
export function leadershipFor(
  config: Pick<Config, "store">,
  kc: KubeConfig,
  options: {
    leaseDurationSeconds?: number;
    retryPeriodMs?: number;
    onError?: (error: unknown) => void;
    /** This process's name on the Lease (default: a new one); the desk writes the same on its journals. */
    identity?: string;
  } = {},
): LeadershipFactory {
  if (config.store === "lowdb") return (callbacks) => soleLeadership(callbacks);
  return (callbacks) => leaseLeadership(kc, { namespace: stateNamespace(kc), ...options, ...callbacks });
}
