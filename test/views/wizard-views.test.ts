import type { ModalView } from "@slack/types";
import { describe, expect, it } from "vitest";
import {
  buildAdvancedStep,
  buildContainerStep,
  buildStep,
  decodeState,
  newWizard,
  type WizardState,
} from "../../views/wizard/index.ts";
import reviewsFixture from "../fixtures/wizard/reviews-version-step.json" with { type: "json" };
import { validateModal } from "../harness/slack/index.ts";

const REVIEWS = reviewsFixture as WizardState;
const full: WizardState = {
  ...REVIEWS,
  mode: "full",
  containers: [
    {
      name: "reviews",
      type: "work",
      image: "docker.io/istio/reviews:2",
      ports: [{ protocol: "HTTP", name: "http", containerPort: 9080 }],
    },
    { name: "migrate", type: "init", image: "docker.io/istio/migrate:2" },
  ],
};

const VIEWS: [string, ModalView][] = [
  ["type", buildStep(newWizard("C0RELEASES"))],
  ["basic", buildStep({ ...REVIEWS, step: "basic" })],
  [
    "service-empty",
    buildStep({ step: "service", channel: "C0RELEASES", strategy: "canary", fixedStrategy: true }),
  ],
  ["service-picked", buildStep({ ...REVIEWS, step: "service" })],
  ["version-replace-image", buildStep(REVIEWS)],
  ["version-full", buildStep(full)],
  ["strategy-canary-weights", buildStep({ ...REVIEWS, step: "strategy", traffic: { percent: 20 } })],
  [
    "strategy-canary-match",
    buildStep({
      ...REVIEWS,
      step: "strategy",
      traffic: {
        canaryBy: "match",
        conditions: [
          { kind: "header", name: "x-canary", match: "exact", value: "always" },
          { kind: "cookie", name: "user", match: "regex", value: "^(jason|alice)$" },
        ],
        oses: ["android"],
      },
    }),
  ],
  ["strategy-blue-green", buildStep({ ...REVIEWS, step: "strategy", strategy: "blue-green" })],
  ["strategy-mirror", buildStep({ ...REVIEWS, step: "strategy", strategy: "mirror" })],
  ["container-new", buildContainerStep(undefined, { parent: "V1", index: -1, wizard: full })],
  ["container-edit", buildContainerStep(full.containers?.[0], { parent: "V1", index: 0, wizard: full })],
  [
    "advanced",
    buildAdvancedStep(
      {
        ...(full.containers?.[0] as NonNullable<WizardState["containers"]>[number]),
        probes: { liveness: { kind: "tcp", port: 9080, periodSeconds: 10 } },
        env: [{ key: "DB", from: { kind: "Secret", name: "db", key: "password" } }],
        securityContext: { runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
      },
      { parent: "V1", index: 0, wizard: full },
    ),
  ],
];

describe("wizard views", () => {
  it.each(VIEWS)("%s obeys Block Kit's modal limits and matches its golden file", async (name, view) => {
    expect(validateModal(view as never)).toEqual([]);
    await expect(JSON.stringify(view, null, 2)).toMatchFileSnapshot(`__snapshots__/wizard/${name}.json`);
  });

  it("keeps the wizard's state in private_metadata, and reads it back", () => {
    const view = buildStep(REVIEWS);
    expect(decodeState(view.private_metadata)).toEqual(REVIEWS);
    expect(decodeState("not json")).toBeUndefined();
    expect(decodeState('{"other":1}')).toBeUndefined();
  });

  it("shows Back from the second tab on, never on the first", () => {
    const ids = (view: ModalView) => view.blocks.map((b) => b.block_id);
    expect(ids(buildStep(newWizard("C1")))).not.toContain("wizard_nav");
    expect(ids(buildStep(newWizard("C1", "canary")))).not.toContain("wizard_nav");
    expect(ids(buildStep({ ...REVIEWS, step: "service" }))).toContain("wizard_nav");
  });

  it("says Create on the last tab and Next before", () => {
    expect(buildStep({ ...REVIEWS, step: "strategy" }).submit?.text).toBe("Create");
    expect(buildStep(REVIEWS).submit?.text).toBe("Next");
  });

  it("shows a refused field's message on top of its tab", () => {
    const view = buildStep({
      ...REVIEWS,
      notice: "Version v2 is already deployed; choose another version number.",
    });
    expect(JSON.stringify(view.blocks[1])).toContain(":warning: Version v2 is already deployed");
  });
});
