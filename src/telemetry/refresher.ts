// Keeps the job cards of all live jobs fresh on one timer of its own, apart from any Slack request: bounded
// concurrency, a pause for everyone when Slack says "rate limited", no update when the card did not change.
// Each refresh is one analysis check: a breach is posted once, again only when worse, and its recovery noted.
import { createHash } from "node:crypto";
import type { JobState, ReleaseJob, Version } from "../release/index.ts";
import type { AnalysisMetric } from "./analysis-words.ts";
import { type BreachNotice, noticesFor, type PostedBreach, postedOf } from "./breach-notices.ts";
import type { JobAnalysis } from "./watch.ts";

/** What `chat.update` needs; a message's blocks are passed through untouched. */
export interface CardUpdate {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
}

export interface RenderedCard {
  /** Undefined when the job has no card (yet). */
  update: CardUpdate | undefined;
  /** The analysis with this refresh's check; undefined when the job's health is not watched. */
  analysis?: JobAnalysis;
}

/** The part of `@slack/web-api`'s WebClient the refresher uses. */
export interface CardUpdater {
  chat: { update(args: CardUpdate): Promise<unknown> };
}

export interface RefresherLogger {
  warn(details: object, message: string): void;
}

export interface RefresherDeps {
  jobs(): ReleaseJob[] | Promise<ReleaseJob[]>;
  /** Called as each round begins, before `jobs`: what the round's renders share starts afresh here. */
  startRound?(): void;
  render(job: ReleaseJob): Promise<RenderedCard>;
  slack: CardUpdater;
  /** Posts a breach, a worse breach or a recovery in the job's thread. */
  notify(job: ReleaseJob, notice: BreachNotice, analysis: JobAnalysis): Promise<void>;
  /** How much worse a breach must get before it is posted again (the namespace's margin). */
  repostMargin?(job: ReleaseJob, metric: AnalysisMetric): number;
  /** The breaches posted per version, kept where a restart or another replica finds them (the store). */
  posted?: {
    load(jobId: string): Record<Version, PostedBreach> | undefined;
    save(jobId: string, posted: Record<Version, PostedBreach>): Promise<void>;
    forget(jobId: string): Promise<void>;
  };
  /**
   * The hash of each card as last sent (cardHash), kept where a restart or another replica finds it (the store):
   * after a restart only the cards whose content changed are redrawn, not every live job's card. `save` gets the
   * hashes sent in a round, once at its end, with the jobs still live (hashes of others may go).
   */
  drawn?: {
    load(jobId: string): string | undefined;
    save(sent: ReadonlyMap<string, string>, live: ReadonlySet<string>): Promise<void>;
  };
  /** Moves traffic back to stable when the namespace's policy says so; true when it did. */
  autoRollback?(job: ReleaseJob, analysis: JobAnalysis): Promise<boolean>;
  logger?: RefresherLogger;
  /** 60 s by default (REFRESH_INTERVAL_SECONDS). */
  intervalSeconds?: number;
  /** Cards refreshed at the same time; 4 by default. */
  concurrency?: number;
  /**
   * Cards sent per round at most: chat.update is in Slack's Tier 3 (50+ a minute per workspace), so 40 a minute
   * by default (leaving room for the cards that people's actions redraw), fewer for an interval under a minute. Changed
   * cards beyond it wait for the next round, the longest waiting first.
   */
  maxUpdatesPerRound?: number;
  /** Tries per card within one refresh when Slack keeps rate limiting. */
  maxAttempts?: number;
}

export interface RefreshSummary {
  jobs: number;
  updated: number;
  unchanged: number;
  /** Cards that changed but wait for a later round (maxUpdatesPerRound). */
  deferred: number;
  failed: number;
  rateLimited: number;
  breachesPosted: number;
  recoveriesPosted: number;
  rolledBack: number;
}

