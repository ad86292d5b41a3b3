// The attacks the review found around the approval gate, each replayed as described and refused: an ordinary
// workspace member in no policy list ("an outsider"), and a user from another workspace, sending only what
// Slack sends for them. Findings 6, 7 and 8 (conditions as data, plan hash at apply, mrkdwn escaping) have
// their own tests beside that code.
import { AppsV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackActor } from "../harness/slack/index.ts";
import { reviewsWeights, until } from "../slack/desk/world.ts";
import {
  type AuthWorld,
  buttonOn,
  CHANNELS,
  JOB,
  OTHER_TEAM,
  settle,
  snapshot,
  startAuthWorld,
  toUser,
} from "./authorization-world.ts";

const OUTSIDER: SlackActor = { id: "U0OUT", name: "out" };
const REQUESTER: SlackActor = { id: "U0BREQ", name: "breq" };
const APPROVER: SlackActor = { id: "U0BAPP", name: "bapp" };
const clock = { now: Date.now() };

let world: AuthWorld;
beforeAll(async () => {
  world = await startAuthWorld({ clock: () => new Date(clock.now) });
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** Sends what Slack sends for `user`, and returns what they were told; the cluster and store must not move. */
async function refused(send: () => Promise<unknown>, user: string, right: string): Promise<string> {
  await settle(world);
  const before = await snapshot(world);
  const mark = world.api.calls.length;
  await send();
  await settle(world);
  const told = toUser(world.api.calls.slice(mark), user);
  expect(told).toContain(`You need the *${right}* right`);
  expect(await snapshot(world)).toBe(before);
  return told;
}

const command =
  (text: string, user = OUTSIDER, team?: typeof OTHER_TEAM) =>
  () =>
    world.slack.command("/release", text, {
      user,
      channel: { id: CHANNELS.bookinfo, name: "releases" },
      ...(team ? { team } : {}),
    });

describe("the attacks around the gate, replayed", () => {
  it("1: an outsider's /release new with their own image creates nothing", async () => {
    await refused(
      command("new canary bookinfo/reviews version=v9 image=evil.example.com/pwn:1 name=pwn"),
      OUTSIDER.id,
      "request",
    );
    const apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
    const names = (await apps.listNamespacedDeployment({ namespace: "bookinfo" })).items.map(
      (d) => d.metadata?.name,
    );
    expect(names).not.toContain("reviews-v9");
    expect(world.app.graydesk.deps.desk.jobs("bookinfo").map((j) => j.name)).toEqual([JOB]);

    // Nor does a requester deploy a new version alone (approveNewVersions, the default): the job waits with
    // nothing in the cluster; neither the requester nor an outsider can approve it; the approver's rejection
    // closes it with nothing written.
    const clusterOf = async () =>
      JSON.stringify((JSON.parse(await snapshot(world)) as { parts: unknown }).parts);
    await settle(world);
    const cluster = await clusterOf();
    await command(
      "new canary bookinfo/ratings version=v2 image=docker.io/istio/examples-bookinfo-ratings-v2:1.20.3 name=ratings-v2",
      REQUESTER,
    )();
    await settle(world);
    const job = world.app.graydesk.deps.desk.jobs("bookinfo").find((j) => j.name === "ratings-v2");
    expect(job?.state).toBe("awaiting-approval");
    const [request] = world.app.graydesk.deps.approvals.gate.pendingFor(job?.id ?? "");
    expect(request?.operation).toBe("deploy new version v2 of ratings beside v1");
    for (const user of [REQUESTER, OUTSIDER]) {
      await world.slack.clickButton(
        buttonOn(CHANNELS.bookinfo, "approval_approve", request?.id ?? ""),
        "approval_approve",
        { user },
      );
      await settle(world);
    }
    expect(world.app.graydesk.deps.approvals.gate.get(request?.id ?? "")?.state).toBe("pending");
    expect(await clusterOf()).toBe(cluster);
    // The approver's rejection (what the Reject dialog's submission decides).
    await world.app.graydesk.deps.approvals.decide({
      requestId: request?.id ?? "",
      actor: { user: APPROVER.id },
      choice: "reject",
      reason: "not this image",
    });
    await settle(world);
    expect(world.app.graydesk.deps.desk.job(job?.id ?? "")?.state).toBe("not-deployed");
    expect(await clusterOf()).toBe(cluster);
  }, 30_000);

  it("2: an outsider's step schedule to 100 % every minute is refused and no step is ever due", async () => {
    await refused(command(`steps bookinfo/${JOB} 100 every 1m`), OUTSIDER.id, "request");
    expect(world.app.graydesk.schedules.steps.list()).toEqual([]);
    clock.now += 5 * 60_000;
    await world.app.graydesk.schedules.steps.tick();
    expect(await reviewsWeights(world.kube)).toEqual({ v1: 100, v2: 0 });
  });

  it("3: retry is refused to an outsider, and re-plans nothing once the approval is out of date", async () => {
    const job = world.jobs.bookinfo;
    // A requester's 30 % is approved, but the patch fails: the job fails with traffic unchanged.
    await world.slack.command("/release", `shift bookinfo/${JOB} 30`, { user: REQUESTER });
    const request = await until(() => world.app.graydesk.deps.approvals.gate.pendingFor(job.id)[0]);
    world.kube.faults.add({
      verb: "patch",
      resource: "virtualservices",
      kind: "status",
      status: 500,
      times: 5,
    });
    await world.slack.clickButton(
      buttonOn(CHANNELS.bookinfo, "approval_approve", request.id),
      "approval_approve",
      {
        user: APPROVER,
      },
    );
    await until(() => world.app.graydesk.deps.desk.job(job.id)?.state === "failed", 10_000);
    world.kube.faults.clear();
    await settle(world);
    expect(await reviewsWeights(world.kube)).toEqual({ v1: 100, v2: 0 });

    await refused(command(`retry bookinfo/${JOB}`), OUTSIDER.id, "request");
    await refused(
      () =>
        world.slack.clickButton(buttonOn(CHANNELS.bookinfo, "job_retry", job.id), "job_retry", {
          user: OUTSIDER,
        }),
      OUTSIDER.id,
      "request",
    );
    // Past the approval's expiry the requester's retry asks again instead of applying.
    clock.now += 31 * 60_000;
    await world.slack.command("/release", `retry bookinfo/${JOB}`, { user: REQUESTER });
    await settle(world);
    expect(await reviewsWeights(world.kube)).toEqual({ v1: 100, v2: 0 });
    const again = world.app.graydesk.deps.approvals.gate.pendingFor(job.id);
    expect(again.map((r) => r.operation)).toEqual(["shift traffic to v1 70 %, v2 30 %"]);
    expect(again[0]?.id).not.toBe(request.id);
  }, 60_000);

  it("4: an outsider cannot abandon a job: the new version and the routes stay", async () => {
    await refused(command(`abandon bookinfo/${JOB}`), OUTSIDER.id, "request");
    await refused(
      () =>
        world.slack.clickButton(
          buttonOn(CHANNELS.bookinfo, "job_abandon", world.jobs.bookinfo.id),
          "job_abandon",
          {
            user: OUTSIDER,
          },
        ),
      OUTSIDER.id,
      "request",
    );
  });

  it.each([
    [`steps bookinfo/${JOB} pause`, "request"],
    [`steps bookinfo/${JOB} resume`, "request"],
    [`steps bookinfo/${JOB} cancel`, "request"],
    ["config namespace bookinfo", "request"],
    ["digest 0 9 * * 1-5 UTC", "request"],
    ["digest now", "request"],
    ["list bookinfo", "view"],
    [`status bookinfo/${JOB}`, "view"],
    [`history bookinfo/${JOB}`, "view"],
  ])("5: an outsider's /release %s is refused", async (text, right) => {
    await refused(command(text), OUTSIDER.id, right);
  });

  it("5: an outsider's Home shows no namespace they may not see, and says so", async () => {
    const mark = world.api.calls.length;
    await world.slack.appHomeOpened({ user: OUTSIDER });
    await settle(world);
    const home = toUser(world.api.calls.slice(mark), OUTSIDER.id);
    expect(home).toContain("You need the *view* right to see release jobs in namespace bookinfo");
    expect(home).not.toContain(JOB);
  });

  it("9: a user from another workspace is refused though the policy names their user id", async () => {
    const ext = { id: "U0EXT", name: "ext" };
    const told = await refused(command(`shift bookinfo/${JOB} 50`, ext, OTHER_TEAM), ext.id, "request");
    expect(told).toContain("users from another Slack workspace (yours is T0ELSEWHERE)");
  });
});
