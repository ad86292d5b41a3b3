import { Deployment, type IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { describe, expect, it } from "vitest";
import type { ContainerSettings, NewVersionSettings } from "../../src/release/index.ts";
import {
  cpuQuantity,
  deriveNewVersionDeployment,
  memoryQuantity,
  ReleaseError,
} from "../../src/release/index.ts";
import { loadFixture } from "./fixtures.ts";

const stable = () => loadFixture<IDeployment>("reviews-v1-deployment.yaml");
const target = { service: "reviews", version: "v2", job: "reviews-canary" };
const swap: NewVersionSettings = {
  replicas: 2,
  containers: {
    mode: "replace-image",
    images: { reviews: "registry.example.com/bookinfo/reviews-v2:1.20.3" },
  },
};

describe("deriveNewVersionDeployment, replacing the image", () => {
  const derived = deriveNewVersionDeployment(stable(), swap, target);

  it("names and labels the new version", () => {
    expect(derived.metadata).toEqual({
      name: "reviews-v2",
      namespace: "bookinfo",
      labels: {
        app: "reviews",
        version: "v2",
        "app.kubernetes.io/managed-by": "graydesk",
        "graydesk.io/job": "reviews-canary",
      },
      annotations: { team: "books" },
    });
    expect(derived.spec?.selector.matchLabels).toEqual({ app: "reviews", version: "v2" });
    expect(derived.spec?.template.metadata?.labels).toEqual({
      app: "reviews",
      version: "v2",
      "service.istio.io/canonical-revision": "v2",
      "app.kubernetes.io/version": "v2",
    });
  });

  it("keeps everything but the image and replicas", () => {
    const original = stable();
    expect(derived.spec?.replicas).toBe(2);
    const spec = derived.spec?.template.spec;
    expect(spec?.containers[0]).toEqual({
      ...original.spec?.template.spec?.containers[0],
      image: "registry.example.com/bookinfo/reviews-v2:1.20.3",
    });
    expect(spec?.initContainers).toEqual(original.spec?.template.spec?.initContainers);
    expect(spec?.serviceAccountName).toBe("bookinfo-reviews");
    expect(spec?.volumes).toEqual(original.spec?.template.spec?.volumes);
  });

  it("carries no server-set fields and passes the Deployment schema", () => {
    const text = JSON.stringify(derived);
    for (const field of [
      "status",
      "resourceVersion",
      "uid",
      "creationTimestamp",
      "managedFields",
      "deployment.kubernetes.io/revision",
    ]) {
      expect(text).not.toContain(field);
    }
    expect(() => new Deployment(derived).validate()).not.toThrow();
  });

  it("leaves the stable object untouched", () => {
    const original = stable();
    deriveNewVersionDeployment(original, swap, target);
    expect(original).toEqual(stable());
  });

  it("refuses images for containers the stable version lacks", () => {
    const settings: NewVersionSettings = {
      replicas: 1,
      containers: { mode: "replace-image", images: { web: "nginx" } },
    };
    expect(() => deriveNewVersionDeployment(stable(), settings, target)).toThrow(
      expect.objectContaining({
        code: "invalid-field",
        message: "The current version has no container web.",
      }),
    );
  });

  it("refuses a Deployment without a pod template", () => {
    const broken = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" } } as IDeployment;
    expect(() => deriveNewVersionDeployment(broken, swap, target)).toThrow(ReleaseError);
  });
});

describe("deriveNewVersionDeployment, with full container specs", () => {
  const full: ContainerSettings = {
    name: "reviews",
    type: "work",
    image: "registry.example.com/bookinfo/reviews-v2:1.20.3",
    imagePullPolicy: "Always",
    resources: { cpuRequest: 0.5, cpuLimit: 2, memoryRequestMiB: 128, memoryLimitMiB: 512 },
    ports: [{ protocol: "HTTP", name: "http-web", containerPort: 9080 }],
    probes: {
      readiness: { kind: "http", scheme: "HTTP", path: "/health", port: 9080, periodSeconds: 5 },
      liveness: { kind: "command", command: "cat, /tmp/healthy" },
      startup: { kind: "tcp", port: 9080, failureThreshold: 30 },
    },
    lifecycle: { preStop: { kind: "command", command: "sh,-c,sleep 5" } },
    command: "java,-jar",
    args: "app.jar, --port=9080",
    env: [
      { key: "MODE", value: "canary" },
      { key: "LEVEL", from: { kind: "ConfigMap", name: "settings", key: "LOG_LEVEL" } },
      { key: "PASSWORD", from: { kind: "Secret", name: "db", key: "password" } },
    ],
    securityContext: {
      privileged: true,
      readOnlyRootFilesystem: true,
      runAsUser: 1000,
      runAsGroup: 3000,
      seLinux: { level: "s0:c1,c2" },
      capabilities: { add: ["NET_ADMIN"], drop: ["SYS_TIME"] },
    },
    syncHostTimezone: true,
  };
  const init: ContainerSettings = {
    name: "migrate",
    type: "init",
    image: "registry.example.com/bookinfo/migrate:2",
  };
  const settings: NewVersionSettings = {
    replicas: 1,
    containers: { mode: "full", containers: [init, full] },
  };
  const derived = deriveNewVersionDeployment(stable(), settings, target);
  const spec = derived.spec?.template.spec;

  it("maps every setting onto the Kubernetes container", () => {
    expect(spec?.containers).toEqual([
      {
        name: "reviews",
        image: "registry.example.com/bookinfo/reviews-v2:1.20.3",
        imagePullPolicy: "Always",
        command: ["java", "-jar"],
        args: ["app.jar", "--port=9080"],
        resources: { requests: { cpu: "500m", memory: "128Mi" }, limits: { cpu: "2", memory: "512Mi" } },
        ports: [{ name: "http-web", containerPort: 9080, protocol: "TCP" }],
        env: [
          { name: "MODE", value: "canary" },
          { name: "LEVEL", valueFrom: { configMapKeyRef: { name: "settings", key: "LOG_LEVEL" } } },
          { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
        ],
        livenessProbe: { exec: { command: ["cat", "/tmp/healthy"] } },
        readinessProbe: { httpGet: { scheme: "HTTP", path: "/health", port: 9080 }, periodSeconds: 5 },
        startupProbe: { tcpSocket: { port: 9080 }, failureThreshold: 30 },
        lifecycle: { preStop: { exec: { command: ["sh", "-c", "sleep 5"] } } },
        securityContext: {
          privileged: true,
          allowPrivilegeEscalation: true,
          readOnlyRootFilesystem: true,
          runAsUser: 1000,
          runAsGroup: 3000,
          seLinuxOptions: { level: "s0:c1,c2" },
          capabilities: { add: ["NET_ADMIN"], drop: ["SYS_TIME"] },
        },
        // The running reviews container's own mount is kept: the forms describe only the timezone one.
        volumeMounts: [
          { name: "tmp", mountPath: "/tmp" },
          { name: "host-time", mountPath: "/etc/localtime", readOnly: true },
        ],
      },
    ]);
    expect(spec?.initContainers).toEqual([
      { name: "migrate", image: "registry.example.com/bookinfo/migrate:2" },
    ]);
  });

  it("adds the host timezone volume next to the pod's own", () => {
    expect(spec?.volumes).toEqual([
      { name: "tmp", emptyDir: {} },
      { name: "host-time", hostPath: { path: "/etc/localtime" } },
    ]);
    expect(() => new Deployment(derived).validate()).not.toThrow();
  });

  it("lets Run as Non-root override Privileged Mode", () => {
    const nonRoot = { ...full, securityContext: { privileged: true, runAsNonRoot: true, runAsUser: 1000 } };
    const out = deriveNewVersionDeployment(
      stable(),
      { replicas: 1, containers: { mode: "full", containers: [nonRoot] } },
      target,
    );
    expect(out.spec?.template.spec?.containers[0]?.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
    });
  });
});

describe("quantities", () => {
  it.each([
    [0.5, "500m"],
    ["0.1", "100m"],
    [1, "1"],
    ["2.5", "2500m"],
    ["250m", "250m"],
    ["1000m", "1"],
  ])("CPU %s cores → %s", (cores, quantity) => {
    expect(cpuQuantity(cores)).toBe(quantity);
  });
  it.each([
    [128, "128Mi"],
    [0.5, "512Ki"],
  ])("memory %s MiB → %s", (mib, quantity) => {
    expect(memoryQuantity(mib)).toBe(quantity);
  });
  it("refuses amounts Kubernetes cannot hold", () => {
    expect(() => cpuQuantity("0.0001")).toThrow(RangeError);
    expect(() => memoryQuantity(-1)).toThrow(RangeError);
  });
});
