// createJob checks every field against the live namespace and refuses a second job on a service.
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateJobInput } from "../../src/desk/index.ts";
import type { ReleaseError } from "../../src/release/index.ts";
import { apiCalls, createFixture, NS, reviewsCanary, startWorld, type World } from "./world.ts";

function fullInput(
  env: NonNullable<
    CreateJobInput["newVersion"]["settings"]["containers"] & { mode: "full" }
  >["containers"][number]["env"],
): CreateJobInput {
  return {
    ...reviewsCanary("v2", "reviews-full"),
    newVersion: {
      version: "v2",
      settings: {
        replicas: 1,
        containers: {
          mode: "full",
          containers: [
            {
              name: "reviews",
              type: "work",
              image: "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3",
              ...(env ? { env } : {}),
            },
          ],
        },
      },
    },
  };
}

describe("createJob validation against the live namespace", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
    await createFixture(world.kc, "helm-app.yaml");
  });
  afterAll(() => world.close());

  it("returns every field error with its message", async () => {
    const input = reviewsCanary("v1", "Bad_Name");
    input.newVersion.settings.replicas = 0;
    input.newVersion.settings.containers.images = { sidecar: "nginx:1.27" } as never;
    const error = (await world.desk.createJob(input, "U1").catch((e: unknown) => e)) as ReleaseError;
    expect(error.code).toBe("invalid-field");
    expect(error.message).toMatch(/^The release job cannot be created: /);
    expect(error.fields?.map((f) => f.field)).toEqual(["name", "version", "replicas", "images.sidecar"]);
    expect(error.fields?.find((f) => f.field === "replicas")?.message).toBe(
      "Replicas are a whole number from 1 to 100.",
    );
    expect(error.fields?.find((f) => f.field === "images.sidecar")?.message).toBe(
      "The current version has no container sidecar; choose one of reviews.",
    );
    expect(world.desk.jobs()).toEqual([]);
  });

  it("checks ConfigMap and Secret keys against what the namespace holds", async () => {
    const config = await world.desk.namespaceConfig(NS);
    expect(config.configMaps["reviews-config"]).toEqual(["LOG_LEVEL"]);
    expect(config.secrets["reviews-secret"]).toEqual(["token"]);
    const error = (await world.desk
      .createJob(
        fullInput([
          { key: "LOG_LEVEL", from: { kind: "ConfigMap", name: "reviews-config", key: "LOG_LEVEL" } },
          { key: "TRACE", from: { kind: "ConfigMap", name: "reviews-config", key: "TRACE" } },
          { key: "TOKEN", from: { kind: "Secret", name: "reviews-secret", key: "token" } },
          { key: "PASSWORD", from: { kind: "Secret", name: "db", key: "password" } },
        ]),
        "U1",
      )
      .catch((e: unknown) => e)) as ReleaseError;
    expect(error.fields).toEqual([
      { field: "containers[0].env[1].from.key", message: "ConfigMap reviews-config has no key TRACE." },
      { field: "containers[0].env[3].from.name", message: "There is no Secret db in this project." },
    ]);
  });

  it("holds the new version to the pod-spec guard before anything is written", async () => {
    const input = fullInput(undefined);
    const settings = input.newVersion.settings.containers;
    if (settings.mode !== "full") throw new Error("full mode expected");
    settings.containers[0] = {
      ...(settings.containers[0] as (typeof settings.containers)[number]),
      image: "evil.example.com/pwn:1",
      securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ["SYS_ADMIN"] } },
      syncHostTimezone: true,
    };
    const error = (await world.desk.createJob(input, "U1").catch((e: unknown) => e)) as ReleaseError;
    expect(error.code).toBe("invalid-field");
    expect(error.fields?.map((f) => f.field)).toEqual([
      "volumes[host-time].hostPath",
      "containers[reviews].securityContext.privileged",
      "containers[reviews].securityContext.allowPrivilegeEscalation",
      "containers[reviews].securityContext.capabilities.add[0]",
      "containers[reviews].securityContext.runAsUser",
      "containers[reviews].image",
    ]);
    expect(error.message).toMatch(
      /^The release job cannot be created: volumes\[host-time\]\.hostPath: mounts \/etc\/localtime from the node, which v1 does not have — a new version may not have more privilege than the stable version\. \(and 5 more\)$/,
    );
    expect(world.desk.jobs()).toEqual([]);
  });

  it("reads Secrets for the pod guard only when the new pod references one the stable pod does not", async () => {
    await world.kc.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace: NS,
      body: {
        metadata: {
          name: "deployer-token",
          annotations: { "kubernetes.io/service-account.name": "default" },
        },
        type: "kubernetes.io/service-account-token",
        data: { token: Buffer.from("not-a-token").toString("base64") },
      },
    });
    world.kube.resetRequests();
    const error = (await world.desk
      .createJob(
        fullInput([{ key: "TOKEN", from: { kind: "Secret", name: "deployer-token", key: "token" } }]),
        "U1",
      )
      .catch((e: unknown) => e)) as ReleaseError;
    expect(error.fields).toEqual([
      {
        field: "containers[reviews].env[TOKEN].valueFrom.secretKeyRef.name",
        message: expect.stringContaining("Secret deployer-token is a ServiceAccount token"),
      },
    ]);
    expect(apiCalls(world.kube)).toContain("list secrets");
    // Only the image replaced: nothing new is referenced, so neither ConfigMaps nor Secrets are read, and the
    // guard still judges the pod (here its registry).
    world.kube.resetRequests();
    const imageOnly = (await world.desk
      .createJob(
        {
          ...reviewsCanary("v7", "reviews-image-only"),
          newVersion: {
            version: "v7",
            settings: {
              replicas: 1,
              containers: { mode: "replace-image", images: { reviews: "evil.example.com/pwn:1" } },
            },
          },
        },
        "U1",
      )
      .catch((e: unknown) => e)) as ReleaseError;
    expect(imageOnly.fields?.map((f) => f.field)).toEqual(["containers[reviews].image"]);
    expect(apiCalls(world.kube).filter((c) => c === "list secrets" || c === "list configmaps")).toEqual([]);
    expect(world.desk.jobs()).toEqual([]);
  });

  it("refuses an app installed from a template", async () => {
    const error = (await world.desk
      .createJob({ ...reviewsCanary(), app: "shop", service: "web", name: "web-v2" }, "U1")
      .catch((e: unknown) => e)) as ReleaseError;
    expect(error.fields).toContainEqual({
      field: "app",
      message: "shop was installed from a template; grayscale release works on composed apps only.",
    });
    expect((await world.desk.apps(NS)).find((a) => a.name === "shop")).toEqual({
      name: "shop",
      template: true,
      services: ["web"],
    });
  });

  it("creates the job when the references exist, and refuses a second job on the same service", async () => {
    const job = await world.desk.createJob(
      fullInput([{ key: "TOKEN", from: { kind: "Secret", name: "reviews-secret", key: "token" } }]),
      "U1",
    );
    expect(job.state).toBe("deploying");
    await expect(world.desk.createJob(reviewsCanary("v3"), "U1")).rejects.toThrow(
      /^Service reviews already has a release job, reviews-full \((deploying|ready)\): take it offline \(or abandon it, if it failed\) before starting another\.$/,
    );
    expect((await world.desk.services(NS)).find((s) => s.name === "reviews")?.activeJob).toBe(job.name);
    expect((await world.desk.waitDeployed(job.id)).state).toBe("ready");
  });
});
