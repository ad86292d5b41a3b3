// Seed 000's topology: demo-svc is exposed by a Route (an Ingress: demo.com/path → demo-svc:80) of the project's
// gateway. Those requests go from the ingress controller straight to the Service's pods, so the split does not
// apply to them: the plan and the card say so, and how to route them through the mesh.
import { AppsV1Api, CoreV1Api, NetworkingV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, approvalMessage, CHANNEL, startWorld, until, type World } from "./world.ts";

let world: World;
const NS = "bookinfo";

async function seedTopology(): Promise<void> {
  const config = world.kube.kubeConfig();
  const labels = { app: "demo-svc", "app.kubernetes.io/name": "demo-app", "app.kubernetes.io/version": "v1" };
  const annotations = { "servicemesh.kubesphere.io/enabled": "true" };
  await config.makeApiClient(CoreV1Api).createNamespacedService({
    namespace: NS,
    body: {
      metadata: { name: "demo-svc", labels, annotations },
      spec: { selector: { app: "demo-svc" }, ports: [{ name: "http-80", port: 80, targetPort: 8080 }] },
    },
  });
  await config.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: NS,
    body: {
      metadata: { name: "demo-svc-v1", labels: { ...labels, version: "v1" }, annotations },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "demo-svc", version: "v1" } },
        template: {
          metadata: {
            labels: { app: "demo-svc", version: "v1" },
            annotations: { "sidecar.istio.io/inject": "true" },
          },
          spec: {
            containers: [
              { name: "container-1", image: "luksa/kubia", ports: [{ name: "http-0", containerPort: 8080 }] },
            ],
          },
        },
      },
    },
  });
  await config.makeApiClient(NetworkingV1Api).createNamespacedIngress({
    namespace: NS,
    body: {
      metadata: { name: "demo-app-ingress", labels: { "app.kubernetes.io/name": "demo-app" } },
      spec: {
        rules: [
          {
            host: "demo.com",
            http: {
              paths: [
                {
                  path: "/path",
                  pathType: "ImplementationSpecific",
                  backend: { service: { name: "demo-svc", port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    },
  });
}

beforeAll(async () => {
  world = await startWorld();
  await seedTopology();
});
afterAll(async () => {
  await world?.close();
});

const WARNING =
  "Ingress demo-app-ingress (demo.com/path) sends to Service demo-svc directly: its traffic bypasses the split";

describe("an Ingress that sends to the Service directly", () => {
  it("is named in the plan and on the card, with how to route it through the mesh", async () => {
    const { desk, cards } = world.app.graydesk.deps;
    const job = await desk.createJob(
      {
        name: "demo-canary",
        namespace: NS,
        app: "demo-app",
        service: "demo-svc",
        strategy: "canary",
        newVersion: {
          version: "v2",
          settings: {
            replicas: 1,
            containers: { mode: "replace-image", images: { "container-1": "luksa/kubia:v2" } },
          },
        },
        channel: CHANNEL,
      },
      ALICE.id,
    );
    await cards.post(job, CHANNEL);
    await desk.waitDeployed(job.id, 10_000);
    await world.app.slack.command("/release", "shift bookinfo/demo-canary 20", { user: ALICE });
    const request = await until(() => approvalMessage(world.api));
    const notes = (request.blocks as { block_id?: string; text?: { text: string } }[]).find(
      (b) => b.block_id === "approval_notes",
    );
    expect(notes?.text?.text).toContain(WARNING);
    expect(notes?.text?.text).toContain("route it through the mesh");

    await cards.refresh(job.id);
    const card = await until(() => {
      const m = world.api.messages(CHANNEL).find((c) => JSON.stringify(c.blocks).includes("job_card_title"));
      return m && JSON.stringify(m.blocks).includes("job_card_bypass") ? m : undefined;
    });
    const bypass = (card.blocks as { block_id?: string; text?: { text: string } }[]).find(
      (b) => b.block_id === "job_card_bypass",
    );
    expect(bypass?.text?.text).toContain(WARNING);
    world.api.expectNoViolations();
  });

  it("goes away once no Ingress sends to the Service", async () => {
    const status = await world.app.graydesk.deps.desk.status(
      world.app.graydesk.deps.desk.jobs(NS).find((j) => j.name === "demo-canary")?.id ?? "",
    );
    expect(status.bypass).toContain("demo-app-ingress");
    const networking = world.kube.kubeConfig().makeApiClient(NetworkingV1Api);
    await networking.deleteNamespacedIngress({ name: "demo-app-ingress", namespace: NS });
    // Ingresses are among the kinds the read cache keeps (30 s): the warning goes once that has passed.
    world.clock.advance(31_000);
    const after = await until(async () => {
      const now = await world.app.graydesk.deps.desk.status(status.job.id);
      return now.bypass === undefined ? now : undefined;
    }, 10_000);
    expect(after.job.name).toBe("demo-canary");
  });
});
