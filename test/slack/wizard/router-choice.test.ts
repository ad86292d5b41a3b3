// The user chooses the traffic router: `router=` in the one-line /release new and a select on the wizard's
// service step, the detected default shown; a router the cluster cannot offer is refused with words.
import { describe, expect, it } from "vitest";
import { ids } from "../../../views/ids.ts";
import { buildServiceStep, parseServiceStep } from "../../../views/wizard/service-step.ts";
import type { WizardState } from "../../../views/wizard/state.ts";
import { ALICE, startWorld } from "../desk/world.ts";

const IMAGE = "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3";

async function oneLine(world: Awaited<ReturnType<typeof startWorld>>, text: string): Promise<string> {
  world.api.reset();
  await world.app.slack.command("/release", text, { user: ALICE });
  return String((await world.api.waitFor("response_url", undefined, 10_000)).args.text);
}

describe("router= in the one-line /release new", () => {
  it("uses KubeSphere's Strategy when asked, though Istio is detected first", async () => {
    const world = await startWorld({ server: { crds: ["istio", "kubesphere"] } });
    try {
      const answer = await oneLine(
        world,
        `new canary bookinfo/reviews version=v2 image=${IMAGE} router=kubesphere`,
      );
      expect(answer).toContain("split by KubeSphere grayscale Strategy");
      expect(
        world.app.graydesk.deps.desk.findJob({ namespace: "bookinfo", name: "reviews-v2" })?.router,
      ).toBe("kubesphere");
    } finally {
      await world.close();
    }
  });

  it("refuses a router this cluster cannot offer, saying which it can", async () => {
    const world = await startWorld();
    try {
      expect(
        await oneLine(world, `new canary bookinfo/reviews version=v2 image=${IMAGE} router=kubesphere`),
      ).toMatch(
        /^`router=kubesphere`: reviews cannot be split by KubeSphere grayscale Strategy in this cluster; it can use `istio` or `replicas`\./,
      );
      const answer = await oneLine(
        world,
        `new canary bookinfo/reviews version=v2 image=${IMAGE} router=replicas`,
      );
      expect(answer).toContain("split by replica counts (no mesh)");
    } finally {
      await world.close();
    }
  });
});

describe("the wizard's service step", () => {
  const state: WizardState = {
    step: "service",
    channel: "C0RELEASES",
    strategy: "canary",
    namespace: "bookinfo",
    app: "bookinfo",
    service: "reviews",
    stable: {
      versions: [{ version: "v1", replicas: 1, readyReplicas: 1 }],
      containers: [{ name: "reviews", image: "reviews:1" }],
      routers: ["istio", "kubesphere", "replicas"],
    },
  };
  const values = (router: string) => ({
    [ids.wizard.namespace]: { [ids.wizard.namespace]: { selected_option: { value: "bookinfo" } } },
    [ids.wizard.service]: { [ids.wizard.service]: { selected_option: { value: "c:bookinfo/reviews" } } },
    [ids.wizard.router]: { [ids.wizard.router]: { selected_option: { value: router } } },
  });

  it("offers the routers this service can use, the detected one first and chosen until changed", () => {
    const view = JSON.stringify(buildServiceStep(state));
    expect(view).toContain('"block_id":"wizard_router"');
    expect(view).toContain("Istio VirtualService (detected)");
    expect(view).toContain("KubeSphere grayscale Strategy");
    expect(view).not.toContain("Gateway API");
    const chosen = parseServiceStep(values("kubesphere"), state);
    expect(chosen.errors).toEqual({});
    expect(chosen.state.router).toBe("kubesphere");
  });

  it("refuses a router the service cannot use", () => {
    const refused = parseServiceStep(values("gateway-api"), state);
    expect(refused.errors[ids.wizard.router]).toBe(
      "reviews cannot be split by Gateway API HTTPRoute here; choose `istio`, `kubesphere` or `replicas`.",
    );
  });
});
