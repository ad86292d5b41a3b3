// Finding 1: through the wizard an outsider asked for a privileged root container with SYS_ADMIN, env from
// another Secret and from a ServiceAccount token Secret, and the node's /etc/localtime — and got it. The pod-spec
// guard refuses it before anything is written, naming each field and rule; the one-line form likewise.
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SlackReply } from "../harness/slack/index.ts";
import { ALICE, startWorld, until, virtualServiceWrites, type World } from "../slack/desk/world.ts";

type View = Record<string, unknown> & { id: string; blocks: { block_id?: string }[] };

let world: World;

beforeAll(async () => {
  world = await startWorld();
  const core = world.kube.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedSecret({
    namespace: "bookinfo",
    body: { metadata: { name: "payments-db" }, type: "Opaque", data: { password: "aHVudGVyMg==" } },
  });
  await core.createNamespacedSecret({
    namespace: "bookinfo",
    body: {
      metadata: { name: "deployer-token", annotations: { "kubernetes.io/service-account.name": "deployer" } },
      type: "kubernetes.io/service-account-token",
      data: { token: "dG9rZW4=" },
    },
  });
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
  until(() => (JSON.stringify(latest(id)).includes(containing) ? latest(id) : undefined), 10_000);

async function nothingWritten(writesBefore: number): Promise<void> {
  expect(world.app.graydesk.deps.desk.jobs("bookinfo")).toEqual([]);
  const apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
  const names = (await apps.listNamespacedDeployment({ namespace: "bookinfo" })).items.map(
    (d) => d.metadata?.name,
  );
  expect(names).not.toContain("reviews-v2");
  expect(virtualServiceWrites(world.kube)).toBe(writesBefore);
}

describe("finding 1: a new version asking for more than the stable one", () => {
  it("the wizard's attack is refused inline when the container is saved, each field named with its rule", async () => {
    const { slack } = world.app;
    const writes = virtualServiceWrites(world.kube);
    await slack.command("/release", "new blue-green", { user: ALICE });
    const opened = await world.api.waitFor("views.open");
    let view = latest((opened.response as { view: { id: string } }).view.id);
    view = updated(view, await slack.submitView(view, { wizard_name: { wizard_name: "reviews-pwn" } }));
    await slack.choose(view, "wizard_namespace", "bookinfo");
    view = await waitFor(view.id, "wizard_service");
    await slack.choose(view, "wizard_service", "c:bookinfo/reviews");
    view = await waitFor(view.id, "wizard_service_info");
    view = updated(view, await slack.submitView(view));
    await slack.choose(view, "wizard_containers_mode", "full");
    view = await waitFor(view.id, "wizard_container_list_0");

    await slack.choose(view, "wizard_edit_container", "advanced:0", { blockId: "wizard_container_list_0" });
    const pushed = await world.api.waitFor("views.push");
    const form = latest((pushed.response as { view: { id: string } }).view.id);
    await until(() => world.app.graydesk.deps.inFlight.size === 0);
    const saved = await slack.submitView(form, {
      wizard_access: { wizard_access: ["privileged", "allowPrivilegeEscalation"] },
      wizard_run_as_user: { wizard_run_as_user: "0" },
      wizard_cap_add: { wizard_cap_add: "SYS_ADMIN" },
      wizard_env: {
        wizard_env: "DB_PASSWORD=secret:payments-db/password\nKUBE_TOKEN=secret:deployer-token/token",
      },
      wizard_timezone: { wizard_timezone: ["sync"] },
    });
    // Refused inline, on the form's own fields, each naming the field and the rule; the Opaque Secret passes.
    const errors = (saved.json as { response_action: string; errors: Record<string, string> }).errors;
    expect((saved.json as { response_action: string }).response_action).toBe("errors");
    const rule = "a new version may not have more privilege than the stable version";
    expect(errors.wizard_access).toContain(
      `containers[reviews].securityContext.privileged: runs privileged, which v1 does not have — ${rule}.`,
    );
    expect(errors.wizard_access).toContain(
      "containers[reviews].securityContext.allowPrivilegeEscalation: allows privilege escalation",
    );
    expect(errors.wizard_run_as_user).toBe(
      `containers[reviews].securityContext.runAsUser: runs as root (user 0), which v1 does not have — ${rule}.`,
    );
    expect(errors.wizard_cap_add).toContain(
      "containers[reviews].securityContext.capabilities.add[0]: adds the capability SYS_ADMIN",
    );
    expect(errors.wizard_env).toBe(
      "containers[reviews].env[KUBE_TOKEN].valueFrom.secretKeyRef.name: Secret deployer-token is a ServiceAccount token — a new version may not read ServiceAccount token Secrets.",
    );
    expect(errors.wizard_timezone).toContain(
      "volumes[host-time].hostPath: mounts /etc/localtime from the node",
    );
    expect(Object.keys(errors).sort()).toEqual([
      "wizard_access",
      "wizard_cap_add",
      "wizard_env",
      "wizard_run_as_user",
      "wizard_timezone",
    ]);
    await nothingWritten(writes);
    world.api.expectNoViolations();
  });

  it("/release new with an image from a registry the namespace does not use is refused, naming the field", async () => {
    const writes = virtualServiceWrites(world.kube);
    const reply = await world.app.slack.command(
      "/release",
      "new canary bookinfo/reviews version=v2 image=evil.example.com/pwn:1",
      { user: ALICE },
    );
    expect(reply.status).toBe(200);
    const answer = await world.api.waitFor("response_url", undefined, 10_000);
    expect(String(answer.args.text)).toBe(
      "The release job cannot be created: containers[reviews].image: evil.example.com is not one of this namespace's registries (docker.io) — images come only from the namespace's allowed registries.",
    );
    await nothingWritten(writes);
  });
});
