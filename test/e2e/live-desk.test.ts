// The whole of Graydesk with a real Prometheus scraping the mesh simulator: a canary is shifted to 80/20 through
// an approval clicked in Slack, the card's observed split follows, and v2's 20 % errors become a health warning
// (a failing verdict) on the card and one breach message with Request rollback in the job's thread.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { startTestGraydesk } from "../harness/graydesk.ts";
import { startKubeServer } from "../harness/kube/index.ts";
import { productpageToReviews } from "../harness/mesh/bookinfo-traffic.ts";
import { MeshSimulator } from "../harness/mesh/index.ts";
import { type RunningPrometheus, startPrometheus } from "../harness/prometheus.ts";
import { type StoredMessage, startSlackApiServer } from "../harness/slack/index.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  CAROL,
  CHANNEL,
  createReviewsJob,
  DAVE,
  POLICY,
  reviewsWeights,
  until,
  type World,
} from "../slack/desk/world.ts";

const NS = "bookinfo";
let world: World;
let mesh: MeshSimulator;
let prometheus: RunningPrometheus;
let job: ReleaseJob;

beforeAll(async () => {
  const kube = await startKubeServer({ podReadyDelayMs: 5 });
  await loadBookinfo(kube.kubeConfig(), NS, { reviewsVersions: ["v1"], withDestinationRule: true });
  mesh = new MeshSimulator({ kubeConfig: kube.kubeConfig(), namespaces: [NS], seed: 17 });
  mesh.profiles.set("reviews", "v2", { errorRate: 0.2 });
  const served = await mesh.serve();
  prometheus = await startPrometheus({ scrapeTargets: [served.target], scrapeIntervalSeconds: 1 });
  const api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL, DAVE]);
  const app = await startTestGraydesk(api, {
    kubeconfig: kube.kubeconfigPath,
    policyFile: POLICY,
    prometheusUrl: prometheus.url,
    // Checks over a 10 s window of 1 s scrapes: settling after a change takes 12 s instead of 90 s.
    prometheusTiming: { rateWindowSeconds: 10, scrapeIntervalSeconds: 1 },
  });
  const clock = { now: Date.now(), advance: () => undefined };
  world = {
    kube,
    api,
    app,
    clock,
    async close() {
      await app.stop();
      await api.close();
      await kube.close();
    },
  };
  job = await createReviewsJob(world, "reviews-e2e");
});
afterAll(async () => {
  await mesh?.close();
  await prometheus?.close();
  await world?.close();
});

const card = () =>
  world.api.message(CHANNEL, world.app.graydesk.deps.cards.where(job.id)?.ts as string) as StoredMessage;
const healthText = () =>
  String(
    ((card().blocks ?? []) as { block_id?: string; text?: { text: string } }[]).find(
      (b) => b.block_id === "job_card_health",
    )?.text?.text ?? "",
  );
const observed = (text: string, version: string) => {
  const m = new RegExp(`\\*${version}\\*[^:]*: (\\d+(?:\\.\\d)?) % / (\\d+) % ·`).exec(text);
  return m ? { observed: Number(m[1]), configured: Number(m[2]) } : undefined;
};

describe("live job card against a real Prometheus", () => {
  it("after an approved shift to 80/20 the card's observed split is within 3 points of the configured one", async () => {
    await world.app.slack.command("/release", "shift reviews-e2e 20", { user: ALICE });
    const request = await until(() => approvalMessage(world.api), 10_000);
    await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
    await until(async () => ((await reviewsWeights(world.kube)).v2 === 20 ? true : undefined), 10_000);
    // Traffic starts once the split is applied, so every rate() window holds only 80/20 traffic.
    await mesh.refresh();
    mesh.startTraffic({ rps: 200, requests: (i) => productpageToReviews(NS, i) });
    await expect
      .poll(
        async () => {
          await world.app.graydesk.refresher.refreshNow();
          const text = healthText();
          const v1 = observed(text, "v1");
          const v2 = observed(text, "v2");
          if (!v1 || !v2) return Number.POSITIVE_INFINITY;
          expect([v1.configured, v2.configured]).toEqual([80, 20]);
          return Math.max(Math.abs(v1.observed - 80), Math.abs(v2.observed - 20));
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBeLessThan(3);
  });

  it("v2's 20 % errors show as a warning on the card and one breach message with Request rollback", async () => {
    await expect
      .poll(
        async () => {
          await world.app.graydesk.refresher.refreshNow();
          return healthText();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toMatch(
        /:x: \*v2\* fails \(\d+ failed checks?( in a row)?\): v2: \d\d\.\d % of requests succeeded, below the 95\.0 % minimum\./,
      );
    await world.app.graydesk.refresher.refreshNow();
    await world.app.graydesk.refresher.refreshNow();
    const breaches = world.api
      .messages(CHANNEL)
      .filter((m) => String(m.text).includes("of requests succeeded, below the 95.0 % minimum"));
    expect(breaches).toHaveLength(1);
    expect(breaches[0]?.thread_ts).toBe(card().ts);
    expect(JSON.stringify(breaches[0]?.blocks)).toContain('"action_id":"breach_request_rollback"');
    world.api.expectNoViolations();
  });
});
