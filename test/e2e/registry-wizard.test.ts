// Seed 001's private registry in the wizard, against real registries (Debian's docker-registry, one behind token
// auth, one behind basic auth) with images pushed through their HTTP API: the image search suggests tags from the
// registry, the chosen pull Secret's login reaches the private one, "Use Default Port of Images" fills the ports from
// the image config, and the new version pulls its private image with the Secret.
import { writeFileSync } from "node:fs";
import { type AddressInfo, createServer, type Server } from "node:net";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, type V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dockerConfigJson, type RunningRegistry, startRegistry } from "../harness/registry/index.ts";
import { ACK_BOUND_MS, type SlackReply } from "../harness/slack/index.ts";
import { tempDir } from "../harness/temp-dir.ts";
import { ALICE, CAROL, startWorld, until, type World } from "../slack/desk/world.ts";

type Block = { block_id?: string; element?: Record<string, unknown> };
type View = Record<string, unknown> & { id: string; hash?: string; blocks: Block[] };
type Options = { options: { text: { text: string }; value: string }[] };

let world: World;
let team: RunningRegistry;
let basic: RunningRegistry;
let apps: AppsV1Api;
let silent: Server;
let silentHost: string;

beforeAll(async () => {
  [team, basic] = await Promise.all([startRegistry({ auth: "token" }), startRegistry({ auth: "basic" })]);
  // A registry host that accepts connections and never answers.
  silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  silentHost = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
  await team.push({ repository: "bookinfo/ratings", tag: "1.20.3", exposedPorts: ["9080/tcp"] });
  await team.push({ repository: "bookinfo/ratings", tag: "2.0.0", exposedPorts: ["9080/tcp", "9464/tcp"] });
  await team.push({ repository: "bookinfo/reviews", tag: "2.0.0", exposedPorts: ["9080/tcp"] });
  await basic.push({
    repository: "bookinfo/ratings",
    tag: "3.0.0",
    exposedPorts: ["9080/tcp"],
    format: "docker",
  });
  const policy = join(tempDir("graydesk-registry-policy-"), "policy.yaml");
  writeFileSync(
    policy,
    [
      // New versions deploy at once here: this test is about images and registries.
      "defaults: { approveNewVersions: false }",
      "namespaces:",
      "  bookinfo:",
      "    requesters: { users: [U0ALICE, U0BOB] }",
      "    approvers: { users: [U0BOB] }",
      `    allowedRegistries: ["${team.host}", "${basic.host}", "${silentHost}"]`,
      "",
    ].join("\n"),
  );
  world = await startWorld({ policyFile: policy });
  apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
  const core = world.kube.kubeConfig().makeApiClient(CoreV1Api);
  const pullSecret = (name: string, config: string) =>
    core.createNamespacedSecret({
      namespace: "bookinfo",
      body: {
        metadata: { name },
        type: "kubernetes.io/dockerconfigjson",
        data: { ".dockerconfigjson": Buffer.from(config).toString("base64") },
      },
    });
  await pullSecret("team-registry", dockerConfigJson(team));
  await pullSecret("basic-registry", dockerConfigJson(basic));
  await pullSecret(
    "stale-login",
    dockerConfigJson({ host: team.host, login: { username: "old", password: "x" } }),
  );
  await core.createNamespacedSecret({
    namespace: "bookinfo",
    body: {
      metadata: { name: "db" },
      type: "Opaque",
      data: { password: Buffer.from("p").toString("base64") },
    },
  });
});
beforeEach(() => world.api.reset());
afterAll(async () => {
  silent?.close();
  await world?.close();
  await Promise.all([team?.close(), basic?.close()]);
});

const latest = (id: string) => world.api.view(id) as unknown as View;
const updated = (view: View, reply: SlackReply): View => {
  const json = reply.json as { response_action?: string; view?: Record<string, unknown> };
  expect(json?.response_action).toBe("update");
  return { ...view, ...json.view, id: view.id } as View;
};
const waitFor = (id: string, containing: string) =>
  until(() => (JSON.stringify(latest(id)).includes(containing) ? latest(id) : undefined), 20_000);
const block = (view: View, prefix: string) =>
  view.blocks.find((b) => b.block_id === prefix || b.block_id?.startsWith(`${prefix}~`));
