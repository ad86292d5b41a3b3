import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parsePolicy } from "../../src/approvals/index.ts";
import { loadConfig } from "../../src/config.ts";
import {
  BASE,
  DEPLOY,
  find,
  kustomization,
  type Manifest,
  REPLICATED,
  readYaml,
  resources,
  serviceAccountRules,
} from "./manifests.ts";

interface Container {
  name: string;
  image: string;
  ports: { name: string; containerPort: number }[];
  env: { name: string; value: string }[];
  envFrom: { secretRef?: { name: string } }[];
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext: {
    allowPrivilegeEscalation: boolean;
    readOnlyRootFilesystem: boolean;
    capabilities: { drop: string[] };
  };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  serviceAccountName: string;
  securityContext: { runAsNonRoot: boolean; runAsUser: number };
  containers: Container[];
  volumes: { name: string; persistentVolumeClaim?: { claimName: string }; configMap?: { name: string } }[];
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SETTINGS = new Set(
  [...readFileSync(path.join(ROOT, "src/config.ts"), "utf8").matchAll(/read\("([A-Z_]+)"\)/g)].map(
    (m) => m[1],
  ),
);
const objects = resources(BASE);
const deployment = find(objects, "Deployment", "graydesk") as Manifest & {
  spec: { replicas: number; strategy: { type: string }; template: { spec: PodSpec } };
};
const pod = deployment.spec.template.spec;
const container = pod.containers[0] as Container;
const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
const secretExample = readYaml(path.join(BASE, "secret.example.yaml"))[0] as Manifest & {
  stringData: Record<string, string>;
};

describe("the base Deployment", () => {
  it("probes readiness on /readyz and liveness on /healthz, on the port PORT names", () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.ports).toEqual([{ name: "http", containerPort: Number(env.PORT) }]);
  });

  it("runs as a non-root user with a read-only root filesystem and no capabilities", () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
  });

  it("writes only DATA_DIR, on the PersistentVolumeClaim, and /tmp", () => {
    const writable = container.volumeMounts.filter((m) => !m.readOnly).map((m) => m.mountPath);
    expect(writable.sort()).toEqual([env.DATA_DIR, "/tmp"].sort());
    const data = container.volumeMounts.find((m) => m.mountPath === env.DATA_DIR);
    const claim = pod.volumes.find((v) => v.name === data?.name)?.persistentVolumeClaim?.claimName;
    expect(find(objects, "PersistentVolumeClaim", claim).metadata.name).toBe("graydesk-data");
    // Two pods must never write one state file: the old one stops before the new one starts.
    expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: "Recreate" } });
  });

  it("sets requests and a memory limit", () => {
    expect(container.resources.requests).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(container.resources.limits).toMatchObject({ memory: expect.any(String) });
  });

  it("sets only settings Graydesk reads, and Slack's from the graydesk-slack Secret", () => {
    for (const name of [...Object.keys(env), ...Object.keys(secretExample.stringData)]) {
      expect(SETTINGS, name).toContain(name);
    }
    expect(container.envFrom).toEqual([{ secretRef: { name: secretExample.metadata.name } }]);
    expect(Object.keys(env)).not.toContain("SLACK_BOT_TOKEN");
  });

  it("is a configuration Graydesk accepts once the example Secret's placeholders are replaced", () => {
    const policyFile = path.join(BASE, "policy.yaml");
    const placeholders = loadConfig({ ...secretExample.stringData, ...env, POLICY_FILE: policyFile });
    expect(placeholders.ok ? [] : placeholders.problems.map((p) => p.slice(0, p.indexOf(" ")))).toEqual([
      "SLACK_BOT_TOKEN",
      "SLACK_APP_TOKEN",
    ]);
    const filled = { SLACK_BOT_TOKEN: "xoxb-1-2-a", SLACK_APP_TOKEN: "xapp-1-A-a" };
    const result = loadConfig({ ...secretExample.stringData, ...filled, ...env, POLICY_FILE: policyFile });
    expect(result).toMatchObject({
      ok: true,
      config: { store: "lowdb", dataDir: "/data", slack: { mode: "socket", port: 3000 } },
    });
  });

  it("mounts the generated policy ConfigMap where POLICY_FILE points, and the policy parses", () => {
    const generator = kustomization(BASE).configMapGenerator?.find((g) => g.name === "graydesk-policy");
    expect(generator?.files).toEqual(["policy.yaml"]);
    const volume = pod.volumes.find((v) => v.configMap?.name === "graydesk-policy");
    const mount = container.volumeMounts.find((m) => m.name === volume?.name);
    expect(env.POLICY_FILE).toBe(`${mount?.mountPath}/policy.yaml`);
    const parsed = parsePolicy(readFileSync(path.join(BASE, "policy.yaml"), "utf8"));
    expect(parsed).toMatchObject({ ok: true, policy: { fromFile: true } });
  });

  it("runs as the graydesk ServiceAccount the RBAC binds", () => {
    expect(pod.serviceAccountName).toBe("graydesk");
    expect(find(objects, "ServiceAccount", "graydesk").metadata.namespace).toBe("graydesk");
    expect(serviceAccountRules(objects).length).toBeGreaterThan(0);
  });

  it("never lists the example Secret among the resources it applies", () => {
    expect(kustomization(BASE).resources).not.toContain("secret.example.yaml");
    expect(objects.some((o) => o.kind === "Secret")).toBe(false);
    expect(secretExample.stringData.SLACK_BOT_TOKEN).toBe("xoxb-<bot token>");
  });
});

