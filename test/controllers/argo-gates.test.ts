import { readFileSync } from "node:fs";
import { CoreV1Api, CustomObjectsApi, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { argoRolloutsRules } from "../deploy/manifests.ts";
import { startTestCluster } from "../harness/envtest/cluster.ts";
import { type RunningGraydesk, startTestGraydesk } from "../harness/graydesk.ts";
import type { KubeTestServer } from "../harness/kube/index.ts";
import { type SlackApiServer, type StoredMessage, startSlackApiServer } from "../harness/slack/index.ts";

const ALICE = { id: "U0ALICE", name: "alice" };
const BOB = { id: "U0BOB", name: "bob" };
const CAROL = { id: "U0CAROL", name: "carol" };
const DAVE = { id: "U0DAVE", name: "dave" };
const GATES = "C0GATES";
const GRAYDESK_TOKEN = "graydesk-argo-test-token";
const POLICY = new URL("../fixtures/controllers/policy.yaml", import.meta.url).pathname;
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/controllers/argo/${name}`, import.meta.url), "utf8");
const MERGE = setHeaderOptions("Content-Type", "application/merge-patch+json");
const where = { group: "argoproj.io", version: "v1alpha1", namespace: "shop", plural: "rollouts" };

type Rollout = {
  metadata: Record<string, unknown> & { name: string };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
};

let kube: KubeTestServer;
let api: SlackApiServer;
let app: RunningGraydesk;
let custom: CustomObjectsApi;

beforeAll(async () => {
  // The project's test server in `npm test`; a real control plane in `npm run test:real` (test/real imports this).
  kube = await startTestCluster({ crds: ["argo-rollouts"] });
  const kc = kube.kubeConfig();
  custom = kc.makeApiClient(CustomObjectsApi);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "shop" } } });
  api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL, DAVE]);
  // Graydesk runs with exactly the rules deploy/ grants for Argo Rollouts, bound in the managed namespace.
  const rules = argoRolloutsRules("shop");
  await kube.setUser(GRAYDESK_TOKEN, { name: "graydesk", rules });
  app = await startTestGraydesk(api, {
    kubeconfig: kube.writeKubeconfig(GRAYDESK_TOKEN),
    policyFile: POLICY,
  });
});
afterAll(async () => {
  await app?.stop();
  await api?.close();
  await kube?.close();
});
beforeEach(() => kube.resetRequests());

/** Creates the fixture Rollout under `name`, as someone with kubectl would. */
async function createRollout(name: string): Promise<void> {
  const body = parse(fixture("rollout.yaml")) as Rollout;
  body.metadata.name = name;
  await custom.createNamespacedCustomObject({ ...where, body });
}

/** Writes status the way the Argo controller does when the canary reaches the pause at `step`. */
async function pauseAt(name: string, step: number, startTime: string): Promise<void> {
  const status = JSON.parse(fixture("status-paused.json")) as Record<string, unknown>;
  status.currentStepIndex = step;
  status.pauseConditions = [{ reason: "CanaryPauseStep", startTime }];
  await custom.patchNamespacedCustomObjectStatus({ ...where, name, body: { status } }, MERGE);
}

const read = async (name: string) => (await custom.getNamespacedCustomObject({ ...where, name })) as Rollout;

/** The object without what every write changes (its version and who wrote which field). */
function comparable(rollout: Rollout): Rollout {
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = rollout.metadata;
  return { ...rollout, metadata: metadata as Rollout["metadata"] };
}

/**
 * Writes to Rollouts since the last reset. Each test resets after playing kubectl and the Argo controller and
 * before Graydesk acts, so these are Graydesk's (a real API server's recording proxy does not name the user).
 */
function writes() {
  return kube.requests.filter(
    (r) => r.resource === "rollouts" && ["patch", "update", "create", "delete"].includes(r.verb),
  );
}

function gateRequests(name: string) {
  return Object.values(app.graydesk.store.data().approvals).filter(
    (r) => r.controller === "argo-rollouts" && r.releaseId === `argo-rollouts/shop/${name}`,
  );
}

async function until<T>(read: () => T | undefined | Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function card(name: string): StoredMessage | undefined {
  const found = api
    .messages(GATES)
    .find(
      (m) =>
        JSON.stringify(m.blocks ?? []).includes('"gated_title"') &&
        JSON.stringify(m.blocks).includes(`shop/${name}*`),
    );
  return found ? (api.message(GATES, found.ts) as StoredMessage) : undefined;
}

/** The actions block under the card's pending request for `gate`. */
function buttonsFor(message: StoredMessage, words: string): string {
  const blocks = message.blocks as { block_id: string; type: string; text?: { text: string } }[];
  const at = blocks.findIndex((b) => b.block_id.startsWith("gated_request_") && b.text?.text.includes(words));
  const next = blocks[at + 1];
  if (next?.type !== "actions") throw new Error(`no buttons for ${words}`);
  return next.block_id;
}

const settled = () => until(() => (app.graydesk.deps.inFlight.size === 0 ? true : undefined));

describe("Argo Rollouts gates on a cluster with the Rollout CRD and exactly deploy/'s Argo RBAC", () => {
  it("posts a card and a request when the Rollout pauses at a pause {} step", async () => {
    await createRollout("podinfo");
    await pauseAt("podinfo", 1, "2026-12-06T01:00:00Z");
    kube.resetRequests();
    const posted = await until(() => card("podinfo"));
    const text = JSON.stringify(posted.blocks);
    expect(text).toContain("promote past this pause");
    expect(text).toContain("2 of 4: pause (until promoted)");
    expect(text).toContain("20%");
    expect(text).toContain("ghcr.io/example/podinfo:6.5.1");
    expect(gateRequests("podinfo").map((r) => [r.gate, r.state, r.requestedBy])).toEqual([
      ["promote", "pending", "argo-rollouts"],
    ]);
    // No write to the Rollout until someone approves.
    await settled();
    expect(writes()).toEqual([]);
    api.expectNoViolations();
  });

  it("writes exactly what kubectl argo rollouts promote writes once approved", async () => {
    const before = await read("podinfo");
    kube.resetRequests();
    const message = (await until(() => card("podinfo"))) as StoredMessage;
    await app.slack.clickButton(message, "gated_approve", {
      user: BOB,
      blockId: buttonsFor(message, "promote"),
    });
    await until(() => (gateRequests("podinfo")[0]?.state === "applied" ? true : undefined));
    // The CLI, for a Rollout the controller paused (spec.paused unset, a pause condition): one JSON merge patch
    // {"status":{"pauseConditions":null}} to the status subresource, nothing else.
    expect(writes().map((r) => [r.verb, r.subresource, r.contentType, r.name])).toEqual([
      ["patch", "status", "application/merge-patch+json", "podinfo"],
    ]);
    const after = await read("podinfo");
    const expected = structuredClone(comparable(before));
    delete (expected.status as Record<string, unknown>).pauseConditions;
    expect(comparable(after)).toEqual(expected);
    expect(after.status?.controllerPause).toBe(true);
    expect(after.status?.currentStepIndex).toBe(1);
    expect(after.spec).toEqual(before.spec);
    // The audit record of the outcome follows the request's closing: wait for it.
    const audit = await until(async () => {
      const all = (await app.graydesk.audit.readAll()).filter(
        (r) => r.detail?.controller === "argo-rollouts",
      );
      return all.some((r) => r.kind === "applied") ? all : undefined;
    });
    expect(audit.map((r) => [r.kind, r.actor])).toEqual([
      ["requested", "argo-rollouts"],
      ["approved", BOB.id],
      ["applied", BOB.id],
    ]);
  });

  it("promotes once when two approvers click at the same time", async () => {
    await pauseAt("podinfo", 3, "2026-12-06T01:10:00Z");
    await until(() => gateRequests("podinfo").find((r) => r.state === "pending"));
    const message = await until(() => {
      const m = card("podinfo");
      return m &&
        JSON.stringify(m.blocks).includes("4 of 4") &&
        JSON.stringify(m.blocks).includes("gated_approve")
        ? m
        : undefined;
    });
    kube.resetRequests();
    const blockId = buttonsFor(message, "promote");
    await Promise.all([
      app.slack.clickButton(message, "gated_approve", { user: BOB, blockId }),
      app.slack.clickButton(message, "gated_approve", { user: DAVE, blockId }),
      app.slack.clickButton(message, "gated_approve", { user: BOB, blockId }),
    ]);
    await until(() => (gateRequests("podinfo").at(-1)?.state === "applied" ? true : undefined));
    await settled();
    expect(writes()).toHaveLength(1);
    expect(gateRequests("podinfo").map((r) => r.state)).toEqual(["applied", "applied"]);
  });

  it("refuses as stale a Rollout that advanced on its own before the approval", async () => {
    await createRollout("checkout");
    await pauseAt("checkout", 1, "2026-12-06T01:20:00Z");
    const message = await until(() => card("checkout"));
    // Someone promoted with kubectl and the controller moved on to setWeight 50.
    await custom.patchNamespacedCustomObjectStatus(
      {
        ...where,
        name: "checkout",
        body: {
          status: {
            pauseConditions: null,
            controllerPause: false,
            currentStepIndex: 2,
            phase: "Progressing",
            message: null,
          },
        },
      },
      MERGE,
    );
    const before = await read("checkout");
    kube.resetRequests();
    await app.slack.clickButton(message, "gated_approve", {
      user: BOB,
      blockId: buttonsFor(message, "promote"),
    });
    // Whichever comes first, the refusal is the same: the watch sees the Rollout leave the pause and closes the
    // request as stale (the click is told it was), or the click's own check finds the Rollout moved on.
    const answer = await until(() =>
      api.ephemerals(BOB.id).find((e) => /moved on|it is stale/.test(String(e.text))),
    );
    expect(String(answer.text)).toMatch(/not promoted again|it is stale\. Nothing more happened/);
    await settled();
    expect(writes()).toEqual([]);
    expect(comparable(await read("checkout"))).toEqual(comparable(before));
    expect(gateRequests("checkout").map((r) => r.state)).toEqual(["stale"]);
    await until(() => (JSON.stringify(card("checkout")?.blocks).includes("not done") ? true : undefined));
    expect(JSON.stringify(card("checkout")?.blocks)).not.toContain("gated_approve");
  });

  it("writes exactly what kubectl argo rollouts abort writes, for an approver only", async () => {
    await createRollout("cart");
    await pauseAt("cart", 1, "2026-12-06T01:30:00Z");
    const message = await until(() => card("cart"));
    kube.resetRequests();
    await app.slack.clickButton(message, "gated_abort", { user: CAROL });
    await until(() =>
      api.ephemerals(CAROL.id).find((e) => String(e.text).includes("approve changes in namespace shop")),
    );
    await settled();
    expect(writes()).toEqual([]);
    const before = await read("cart");
    await app.slack.clickButton(message, "gated_abort", { user: BOB });
    await until(() => api.ephemerals(BOB.id).find((e) => String(e.text).includes("Aborted")));
    // The CLI: one JSON merge patch {"status":{"abort":true}} to the status subresource.
    expect(writes().map((r) => [r.verb, r.subresource, r.contentType])).toEqual([
      ["patch", "status", "application/merge-patch+json"],
    ]);
    const expected = structuredClone(comparable(before));
    (expected.status as Record<string, unknown>).abort = true;
    expect(comparable(await read("cart"))).toEqual(expected);
    expect(gateRequests("cart").map((r) => [r.state, r.outcome])).toEqual([["rejected", "closed by Abort"]]);
    await until(() => (JSON.stringify(card("cart")?.blocks).includes("aborted") ? true : undefined));
  });

  it("fully promotes only through its own request, writing what promote --full writes", async () => {
    await createRollout("frontend");
    await pauseAt("frontend", 1, "2026-12-06T01:40:00Z");
    const message = await until(() => card("frontend"));
    await app.slack.clickButton(message, "gated_promote_full", { user: ALICE });
    const withFull = await until(() => {
      const m = card("frontend");
      return m && JSON.stringify(m.blocks).includes("promote fully") ? m : undefined;
    });
    const before = await read("frontend");
    kube.resetRequests();
    await app.slack.clickButton(withFull, "gated_approve", {
      user: BOB,
      blockId: buttonsFor(withFull, "promote fully"),
    });
    await until(() =>
      gateRequests("frontend").find((r) => r.gate === "promote-full")?.state === "applied" ? true : undefined,
    );
    // currentPodHash differs from stableRS and spec.paused is unset: only {"status":{"promoteFull":true}}.
    expect(writes().map((r) => [r.verb, r.subresource, r.contentType])).toEqual([
      ["patch", "status", "application/merge-patch+json"],
    ]);
    const expected = structuredClone(comparable(before));
    (expected.status as Record<string, unknown>).promoteFull = true;
    expect(comparable(await read("frontend"))).toEqual(expected);
    // The step's own request is still there, undecided: the full promotion did not approve it.
    expect(gateRequests("frontend").find((r) => r.gate === "promote")?.state).toBe("pending");
  });

  it("gates a blue-green Rollout's promotion the same way", async () => {
    const body = parse(fixture("rollout-blue-green.yaml")) as Rollout;
    await custom.createNamespacedCustomObject({ ...where, body });
    const status = JSON.parse(fixture("status-blue-green-paused.json")) as Record<string, unknown>;
    await custom.patchNamespacedCustomObjectStatus({ ...where, name: "storefront", body: { status } }, MERGE);
    const message = await until(() => card("storefront"));
    expect(JSON.stringify(message.blocks)).toContain("blue-green");
    const before = await read("storefront");
    kube.resetRequests();
    await app.slack.clickButton(message, "gated_approve", {
      user: DAVE,
      blockId: buttonsFor(message, "promote"),
    });
    await until(() => (gateRequests("storefront")[0]?.state === "applied" ? true : undefined));
    expect(writes().map((r) => [r.verb, r.subresource, r.contentType])).toEqual([
      ["patch", "status", "application/merge-patch+json"],
    ]);
    const expected = structuredClone(comparable(before));
    delete (expected.status as Record<string, unknown>).pauseConditions;
    expect(comparable(await read("storefront"))).toEqual(expected);
  });

  it("follows the Rollout to the end and lists it beside Graydesk's jobs", async () => {
    await custom.patchNamespacedCustomObjectStatus(
      {
        ...where,
        name: "podinfo",
        body: { status: { phase: "Healthy", stableRS: "7f8d9c6b5", currentStepIndex: 4, message: null } },
      },
      MERGE,
    );
    await until(() => (JSON.stringify(card("podinfo")?.blocks).includes("healthy") ? true : undefined));
    await app.slack.command("/release", "list shop", { user: ALICE, channel: { id: GATES, name: "gates" } });
    const reply = await until(() =>
      api.callsTo("response_url").find((c) => JSON.stringify(c.args).includes("Release jobs in")),
    );
    const text = JSON.stringify(reply.args);
    expect(text).toContain("shop/podinfo");
    expect(text).toContain("[Argo Rollouts] Rollout · healthy");
    expect(text).toContain("[Argo Rollouts] Rollout · aborted");
  });
});
