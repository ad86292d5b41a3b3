// Creating a job is a change (policy approveNewVersions, on by default): a requester's `/release new` and the
// wizard's Create store the job waiting for approval and leave the cluster exactly as it was; the approver sees
// the new Deployment as a plan (image, replicas, the pod-spec diff against the stable version). Only an approver
// other than the requester deploys it; a rejection or an expiry closes the job with nothing written.
import { AppsV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildStep, stableInfoOf } from "../../views/wizard/index.ts";
import type { SlackActor } from "../harness/slack/index.ts";
import {
  ALICE,
  BOB,
  CAROL,
  CHANNEL,
  DAVE,
  reviewsWeights,
  startWorld,
  until,
  type World,
} from "../slack/desk/world.ts";
import { buttonOn } from "./authorization-world.ts";

const POLICY = new URL("../fixtures/desk/policy-approve-new.yaml", import.meta.url).pathname;
const IMAGE = "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3";
const RATINGS_IMAGE = "docker.io/istio/examples-bookinfo-ratings-v2:1.20.3";

let world: World;
const clock = () => world.clock;
beforeAll(async () => {
  world = await startWorld({ policyFile: POLICY });
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** Everything the cluster holds for the release: routing objects and Deployments, byte for byte. */
async function cluster(): Promise<string> {
  const custom = world.kube.kubeConfig().makeApiClient(CustomObjectsApi);
  const apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
  const parts: unknown[] = [];
  for (const plural of ["virtualservices", "destinationrules"])
    parts.push(
      await custom.listNamespacedCustomObject({
        group: "networking.istio.io",
        version: "v1",
        namespace: "bookinfo",
        plural,
      }),
    );
  parts.push((await apps.listNamespacedDeployment({ namespace: "bookinfo" })).items);
  return JSON.stringify(parts);
}

const deps = () => world.app.graydesk.deps;
const settle = () => until(() => deps().inFlight.size === 0, 10_000);
const jobNamed = (name: string) =>
  deps()
    .desk.jobs("bookinfo")
    .find((j) => j.name === name);
const deploymentNames = async () =>
  (
    await world.kube.kubeConfig().makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: "bookinfo" })
  ).items.map((d) => d.metadata?.name);

/** The request's message in the job's thread (its buttons carry the request id). */
function messageOf(requestId: string) {
  return world.api
    .messages(CHANNEL)
    .find((m) => JSON.stringify(m.blocks ?? []).includes(`"value":"${requestId}"`));
}

function blockText(message: { blocks?: unknown[] } | undefined, blockId: string): string {
  const block = (message?.blocks ?? []).find((b) => (b as { block_id?: string }).block_id === blockId) as
    | { text?: { text?: string } }
    | undefined;
  return block?.text?.text ?? "";
}

/** Presses a request's button as `user`; what they were told privately. */
async function press(requestId: string, actionId: string, user: SlackActor): Promise<string> {
  const message = await until(() => messageOf(requestId));
  const mark = world.api.calls.length;
  await world.app.slack.clickButton(message, actionId, { user });
  await settle();
  return world.api.calls
    .slice(mark)
    .filter((c) => c.method === "chat.postEphemeral" || c.method === "response_url")
    .map((c) => JSON.stringify(c.args))
    .join("\n");
}

async function newByCommand(name: string): Promise<string> {
  const mark = world.api.calls.length;
  await world.app.slack.command(
    "/release",
    `new canary bookinfo/reviews version=v2 image=${IMAGE} name=${name} weight=20`,
    { user: ALICE },
  );
  await settle();
  return world.api.calls
    .slice(mark)
    .filter((c) => c.method === "response_url")
    .map((c) => JSON.stringify(c.args))
    .join("\n");
}