/** The form as Slack sends it after the person picked `value` in a select (the harness reads the view's choices). */
const picked = (view: View, blockId: string, value: string): View => ({
  ...view,
  blocks: view.blocks.map((b) =>
    b.block_id === blockId
      ? {
          ...b,
          element: { ...b.element, initial_option: { text: { type: "plain_text", text: value }, value } },
        }
      : b,
  ),
});
const values = (reply: SlackReply) => (reply.json as Options).options.map((o) => o.value);
const texts = (reply: SlackReply) => (reply.json as Options).options.map((o) => o.text.text);

/** A blue-green wizard on bookinfo/ratings at "Describe the containers", with the ratings container's form open. */
async function ratingsForm(job: string): Promise<{ wizard: View; form: View }> {
  const { slack } = world.app;
  await slack.command("/release", "new blue-green", { user: ALICE });
  const opened = await world.api.waitFor("views.open");
  let view = latest((opened.response as { view: { id: string } }).view.id);
  view = updated(view, await slack.submitView(view, { wizard_name: { wizard_name: job } }, { user: ALICE }));
  await slack.choose(view, "wizard_namespace", "bookinfo", { user: ALICE });
  view = await waitFor(view.id, "wizard_service");
  await slack.choose(view, "wizard_service", "c:bookinfo/ratings", { user: ALICE });
  view = await waitFor(view.id, "wizard_service_info");
  view = updated(view, await slack.submitView(view, {}, { user: ALICE }));
  await slack.choose(view, "wizard_containers_mode", "full", { user: ALICE });
  view = await waitFor(view.id, "wizard_container_list_0");
  await slack.choose(view, "wizard_edit_container", "edit:0", {
    blockId: "wizard_container_list_0",
    user: ALICE,
  });
  const push = await world.api.waitFor("views.push", (c) =>
    JSON.stringify(c.args.view).includes('"callback_id":"wizard_container"'),
  );
  await until(() => world.app.graydesk.deps.inFlight.size === 0);
  return { wizard: view, form: latest((push.response as { view: { id: string } }).view.id) };
}

