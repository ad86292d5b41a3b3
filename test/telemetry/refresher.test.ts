import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import {
  type Breach,
  type CardUpdate,
  createRefresher,
  type RenderedCard,
} from "../../src/telemetry/index.ts";
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

describe("the card refresher", () => {
  it("with 200 live jobs, waits out Slack's rate limit and then updates every card", async () => {
    const { jobs, ts } = await jobsWithCards(200);
    api.failNext("chat.update", { status: 429, retryAfter: 1 }, 3);
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job) => ({ update: card(ts, job, `${job.name}: v2 at 20 %`), breaches: [] }),
      slack: client,
      postOnce: noPosts,
      concurrency: 8,
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
        breaches: [],
      }),
      slack: client,
      postOnce: noPosts,
    });
    expect(await refresher.refreshNow()).toMatchObject({ updated: 3, unchanged: 0 });
    version = "v2 at 50 %";
    expect(await refresher.refreshNow()).toMatchObject({ updated: 1, unchanged: 2 });
    expect(api.callsTo("chat.update")).toHaveLength(4);
  });

  it("stops refreshing jobs that went offline", async () => {
    const { jobs, ts } = await jobsWithCards(2);
    let live = jobs;
    const rendered: string[] = [];
    const refresher = createRefresher({
      jobs: () => live,
      render: async (job) => {
        rendered.push(job.id);
        return { update: card(ts, job, `${job.name}: ${rendered.length}`), breaches: [] };
      },
      slack: client,
      postOnce: noPosts,
    });
    await refresher.refreshNow();
    live = [jobs[0] as ReleaseJob, { ...(jobs[1] as ReleaseJob), state: "offline" }];
    const summary = await refresher.refreshNow();
    expect(summary.jobs).toBe(1);
    expect(rendered).toEqual(["job-0", "job-1", "job-0"]);
  });

  it("posts a breach once while it lasts, and again if it comes back after clearing", async () => {
    const { jobs, ts } = await jobsWithCards(1);
    const breach: Breach = {
      version: "v2",
      kind: "success-rate",
      observed: 0.8,
      limit: 0.95,
      text: "v2: 80.0 %",
    };
    const health: Breach[][] = [[breach], [breach], [], [breach]];
    const posted: string[] = [];
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job): Promise<RenderedCard> => ({
        update: card(ts, job, "x"),
        breaches: health.shift() ?? [],
      }),
      slack: client,
      postOnce: async (job, b) => {
        posted.push(`${job.id}/${b.version}/${b.kind}`);
      },
    });
    const counts = [];
    for (let i = 0; i < 4; i++) counts.push((await refresher.refreshNow()).breachesPosted);
    expect(counts).toEqual([1, 0, 0, 1]);
    expect(posted).toEqual(["job-0/v2/success-rate", "job-0/v2/success-rate"]);
  });

  it("a breach whose post failed is tried again on the next refresh", async () => {
    const { jobs, ts } = await jobsWithCards(1);
    const breach: Breach = { version: "v2", kind: "p99", observed: 900, limit: 500, text: "v2: p99" };
    let attempts = 0;
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job) => ({ update: card(ts, job, "x"), breaches: [breach] }),
      slack: client,
      postOnce: async () => {
        attempts++;
        if (attempts === 1) throw new Error("channel_not_found");
      },
    });
    expect(await refresher.refreshNow()).toMatchObject({ failed: 1, breachesPosted: 0 });
    expect(await refresher.refreshNow()).toMatchObject({ failed: 0, breachesPosted: 1 });
    expect(await refresher.refreshNow()).toMatchObject({ breachesPosted: 0 });
  });

  it("a card Slack refuses is logged, counted and retried on the next refresh; others still update", async () => {
    const { jobs, ts } = await jobsWithCards(2);
    api.failNext("chat.update", "message_not_found");
    const warnings: string[] = [];
    const refresher = createRefresher({
      jobs: () => jobs,
      render: async (job) => ({ update: card(ts, job, `${job.name}: fresh`), breaches: [] }),
      slack: client,
      postOnce: noPosts,
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
      render: async (job) => ({ update: card(ts, job, "fresh"), breaches: [] }),
      slack: client,
      postOnce: noPosts,
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
        return { update: card(ts, job, `render ${renders}`), breaches: [] };
      },
      slack: client,
      postOnce: noPosts,
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
