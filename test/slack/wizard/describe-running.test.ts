// "Describe the containers" starts from the running containers with every setting: changing only an image
// yields a Deployment whose pod template is the running one's but for the image and the version labels.
import { AppsV1Api, CoreV1Api, type V1Deployment, type V1PodTemplateSpec } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SlackReply } from "../../harness/slack/index.ts";
import { ALICE, startWorld, until, type World } from "../desk/world.ts";

type View = Record<string, unknown> & { id: string; blocks: { block_id?: string }[] };

let world: World;
let apps: AppsV1Api;

const RATINGS_V2 = "docker.io/istio/examples-bookinfo-ratings-v2:1.20.3";
const SHIPPER_V2 = "docker.io/fluent/fluent-bit:3.1";

/** ratings-v1 as a platform team runs it: env, a port, probes, a hook, resources, a /tmp mount, a user. */
function richRatings(deployment: V1Deployment): V1Deployment {
  const spec = deployment.spec?.template.spec;
  if (!spec) throw new Error("ratings-v1 has no pod spec");
  spec.volumes = [{ name: "tmp", emptyDir: {} }];
  spec.containers = [
    {
      name: "ratings",
      image: "docker.io/istio/examples-bookinfo-ratings-v1:1.20.3",
      imagePullPolicy: "IfNotPresent",
      command: ["node"],
      args: ["ratings.js", "9080"],
      env: [
        { name: "LOG_DIR", value: "/tmp/logs" },
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      ],
      ports: [{ containerPort: 9080 }],
      readinessProbe: { httpGet: { path: "/health", port: 9080 }, periodSeconds: 5, failureThreshold: 3 },
      livenessProbe: { tcpSocket: { port: "http" as unknown as number } },
      lifecycle: { preStop: { exec: { command: ["sleep", "5"] } } },
      resources: {
        requests: { cpu: "100m", memory: "64Mi", "ephemeral-storage": "1Gi" },
        limits: { cpu: "500m", memory: "0.25Gi" },
      },
      volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      securityContext: { runAsUser: 1000, runAsNonRoot: true, readOnlyRootFilesystem: true },
    },
  ];
  return deployment;
}

/** A second service of the app whose pods run a work container, a log-shipping sidecar and an init container. */
async function createNotifier(): Promise<void> {
  const core = world.kube.kubeConfig().makeApiClient(CoreV1Api);
  const labels = { app: "notifier", "app.kubernetes.io/name": "bookinfo", "app.kubernetes.io/version": "v1" };
  const annotations = { "servicemesh.kubesphere.io/enabled": "true" };
  await core.createNamespacedService({
    namespace: "bookinfo",
    body: {
      metadata: { name: "notifier", labels, annotations },
      spec: { selector: { app: "notifier" }, ports: [{ name: "http", port: 8080, targetPort: 8080 }] },
    },
  });
  await core.createNamespacedConfigMap({
    namespace: "bookinfo",
    body: { metadata: { name: "notifier-settings" }, data: { SMTP_HOST: "mail.example.com" } },
  });
  await apps.createNamespacedDeployment({
    namespace: "bookinfo",
    body: {
      metadata: { name: "notifier-v1", labels: { ...labels, version: "v1" }, annotations },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "notifier", version: "v1" } },
        template: {
          metadata: {
            labels: { app: "notifier", version: "v1" },
            annotations: { "sidecar.istio.io/inject": "true" },
          },
          spec: {
            volumes: [{ name: "logs", emptyDir: {} }],
            initContainers: [
              { name: "migrate", image: "docker.io/example/notifier-migrate:1.0", args: ["--once"] },
            ],
            containers: [
              {
                name: "notifier",
                image: "docker.io/example/notifier:1.0",
                envFrom: [{ configMapRef: { name: "notifier-settings" } }],
                ports: [{ name: "http-api", containerPort: 8080 }],
                volumeMounts: [{ name: "logs", mountPath: "/var/log/notifier" }],
                resources: { requests: { cpu: "0.25", memory: "128Mi" } },
              },
              {
                name: "log-shipper",
                image: "docker.io/fluent/fluent-bit:3.0",
                volumeMounts: [{ name: "logs", mountPath: "/logs", readOnly: true }],
                resources: { limits: { cpu: "50m", memory: "32Mi" } },
              },
            ],
          },
        },
      },
    },
  });
}

