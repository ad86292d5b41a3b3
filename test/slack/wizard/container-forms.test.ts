import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SlackReply } from "../../harness/slack/index.ts";
import { ALICE, startWorld, until, type World } from "../desk/world.ts";

type View = Record<string, unknown> & { id: string; blocks: { block_id?: string }[] };

let world: World;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => world.api.reset());

const latest = (id: string) => world.api.view(id) as unknown as View;
const updated = (view: View, reply: SlackReply): View => {
  const json = reply.json as { response_action?: string; view?: Record<string, unknown> };
  expect(json?.response_action).toBe("update");
  return { ...view, ...json.view, id: view.id } as View;
};
const waitFor = (id: string, containing: string) =>
  until(() => (JSON.stringify(latest(id)).includes(containing) ? latest(id) : undefined));

/** A blue-green wizard on bookinfo/reviews, at New Version Settings. */
async function atVersionStep(): Promise<View> {
  const { slack } = world.app;
  await slack.command("/release", "new blue-green", { user: ALICE });
  const opened = await world.api.waitFor("views.open");
  let view = latest((opened.response as { view: { id: string } }).view.id);
  view = updated(view, await slack.submitView(view, { wizard_name: { wizard_name: "reviews-bg" } }));
  await slack.choose(view, "wizard_namespace", "bookinfo");
  view = await waitFor(view.id, "wizard_service");
  await slack.choose(view, "wizard_service", "c:bookinfo/reviews");
  view = await waitFor(view.id, "wizard_service_info");
  return updated(view, await slack.submitView(view));
}

describe("describing containers in pushed forms", () => {
  it("starts from the current containers, adds one through a pushed form and keeps typed values", async () => {
    const { slack } = world.app;
    let view = await atVersionStep();
    await slack.choose(view, "wizard_containers_mode", "full");
    view = await waitFor(view.id, "wizard_container_list_0");
    expect(JSON.stringify(view)).toContain(
      "*reviews* · work · `docker.io/istio/examples-bookinfo-reviews-v1:1.20.3`",
    );

    await slack.clickButton(view, "wizard_add_container");
    const pushed = await world.api.waitFor("views.push");
    const form = latest((pushed.response as { view: { id: string } }).view.id);
    expect(form.callback_id).toBe("wizard_container");

    const bad = await slack.submitView(form, {
      wizard_container_image: { wizard_container_image: "docker.io/istio/proxy:1" },
      wizard_container_name: { wizard_container_name: "reviews" },
      wizard_ports: { wizard_ports: "HTTP web 9090" },
    });
    expect(bad.json).toEqual({
      response_action: "errors",
      errors: {
        wizard_container_name: "Container name reviews is already used in this pod.",
        wizard_ports:
          "Port 1: Port name must start with the protocol, e.g. http-web, so the mesh can govern it.",
      },
    });
    const good = await slack.submitView(form, {
      wizard_container_image: { wizard_container_image: "docker.io/istio/proxy:1" },
      wizard_container_name: { wizard_container_name: "proxy" },
      wizard_ports: { wizard_ports: "HTTP http-proxy 9090" },
    });
    expect(good.status).toBe(200);
    expect(good.body).toBe("");
    view = await waitFor(view.id, "wizard_container_list_1");
    expect(JSON.stringify(view)).toContain("*proxy* · work · `docker.io/istio/proxy:1`");

    // Remove the copy of the current container, then go on: the version number typed earlier is still there.
    await slack.choose(view, "wizard_edit_container", "remove:0", { blockId: "wizard_container_list_0" });
    view = await until(() => {
      const v = latest(view.id);
      return JSON.stringify(v).includes("wizard_container_list_1") ? undefined : v;
    });
    expect(JSON.stringify(view)).not.toContain("*reviews* · work");
    const next = await slack.submitView(view, { wizard_version: { wizard_version: "v2" } });
    view = updated(view, next);
    expect(JSON.stringify(view)).toContain("wizard_serve");
    world.api.expectNoViolations();
  });

  it("opens the advanced settings of a container and checks env references against the namespace", async () => {
    const { slack } = world.app;
    let view = await atVersionStep();
    await slack.choose(view, "wizard_containers_mode", "full");
    view = await waitFor(view.id, "wizard_container_list_0");
    await slack.choose(view, "wizard_edit_container", "advanced:0", { blockId: "wizard_container_list_0" });
    const pushed = await world.api.waitFor("views.push");
    const form = latest((pushed.response as { view: { id: string } }).view.id);
    expect(form.callback_id).toBe("wizard_advanced");
    // The namespace's ConfigMaps and Secrets are read once the form is open.
    await until(() => world.app.graydesk.deps.inFlight.size === 0);
    const bad = await slack.submitView(form, {
      wizard_env: { wizard_env: "LOG_LEVEL=debug\nDB_PASSWORD=secret:database/password" },
      wizard_probe_liveness: { wizard_probe_liveness: "http /healthz 9080" },
      wizard_probe_timing_liveness: { wizard_probe_timing_liveness: "success=2" },
      wizard_cap_add: { wizard_cap_add: "CAP_NET_ADMIN" },
    });
    expect(bad.json).toEqual({
      response_action: "errors",
      errors: {
        wizard_probe_timing_liveness: "The success threshold of a liveness check must be 1.",
        wizard_cap_add: "Leave out the CAP_ prefix: write NET_ADMIN.",
        wizard_env: "DB_PASSWORD: There is no Secret database in this project.",
      },
    });
    const good = await slack.submitView(form, {
      wizard_probe_liveness: { wizard_probe_liveness: "http /healthz 9080" },
      wizard_probe_timing_liveness: { wizard_probe_timing_liveness: "period=10 failure=3" },
    });
    expect(good.body).toBe("");
    await world.api.waitFor(
      "views.update",
      (c) => c.args.view_id === view.id && JSON.stringify(c.args).includes("container_list"),
    );
    world.api.expectNoViolations();
  });
});