export interface Refresher {
  start(): void;
  /**
   * A card drawn outside a round (after someone's action): what it shows now, so the next round compares with
   * that and redraws it if what it would draw differs, even when that is what the round drew before.
   */
  drawnElsewhere(jobId: string, update: CardUpdate): void;
  /** One refresh of every live job now; a refresh already running is awaited instead of doubled. */
  refreshNow(): Promise<RefreshSummary>;
  stop(): Promise<void>;
}

/** States whose card shows live traffic. Offline, failed and finished jobs drop out. */
export const LIVE_STATES: ReadonlySet<JobState> = new Set<JobState>(["ready", "active", "taken-over"]);

const RATE_LIMITED = "slack_webapi_rate_limited_error";

/** Seconds to wait when the error is Slack's rate limit; undefined for any other error. */
export function retryAfterSeconds(error: unknown): number | undefined {
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string } };
  if (e?.code === RATE_LIMITED) return Math.max(1, e.retryAfter ?? 1);
  if (e?.data?.error === "ratelimited") return 1;
  return undefined;
}

/** What tells a card's content apart from another's: 64 bits of its SHA-256, short enough to keep per card. */
export function cardHash(update: CardUpdate): string {
  return createHash("sha256").update(JSON.stringify(update)).digest("hex").slice(0, 16);
}