describe("a new version waits for approval (approveNewVersions, the default)", () => {
  it("/release new writes nothing; a rejection closes the job with nothing written", async () => {
    const before = await cluster();
    const told = await newByCommand("reviews-rejected");
    expect(told).toContain("waits for approval");
    const job = jobNamed("reviews-rejected");
    expect(job?.state).toBe("awaiting-approval");
    expect(await cluster()).toBe(before);
    const [request] = deps().approvals.gate.pendingFor(job?.id ?? "");
    expect(request?.operation).toBe("deploy new version v2 of reviews beside v1");

    // Reject asks the approver why, in a dialog; submitting it decides.
    const views = world.api.views().length;
    await press(request?.id ?? "", "approval_reject", BOB);
    const dialog = await until(() =>
      world.api
        .views()
        .slice(views)
        .find((v) => v.callback_id === "reject_modal"),
    );
    await world.app.slack.submitView(
      dialog,
      { reject_reason: { reject_reason_value: "not yet" } },
      { user: BOB },
    );
    await settle();
    expect(jobNamed("reviews-rejected")?.state).toBe("not-deployed");
    expect(deps().approvals.gate.get(request?.id ?? "")?.state).toBe("rejected");
    expect(await cluster()).toBe(before);
    const card = world.api
      .messages(CHANNEL)
      .find((m) => blockText(m, "job_card_title").includes("reviews-rejected"));
    expect(blockText(card, "job_card_state")).toContain("the new version was never deployed");
    expect(blockText(card, "job_card_state")).toContain("the new version was rejected: not yet (<@U0BOB>)");
    // The promise of the first traffic change is not kept for a version that never existed.
    expect(jobNamed("reviews-rejected")?.promised?.state).toBe("broken");
  }, 30_000);

  it("an expired request closes the job with nothing written", async () => {
    const before = await cluster();
    await newByCommand("reviews-expired");
    const job = jobNamed("reviews-expired");
    expect(job?.state).toBe("awaiting-approval");
    clock().advance(31 * 60_000);
    const expired = await deps().approvals.expireDue();
    expect(expired.map((r) => r.jobId)).toEqual([job?.id]);
    await settle();
    expect(jobNamed("reviews-expired")?.state).toBe("not-deployed");
    expect(jobNamed("reviews-expired")?.history.at(-1)?.detail).toContain(
      "expired before anyone approved it",
    );
    expect(await cluster()).toBe(before);
    // Re-request is not offered: the job is closed, a new one is created instead.
    expect(JSON.stringify(messageOf(expired[0]?.id ?? "")?.blocks)).not.toContain("approval_rerequest");
    // A forged press says so, and asks for nothing.
    const mark = world.api.calls.length;
    await world.app.slack.clickButton(
      buttonOn(CHANNEL, "approval_rerequest", expired[0]?.id ?? ""),
      "approval_rerequest",
      { user: ALICE },
    );
    await settle();
    const told = world.api.calls.slice(mark).map((c) => JSON.stringify(c.args));
    expect(told.join("\n")).toContain("is not asked for again");
    expect(deps().approvals.gate.pendingFor(job?.id ?? "")).toEqual([]);
    expect(await cluster()).toBe(before);
  }, 30_000);

  it("/release new: the approver sees image, replicas and pod diff; only they deploy it, once", async () => {
    const before = await cluster();
    await newByCommand("reviews-gated");
    const job = jobNamed("reviews-gated");
    expect(job?.state).toBe("awaiting-approval");
    const [request] = deps().approvals.gate.pendingFor(job?.id ?? "");
    const id = request?.id ?? "";
    const message = await until(() => messageOf(id));
    expect(blockText(message, "approval_new_version")).toBe(
      `*New version* \`v2\` runs \`${IMAGE}\` with 1 replica`,
    );
    const diff = blockText(message, "approval_pod_spec_diff");
    expect(diff).toContain("*Pod template against v1*");
    expect(diff).toContain("-     - image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.3");
    expect(diff).toContain(`+     - image: ${IMAGE}`);
    expect(diff).toContain("+     version: v2");

    // The waiting state in words: card, /release status, list and Home.
    const waiting = "waiting for approval to deploy";
    const card = world.api
      .messages(CHANNEL)
      .find((m) => blockText(m, "job_card_title").includes("reviews-gated"));
    expect(blockText(card, "job_card_state")).toContain(waiting);
    for (const text of ["status reviews-gated", "list bookinfo"]) {
      const mark = world.api.calls.length;
      await world.app.slack.command("/release", text, { user: ALICE });
      await settle();
      const reply = world.api.calls.slice(mark).filter((c) => c.method === "response_url");
      expect(JSON.stringify(reply.map((c) => c.args))).toContain(waiting);
    }
    const mark = world.api.calls.length;
    await world.app.slack.appHomeOpened({ user: ALICE });
    await settle();
    const home = await until(() => world.api.calls.slice(mark).find((c) => c.method === "views.publish"));
    expect(JSON.stringify(home.args)).toContain(waiting);

    // Neither the requester nor someone outside the approvers deploys it.
    expect(await press(id, "approval_approve", ALICE)).toContain("someone else must approve it");
    expect(await press(id, "approval_approve", CAROL)).toContain("right to approve changes");
    expect(deps().approvals.gate.get(id)?.state).toBe("pending");
    expect(jobNamed("reviews-gated")?.state).toBe("awaiting-approval");
    expect(await cluster()).toBe(before);

    await press(id, "approval_approve", BOB);
    const apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
    const deployment = await until(() =>
      apps.readNamespacedDeployment({ name: "reviews-v2", namespace: "bookinfo" }),
    );
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(IMAGE);
    await until(() => jobNamed("reviews-gated")?.state === "ready", 10_000);
    expect(deps().approvals.gate.get(id)?.state).toBe("applied");
    expect((await deploymentNames()).filter((n) => n === "reviews-v2")).toHaveLength(1);
    // Then, as without the approval, the promised first traffic request opens once; nothing moved yet.
    await until(() => jobNamed("reviews-gated")?.promised?.state === "opened", 10_000);
    await settle();
    const pending = deps().approvals.gate.pendingFor(job?.id ?? "");
    expect(pending.map((r) => r.operation)).toEqual(["shift traffic to v1 80 %, v2 20 %"]);
    expect(await reviewsWeights(world.kube)).toEqual({ v1: 100, v2: 0 });
  }, 60_000);

  it("the wizard's Create writes nothing until an approver approves", async () => {
    const service = (await deps().desk.services("bookinfo")).find((s) => s.name === "ratings");
    if (!service) throw new Error("no ratings in bookinfo");
    const view = buildStep({
      step: "strategy",
      channel: CHANNEL,
      strategy: "canary",
      fixedStrategy: true,
      name: "ratings-wizard",
      namespace: "bookinfo",
      app: service.app,
      service: "ratings",
      stable: stableInfoOf(service),
      version: "v2",
      replicas: 2,
      mode: "replace-image",
      images: { ratings: RATINGS_IMAGE },
      traffic: { canaryBy: "weights", percent: 10 },
    });
    const before = await cluster();
    await world.app.slack.submitView({ ...view, id: "V0WIZARD" }, {}, { user: ALICE });
    await until(() => jobNamed("ratings-wizard"));
    await settle();
    const outcome = world.api.callsTo("views.update").map((c) => JSON.stringify(c.args));
    expect(outcome.join("\n")).toContain("waits for approval");
    const job = jobNamed("ratings-wizard");
    expect(job?.state).toBe("awaiting-approval");
    expect(await cluster()).toBe(before);
    const [request] = deps().approvals.gate.pendingFor(job?.id ?? "");
    const id = request?.id ?? "";
    const message = await until(() => messageOf(id));
    expect(blockText(message, "approval_new_version")).toContain("with 2 replicas");
    expect(blockText(message, "approval_pod_spec_diff")).toContain(`+     - image: ${RATINGS_IMAGE}`);

    expect(await press(id, "approval_approve", ALICE)).toContain("someone else must approve it");
    expect(await cluster()).toBe(before);
    await press(id, "approval_approve", DAVE);
    await until(async () => (await deploymentNames()).includes("ratings-v2"), 10_000);
    await until(() => jobNamed("ratings-wizard")?.state === "ready", 10_000);
    expect(deps().approvals.gate.get(id)?.state).toBe("applied");
  }, 60_000);
});