describe("the replicated overlay", () => {
  const overlay = kustomization(REPLICATED);
  const patch = (file: string) =>
    readYaml(path.join(REPLICATED, file))[0] as Manifest & Record<string, never>;

  it("runs two replicas sharing state in the cluster (STORE=kubernetes) and rolls without downtime", () => {
    const replicas = patch("replicas.yaml") as unknown as {
      spec: { replicas: number; strategy: { type: string }; template: { spec: PodSpec } };
    };
    expect(replicas.spec.replicas).toBe(2);
    expect(replicas.spec.strategy.type).toBe("RollingUpdate");
    expect(replicas.spec.template.spec.containers[0]?.env).toEqual([{ name: "STORE", value: "kubernetes" }]);
    expect(overlay.patches?.map((p) => p.path).filter(Boolean)).toContain("replicas.yaml");
  });

  it("drops the PersistentVolumeClaim and keeps DATA_DIR (each replica's audit log) on an emptyDir", () => {
    const drop = patch("no-data-claim.yaml");
    expect(drop).toMatchObject({
      $patch: "delete",
      kind: "PersistentVolumeClaim",
      metadata: { name: "graydesk-data" },
    });
    const inline = overlay.patches?.find((p) => p.patch)?.patch ?? "";
    const ops = parse(inline) as { op: string; path: string; value: { name: string } }[];
    const dataIndex = pod.volumes.findIndex((v) => v.persistentVolumeClaim);
    expect(ops).toEqual([
      {
        op: "replace",
        path: `/spec/template/spec/volumes/${dataIndex}`,
        value: { name: "data", emptyDir: {} },
      },
    ]);
    expect(pod.volumes[dataIndex]?.name).toBe("data");
  });

  it("adds the state Role only in Graydesk's own namespace", () => {
    const role = find(resources(REPLICATED), "Role", "graydesk-state");
    expect(role.metadata.namespace).toBe("graydesk");
    const inBase = new Set(serviceAccountRules(resources(BASE)).map((r) => JSON.stringify(r)));
    const extra = serviceAccountRules(resources(REPLICATED)).filter((r) => !inBase.has(JSON.stringify(r)));
    expect(extra.length).toBeGreaterThan(0);
    expect(extra.every((r) => r.namespaces?.[0] === "graydesk")).toBe(true);
  });
});

describe("the deploy folder", () => {
  it("holds no real Slack token", () => {
    const files = ["kustomize/base/secret.example.yaml", "kustomize/base/deployment.yaml"];
    for (const file of files) {
      expect(readFileSync(path.join(DEPLOY, file), "utf8")).not.toMatch(
        /xox[bp]-[0-9A-Za-z]|xapp-[0-9A-Za-z]/,
      );
    }
  });
});