beforeAll(async () => {
  world = await startWorld();
  apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
  const ratings = await apps.readNamespacedDeployment({ name: "ratings-v1", namespace: "bookinfo" });
  await apps.replaceNamespacedDeployment({
    name: "ratings-v1",
    namespace: "bookinfo",
    body: richRatings(ratings),
  });
  await createNotifier();
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
const pushed = (call: { args: Record<string, unknown> }, callbackId: string) =>
  JSON.stringify(call.args.view).includes(`"callback_id":"${callbackId}"`);
const element = (view: View, blockId: string) =>
  (view.blocks.find((b) => b.block_id === blockId) as { element?: Record<string, unknown> })?.element ?? {};

/** A blue-green wizard on bookinfo/<service>, at New Version Settings with "Describe the containers". */
async function describing(service: string, job: string): Promise<View> {
  const { slack } = world.app;
  await slack.command("/release", "new blue-green", { user: ALICE });
  const opened = await world.api.waitFor("views.open");
  let view = latest((opened.response as { view: { id: string } }).view.id);
  view = updated(view, await slack.submitView(view, { wizard_name: { wizard_name: job } }));
  await slack.choose(view, "wizard_namespace", "bookinfo");
  view = await waitFor(view.id, "wizard_service");
  await slack.choose(view, "wizard_service", `c:bookinfo/${service}`);
  view = await waitFor(view.id, "wizard_service_info");
  view = updated(view, await slack.submitView(view));
  await slack.choose(view, "wizard_containers_mode", "full");
  return waitFor(view.id, "wizard_container_list_0");
}

/** Opens a listed container's form, changes only its image, saves it, and waits for the list to show it. */
async function editImage(
  view: View,
  index: number,
  image: string,
  inspect: (form: View) => void = () => {},
): Promise<View> {
  const { slack } = world.app;
  await slack.choose(view, "wizard_edit_container", `edit:${index}`, {
    blockId: `wizard_container_list_${index}`,
  });
  const push = await world.api.waitFor("views.push", (c) => pushed(c, "wizard_container"));
  const form = latest((push.response as { view: { id: string } }).view.id);
  inspect(form);
  await until(() => world.app.graydesk.deps.inFlight.size === 0);
  const saved = await slack.submitView(form, { wizard_container_image: { wizard_container_image: image } });
  expect(saved.body).toBe("");
  return waitFor(view.id, image);
}

/** Version v2, then the blue-green step as offered: the job is created and its Deployment appears. */
async function createV2(view: View, deployment: string): Promise<V1Deployment> {
  const { slack } = world.app;
  const next = updated(view, await slack.submitView(view, { wizard_version: { wizard_version: "v2" } }));
  expect(JSON.stringify(next)).toContain("wizard_serve");
  const done = await slack.submitView(next);
  expect((done.json as { response_action?: string }).response_action).toBe("update");
  return until(() => apps.readNamespacedDeployment({ name: deployment, namespace: "bookinfo" }), 10_000);
}

/** The pod template with the images and the version labels taken out: what must not change. */
function withoutImagesAndVersion(template: V1PodTemplateSpec | undefined) {
  const copy = structuredClone(template) as V1PodTemplateSpec;
  const labels = copy.metadata?.labels ?? {};
  for (const key of ["version", "service.istio.io/canonical-revision", "app.kubernetes.io/version"])
    delete labels[key];
  for (const c of [...(copy.spec?.containers ?? []), ...(copy.spec?.initContainers ?? [])])
    c.image = "<image>";
  return copy;
}

describe("describing the containers starts from what runs", () => {
  it("shows ratings' settings in the forms, and changing only the image changes only the image", async () => {
    let view = await describing("ratings", "ratings-bg");
    const { slack } = world.app;
    await slack.choose(view, "wizard_edit_container", "advanced:0", { blockId: "wizard_container_list_0" });
    const advanced = latest(
      (
        (await world.api.waitFor("views.push", (c) => pushed(c, "wizard_advanced"))).response as {
          view: { id: string };
        }
      ).view.id,
    );
    const shown = JSON.stringify(advanced);
    for (const value of ["LOG_DIR=/tmp/logs", "/health", "node", "ratings.js, 9080", "sleep, 5"])
      expect(shown).toContain(value);

    view = await editImage(view, 0, RATINGS_V2, (form) => {
      expect(element(form, "wizard_cpu_request").initial_value).toBe("100m");
      expect(element(form, "wizard_cpu_limit").initial_value).toBe("500m");
      expect(element(form, "wizard_memory_request").initial_value).toBe("64");
      expect(element(form, "wizard_memory_limit").initial_value).toBe("256");
      expect(element(form, "wizard_ports").initial_value).toBe("TCP tcp 9080");
    });
    const created = await createV2(view, "ratings-v2");
    const running = await apps.readNamespacedDeployment({ name: "ratings-v1", namespace: "bookinfo" });
    expect(created.spec?.template.spec?.containers[0]?.image).toBe(RATINGS_V2);
    expect(created.spec?.template.metadata?.labels?.version).toBe("v2");
    expect(withoutImagesAndVersion(created.spec?.template)).toEqual(
      withoutImagesAndVersion(running.spec?.template),
    );
    world.api.expectNoViolations();
  });

  it("keeps every container of a multi-container pod when only the sidecar's image changes", async () => {
    let view = await describing("notifier", "notifier-bg");
    expect(JSON.stringify(view)).toContain("*log-shipper* · work");
    expect(JSON.stringify(view)).toContain("*migrate* · init");
    view = await editImage(view, 1, SHIPPER_V2);
    const created = await createV2(view, "notifier-v2");
    const running = await apps.readNamespacedDeployment({ name: "notifier-v1", namespace: "bookinfo" });
    const images = created.spec?.template.spec?.containers.map((c) => c.image);
    expect(images).toEqual(["docker.io/example/notifier:1.0", SHIPPER_V2]);
    expect(created.spec?.template.spec?.initContainers?.[0]?.image).toBe(
      "docker.io/example/notifier-migrate:1.0",
    );
    expect(withoutImagesAndVersion(created.spec?.template)).toEqual(
      withoutImagesAndVersion(running.spec?.template),
    );
    world.api.expectNoViolations();
  });
});
