// Finding 6: a header condition named `__proto__` was shown to the approver but vanished when the match was built,
// so the approved route sent all traffic to v2. Conditions are data now: the route carries the header and the
// mesh routes exactly as the approval said — only requests with that header reach v2.
import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MeshSimulator } from "../harness/mesh/simulator.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  startWorldWithReviewsJob,
  until,
  type World,
} from "../slack/desk/world.ts";

let world: World;

beforeAll(async () => {
  world = await startWorldWithReviewsJob("reviews-proto");
});
afterAll(async () => {
  await world?.close();
});

/** Request headers as data: an object literal's `__proto__` key would set the prototype instead. */
const headers = (entries: [string, string][]) => Object.fromEntries(entries);

describe("finding 6: a header named __proto__", () => {
  it("is routed exactly as the approval request summarised it", async () => {
    await world.app.slack.command("/release", "shift reviews-proto header:__proto__=1", { user: ALICE });
    const request = await until(() => approvalMessage(world.api));
    const shown = JSON.stringify(request.blocks);
    expect(shown).toContain("requests with header __proto__ = 1 → v2, others → v1");

    await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
    const api = world.kube.kubeConfig().makeApiClient(CustomObjectsApi);
    const vs = await until(async () => {
      const found = (await api.getNamespacedCustomObject({
        group: "networking.istio.io",
        version: "v1",
        namespace: "bookinfo",
        plural: "virtualservices",
        name: "reviews",
      })) as { spec: { http: { match?: { headers?: Record<string, unknown> }[] }[] } };
      return found.spec.http.some((route) => route.match) ? found : undefined;
    });
    const match = vs.spec.http.find((route) => route.match)?.match?.[0];
    expect(Object.keys(match?.headers ?? {})).toEqual(["__proto__"]);

    const mesh = new MeshSimulator({
      kubeConfig: world.kube.kubeConfig(),
      namespaces: ["bookinfo"],
      seed: 6,
    });
    await mesh.refresh();
    const send = (entries: [string, string][]) =>
      mesh.sendMany(200, { service: "reviews", namespace: "bookinfo", headers: headers(entries) }).byVersion;
    expect(send([["__proto__", "1"]])).toEqual({ v2: 200 });
    expect(send([])).toEqual({ v1: 200 });
    expect(send([["__proto__", "2"]])).toEqual({ v1: 200 });
    expect(send([["x-other", "1"]])).toEqual({ v1: 200 });
    await mesh.close();
  });
});
