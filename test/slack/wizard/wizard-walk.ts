// The wizard walk of /release new canary, shared by the signed-HTTP and the Socket Mode runs.
import { AppsV1Api } from "@kubernetes/client-node";
import { expect } from "vitest";
import type { SlackReply } from "../../harness/slack/index.ts";
import { ACK_BOUND_MS } from "../../harness/slack/index.ts";
import { ALICE, approvalMessage, CHANNEL, until, type World } from "../desk/world.ts";

export const IMAGE = "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3";

export type View = Record<string, unknown> & { id: string; blocks: { block_id?: string }[] };

/** The view after a submission answered `response_action: update` (Slack swaps it in place, same id). */
function updated(view: View, reply: SlackReply): View {
  const json = reply.json as { response_action?: string; view?: Record<string, unknown> };
  expect(json?.response_action).toBe("update");
  return { ...view, ...json.view, id: view.id } as View;
}

export const latestView = (world: World, id: string) => world.api.view(id) as unknown as View;
const blockIds = (view: View) => view.blocks.map((b) => b.block_id);
const element = (view: View, blockId: string) =>
  (view.blocks.find((b) => b.block_id === blockId) as { element?: Record<string, unknown> })?.element ?? {};

async function waitForUpdate(world: World, id: string, containing: string): Promise<View> {
  return until(() => {
    const view = latestView(world, id);
    return JSON.stringify(view).includes(containing) ? view : undefined;
  });
}

/**
 * Walks the four tabs as Alice: corrects a name and a version inline, keeps values on Back, picks the namespace
 * and service from the cluster's suggestions (the detected traffic router shown), and creates the job, whose
 * first 23 % waits for approval.
 */
export async function walkWizardToJob(world: World): Promise<void> {
  const { slack } = world.app;
  const reply = await slack.command("/release", "new canary", { user: ALICE });
  expect(reply.ackMs).toBeLessThan(ACK_BOUND_MS);
  const opened = await world.api.waitFor("views.open");
  expect(opened.args.trigger_id).toBe(reply.triggerId);
  let view = latestView(world, (opened.response as { view: { id: string } }).view.id);
  expect(blockIds(view)).toContain("wizard_name");

  // Basic Information: a bad name comes back on the field, with the seed's rule.
  let submitted = await slack.submitView(
    view,
    { wizard_name: { wizard_name: "Reviews_Canary" } },
    { user: ALICE },
  );
  expect(submitted.ackMs).toBeLessThan(ACK_BOUND_MS);
  expect(submitted.json).toEqual({
    response_action: "errors",
    errors: {
      wizard_name:
        "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit.",
    },
  });
  submitted = await slack.submitView(
    view,
    { wizard_name: { wizard_name: "reviews-canary" } },
    { user: ALICE },
  );
  view = updated(view, submitted);

  // Service Settings: namespace and service come from the cluster as the user types.
  const namespaces = await slack.suggest(view, "wizard_namespace", "book", { user: ALICE });
  expect(namespaces.ackMs).toBeLessThan(ACK_BOUND_MS);
  expect(JSON.stringify(namespaces.json)).toContain('"value":"bookinfo"');
  await slack.choose(view, "wizard_namespace", "bookinfo", { user: ALICE });
  view = await waitForUpdate(world, view.id, "wizard_service");
  const services = await slack.suggest(view, "wizard_service", "rev", { user: ALICE });
  const groups = (
    services.json as { option_groups: { options: { value: string; text: { text: string } }[] }[] }
  ).option_groups;
  const reviews = groups.flatMap((g) => g.options).find((o) => o.value.endsWith("/reviews"));
  expect(reviews?.text.text).toBe("reviews — v1 ×1");
  await slack.choose(view, "wizard_service", reviews, { user: ALICE });
  view = await waitForUpdate(world, view.id, "wizard_service_info");
  expect(JSON.stringify(view)).toContain("`v1` 1/1 ready");
  expect(JSON.stringify(view)).toContain("Istio VirtualService (detected)");
  view = updated(view, await slack.submitView(view, {}, { user: ALICE }));

  // New Version Settings: v1 is taken; the inline error says so, then v2 goes through.
  expect(blockIds(view)).toEqual(
    expect.arrayContaining(["wizard_version", "wizard_replicas", "wizard_image_0"]),
  );
  submitted = await slack.submitView(
    view,
    { wizard_version: { wizard_version: "v1" }, wizard_image_0: { wizard_image_0: IMAGE } },
    { user: ALICE },
  );
  expect(submitted.json).toEqual({
    response_action: "errors",
    errors: { wizard_version: "Version v1 is already deployed; choose another version number." },
  });
  submitted = await slack.submitView(
    view,
    { wizard_version: { wizard_version: "v2" }, wizard_image_0: { wizard_image_0: IMAGE } },
    { user: ALICE },
  );
  view = updated(view, submitted);
  expect(blockIds(view)).toContain("wizard_canary_by");

  // Back keeps what was entered on the tab left behind.
  await slack.clickButton(view, "wizard_back", { user: ALICE });
  view = await waitForUpdate(world, view.id, "wizard_version");
  expect(element(view, "wizard_version").initial_value).toBe("v2");
  expect(element(view, "wizard_image_0").initial_value).toBe(IMAGE);
  view = updated(view, await slack.submitView(view, {}, { user: ALICE }));

  // Strategy Settings: any whole percent, the same rule as /release shift.
  submitted = await slack.submitView(view, { wizard_percent: { wizard_percent: "101" } }, { user: ALICE });
  expect(submitted.json).toEqual({
    response_action: "errors",
    errors: { wizard_percent: "Traffic shares are whole percentages from 0 to 100." },
  });
  submitted = await slack.submitView(view, { wizard_percent: { wizard_percent: "23" } }, { user: ALICE });
  expect(submitted.ackMs).toBeLessThan(ACK_BOUND_MS);
  view = updated(view, submitted);
  expect(JSON.stringify(view)).toContain("Creating release job *reviews-canary*");

  const outcomes = () =>
    world.api.callsTo("views.update").filter((c) => JSON.stringify(c.args).includes("Release created"));
  const done = await until(
    () => outcomes().find((c) => JSON.stringify(c.args).includes("Asked for approval")),
    10_000,
  );
  expect(JSON.stringify(outcomes()[0]?.args)).toContain("Once it is ready, Graydesk asks for approval");
  expect(JSON.stringify(done.args)).toContain("Asked for approval to send 77 % to v1, 23 % to v2");
  const job = world.app.graydesk.deps.desk.jobs("bookinfo").find((j) => j.name === "reviews-canary");
  expect(job).toMatchObject({ strategy: "canary", stableVersion: "v1", newVersion: { version: "v2" } });
  const apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
  const deployment = await until(() =>
    apps.readNamespacedDeployment({ name: "reviews-v2", namespace: "bookinfo" }),
  );
  expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(IMAGE);
  // The card is in the channel the command came from; the 23 % waits for approval.
  const card = world.api.messages(CHANNEL).find((m) => JSON.stringify(m.blocks).includes("job_card_title"));
  expect(card).toBeDefined();
  const approval = approvalMessage(world.api);
  expect(JSON.stringify(approval?.blocks)).toContain("23");
  world.api.expectNoViolations();
}
