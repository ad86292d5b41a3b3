// The Argo Rollouts rules of deploy/'s managed-namespace Role are what the gates use: with all of it they work (argo-gates.test.ts); without
// any one grant, the step that needs it fails and the person in Slack is told which permission was refused.

import { readFileSync } from "node:fs";
import { CoreV1Api, CustomObjectsApi, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { argoRolloutsRules, type Grant, grantName, grants, without } from "../deploy/manifests.ts";
import { type RunningGraydesk, startTestGraydesk } from "../harness/graydesk.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { type SlackApiServer, type StoredMessage, startSlackApiServer } from "../harness/slack/index.ts";

const BOB = { id: "U0BOB", name: "bob" };
const GATES = "C0GATES";
const POLICY = new URL("../fixtures/controllers/policy.yaml", import.meta.url).pathname;
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/controllers/argo/${name}`, import.meta.url), "utf8");
const MERGE = setHeaderOptions("Content-Type", "application/merge-patch+json");
const where = { group: "argoproj.io", version: "v1alpha1", namespace: "shop", plural: "rollouts" };
const rules = argoRolloutsRules("shop");

type Outcome =
  /** The gates still work, with less: what they do instead. */
  | { degrades: string }
  /** Approve is refused by the API server, and the approver is told so. */
  | { refusedAt: "approve" }
  /** No card: the gates cannot see the Rollouts. */
  | { refusedAt: "watching" };

const EXPECTED: Record<string, Outcome> = {
  "get rollouts.argoproj.io": { refusedAt: "approve" },
  "list rollouts.argoproj.io": { refusedAt: "watching" },
  "watch rollouts.argoproj.io": { degrades: "lists again every few seconds instead of watching" },
  // Needed only where the CLI unpauses the spec: the fixture Rollout here is paused through spec.paused too.
  "patch rollouts.argoproj.io": { refusedAt: "approve" },
  "patch rollouts/status.argoproj.io": { refusedAt: "approve" },
};

let kube: KubeTestServer;
let api: SlackApiServer;
let custom: CustomObjectsApi;

beforeAll(async () => {
  kube = await startKubeServer({ crds: ["argo-rollouts"] });
  const kc = kube.kubeConfig();
  custom = kc.makeApiClient(CustomObjectsApi);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "shop" } } });
  api = await startSlackApiServer();
  api.setUsers([BOB]);
});
afterAll(async () => {
  await api?.close();
  await kube?.close();
});

async function until<T>(read: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A Rollout paused at its first pause step, by the controller and by spec.paused, before Graydesk starts. */
async function pausedRollout(name: string): Promise<void> {
  const body = parse(fixture("rollout.yaml")) as {
    metadata: { name: string };
    spec: Record<string, unknown>;
  };
  body.metadata.name = name;
  body.spec.paused = true;
  await custom.createNamespacedCustomObject({ ...where, body });
  const status = JSON.parse(fixture("status-paused.json")) as Record<string, unknown>;
  await custom.patchNamespacedCustomObjectStatus({ ...where, name, body: { status } }, MERGE);
}

const cardOf = (name: string): StoredMessage | undefined => {
  const found = api.messages(GATES).find((m) => JSON.stringify(m.blocks ?? []).includes(`shop/${name}*`));
  return found ? (api.message(GATES, found.ts) as StoredMessage) : undefined;
};

describe("without one Argo Rollouts grant of the managed-namespace Role", () => {
  it("names every Argo Rollouts grant of the Role here", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(grants(rules).map(grantName).sort());
  });

  it.each(grants(rules).map((g) => [grantName(g), g] as const))("%s", async (name, grant: Grant) => {
    const expected = EXPECTED[name] as Outcome;
    const rollout = `ro-${name.split(" ")[0]}-${name.includes("status") ? "status" : "main"}`;
    await pausedRollout(rollout);
    const token = `argo-rbac-${rollout}`;
    await kube.setUser(token, { name: "graydesk", rules: without(rules, grant) });
    kube.resetRequests();
    let app: RunningGraydesk | undefined;
    try {
      app = await startTestGraydesk(api, { kubeconfig: kube.writeKubeconfig(token), policyFile: POLICY });
      const refused = () =>
        kube.requests.filter((r) => r.status === 403 && r.verb === grant.verb && r.resource === "rollouts");
      if ("refusedAt" in expected && expected.refusedAt === "watching") {
        await until(() => (refused().length > 0 ? true : undefined));
        await new Promise((r) => setTimeout(r, 300));
        expect(cardOf(rollout)).toBeUndefined();
        return;
      }
      const card = await until(() => cardOf(rollout));
      const blockId = (card.blocks as { block_id: string; type: string }[]).find(
        (b) => b.type === "actions" && b.block_id.startsWith("gated_request_actions"),
      )?.block_id as string;
      await app.slack.clickButton(card, "gated_approve", { user: BOB, blockId });
      if ("degrades" in expected) {
        const request = await until(() =>
          Object.values(app?.graydesk.store.data().approvals ?? {}).find(
            (r) => r.releaseId === `argo-rollouts/shop/${rollout}` && r.state === "applied",
          ),
        );
        expect(request).toBeDefined();
        expect(refused().length).toBeGreaterThan(0);
        return;
      }
      const answer = await until(() =>
        api
          .ephemerals(BOB.id)
          .find(
            (e) => String(e.text).includes(`forbidden: ${grant.verb} `) && String(e.text).includes(rollout),
          ),
      );
      expect(String(answer.text)).toContain(
        `cannot ${grant.verb} resource "${grant.resource}" in API group "argoproj.io"`,
      );
      expect(refused().length).toBeGreaterThan(0);
    } finally {
      await app?.stop();
    }
  });
});