describe("the container form with a private registry", () => {
  it("offers the project's image pull Secrets, and only those", async () => {
    const { form } = await ratingsForm("ratings-secrets");
    const reply = await world.app.slack.suggest(form, "wizard_pull_secret", "", { user: ALICE });
    expect(reply.ackMs).toBeLessThan(ACK_BOUND_MS);
    expect(values(reply)).toEqual(["basic-registry", "stale-login", "team-registry"]);
    const typed = await world.app.slack.suggest(form, "wizard_pull_secret", "team", { user: ALICE });
    expect(values(typed)).toEqual(["team-registry"]);
    // Someone who may not create jobs in bookinfo learns nothing of its Secrets or its registries.
    for (const id of ["wizard_pull_secret", "wizard_container_image"]) {
      const refused = await world.app.slack.suggest(
        picked(form, "wizard_pull_secret", "team-registry"),
        id,
        "",
        {
          user: CAROL,
        },
      );
      expect(refused.json).toEqual({ options: [] });
    }
  });

  it("suggests images and tags from the registry behind token auth, with the chosen Secret's login", async () => {
    const { form } = await ratingsForm("ratings-search");
    const withSecret = picked(form, "wizard_pull_secret", "team-registry");
    const browse = await world.app.slack.suggest(withSecret, "wizard_container_image", "", { user: ALICE });
    expect(browse.ackMs).toBeLessThan(ACK_BOUND_MS);
    expect(values(browse)).toEqual([
      `${team.host}/bookinfo/ratings:2.0.0`,
      `${team.host}/bookinfo/ratings:1.20.3`,
      `${team.host}/bookinfo/reviews:2.0.0`,
    ]);
    const tags = await world.app.slack.suggest(withSecret, "wizard_container_image", "bookinfo/ratings:2", {
      user: ALICE,
    });
    // What was typed comes first (it is a reference Docker Hub could serve), then the registry's matching tag.
    expect(values(tags)).toEqual(["bookinfo/ratings:2", `${team.host}/bookinfo/ratings:2.0.0`]);
    expect(team.tokens?.issued).toBeGreaterThan(0);
  });

  it("says what went wrong as an option: no login, a refused login, a registry outside the namespace's", async () => {
    const { form } = await ratingsForm("ratings-notes");
    const { slack } = world.app;
    const noLogin = await slack.suggest(form, "wizard_container_image", `${team.host}/bookinfo/ratings:`, {
      user: ALICE,
    });
    expect(texts(noLogin).at(-1)).toBe(`${team.host} needs a login: choose its image pull Secret.`);
    expect(values(noLogin).at(-1)).toBe("#note");
    const stale = await slack.suggest(
      picked(form, "wizard_pull_secret", "stale-login"),
      "wizard_container_image",
      "",
      {
        user: ALICE,
      },
    );
    expect(texts(stale)).toEqual([`${team.host} refused the registry login.`]);
    const elsewhere = await slack.suggest(form, "wizard_container_image", "registry.example.com/x:", {
      user: ALICE,
    });
    expect(texts(elsewhere).at(-1)).toContain(
      "registry.example.com is not one of this namespace's registries",
    );
    // The basic-auth registry with its own Secret.
    const viaBasic = await slack.suggest(
      picked(form, "wizard_pull_secret", "basic-registry"),
      "wizard_container_image",
      "rat",
      {
        user: ALICE,
      },
    );
    expect(values(viaBasic)).toEqual(["rat", `${basic.host}/bookinfo/ratings:3.0.0`]);
  });

  it("answers the options in time when the registry never does: a note instead of images", async () => {
    const { form } = await ratingsForm("ratings-silent");
    const reply = await world.app.slack.suggest(form, "wizard_container_image", `${silentHost}/app:`, {
      user: ALICE,
    });
    // The search gives up 1.2 s after the request arrived, inside the receiver's 2 s and Slack's 3 s (the bound here
    // is the tests' generous one).
    expect(reply.ackMs).toBeLessThan(ACK_BOUND_MS);
    expect(texts(reply)).toEqual([expect.stringMatching(/did not answer in time/)]);
    expect(values(reply)).toEqual(["#note"]);
  });

  it("refuses, inline and in the seed's words, a Secret that is no image pull Secret of the project", async () => {
    const { form } = await ratingsForm("ratings-refused");
    const saved = await world.app.slack.submitView(
      form,
      {
        wizard_pull_secret: { wizard_pull_secret: "db" },
        wizard_container_image: { wizard_container_image: `${team.host}/bookinfo/ratings:2.0.0` },
      },
      { user: ALICE },
    );
    expect(saved.json).toEqual({
      response_action: "errors",
      errors: {
        wizard_pull_secret:
          "There is no image pull Secret db in this project: create a Secret containing the information for the private image registry (kubernetes.io/dockerconfigjson), then select it.",
      },
    });
  });

  it("fills the default ports from the image config, and the new version pulls the private image with the Secret", async () => {
    const { wizard, form } = await ratingsForm("ratings-private");
    const { slack } = world.app;
    const image = `${team.host}/bookinfo/ratings:2.0.0`;
    const chosen = picked(
      picked(form, "wizard_pull_secret", "team-registry"),
      "wizard_container_image",
      image,
    );
    await slack.clickButton(chosen, "wizard_default_ports", { user: ALICE });
    const filled = await waitFor(form.id, "tcp-9464");
    // The ports field is redrawn under a new block id, so Slack shows the new value; the running http port stays.
    expect(block(filled, "wizard_ports")?.block_id).toBe("wizard_ports~2");
    expect(block(filled, "wizard_ports")?.element?.initial_value).toBe("HTTP http 9080\nTCP tcp-9464 9464");
    const saved = await slack.submitView(
      filled,
      {
        wizard_pull_secret: { wizard_pull_secret: "team-registry" },
        wizard_container_image: { wizard_container_image: image },
      },
      { user: ALICE },
    );
    expect(saved.body).toBe("");
    const view = await waitFor(wizard.id, image);
    const next = updated(
      view,
      await slack.submitView(view, { wizard_version: { wizard_version: "v2" } }, { user: ALICE }),
    );
    expect((await slack.submitView(next, {}, { user: ALICE })).status).toBe(200);
    const created: V1Deployment = await until(
      () => apps.readNamespacedDeployment({ name: "ratings-v2", namespace: "bookinfo" }),
      20_000,
    );
    const pod = created.spec?.template.spec;
    expect(pod?.containers[0]?.image).toBe(image);
    expect(pod?.imagePullSecrets).toEqual([{ name: "team-registry" }]);
    expect(pod?.containers[0]?.ports).toEqual([
      { name: "http", containerPort: 9080, protocol: "TCP" },
      { name: "tcp-9464", containerPort: 9464, protocol: "TCP" },
    ]);
    world.api.expectNoViolations();
  });
});
