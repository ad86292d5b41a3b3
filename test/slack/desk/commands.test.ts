import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ACK_BOUND_MS } from "../../harness/slack/index.ts";
import { ALICE, createReviewsJob, startWorld, type World } from "./world.ts";

let world: World;

beforeAll(async () => {
  world = await startWorld();
  await createReviewsJob(world, "reviews-v2");
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => world.api.reset());

async function answer(text: string): Promise<string> {
  const reply = await world.app.slack.command("/release", text, { user: ALICE });
  expect(reply.ackMs).toBeLessThan(ACK_BOUND_MS);
  const posted = await world.api.waitFor("response_url");
  expect(posted.args.response_type).toBe("ephemeral");
  return String(posted.args.text);
}

describe("/release job commands answer malformed arguments with what is wrong, the usage and an example", () => {
  it.each([
    [
      "shift",
      "Name the job and the traffic. Usage: `/release shift <job> <percent> | <v1=80 v2=20> | <mirror=30> | <header:name=value …>`, e.g. `/release shift reviews-v2 20`.",
    ],
    ["shift reviews-v2", "Say how traffic of reviews-v2 should move. Usage:"],
    ["shift reviews-v2 150", "150 % is more than all traffic (100 %). Usage:"],
    ["shift reviews-v2 v1=50 v2=20", "Traffic shares must add up to 100 %; these add up to 70 %. Usage:"],
    ["shift reviews-v2 mirror=30", "A canary job cannot use a mirror traffic policy. Usage:"],
    ["shift reviews-v2 header:x-canary", "`header:x-canary` is not a percentage"],
    [
      "shift bookinfo/reviews-v3 20",
      "There is no job reviews-v3 in namespace bookinfo. Did you mean `reviews-v2`? Jobs there: `reviews-v2`.",
    ],
    ["shift reveiws-v2 20", "There is no job reveiws-v2 in any namespace. Did you mean `reviews-v2`?"],
    ["status", "Name the job. Usage: `/release status <job>`, e.g. `/release status reviews-v2`."],
    ["status reviews-v2 now", "`now` is one word too many. Usage: `/release status <job>`"],
    [
      "takeover reviews-v2",
      "Say which version takes over: v1 or v2. Usage: `/release takeover <job> <version>`",
    ],
    ["takeover reviews-v2 v3", "v3 is not a version of reviews-v2; choose v1 or v2."],
    [
      "offline reviews-v2",
      "Job reviews-v2 still sends traffic to v1 and v2: take one over first, or name the version to keep.",
    ],
    ["rollback", "Name the job. Usage: `/release rollback <job>`"],
    ["history", "Name the job. Usage: `/release history <job>`"],
    ["list a b", "`b` is one word too many. Usage: `/release list [namespace]`"],
    ["config", "Something is missing. Usage: `/release config namespace <namespace>`"],
    ["config colour blue", "`colour` is not a setting; the one setting is `namespace`."],
    ["config namespace Book_Info", "`Book_Info` is not a namespace name (lower-case letters, digits and -)."],
    ["config namespace bookinf", "The cluster has no namespace bookinf. Did you mean `bookinfo`?"],
    ["retry reviews-v2", "reviews-v2"],
    ["abandon reviews-v2", "Only a failed job can be abandoned; job reviews-v2 is"],
  ])("/release %s", async (text, expected) => {
    expect(await answer(text)).toContain(expected);
    world.api.expectNoViolations();
  });

  it("list, status and history answer with what they know", async () => {
    expect(await answer("list bookinfo")).toContain("release jobs in namespace bookinfo");
    world.api.reset();
    expect(await answer("status bookinfo/reviews-v2")).toContain("Release job reviews-v2");
    world.api.reset();
    expect(await answer("history reviews-v2")).toBe("History of reviews-v2");
    world.api.reset();
    expect(await answer("list nowhere")).toBe(
      "No release jobs in namespace nowhere. Start one with `/release new`.",
    );
    world.api.expectNoViolations();
  });
});

describe("a job name used again after a finished job (G1)", () => {
  it("a bare name finds the live job of its one namespace; several namespaces are each named once", async () => {
    const { store, desk } = world.app.graydesk.deps;
    const live = desk.findJob({ namespace: "bookinfo", name: "reviews-v2" });
    if (!live) throw new Error("the reviews-v2 job is missing");
    const finished = {
      ...live,
      id: "job-finished-1",
      state: "offline",
      createdAt: "2020-01-01T00:00:00.000Z",
    };
    await store.update((draft) => {
      draft.jobs[finished.id] = finished as unknown as (typeof draft.jobs)[string];
    });
    const status = await answer("status reviews-v2");
    expect(status).toContain("Release job reviews-v2");
    expect(status).not.toContain("Several namespaces");
    world.api.reset();

    const elsewhere = { ...finished, id: "job-finished-2", namespace: "staging" };
    await store.update((draft) => {
      draft.jobs[elsewhere.id] = elsewhere as unknown as (typeof draft.jobs)[string];
    });
    expect(await answer("status reviews-v2")).toContain(
      "Several namespaces have a job named reviews-v2: say which with `bookinfo/reviews-v2`, `staging/reviews-v2`,",
    );
    world.api.reset();
    expect(await answer("status bookinfo/reviews-v2")).toContain("Release job reviews-v2");
    await store.update((draft) => {
      delete draft.jobs[finished.id];
      delete draft.jobs[elsewhere.id];
    });
  });
});
