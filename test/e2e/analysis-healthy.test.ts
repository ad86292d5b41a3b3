// A healthy v2 through a whole release with a real Prometheus scraping the mesh simulator: an automatic step
// waits while the analysis is inconclusive; approved 20 % → 50 % → take-over gives no breach post at all over
// more than three minutes of traffic and checks; the chart steps its configured line at the approval times
// and the observed line follows it.
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import {
  CONFIGURED_COLOURS,
  chartInputOf,
  renderChartPng,
  VERSION_COLOURS,
} from "../../src/telemetry/chart.ts";
import { trafficHistory } from "../../src/telemetry/index.ts";
import type { StoredMessage } from "../harness/slack/index.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  CHANNEL,
  createReviewsJob,
  reviewsWeights,
  until,
} from "../slack/desk/world.ts";
import {
  type AnalysisWorld,
  analysisPosts,
  blockText,
  SETTLE_MS,
  sleep,
  startAnalysisWorld,
} from "./analysis-world.ts";

let world: AnalysisWorld;
let job: ReleaseJob;
/** Per approval: when the button was clicked and when the test saw the VirtualService carry the change. */
const approvedAt: { clicked: number; seen: number }[] = [];

beforeAll(async () => {
  world = await startAnalysisWorld(23);
  job = await createReviewsJob(
    {
      kube: world.kube,
      api: world.api,
      app: world.app,
      clock: { now: 0, advance: () => undefined },
      close: async () => undefined,
    },
    "reviews-healthy",
  );
}, 120_000);
afterAll(async () => {
  await world?.close();
});

const graydesk = () => world.app.graydesk;
const card = () =>
  world.api.message(CHANNEL, graydesk().deps.cards.where(job.id)?.ts as string) as StoredMessage;
const cardHealth = () => blockText(card(), "job_card_health");

/**
 * Checks (card refreshes) every 2 s for `ms`, and on until at least `minChecks` ran (a loaded machine makes each
 * check slower, so fewer would fit in the time); returns how many ran.
 */
async function checkFor(ms: number, minChecks = 0): Promise<number> {
  const end = Date.now() + ms;
  let checks = 0;
  while (Date.now() < end || checks < minChecks) {
    await graydesk().refresher.refreshNow();
    checks++;
    await sleep(2_000);
  }
  return checks;
}

/** Asks for a change as Alice, approves it as Bob, and waits until the VirtualService carries it. */
async function approve(command: string, v2: number): Promise<void> {
  const before = approvalMessage(world.api)?.ts;
  await world.app.slack.command("/release", command, { user: ALICE });
  const request = await until(() => {
    const m = approvalMessage(world.api);
    return m && m.ts !== before ? m : undefined;
  }, 60_000);
  const clicked = Date.now();
  await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
  await until(async () => ((await reviewsWeights(world.kube)).v2 === v2 ? true : undefined), 60_000);
  // And the job records the change (its history, which the chart draws from).
  const recorded = approvedAt.length + 2;
  await until(
    () => trafficHistory(graydesk().deps.desk.job(job.id) as ReleaseJob).length >= recorded || undefined,
  );
  approvedAt.push({ clicked, seen: Date.now() });
}

