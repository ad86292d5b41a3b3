import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { digestCommand } from "../../commands/digest.ts";
import { stepsCommand } from "../../commands/steps.ts";
import type { CommandCall, Reply } from "../../commands/subcommand.ts";
import { Authorizer, openPolicy } from "../../src/approvals/index.ts";
import type { ReleaseDesk } from "../../src/desk/types.ts";
import type { ReleaseJob } from "../../src/release/index.ts";
import { DigestSchedules, StepRunner } from "../../src/schedule/index.ts";
import { type AuditLog, openAuditLog, openFileStore, type Store } from "../../src/store/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const job = parse(
  readFileSync(new URL("../fixtures/release/reviews-job.yaml", import.meta.url), "utf8"),
) as ReleaseJob;
const closers: (Store | AuditLog)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c.close();
});

async function setup() {
  const dir = tempDir("graydesk-schedule-commands-");
  const store = await openFileStore(dir);
  const audit = await openAuditLog(dir);
  closers.push(store, audit);
  // Only the lookups the commands make; the engine itself is not involved.
  const desk = {
    findJob: (ref: { namespace: string; name: string }) =>
      ref.namespace === job.namespace && ref.name === job.name ? job : undefined,
    jobs: () => [job],
  } as unknown as ReleaseDesk;
  const digests = new DigestSchedules({ store, post: async () => undefined });
  const steps = new StepRunner({
    store,
    policy: openPolicy(),
    job: (id) => (id === job.id ? job : undefined),
    health: async () => ({ status: "ok" }),
    requestShift: async () => undefined,
    applyShift: async () => undefined,
    notify: async () => undefined,
  });
  const authorizer = new Authorizer(openPolicy(), { isIn: async () => false }, async () => ({ team: "T1" }));
  // The schedule's approval request, as the approval desk would open it (its words are tested with it).
  const asked: string[] = [];
  const approvals = {
    requestSchedule: async ({ jobId }: { jobId: string }) => {
      asked.push(jobId);
      return { summary: "every step" } as never;
    },
  };
  const replies: string[] = [];
  const call = (name: string, text: string): CommandCall => ({
    name,
    args: text.split(/\s+/).filter(Boolean),
    text,
    user: "U1",
    actor: { user: "U1", team: "T1" },
    channel: "C1",
    team: "T1",
    triggerId: "t",
    client: undefined as never,
    logger: undefined as never,
    replyPrivately: async (reply: Reply) => void replies.push(reply.text),
  });
  return {
    audit,
    replies,
    digest: (text: string) =>
      digestCommand({ digests, audit, store, authorizer }).run(call("digest", text), []),
    steps: (text: string) =>
      stepsCommand({ desk, store, steps, audit, authorizer, approvals }).run(call("steps", text), []),
    digests,
    asked,
    runner: steps,
  };
}

describe("/release digest", () => {
  it("sets, shows and turns off the channel's digest, auditing each change", async () => {
    const t = await setup();
    await t.digest("");
    expect(t.replies[0]).toMatch(/no digest.*0 9 \* \* 1-5 Europe\/Berlin/);
    await t.digest("0 9 * * 1-5 Europe/Berlin");
    expect(t.replies[1]).toMatch(/^Digest set: `0 9 \* \* 1-5` in Europe\/Berlin\. Next: /);
    expect(t.digests.get("C1")).toMatchObject({
      cron: "0 9 * * 1-5",
      timezone: "Europe/Berlin",
      setBy: "U1",
    });
    await t.digest("");
    expect(t.replies[2]).toContain("set by <@U1>");
    await t.digest("off");
    expect(t.replies[3]).toBe("This channel's digest is off.");
    expect((await t.audit.readAll()).map((r) => r.kind)).toEqual(["digest.set", "digest.removed"]);
  });

  it.each([
    ["0 9 * * 1-5", /Add a time zone after the schedule/],
    ["0 9 * * 1-5 Mars/Base", /is not a time zone/],
    ["0 9 * Europe/Berlin", /not a schedule Graydesk understands: it has 3 fields/],
    ["Europe/Berlin", /Give the schedule and a time zone/],
  ])("refuses %j with the reason", async (text, why) => {
    const t = await setup();
    await expect(t.digest(text)).rejects.toThrow(why);
    expect(t.digests.list()).toEqual([]);
  });
});

describe("/release steps", () => {
  it("sets, shows, pauses, resumes and cancels a job's step schedule", async () => {
    const t = await setup();
    await t.steps("reviews-canary 10,25,50,100 every 30m");
    expect(t.replies[0]).toMatch(
      /reviews-canary: asked for approval to shift v2 through 10 % → 25 % → 50 % → 100 % every 30 min\. Nothing moves before it is approved/,
    );
    expect(t.asked).toEqual(["job-1"]);
    expect(t.runner.get("job-1")?.approval?.state).toBe("pending");
    expect(t.runner.get("job-1")).toMatchObject({ percents: [10, 25, 50, 100], everyMinutes: 30, next: 0 });
    await t.steps("bookinfo/reviews-canary");
    expect(t.replies[1]).toMatch(/steps 10 % → 25 % → 50 % → 100 % every 30 min; next 10 %/);
    await t.steps("reviews-canary pause");
    expect(t.runner.get("job-1")?.paused).toBe("paused by <@U1>");
    await t.steps("reviews-canary resume");
    expect(t.runner.get("job-1")?.paused).toBeUndefined();
    await t.steps("reviews-canary cancel");
    expect(t.runner.get("job-1")).toBeUndefined();
    await t.steps("reviews-canary cancel");
    expect(t.replies.at(-1)).toBe("reviews-canary has no step schedule.");
    expect((await t.audit.readAll()).map((r) => r.kind)).toEqual([
      "steps.set",
      "steps.pause",
      "steps.resume",
      "steps.cancel",
    ]);
  });

  it.each([
    ["", /Name the job/],
    ["ratings-canary 10,50 every 30m", /There is no job ratings-canary/],
    ["reviews-canary 50,10 every 30m", /Steps must increase/],
    ["reviews-canary 10,50 every soon", /"soon" is not an interval/],
  ])("refuses %j with the reason", async (text, why) => {
    const t = await setup();
    await expect(t.steps(text)).rejects.toThrow(why);
    expect(t.runner.list()).toEqual([]);
  });
});
