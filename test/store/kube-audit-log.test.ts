// The audit trail with STORE=kubernetes: records in the cluster, one chain for every replica, whoever appends.
import { execFile } from "node:child_process";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditLog, type AuditRecord, firstBreak, openKubeAuditLog } from "../../src/store/index.ts";
import { ROOT } from "../harness/entry-point.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";

let server: KubeTestServer;
let trails = 0;

beforeAll(async () => {
  server = await startKubeServer({ crds: [] });
});
afterAll(() => server?.close());

describe("audit trail in the cluster", () => {
  it("two replicas appending at once write one chain, each record once, in one order", async () => {
    const name = `audit-${++trails}`;
    const mirrored: AuditRecord[] = [];
    const [a, b] = (await Promise.all(
      [0, 1].map(() =>
        openKubeAuditLog(server.kubeConfig(), {
          namespace: "default",
          name,
          mirror: (r) => mirrored.push(r),
        }),
      ),
    )) as [AuditLog, AuditLog];
    const appended = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).append({ kind: "approved", actor: `U${i}`, detail: { i } }),
      ),
    );
    const trail = await a.readAll();
    expect(trail.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(trail.map((r) => r.detail?.i)).size).toBe(40);
    expect(firstBreak(trail.map((r) => JSON.stringify(r)))).toBeUndefined();
    expect(mirrored.map((r) => r.hash).sort()).toEqual(appended.map((r) => r.hash).sort());
  });

  it("a replica started later (a pod replaced) continues the same chain", async () => {
    const name = `audit-${++trails}`;
    const first = await openKubeAuditLog(server.kubeConfig(), { namespace: "default", name });
    await first.append({ kind: "requested" });
    await first.close();
    const next = await openKubeAuditLog(server.kubeConfig(), { namespace: "default", name });
    const record = await next.append({ kind: "approved" });
    const trail = await next.readAll();
    expect(record.seq).toBe(2);
    expect(record.prev).toBe(trail[0]?.hash);
  });

  it("refuses to continue a trail whose records were altered, naming the record", async () => {
    const name = `audit-${++trails}`;
    const log = await openKubeAuditLog(server.kubeConfig(), { namespace: "default", name });
    await log.append({ kind: "approved", actor: "U0BOB" });
    await log.append({ kind: "applied", actor: "U0BOB" });
    const core = server.kubeConfig().makeApiClient(CoreV1Api);
    const cm = await core.readNamespacedConfigMap({ namespace: "default", name: `${name}-0000000001` });
    const data = { "record.json": String(cm.data?.["record.json"]).replace("U0BOB", "U0MALLORY") };
    await core.replaceNamespacedConfigMap({
      namespace: "default",
      name: `${name}-0000000001`,
      body: { ...cm, data },
    });
    await expect(openKubeAuditLog(server.kubeConfig(), { namespace: "default", name })).rejects.toThrow(
      /not intact: .*record seq 1 .*was changed/,
    );
    // `npm run audit:verify -- --kubernetes` walks the whole trail in the cluster and names the same record.
    // Not spawnSync: the Kubernetes test server runs in this process and must keep answering.
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const args = [
        "src/audit-verify.ts",
        "--kubernetes",
        "--kubeconfig",
        server.kubeconfigPath,
        "--name",
        name,
      ];
      const child = execFile(process.execPath, args, { cwd: ROOT }, (_error, stdout, stderr) =>
        resolve({ status: child.exitCode, stdout, stderr }),
      );
    });
    expect(run.stdout + run.stderr).toContain("record seq 1 (line 1) was changed after it was written");
    expect(run.status).toBe(1);
  });
});
