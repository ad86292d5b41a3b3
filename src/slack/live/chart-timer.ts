// Redraws live jobs' charts on a throttled timer, so the card's image never contradicts the text beside it.
import type { Logger } from "../../log.ts";
import type { ReleaseJob } from "../../release/index.ts";
import { LIVE_STATES, trafficHistory } from "../../telemetry/index.ts";
import type { ChartResult } from "./charts.ts";

export interface ChartTimerOptions {
  charts: { upload(jobId: string): Promise<ChartResult>; drawnAt(jobId: string): number | undefined };
  jobs(): ReleaseJob[];
  logger: Pick<Logger, "debug" | "warn">;
  /** Settling after a change: a chart drawn before it ends has no data after the change yet. */
  settleSeconds: number;
  /** The shortest time between two timed redraws of one job's chart; 300 s by default. */
  minIntervalSeconds?: number;
  /**
   * Chart uploads per minute for all jobs together; 20 by default. Each costs files.getUploadURLExternal and
   * files.completeUploadExternal (Tier 4, 100+/min) and one chat.update of the card (Tier 3, 50+/min, shared
   * with the card refresher), so 20 leaves most of each budget to everything else.
   */
  uploadsPerMinute?: number;
  tickSeconds?: number;
  now?: () => number;
}

/** Seconds between timed redraws of one job: the minimum, or longer when many jobs share the budget. */
export function redrawInterval(
  liveJobs: number,
  minIntervalSeconds: number,
  uploadsPerMinute: number,
): number {
  return Math.max(minIntervalSeconds, (liveJobs * 60) / uploadsPerMinute);
}

/**
 * Whether a job's chart is due: never drawn, drawn before the latest change had settled (it shows nothing after
 * the change), or older than the interval.
 */
export function chartDue(
  drawnAt: number | undefined,
  lastChangeAt: number | undefined,
  settleMs: number,
  intervalMs: number,
  now: number,
): boolean {
  if (drawnAt === undefined) return true;
  if (lastChangeAt !== undefined && drawnAt < lastChangeAt + settleMs && now >= lastChangeAt + settleMs)
    return true;
  return now - drawnAt >= intervalMs;
}

export function chartTimer(o: ChartTimerOptions): {
  start(): void;
  stop(): Promise<void>;
  tick(): Promise<number>;
} {
  const now = o.now ?? Date.now;
  const perMinute = o.uploadsPerMinute ?? 20;
  const tickSeconds = o.tickSeconds ?? 15;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  const tick = async (): Promise<number> => {
    const live = o.jobs().filter((job) => LIVE_STATES.has(job.state));
    const intervalMs = redrawInterval(live.length, o.minIntervalSeconds ?? 300, perMinute) * 1000;
    // Within one tick, at most the tick's share of the per-minute budget, oldest chart first.
    const budget = Math.max(1, Math.floor((perMinute * tickSeconds) / 60));
    const due = live
      .filter((job) =>
        chartDue(
          o.charts.drawnAt(job.id),
          trafficHistory(job).at(-1)?.at,
          o.settleSeconds * 1000,
          intervalMs,
          now(),
        ),
      )
      .sort((a, b) => (o.charts.drawnAt(a.id) ?? 0) - (o.charts.drawnAt(b.id) ?? 0))
      .slice(0, budget);
    let drawn = 0;
    for (const job of due) {
      try {
        const result = await o.charts.upload(job.id);
        if (result.ok) drawn++;
        else o.logger.debug({ job: job.id, reason: result.reason }, "no timed chart");
      } catch (error) {
        o.logger.warn({ err: error, job: job.id }, "timed chart failed; tried again on a later tick");
      }
    }
    return drawn;
  };
  const once = () => {
    running ??= tick().finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    start() {
      if (timer) return;
      timer = setInterval(() => void once(), tickSeconds * 1000);
      timer.unref();
    },
    tick: once,
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
