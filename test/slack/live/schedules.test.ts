// Without PROMETHEUS_URL and JAEGER_URL: the card says so and everything else works. Digest and step schedules
// through the real receiver, with a movable clock.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../../src/release/index.ts";
import type { StoredMessage } from "../../harness/slack/index.ts";
import { ACK_BOUND_MS } from "../../harness/slack/index.ts";
import { ALICE, approvalMessage, BOB, CHANNEL, createReviewsJob, until } from "../desk/world.ts";
import { type LiveWorld, startLiveWorld } from "./world.ts";

let world: LiveWorld;
let job: ReleaseJob;

beforeAll(async () => {
  world = await startLiveWorld({ prometheus: false });
  job = await createReviewsJob(world, "reviews-steps");
});
afterAll(async () => {
  await world?.close();
});
let mark = 0;
beforeEach(() => {
  mark = world.api.calls.length;
});

type Block = {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: Record<string, unknown>[];
};
const blocksOf = (m: StoredMessage | undefined) => (m?.blocks ?? []) as Block[];
const cardNow = () =>
  world.api.message(CHANNEL, world.app.graydesk.deps.cards.where(job.id)?.ts as string) as StoredMessage;

async function answer(text: string): Promise<string> {
  const reply = await world.app.slack.command("/release", text, { user: ALICE });
  expect(reply.ackMs).toBeLessThan(ACK_BOUND_MS);
  const posted = await world.api.waitFor(
    "response_url",
    (call) => world.api.calls.indexOf(call) >= mark,
    10_000,
  );
  mark = world.api.calls.length;
  return String(posted.args.text);
}

describe("without PROMETHEUS_URL and JAEGER_URL", () => {
  it("the card says in one context line what is not configured, and offers no Chart or Traces", async () => {
    await world.app.graydesk.deps.cards.refresh(job.id);
    const card = cardNow();
    const off = blocksOf(card).filter((b) => b.block_id === "job_card_telemetry_off");
    expect(off).toHaveLength(1);
    expect(off[0]?.elements?.[0]?.text).toBe(
      "Live health is off: PROMETHEUS_URL is not set, so Graydesk has no metrics to read. Trace links are off: JAEGER_URL is not set.",
    );
    expect(blocksOf(card).some((b) => b.block_id === "job_card_health")).toBe(false);
    const actions = blocksOf(card)
      .flatMap((b) => b.elements ?? [])
      .map((e) => e.action_id);
    expect(actions).not.toContain("job_chart");
    expect(actions).not.toContain("job_traces");
    expect(actions).toContain("job_shift");
    world.api.expectNoViolations();
  });

  it("/release chart and /release traces say why there is nothing to show", async () => {
    expect(await answer("chart reviews-steps")).toBe(
      ":chart_with_upwards_trend: No chart for *reviews-steps*: Live health is off: PROMETHEUS_URL is not set, so Graydesk has no metrics to read.",
    );
    expect(await answer("traces reviews-steps")).toBe(
      ":mag: No traces for *reviews-steps*: Trace links are off: JAEGER_URL is not set.",
    );
    expect(world.api.callsTo("files.getUploadURLExternal")).toHaveLength(0);
  });

  it("the refresher runs and breaches nothing without metrics", async () => {
    const summary = await world.app.graydesk.refresher.refreshNow();
    expect(summary).toMatchObject({ jobs: 1, failed: 0, breachesPosted: 0 });
  });
});

