import type { RolloutObject } from "../../cluster/index.ts";
import type { Logger } from "../../log.ts";

/** The list-and-watch a watcher needs (RolloutsClient). */
export interface RolloutWatchApi {
  list(namespace: string): Promise<{ items: RolloutObject[]; resourceVersion: string | undefined }>;
  watch(
    namespace: string,
    resourceVersion: string | undefined,
    onEvent: (type: string, rollout: RolloutObject) => void,
    onEnd: (error?: unknown) => void,
  ): Promise<() => void>;
}

export interface RolloutWatcherOptions {
  api: RolloutWatchApi;
  /** The managed namespaces: those the policy names. */
  namespaces: string[];
  seen(rollout: RolloutObject): Promise<void>;
  logger: Logger;
  /** How long to wait before listing again after a watch ends or a list fails (default 2 s). */
  retryMs?: number;
  /** How long to wait when the cluster does not serve Rollouts (no CRD: 404) or refuses them (403); 5 min. */
  absentRetryMs?: number;
}

/**
 * Follows the Rollouts of the managed namespaces: lists each namespace, then watches from the list's
 * resourceVersion; when a watch ends (timeout, 410 Gone, a lost connection) it lists again, so no change is missed.
 * Started and stopped with leadership, so one replica opens each request.
 */
export function rolloutWatcher(o: RolloutWatcherOptions): { start(): void; stop(): void } {
  let running = false;
  const stops = new Map<string, () => void>();
  const timers = new Set<NodeJS.Timeout>();
  const handle = (rollout: RolloutObject) =>
    o
      .seen(rollout)
      .catch((error) =>
        o.logger.warn({ err: error, rollout: rollout.metadata?.name }, "could not follow a Rollout"),
      );
  const later = (namespace: string, absent = false) => {
    if (!running) return;
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        void follow(namespace);
      },
      absent ? (o.absentRetryMs ?? 300_000) : (o.retryMs ?? 2_000),
    );
    timer.unref();
    timers.add(timer);
  };
  const follow = async (namespace: string) => {
    if (!running) return;
    try {
      const { items, resourceVersion } = await o.api.list(namespace);
      for (const rollout of items) await handle(rollout);
      if (!running) return;
      const stop = await o.api.watch(
        namespace,
        resourceVersion,
        (type, rollout) => {
          if (type === "ADDED" || type === "MODIFIED") void handle(rollout);
        },
        () => {
          stops.delete(namespace);
          later(namespace);
        },
      );
      if (running) stops.set(namespace, stop);
      else stop();
    } catch (error) {
      const status = (error as { status?: number }).status;
      const absent = status === 404 || status === 403;
      // A cluster without Argo Rollouts is normal: say so once per attempt, quietly, and look again later.
      if (absent)
        o.logger.info({ namespace, status }, "Rollouts not served or not allowed here; Argo gates wait");
      else o.logger.warn({ err: error, namespace }, "could not list Rollouts; trying again");
      later(namespace, absent);
    }
  };
  return {
    start() {
      if (running) return;
      running = true;
      for (const namespace of o.namespaces) void follow(namespace);
    },
    stop() {
      running = false;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const stop of stops.values()) stop();
      stops.clear();
    },
  };
}