export function createRefresher(deps: RefresherDeps): Refresher {
  const intervalMs = (deps.intervalSeconds ?? 60) * 1000;
  const concurrency = Math.max(1, deps.concurrency ?? 4);
  const maxAttempts = deps.maxAttempts ?? 5;
  const maxUpdates = Math.max(
    1,
    deps.maxUpdatesPerRound ?? Math.floor((40 * Math.min(intervalMs, 60_000)) / 60_000),
  );
  /** Cards the round under way may still send. */
  let budget = maxUpdates;
  /** The round since which a changed card waits for its turn. */
  const waitingSince = new Map<string, number>();
  let rounds = 0;
  const lastHash = new Map<string, string>();
  /** The hashes of the cards sent in the round under way. */
  let sent = new Map<string, string>();
  /** Cards drawn outside the rounds since the last one began: kept with the next round's. */
  const drawnOutside = new Map<string, string>();
  const openBreaches = new Map<string, Map<Version, PostedBreach>>();
  let pausedUntil = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<RefreshSummary> | undefined;

  const waitForSlack = async (): Promise<void> => {
    for (let wait = pausedUntil - Date.now(); wait > 0; wait = pausedUntil - Date.now())
      await new Promise((resolve) => setTimeout(resolve, wait));
  };

  async function updateCard(job: ReleaseJob, update: CardUpdate, summary: RefreshSummary): Promise<void> {
    const hash = cardHash(update);
    if ((lastHash.get(job.id) ?? deps.drawn?.load(job.id)) === hash) {
      lastHash.set(job.id, hash);
      waitingSince.delete(job.id);
      summary.unchanged++;
      return;
    }
    if (budget <= 0) {
      if (!waitingSince.has(job.id)) waitingSince.set(job.id, rounds);
      summary.deferred++;
      return;
    }
    budget--;
    for (let attempt = 1; ; attempt++) {
      await waitForSlack();
      try {
        await deps.slack.chat.update(update);
        lastHash.set(job.id, hash);
        sent.set(job.id, hash);
        waitingSince.delete(job.id);
        summary.updated++;
        return;
      } catch (error) {
        const retryAfter = retryAfterSeconds(error);
        if (retryAfter === undefined || attempt >= maxAttempts) throw error;
        summary.rateLimited++;
        // One pause for every worker: Slack's limit is per method and workspace, not per card.
        pausedUntil = Math.max(pausedUntil, Date.now() + retryAfter * 1000);
      }
    }
  }

  async function postNotices(job: ReleaseJob, analysis: JobAnalysis, summary: RefreshSummary): Promise<void> {
    const open = new Map(openBreaches.get(job.id) ?? Object.entries(deps.posted?.load(job.id) ?? {}));
    const { notices } = noticesFor(
      open,
      analysis.verdicts,
      (metric) => deps.repostMargin?.(job, metric) ?? 0,
    );
    for (const notice of notices) {
      await deps.notify(job, notice, analysis);
      // Remembered once posted: a post that failed is tried again on the next check.
      if (notice.kind === "recovered") {
        open.delete(notice.version);
        summary.recoveriesPosted++;
      } else {
        open.set(notice.version, postedOf(notice.verdict));
        summary.breachesPosted++;
      }
      openBreaches.set(job.id, open);
      await deps.posted?.save(job.id, Object.fromEntries(open));
    }
  }

  async function refreshJob(job: ReleaseJob, summary: RefreshSummary): Promise<void> {
    // Slack refusing the card or a post must not hold back what the policy does with the cluster: each part
    // runs, and the first failure is reported once they all had their turn.
    const failures: unknown[] = [];
    const attempt = async (part: () => Promise<void>) => {
      try {
        await part();
      } catch (error) {
        failures.push(error);
      }
    };
    let card: RenderedCard | undefined;
    await attempt(async () => {
      card = await deps.render(job);
    });
    const update = card?.update;
    if (update) await attempt(() => updateCard(job, update, summary));
    const analysis = card?.analysis;
    if (analysis) {
      await attempt(() => postNotices(job, analysis, summary));
      await attempt(async () => {
        if (await deps.autoRollback?.(job, analysis)) summary.rolledBack++;
      });
    }
    if (failures.length > 0) {
      summary.failed++;
      deps.logger?.warn(
        { err: failures[0], job: job.id },
        "job card refresh failed; retried on the next refresh",
      );
    }
  }

  async function refreshAll(): Promise<RefreshSummary> {
    deps.startRound?.();
    sent = new Map(drawnOutside);
    drawnOutside.clear();
    budget = maxUpdates;
    rounds++;
    const live = (await deps.jobs()).filter((job) => LIVE_STATES.has(job.state));
    const liveIds = new Set(live.map((job) => job.id));
    // Cards left waiting by earlier rounds go first, the longest waiting first (a stable sort keeps the rest).
    const since = (job: ReleaseJob) => waitingSince.get(job.id) ?? Number.MAX_SAFE_INTEGER;
    live.sort((a, b) => since(a) - since(b));
    for (const id of [...lastHash.keys(), ...openBreaches.keys(), ...waitingSince.keys()]) {
      if (liveIds.has(id)) continue;
      waitingSince.delete(id);
      lastHash.delete(id);
      if (openBreaches.delete(id)) await deps.posted?.forget(id).catch(() => undefined);
    }
    const summary: RefreshSummary = {
      jobs: live.length,
      updated: 0,
      unchanged: 0,
      deferred: 0,
      failed: 0,
      rateLimited: 0,
      breachesPosted: 0,
      recoveriesPosted: 0,
      rolledBack: 0,
    };
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let job = live[next++]; job; job = live[next++]) await refreshJob(job, summary);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, live.length) }, worker));
    if (sent.size > 0)
      await deps.drawn?.save(sent, liveIds).catch((error: unknown) => {
        // Only costs redraws after a restart: the cards themselves are current.
        deps.logger?.warn({ err: error }, "the job cards' hashes could not be kept");
      });
    return summary;
  }

  const refreshNow = (): Promise<RefreshSummary> => {
    running ??= refreshAll().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    start() {
      if (timer) return;
      timer = setInterval(() => {
        refreshNow().catch((error: unknown) => deps.logger?.warn({ err: error }, "job card refresh failed"));
      }, intervalMs);
      // The refresher alone never keeps the process alive.
      timer.unref();
    },
    refreshNow,
    drawnElsewhere(jobId, update) {
      const hash = cardHash(update);
      lastHash.set(jobId, hash);
      drawnOutside.set(jobId, hash);
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