describe("/release digest", () => {
  it("schedule, list, now and off", async () => {
    expect(await answer('digest schedule "0 9 * * 1-5" Europe/Berlin')).toMatch(
      /^Digest set: `0 9 \* \* 1-5` in Europe\/Berlin\. Next: /,
    );
    expect(world.app.graydesk.schedules.digests.get(CHANNEL)).toMatchObject({
      cron: "0 9 * * 1-5",
      timezone: "Europe/Berlin",
      setBy: ALICE.id,
    });
    expect(await answer("digest list")).toBe(
      `<#${CHANNEL}>: \`0 9 * * 1-5\` (Europe/Berlin), set by <@${ALICE.id}>`,
    );
    expect(await answer('digest schedule "30 17 * * 5"')).toMatch(/^Digest set: `30 17 \* \* 5` in UTC\./);

    const before = world.api.messages(CHANNEL).length;
    expect(await answer("digest now")).toBe("The digest is posted in this channel.");
    const digest = world.api.messages(CHANNEL).slice(before);
    expect(digest.length).toBeGreaterThan(0);
    expect(JSON.stringify(digest)).toContain("reviews-steps");

    expect(await answer("digest off")).toBe("This channel's digest is off.");
    expect(await answer("digest list")).toBe("No channel has a digest.");
    expect((await world.app.graydesk.audit.readAll()).map((r) => r.kind)).toEqual(
      expect.arrayContaining(["digest.set", "digest.posted", "digest.removed"]),
    );
    world.api.expectNoViolations();
  });

  it.each([
    ['digest schedule "0 9 * *" Europe/Berlin', /it has 4 fields/],
    ['digest schedule "0 9 * * 1-5" Mars/Base', /is not a time zone/],
    ["digest schedule", /Give the schedule, in quotes/],
  ])("/release %s is refused with the reason", async (text, why) => {
    expect(await answer(text)).toMatch(why);
  });

  it("help lists digest, steps, chart and traces", async () => {
    await world.app.slack.command("/release", "help", { user: ALICE });
    const posted = await world.api.waitFor("response_url", (c) => world.api.calls.indexOf(c) >= mark);
    const help = JSON.stringify(posted.args.blocks);
    for (const name of ["digest", "steps", "chart", "traces"]) expect(help).toContain(`/release ${name}`);
  });
});

describe("/release steps", () => {
  it("asks once for the whole schedule, then (no automatic steps here) for each step when due", async () => {
    expect(await answer("steps reviews-steps 10,25,50,100 every 30m")).toContain(
      "reviews-steps: asked for approval to shift v2 through 10 % → 25 % → 50 % → 100 % every 30 min. Nothing moves before it is approved",
    );
    const asked = await until(() => approvalMessage(world.api), 10_000);
    expect(String(asked.text)).toBe(
      "run the step schedule 10 % → 25 % → 50 % → 100 % every 30 min on reviews-steps: waiting for approval",
    );
    // Every step, its interval and the health gate are on the request the approver sees.
    const shown = JSON.stringify(asked.blocks);
    for (const step of ["1. v2 10 %, v1 90 %", "2. v2 25 %, v1 75 %", "3. v2 50 %", "4. v2 100 %, v1 0 %"])
      expect(shown).toContain(step);
    expect(shown).toContain("Every 30 min");
    expect(shown).toContain("each due step is also asked for approval");
    // Before it is approved, a due tick takes no step and asks nothing.
    world.clock.advance(60_000);
    await world.app.graydesk.schedules.steps.tick();
    expect(world.app.graydesk.schedules.steps.get(job.id)).toMatchObject({
      next: 0,
      approval: { state: "pending" },
    });
    await world.app.slack.clickButton(asked, "approval_approve", { user: BOB });
    await until(() => world.app.graydesk.schedules.steps.get(job.id)?.approval?.state === "approved");
    world.clock.advance(60_000);
    await world.app.graydesk.schedules.steps.tick();
    const request = await until(() => {
      const latest = approvalMessage(world.api);
      return String(latest?.text).startsWith("shift traffic") ? latest : undefined;
    }, 10_000);
    expect(String(request.text)).toBe(
      "shift traffic to v1 90 %, v2 10 % on reviews-steps: waiting for approval",
    );
    expect(JSON.stringify(request.blocks)).toContain(`<@${ALICE.id}> asks to`);
    // Without metrics the request carries no health snapshot.
    expect(blocksOf(request).some((b) => b.block_id === "approval_evidence")).toBe(false);
    expect(world.app.graydesk.schedules.steps.get(job.id)).toMatchObject({ awaiting: 10, next: 0 });
    // A second tick before the interval passes does not ask again.
    await world.app.graydesk.schedules.steps.tick();
    const requests = world.api
      .messages(CHANNEL)
      .filter((m) => String(m.text).startsWith("shift traffic to v1 90 %, v2 10 %"));
    expect(requests).toHaveLength(1);
    world.api.expectNoViolations();
  });
});
