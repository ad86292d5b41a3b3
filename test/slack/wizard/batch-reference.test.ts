// Seed 001's Batch Reference and volume mounts in the advanced container form: whole ConfigMaps and Secrets of the
// same project as envFrom, mounts of the pod's existing volumes; refusals inline in the seed's words.
import { AppsV1Api, CoreV1Api, type V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SlackReply } from "../../harness/slack/index.ts";
import { ALICE, startWorld, until, type World } from "../desk/world.ts";

type View = Record<string, unknown> & {
  id: string;
  blocks: { block_id?: string; element?: Record<string, unknown> }[];
};

let world: World;
let apps: AppsV1Api;

beforeAll(async () => {
  world = await startWorld();
  apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
  const core = world.kube.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({
    namespace: "bookinfo",
    body: { metadata: { name: "ratings-settings" }, data: { LOG_LEVEL: "debug" } },
  });
  await core.createNamespacedSecret({
    namespace: "bookinfo",
    body: {
      metadata: { name: "ratings-db" },
      type: "Opaque",
      data: { PASSWORD: Buffer.from("p").toString("base64") },
    },
  });
  const ratings = await apps.readNamespacedDeployment({ name: "ratings-v1", namespace: "bookinfo" });
  const spec = ratings.spec?.template.spec;
  if (!spec?.containers[0]) throw new Error("ratings-v1 has no container");
  spec.volumes = [{ name: "tmp", emptyDir: {} }];
  spec.containers[0].volumeMounts = [{ name: "tmp", mountPath: "/tmp" }];
  await apps.replaceNamespacedDeployment({ name: "ratings-v1", namespace: "bookinfo", body: ratings });
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
const element = (view: View, blockId: string) =>
  view.blocks.find((b) => b.block_id === blockId)?.element ?? {};

describe("Batch Reference and volume mounts", () => {
  it("shows the running mounts, refuses others' ConfigMaps and unknown volumes inline, and creates v2 with them", async () => {
    const { slack } = world.app;
    await slack.command("/release", "new blue-green", { user: ALICE });
    const opened = await world.api.waitFor("views.open");
    let view = latest((opened.response as { view: { id: string } }).view.id);
    view = updated(view, await slack.submitView(view, { wizard_name: { wizard_name: "ratings-batch" } }));
    await slack.choose(view, "wizard_namespace", "bookinfo");
    view = await waitFor(view.id, "wizard_service");
    await slack.choose(view, "wizard_service", "c:bookinfo/ratings");
    view = await waitFor(view.id, "wizard_service_info");
    view = updated(view, await slack.submitView(view));
    await slack.choose(view, "wizard_containers_mode", "full");
    view = await waitFor(view.id, "wizard_container_list_0");
    await slack.choose(view, "wizard_edit_container", "advanced:0", { blockId: "wizard_container_list_0" });
    const push = await world.api.waitFor("views.push", (c) =>
      JSON.stringify(c.args.view).includes('"callback_id":"wizard_advanced"'),
    );
    const form = latest((push.response as { view: { id: string } }).view.id);
    await until(() => world.app.graydesk.deps.inFlight.size === 0);
    expect(element(form, "wizard_mounts").initial_value).toBe("tmp /tmp");

    const refused = await slack.submitView(form, {
      wizard_env_from: { wizard_env_from: "configmap:ratings-settings\nconfigmap:shared/settings" },
      wizard_mounts: { wizard_mounts: "tmp /tmp\ndata /data" },
    });
    expect(refused.json).toEqual({
      response_action: "errors",
      errors: {
        wizard_env_from:
          "ConfigMap shared/settings: the ConfigMap or Secret to be referenced must belong to the same project as the container.",
        wizard_mounts: "The pod has no volume data; a container may mount one of its volumes (tmp).",
      },
    });
    const missing = await slack.submitView(form, { wizard_env_from: { wizard_env_from: "secret:gone" } });
    expect((missing.json as { errors?: Record<string, string> }).errors?.wizard_env_from).toBe(
      "There is no Secret gone in this project: the ConfigMap or Secret to be referenced must belong to the same project as the container.",
    );

    const saved = await slack.submitView(form, {
      wizard_env_from: { wizard_env_from: "configmap:ratings-settings\nsecret:ratings-db" },
      wizard_mounts: { wizard_mounts: "tmp /tmp\ntmp /var/cache ro sub=cache" },
    });
    expect(saved.body).toBe("");
    await until(() => world.app.graydesk.deps.inFlight.size === 0);
    view = latest(view.id);
    const next = updated(view, await slack.submitView(view, { wizard_version: { wizard_version: "v2" } }));
    expect((await slack.submitView(next)).status).toBe(200);
    const created: V1Deployment = await until(
      () => apps.readNamespacedDeployment({ name: "ratings-v2", namespace: "bookinfo" }),
      10_000,
    );
    const container = created.spec?.template.spec?.containers[0];
    expect(container?.envFrom).toEqual([
      { configMapRef: { name: "ratings-settings" } },
      { secretRef: { name: "ratings-db" } },
    ]);
    expect(container?.volumeMounts).toEqual([
      { name: "tmp", mountPath: "/tmp" },
      { name: "tmp", mountPath: "/var/cache", readOnly: true, subPath: "cache" },
    ]);
    world.api.expectNoViolations();
  });
});
