import type { IContainer } from "kubernetes-models/v1/Container";
import { describe, expect, it } from "vitest";
import { containerOntoRunning, mibOf, settingsOfContainer } from "../../src/release/index.ts";

const RUNNING: IContainer = {
  name: "ratings",
  image: "ratings:1",
  workingDir: "/opt/app",
  env: [
    { name: "LOG_DIR", value: "/tmp" },
    { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
  ],
  envFrom: [{ configMapRef: { name: "ratings-settings" } }],
  ports: [{ containerPort: 9080 }],
  livenessProbe: { httpGet: { path: "/health", port: "http" as unknown as number } },
  resources: { requests: { cpu: "0.1", memory: "1Gi", "ephemeral-storage": "1Gi" } },
  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
};

describe("a described container built on the running one", () => {
  it("is the running container when the settings are shown unchanged", () => {
    const settings = settingsOfContainer(RUNNING, "work");
    expect(settings.resources).toEqual({ cpuRequest: "0.1", memoryRequestMiB: 1024 });
    expect(settings.ports).toEqual([{ protocol: "TCP", name: "tcp", containerPort: 9080 }]);
    expect(settings.env).toEqual([{ key: "LOG_DIR", value: "/tmp" }]);
    expect(containerOntoRunning(settings, RUNNING)).toEqual(RUNNING);
  });

  it("takes the changed fields from the form and keeps what the form cannot show", () => {
    const settings = settingsOfContainer(RUNNING, "work");
    const built = containerOntoRunning(
      {
        ...settings,
        resources: { ...settings.resources, cpuRequest: "0.5" },
        env: [{ key: "LOG_DIR", value: "/var/log" }],
        syncHostTimezone: true,
      },
      RUNNING,
    );
    expect(built.resources).toEqual({ requests: { "ephemeral-storage": "1Gi", cpu: "500m", memory: "1Gi" } });
    expect(built.env).toEqual([
      { name: "LOG_DIR", value: "/var/log" },
      { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
    ]);
    expect(built.volumeMounts).toEqual([
      { name: "tmp", mountPath: "/tmp" },
      { name: "host-time", mountPath: "/etc/localtime", readOnly: true },
    ]);
    expect(built.livenessProbe).toEqual(RUNNING.livenessProbe);
    expect(built.envFrom).toEqual(RUNNING.envFrom);
    expect(built.workingDir).toBe("/opt/app");
  });

  it("reads memory quantities in MiB, or not at all when Kubernetes' form has no whole KiB", () => {
    expect(mibOf("64Mi")).toBe(64);
    expect(mibOf("0.25Gi")).toBe(256);
    expect(mibOf("128M")).toBeCloseTo(122.07, 2);
    expect(mibOf("100m")).toBeUndefined();
    expect(mibOf("1000")).toBeUndefined();
  });
});
