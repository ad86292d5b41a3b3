import { AppsV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ACK_BOUND_MS } from "../../harness/slack/index.ts";
import { ALICE, approvalMessage, CHANNEL, startWorld, until, type World } from "../desk/world.ts";

let world: World;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => world.api.reset());

const IMAGE = "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3";

async function answerTo(text: string): Promise<string> {
  const reply = await world.app.slack.command("/release", text, { user: ALICE });
  expect(reply.status).toBe(200);
  expect(reply.ackMs).toBeLessThan(ACK_BOUND_MS);
  const answer = await world.api.waitFor("response_url", undefined, 10_000);
  return String(answer.args.text);
}

describe("/release new without settings opens the wizard", () => {
  it("asks for the release type first when none is given", async () => {
    await world.app.slack.command("/release", "new", { user: ALICE });
    const opened = await world.api.waitFor("views.open");
    expect(JSON.stringify(opened.args.view)).toContain('"block_id":"wizard_strategy"');
    expect(JSON.stringify(opened.args.view)).toContain("Traffic Mirroring");
    world.api.expectNoViolations();
  });

  it.each([["blue-green"], ["mirror"]])("starts at Basic Information for %s", async (strategy) => {
    await world.app.slack.command("/release", `new ${strategy}`, { user: ALICE });
    const opened = await world.api.waitFor("views.open");
    expect(JSON.stringify(opened.args.view)).toContain('"block_id":"wizard_name"');
  });
});

describe("/release new in one line", () => {
  it.each([
    [
      "new canry",
      "`canry` is not a release type; did you mean `canary`? Choose blue-green, canary or mirror.",
    ],
    ["new canary reviews version=v2", "Start with the service as `<namespace>/<service>`, not `reviews`."],
    [
      `new canary bookinfo/reviews version=v2 image=${IMAGE} weight=x`,
      "`weight=x`: give a whole percentage, e.g. weight=20.",
    ],
    [`new canary bookinfo/reviews image=${IMAGE}`, "Say which version this is, e.g. `version=v2`."],
  ])("%s → a usage error naming the argument, with an example", async (text, problem) => {
    const answer = await answerTo(text);
    expect(answer.slice(0, problem.length)).toBe(problem);
    expect(answer).toContain("Usage: `/release new");
    expect(answer).toContain("e.g. `/release new canary bookinfo/reviews version=v2");
  });

  it.each([
    [
      `new canary bookinfo/reviews version=v1 image=${IMAGE}`,
      "`version=`: Version v1 is already deployed; choose another version number.",
    ],
    [
      `new canary bookinfo/reviews version=V2 image=${IMAGE}`,
      "`version=`: Version numbers use lowercase letters and digits only, e.g. v2.",
    ],
    [
      "new canary bookinfo/reviews version=v2 image=Reviews:2",
      "`image=`: Image repository names must be lowercase.",
    ],
    [
      `new canary bookinfo/reviews version=v2 image=${IMAGE} replicas=0`,
      "`replicas=`: Replicas are a whole number from 1 to 100.",
    ],
    [
      `new canary bookinfo/reviews version=v2 image=${IMAGE} name=Reviews`,
      "`name=`: Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit.",
    ],
    [
      `new canary bookinfo/reviews version=v2 image=${IMAGE} weight=120`,
      "`weight=120`: Traffic shares are whole percentages from 0 to 100.",
    ],
    [
      `new canary bookinfo/reviews version=v2 image=${IMAGE} header:x-canary~=(?=a)`,
      "`header:x-canary~=(?=a)`: Lookahead and lookbehind like (?=…) are not supported by the mesh (RE2).",
    ],
    [
      `new canary bookinfo/nothing version=v2 image=${IMAGE}`,
      "`bookinfo/nothing`: there is no service nothing in namespace bookinfo.",
    ],
  ])("%s → the domain's message, naming the argument", async (text, message) => {
    expect(await answerTo(text)).toBe(message);
    expect(world.app.graydesk.deps.desk.jobs("bookinfo")).toEqual([]);
  });

  it("creates the job at 0 %, posts its card and asks for approval of the weight", async () => {
    const answer = await answerTo(`new canary bookinfo/reviews version=v2 image=${IMAGE} weight=20`);
    expect(answer).toBe(
      "Release job *reviews-v2* created: reviews *v2* is being deployed beside *v1* with no traffic yet, split by Istio VirtualService. Asked for approval to send 80 % to v1, 20 % to v2; traffic moves once someone approves.",
    );
    const apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({ name: "reviews-v2", namespace: "bookinfo" });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(IMAGE);
    expect(world.api.messages(CHANNEL).some((m) => JSON.stringify(m.blocks).includes("job_card_title"))).toBe(
      true,
    );
    expect(await until(() => approvalMessage(world.api))).toBeDefined();
    world.api.expectNoViolations();

    // One job per service: a second one-line release on reviews is refused while the first runs, naming the
    // running job as people know it (G3), not by its internal id.
    world.api.reset();
    const again = await answerTo(`new canary bookinfo/reviews version=v3 image=${IMAGE}`);
    expect(again).toBe(
      "`bookinfo/reviews`: Release job reviews-v2 is already running on reviews; finish it first.",
    );
  });
});