describe("analysis of a healthy new version against a real Prometheus", () => {
  it("an automatic step waits while the analysis is inconclusive (v2 has no traffic yet)", async () => {
    // Once Prometheus has the first scrapes, the card shows v2's verdict: nothing to judge yet.
    await until(async () => {
      await graydesk().refresher.refreshNow();
      return cardHealth().includes("*v2* inconclusive") ? true : undefined;
    }, 30_000);
    expect(cardHealth()).toMatch(/:hourglass_flowing_sand: \*v2\* inconclusive: v2: /);
    const steps = graydesk().schedules.steps;
    const schedule = await steps.set(job.id, [20, 50], 1, ALICE.id);
    // Approved as a whole, as a person would in Slack: from here on only the analysis holds a step back.
    await steps.approve(job.id, String(schedule.approval?.hash), BOB.id);
    expect(steps.get(job.id)?.approval?.state).toBe("approved");
    await steps.tick();
    await steps.tick();
    // The namespace allows automatic steps, but nothing passed: no shift, no request, the step still due.
    expect((await reviewsWeights(world.kube)).v2 ?? 0).toBe(0);
    expect(approvalMessage(world.api)).toBeUndefined();
    expect(steps.get(job.id)).toMatchObject({ next: 0 });
    expect(steps.get(job.id)?.awaiting).toBeUndefined();
    expect(steps.get(job.id)?.paused).toBeUndefined();
    await steps.cancel(job.id);
  });

  it("approved 20 % → 50 % → take-over: zero breach posts over more than 3 minutes of traffic", async () => {
    const started = Date.now();
    await approve("shift reviews-healthy 20", 20);
    await checkFor(60_000);
    expect(cardHealth()).toMatch(/:white_check_mark: \*v2\* passes: success 100\.0 %/);
    await approve("shift reviews-healthy 50", 50);
    await checkFor(60_000);
    expect(cardHealth()).toMatch(/:white_check_mark: \*v2\* passes/);
    await approve("takeover reviews-healthy v2", 100);
    const checks = await checkFor(Math.max(60_000, 185_000 - (Date.now() - started)), 21);
    expect(checks).toBeGreaterThan(20);
    expect(Date.now() - started).toBeGreaterThan(180_000);
    expect(cardHealth()).toMatch(/:white_check_mark: \*v2\* passes/);
    expect(analysisPosts(world.api)).toEqual([]);
    world.api.expectNoViolations();
    // Over 3 minutes of traffic by design, and more than 20 checks: a loaded machine makes each check slower.
  }, 900_000);

  it("the chart steps its configured line at the approval times and the observed line follows it", async () => {
    const now = graydesk().deps.desk.job(job.id) as ReleaseJob;
    const history = trafficHistory(now);
    // One change per approval, recorded when it was applied.
    const changes = history.slice(1);
    expect(changes.map((c) => c.configured.v2)).toEqual([20, 50, 100]);
    changes.forEach((c, i) => {
      expect(c.at).toBeGreaterThanOrEqual(approvedAt[i]?.clicked ?? Number.NaN);
      expect(c.at).toBeLessThanOrEqual(approvedAt[i]?.seen ?? Number.NaN);
    });
    const health = await graydesk().deps.telemetry.versionHealth(now);
    if (health.status !== "ok") throw new Error(health.reason);
    const input = chartInputOf(health, history);
    expect(input.from).toBe(history[0]?.at);
    const png = PNG.sync.read(renderChartPng(input));
    const plot = { left: 76, right: png.width - 30, top: 56, bottom: png.height - 88 };
    const xOf = (t: number) =>
      Math.round(plot.left + ((t - input.from) / (input.to - input.from)) * (plot.right - plot.left));
    const yOf = (share: number) => plot.bottom - (share / 100) * (plot.bottom - plot.top);
    const levels = [0, 20, 50, 100];
    changes.forEach((c, i) => {
      const x = xOf(c.at);
      // Just before the approval the line is at the old share, just after at the new one.
      expect(Math.abs(median(rowsAt(png, CONFIGURED_COLOURS[1], x - 5)) - yOf(levels[i] ?? 0))).toBeLessThan(
        5,
      );
      expect(
        Math.abs(median(rowsAt(png, CONFIGURED_COLOURS[1], x + 5)) - yOf(levels[i + 1] ?? 0)),
      ).toBeLessThan(5);
    });
    // Once each change settled, the observed share follows the configured one within the simulator's noise.
    const observed = input.observed.find((s) => s.version === "v2")?.points ?? [];
    let compared = 0;
    changes.forEach((c, i) => {
      const until = changes[i + 1]?.at ?? input.to;
      for (const [n, [t, share]] of observed.entries()) {
        if (t < c.at + SETTLE_MS || t > until) continue;
        expect(Math.abs(share - (levels[i + 1] ?? 0))).toBeLessThan(5);
        compared++;
        // Pixels away from the steep stretch of a change and from the next change's marker.
        const before = observed[n - 1]?.[1] ?? share;
        if (t > until - 6_000 || Math.abs(before - (levels[i + 1] ?? 0)) > 5) continue;
        const rows = rowsAt(png, VERSION_COLOURS[1], xOf(t));
        expect(Math.abs(median(rows) - yOf(share))).toBeLessThan(8);
      }
    });
    expect(compared).toBeGreaterThan(15);
    // The chart the card shows is drawn the same way: uploaded into the thread, by file id on the card. Drawn
    // from live health, so first the traffic the pixel checks above held up (on a loaded machine) is scraped again.
    await until(
      async () => (await graydesk().deps.telemetry.versionHealth(now)).status === "ok" || undefined,
      60_000,
    );
    const result = await graydesk().deps.charts.upload(job.id);
    expect(result).toMatchObject({ ok: true });
    const file = world.api.file((result as { fileId: string }).fileId);
    const uploaded = PNG.sync.read(file?.bytes as Buffer);
    expect(rowsAt(uploaded, CONFIGURED_COLOURS[1], xOf(changes[2]?.at ?? 0) + 40).length).toBeGreaterThan(0);
  });
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? -1;

/** Rows drawn in `hex` (within anti-aliasing) in one column of the PNG's plot area (not the legend below it). */
function rowsAt(png: PNG, hex: string, x: number): number[] {
  const n = Number.parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  const rows: number[] = [];
  for (let y = 0; y <= png.height - 85; y++) {
    const i = (y * png.width + x) * 4;
    const d =
      Math.abs((png.data[i] ?? 0) - r) +
      Math.abs((png.data[i + 1] ?? 0) - g) +
      Math.abs((png.data[i + 2] ?? 0) - b);
    if (d < 40) rows.push(y);
  }
  return rows;
}
