import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import { analyze } from "../../src/telemetry/analysis.ts";
import {
  type CardUpdate,
  createRefresher,
  type PostedBreach,
  type RenderedCard,
} from "../../src/telemetry/index.ts";
import type { JobAnalysis } from "../../src/telemetry/watch.ts";
import { type SlackApiServer, startSlackApiServer } from "../harness/slack/index.ts";
import { reviewsJob } from "../release/fixtures.ts";

const CHANNEL = "C0RELEASES";
let api: SlackApiServer;
let client: WebClient;

beforeAll(async () => {
  api = await startSlackApiServer();
  client = new WebClient(api.bot.token, {
    slackApiUrl: api.url,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => api.reset());

/** Posts one card per job and returns the jobs with the card's ts. */
async function jobsWithCards(n: number): Promise<{ jobs: ReleaseJob[]; ts: Map<string, string> }> {
  const jobs = Array.from({ length: n }, (_, i) => reviewsJob({ id: `job-${i}`, name: `reviews-${i}` }));
  const ts = new Map<string, string>();
  for (const job of jobs) {
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: `${job.name}: starting` });
    ts.set(job.id, posted.ts as string);
  }
  return { jobs, ts };
}

function card(ts: Map<string, string>, job: ReleaseJob, text: string): CardUpdate {
  return { channel: CHANNEL, ts: ts.get(job.id) as string, text };
}

const noPosts = async () => undefined;

/** One settled check with v2 at `successRate` and v1 perfect. */
function analysisWith(successRate: number): JobAnalysis {
  const stats = { requests: 1_000, successRate: 1, p99Ms: 40 };
  const result = analyze({
    now: 100_000,
    stable: "v1",
    versions: ["v1", "v2"],
    history: [{ at: 0, configured: { v1: 80, v2: 20 }, judgeDrift: false }],
    samples: [{ at: 90_000, versions: { v1: stats, v2: { ...stats, successRate } } }],
    settings: {
      settleSeconds: 10,
      minRequests: 10,
      minSuccessRate: 0.95,
      maxP99Ms: 1_000,
      maxDriftPoints: 5,
      maxSuccessDropPoints: 2,
      maxP99VsStable: 1.5,
    },
  });
  return { ...result, stable: "v1", newVersion: "v2", checks: 1 };
}

describe("the card refresher", () => {
  it("with 200 live jobs, waits out Slack's rate limit and then updates every card", async () => {
    const { jobs, ts } = await jobsWithCards(200);
    api.failNext("chat.update", { status: 429, retryAfter: 1 }, 3);
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job) => ({ update: card(ts, job, `${job.name}: v2 at 20 %`) }),
      slack: client,
      notify: noPosts,
      concurrency: 8,
      maxUpdatesPerRound: 200,
    });
    const summary = await refresher.refreshNow();
    expect(summary).toMatchObject({ jobs: 200, updated: 200, failed: 0 });
    expect(summary.rateLimited).toBeGreaterThanOrEqual(1);
    for (const job of jobs)
      expect(api.message(CHANNEL, ts.get(job.id) as string)?.text).toBe(`${job.name}: v2 at 20 %`);
    // While Slack asked to wait, only the calls already in flight (at most one per worker) went through.
    const updates = api.callsTo("chat.update");
    const firstLimited = Math.min(...updates.filter((c) => c.status === 429).map((c) => c.at));
    const during = updates.filter(
      (c) => c.status === 200 && c.at > firstLimited && c.at < firstLimited + 900,
    );
    expect(during.length).toBeLessThanOrEqual(8);
    expect(updates.filter((c) => c.status === 200).length).toBe(200);
    await refresher.stop();
  });

  it("skips cards whose content did not change, and updates the ones that did", async () => {
    const { jobs, ts } = await jobsWithCards(3);
    let version = "v2 at 20 %";
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job) => ({
        update: card(ts, job, job.id === "job-1" ? `${job.name}: ${version}` : `${job.name}: same`),
      }),
      slack: client,
      notify: noPosts,
    });
    expect(await refresher.refreshNow()).toMatchObject({ updated: 3, unchanged: 0 });
    version = "v2 at 50 %";
    expect(await refresher.refreshNow()).toMatchObject({ updated: 1, unchanged: 2 });
    expect(api.callsTo("chat.update")).toHaveLength(4);
  });

  it("redraws a card drawn elsewhere since (after someone's action) when the round would draw it otherwise", async () => {
    const { jobs, ts } = await jobsWithCards(2);
    const job1 = jobs[1] as ReleaseJob;
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job) => ({ update: card(ts, job, `${job.name}: v2 at 20 %`) }),
      slack: client,
      notify: noPosts,
    });
    expect(await refresher.refreshNow()).toMatchObject({ updated: 2, unchanged: 0 });
    // A user's action redrew job-1's card with other content; the round's content is the same as before.
    refresher.drawnElsewhere(job1.id, card(ts, job1, `${job1.name}: Applied by bob`));
    expect(await refresher.refreshNow()).toMatchObject({ updated: 1, unchanged: 1 });
    expect(api.callsTo("chat.update").at(-1)?.args).toMatchObject({
      ts: ts.get(job1.id),
      text: "reviews-1: v2 at 20 %",
    });
    // Drawn elsewhere with what the round draws: nothing to send.
    refresher.drawnElsewhere(job1.id, card(ts, job1, `${job1.name}: v2 at 20 %`));
    expect(await refresher.refreshNow()).toMatchObject({ updated: 0, unchanged: 2 });
    expect(api.callsTo("chat.update")).toHaveLength(3);
  });

  it("after a restart, redraws only the cards whose content changed, from the hashes it kept", async () => {
    const { jobs, ts } = await jobsWithCards(3);
    const kept = new Map<string, string>();
    const saves: number[] = [];
    let version = "v2 at 20 %";
    let live = jobs;
    const start = () =>
      createRefresher({
        jobs: () => live,
        render: async (job) => ({
          update: card(ts, job, job.id === "job-1" ? `${job.name}: ${version}` : `${job.name}: same`),
        }),
        slack: client,
        notify: noPosts,
        drawn: {
          load: (jobId) => kept.get(jobId),
          async save(sent, liveIds) {
            saves.push(sent.size);
            for (const id of kept.keys()) if (!liveIds.has(id)) kept.delete(id);
            for (const [id, hash] of sent) kept.set(id, hash);
          },
        },
      });
    expect(await start().refreshNow()).toMatchObject({ updated: 3, unchanged: 0 });
    // A new process: nothing in memory, the kept hashes only.
    expect(await start().refreshNow()).toMatchObject({ updated: 0, unchanged: 3 });
    version = "v2 at 50 %";
    live = jobs.slice(0, 2);
    expect(await start().refreshNow()).toMatchObject({ updated: 1, unchanged: 1 });
    expect(api.callsTo("chat.update")).toHaveLength(4);
    // One save per round that sent something, with what it sent; a job no longer live is dropped.
    expect(saves).toEqual([3, 1]);
    expect([...kept.keys()].sort()).toEqual(["job-0", "job-1"]);
  });

  it("sends at most Slack's share of updates per round; the cards left over go first next round", async () => {
    const { jobs, ts } = await jobsWithCards(10);
    let round = 1;
    const refresher = createRefresher({
      jobs: () => jobs,
      // Every card changes every round.
      render: async (job) => ({ update: card(ts, job, `${job.name}: round ${round}`) }),
      slack: client,
      notify: noPosts,
      maxUpdatesPerRound: 4,
    });
    const sentTo = async () => {
      const before = api.callsTo("chat.update").length;
      const summary = await refresher.refreshNow();
      round++;
      const sent = api.callsTo("chat.update").slice(before);
      return { summary, jobs: sent.map((c) => [...ts].find(([, t]) => t === c.args.ts)?.[0]).sort() };
    };
    const first = await sentTo();
    expect(first.summary).toMatchObject({ jobs: 10, updated: 4, deferred: 6, failed: 0 });
    expect(first.jobs).toEqual(["job-0", "job-1", "job-2", "job-3"]);
    // The six left waiting go before the four drawn last round, the longest waiting first.
    expect((await sentTo()).jobs).toEqual(["job-4", "job-5", "job-6", "job-7"]);
    expect((await sentTo()).jobs).toEqual(["job-0", "job-1", "job-8", "job-9"]);
  });

  it("stops refreshing jobs that went offline", async () => {
    const { jobs, ts } = await jobsWithCards(2);
    let live = jobs;
    const rendered: string[] = [];
    const refresher = createRefresher({
      jobs: () => live,
      render: async (job) => {
        rendered.push(job.id);
        return { update: card(ts, job, `${job.name}: ${rendered.length}`) };
      },
      slack: client,
      notify: noPosts,
    });
    await refresher.refreshNow();
    live = [jobs[0] as ReleaseJob, { ...(jobs[1] as ReleaseJob), state: "offline" }];
    const summary = await refresher.refreshNow();
    expect(summary.jobs).toBe(1);
    expect(rendered).toEqual(["job-0", "job-1", "job-0"]);
  });

  it("posts a breach once while it lasts, again when worse by the margin, notes recovery, and posts its return", async () => {
    const { jobs, ts } = await jobsWithCards(1);
    // v2's success rate per check: the 2-point dip is within the 5-point margin, the 10-point one is not.
    const checks = [0.8, 0.78, 0.7, 1, 0.8];
    const posted: string[] = [];
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job): Promise<RenderedCard> => ({
        update: card(ts, job, "x"),
        analysis: analysisWith(checks.shift() ?? 1),
      }),
      slack: client,
      notify: async (job, notice) => {
        posted.push(`${job.id}/${notice.version}/${notice.kind}`);
      },
      repostMargin: () => 5,
    });
    const counts = [];
    for (let i = 0; i < 5; i++) {
      const summary = await refresher.refreshNow();
      counts.push(`${summary.breachesPosted}+${summary.recoveriesPosted}`);
    }
    expect(counts).toEqual(["1+0", "0+0", "1+0", "0+1", "1+0"]);
    expect(posted).toEqual(["job-0/v2/breach", "job-0/v2/worse", "job-0/v2/recovered", "job-0/v2/breach"]);
  });

  it("a restarted refresher (or a new leader) finds the breach already posted and posts it once", async () => {
    const { jobs, ts } = await jobsWithCards(1);
    const stored = new Map<string, Record<string, PostedBreach>>();
    const posted = {
      load: (jobId: string) => stored.get(jobId),
      save: async (jobId: string, p: Record<string, PostedBreach>) => {
        stored.set(jobId, p);
      },
      forget: async (jobId: string) => {
        stored.delete(jobId);
      },
    };
    const notices: string[] = [];
    const start = () =>
      createRefresher({
        jobs: () => jobs,
        render: async (job) => ({ update: card(ts, job, "x"), analysis: analysisWith(0.8) }),
        slack: client,
        notify: async (_job, notice) => {
          notices.push(notice.kind);
        },
        posted,
      });
    await start().refreshNow();
    await start().refreshNow();
    expect(notices).toEqual(["breach"]);
    expect(stored.get("job-0")?.v2).toMatchObject({ metric: "success-rate", value: 0.8 });
  });

  it("a breach whose post failed is tried again on the next refresh", async () => {
    const { jobs, ts } = await jobsWithCards(1);
    let attempts = 0;
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job) => ({ update: card(ts, job, "x"), analysis: analysisWith(0.8) }),
      slack: client,
      notify: async () => {
        attempts++;
        if (attempts === 1) throw new Error("channel_not_found");
      },
    });
    expect(await refresher.refreshNow()).toMatchObject({ failed: 1, breachesPosted: 0 });
    expect(await refresher.refreshNow()).toMatchObject({ failed: 0, breachesPosted: 1 });
    expect(await refresher.refreshNow()).toMatchObject({ breachesPosted: 0 });
  });

  it("asks for an automatic rollback after each check and counts the ones done", async () => {
    const { jobs, ts } = await jobsWithCards(1);
    const asked: number[] = [];
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job) => ({ update: card(ts, job, "x"), analysis: analysisWith(0.8) }),
      slack: client,
      notify: noPosts,
      autoRollback: async (_job, analysis) => {
        asked.push(analysis.checks);
        return asked.length === 2;
      },
    });
    expect(await refresher.refreshNow()).toMatchObject({ rolledBack: 0 });
    expect(await refresher.refreshNow()).toMatchObject({ rolledBack: 1 });
  });

  it("rolls back by policy even when Slack refuses the card and the breach post", async () => {
    const { jobs, ts } = await jobsWithCards(1);
    api.failNext("chat.update", "message_not_found");
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job) => ({ update: card(ts, job, "x"), analysis: analysisWith(0.8) }),
      slack: client,
      notify: async () => {
        throw new Error("slack is down");
      },
      autoRollback: async () => true,
    });
    expect(await refresher.refreshNow()).toMatchObject({ rolledBack: 1, failed: 1, breachesPosted: 0 });
  });

  it("a card Slack refuses is logged, counted and retried on the next refresh; others still update", async () => {
    const { jobs, ts } = await jobsWithCards(2);
    api.failNext("chat.update", "message_not_found");
    const warnings: string[] = [];
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job) => ({ update: card(ts, job, `${job.name}: fresh`) }),
      slack: client,
      notify: noPosts,
      concurrency: 1,
      logger: {
        warn: (details, message) => warnings.push(`${(details as { job: string }).job}: ${message}`),
      },
    });
    expect(await refresher.refreshNow()).toMatchObject({ updated: 1, failed: 1 });
    expect(warnings).toEqual(["job-0: job card refresh failed; retried on the next refresh"]);
    expect(await refresher.refreshNow()).toMatchObject({ updated: 1, unchanged: 1, failed: 0 });
  });

  it("gives up on a card within one refresh when Slack keeps rate limiting", async () => {
    const { jobs, ts } = await jobsWithCards(1);
    api.failNext("chat.update", { status: 429, retryAfter: 1 }, 5);
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job) => ({ update: card(ts, job, "fresh") }),
      slack: client,
      notify: noPosts,
      maxAttempts: 2,
    });
    expect(await refresher.refreshNow()).toMatchObject({ updated: 0, failed: 1, rateLimited: 1 });
  });

  it("runs on its own timer until stopped, one refresh at a time", async () => {
    const { jobs, ts } = await jobsWithCards(1);
    let renders = 0;
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job) => {
        renders++;
        return { update: card(ts, job, `render ${renders}`) };
      },
      slack: client,
      notify: noPosts,
      intervalSeconds: 0.02,
    });
    refresher.start();
    await expect.poll(() => renders, { timeout: 5_000, interval: 10 }).toBeGreaterThanOrEqual(3);
    await refresher.stop();
    const stoppedAt = renders;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(renders).toBe(stoppedAt);
    const [a, b] = [refresher.refreshNow(), refresher.refreshNow()];
    expect(a).toBe(b);
    await a;
  });
});
