// The chart redraw timer: which charts are due, and how many a tick may upload within Slack's budget.
import { describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../../src/release/index.ts";
import { chartDue, chartTimer, redrawInterval } from "../../../src/slack/live/chart-timer.ts";
import { reviewsJob } from "../../release/fixtures.ts";

const MIN = 60_000;

describe("chartDue", () => {
  it.each([
    ["never drawn", undefined, undefined, 0, true],
    ["drawn a minute ago, no change", 9 * MIN, undefined, 10 * MIN, false],
    ["drawn at the change, which has settled since", 5 * MIN, 5 * MIN, 7 * MIN, true],
    ["drawn at the change, still settling", 5 * MIN, 5 * MIN, 5.5 * MIN, false],
    ["drawn after the change settled", 7 * MIN, 5 * MIN, 8 * MIN, false],
    ["older than the interval", 0, undefined, 5 * MIN, true],
  ])("%s", (_name, drawnAt, changeAt, now, due) => {
    expect(chartDue(drawnAt, changeAt, 90_000, 5 * MIN, now)).toBe(due);
  });
});

describe("redrawInterval", () => {
  it.each([
    [1, 300],
    [100, 300],
    // 200 live jobs at 20 uploads a minute: each chart every 10 minutes.
    [200, 600],
  ])("%i live jobs → every %i s", (jobs, seconds) => {
    expect(redrawInterval(jobs, 300, 20)).toBe(seconds);
  });
});

describe("chartTimer", () => {
  it("uploads the tick's share of the budget, oldest chart first, and only live jobs", async () => {
    const jobs: ReleaseJob[] = Array.from({ length: 12 }, (_, i) =>
      reviewsJob({ id: `job-${i}`, state: i === 11 ? "offline" : "active" }),
    );
    const drawn = new Map<string, number>(jobs.map((job, i) => [job.id, i * 1000]));
    const uploads: string[] = [];
    const timer = chartTimer({
      charts: {
        drawnAt: (id) => drawn.get(id),
        async upload(id) {
          uploads.push(id);
          drawn.set(id, 100 * MIN);
          return { ok: true, fileId: "F0CHART01" };
        },
      },
      jobs: () => jobs,
      logger: { debug: () => undefined, warn: () => undefined },
      settleSeconds: 90,
      tickSeconds: 15,
      uploadsPerMinute: 20,
      now: () => 100 * MIN,
    });
    // 20 a minute, a tick every 15 s: 5 per tick.
    expect(await timer.tick()).toBe(5);
    expect(uploads).toEqual(["job-0", "job-1", "job-2", "job-3", "job-4"]);
    expect(await timer.tick()).toBe(5);
    expect(await timer.tick()).toBe(1);
    expect(uploads).not.toContain("job-11");
    await timer.stop();
  });
});
