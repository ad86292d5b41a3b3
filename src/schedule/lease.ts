import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  ApiException,
  CoordinationV1Api,
  type KubeConfig,
  type V1Lease,
  V1MicroTime,
} from "@kubernetes/client-node";

/** Who runs the schedules: exactly one replica at a time. */
export interface Leadership {
  readonly identity: string;
  isLeader(): boolean;
  start(): void;
  /**
   * Stops competing. A leader releases the lease (holderIdentity cleared) so another replica takes over at once;
   * `{ release: false }` walks away without a word, as a crashed or cut-off replica would.
   */
  stop(options?: { release?: boolean }): Promise<void>;
}

export interface LeadershipCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

export interface LeaseOptions extends LeadershipCallbacks {
  namespace: string;
  name?: string;
  identity?: string;
  /** How long others wait after the last renewal they saw before taking the lease. Default 15, as client-go. */
  leaseDurationSeconds?: number;
  /** A leader that could not renew for this long stops leading (before others may take over). Default 10 s. */
  renewDeadlineMs?: number;
  /** How often to try to acquire or renew. Default 2 s, or a fifth of a shorter lease. */
  retryPeriodMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

export const LEADER_LEASE = "graydesk-leader";

// Waking this long after the expiry makes the next read see the lease as expired, not still held.
const EXPIRY_MARGIN_MS = 5;

export function replicaIdentity(): string {
  return `${hostname()}_${randomUUID().slice(0, 8)}`;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, the way client-go's leaderelection does it: every change is
 * a PUT carrying the resourceVersion read, so two candidates cannot both win. A lease is free when its holder is
 * empty or once it expires: leaseDurationSeconds after its renewTime, or after the moment this replica first saw
 * that renewal when that is earlier (a leader whose clock runs ahead cannot stretch its lease). A candidate
 * wakes at that expiry rather than on its next retry, so a leader that stops is replaced at most
 * leaseDurationSeconds after its last renewal.
 */
export function leaseLeadership(kc: KubeConfig, options: LeaseOptions): Leadership {
  const api = kc.makeApiClient(CoordinationV1Api);
  const name = options.name ?? LEADER_LEASE;
  const { namespace } = options;
  const identity = options.identity ?? replicaIdentity();
  const durationSeconds = options.leaseDurationSeconds ?? 15;
  const renewDeadlineMs = options.renewDeadlineMs ?? Math.min(10_000, durationSeconds * 1000 * (2 / 3));
  // A short lease renewed only every 2 s would run out on one slow round trip, and a follower woken at its expiry
  // would take over while this replica still believes it leads.
  const retryMs = options.retryPeriodMs ?? Math.min(2000, (durationSeconds * 1000) / 5);
  const now = options.now ?? Date.now;
  let leading = false;
  /** The last write this replica made to the lease named it holder (a round can win just as stop begins). */
  let held = false;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let observed: { key: string; at: number } | undefined;
  /** When the lease another replica holds runs out, on this replica's clock. */
  let expiresAt: number | undefined;
  let lastRenew = 0;
  let current: Promise<void> = Promise.resolve();

  async function tryAcquireOrRenew(): Promise<boolean> {
    const at = now();
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
      try {
        await api.createNamespacedLease({
          namespace,
          body: newLease(name, namespace, identity, durationSeconds, at),
        });
      } catch (createError) {
        // Another candidate created it first: it leads.
        if (createError instanceof ApiException && createError.code === 409) return false;
        throw createError;
      }
      return true;
    }
    const spec = lease.spec ?? {};
    const key = `${spec.holderIdentity ?? ""}|${instant(spec.renewTime)}|${lease.metadata?.resourceVersion}`;
    if (observed?.key !== key) observed = { key, at };
    const holder = spec.holderIdentity ?? "";
    const holderDuration = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    const renewed = Math.min(instant(spec.renewTime) || observed.at, observed.at);
    expiresAt = holder !== "" && holder !== identity ? renewed + holderDuration : undefined;
    if (expiresAt !== undefined && expiresAt > at) return false;
    const renewing = holder === identity;
    lease.spec = {
      holderIdentity: identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: renewing && spec.acquireTime ? micro(instant(spec.acquireTime)) : micro(at),
      renewTime: micro(at),
      // Taking over, even a released lease, is a change of holder.
      leaseTransitions: (spec.leaseTransitions ?? 0) + (renewing ? 0 : 1),
    };
    try {
      await api.replaceNamespacedLease({ name, namespace, body: lease });
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) return false;
      throw error;
    }
    return true;
  }

  async function round() {
    let won = false;
    try {
      won = await tryAcquireOrRenew();
      held = won;
    } catch (error) {
      options.onError?.(error);
    }
    if (!running) return;
    if (won) {
      lastRenew = now();
      if (!leading) {
        leading = true;
        options.onStartedLeading();
      }
    } else if (leading && (observedByOther() || now() - lastRenew > renewDeadlineMs)) {
      leading = false;
      options.onStoppedLeading();
    }
  }
  const observedByOther = () => {
    const holder = observed?.key.split("|")[0];
    return holder !== undefined && holder !== "" && holder !== identity;
  };

  /** The next try: one retry period on, or just after the lease someone else holds runs out if sooner. */
  function nextDelay(): number {
    if (leading || expiresAt === undefined) return retryMs;
    return Math.min(retryMs, Math.max(0, expiresAt - now()) + EXPIRY_MARGIN_MS);
  }

  function loop() {
    if (!running) return;
    current = round().finally(() => {
      if (running) timer = setTimeout(loop, nextDelay());
    });
  }

  return {
    identity,
    isLeader: () => leading,
    start() {
      if (running) return;
      running = true;
      loop();
    },
    async stop(stopOptions = {}) {
      running = false;
      clearTimeout(timer);
      await current;
      if (held && stopOptions.release !== false) {
        try {
          const lease = await api.readNamespacedLease({ name, namespace });
          if (lease.spec?.holderIdentity === identity) {
            lease.spec = {
              ...lease.spec,
              holderIdentity: "",
              leaseDurationSeconds: 1,
              acquireTime: micro(instant(lease.spec.acquireTime)),
              renewTime: micro(now()),
            };
            await api.replaceNamespacedLease({ name, namespace, body: lease });
          }
        } catch (error) {
          // The lease then simply expires: others take over within its duration.
          options.onError?.(error);
        }
      }
      held = false;
      if (!leading) return;
      leading = false;
      options.onStoppedLeading();
    },
  };
}

/** One replica (STORE=lowdb): it leads from start to stop. */
export function soleLeadership(callbacks: LeadershipCallbacks, identity = replicaIdentity()): Leadership {
  let leading = false;
  return {
    identity,
    isLeader: () => leading,
    start() {
      if (leading) return;
      leading = true;
      callbacks.onStartedLeading();
    },
    async stop() {
      if (!leading) return;
      leading = false;
      callbacks.onStoppedLeading();
    },
  };
}

// client-node hands MicroTime fields back as the wire's strings, though typed as dates.
function instant(value: Date | string | undefined): number {
  if (value === undefined) return 0;
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

function micro(ms: number): V1MicroTime {
  return new V1MicroTime(ms);
}

function newLease(name: string, namespace: string, identity: string, seconds: number, at: number): V1Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, namespace, labels: { "app.kubernetes.io/managed-by": "graydesk" } },
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds: seconds,
      acquireTime: micro(at),
      renewTime: micro(at),
      leaseTransitions: 0,
    },
  };
}
