import { mkdtemp } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { CoreV1Api, KubernetesObjectApi } from "@kubernetes/client-node";
import { openPolicy } from "../src/approvals/index.ts";
import { ClusterClient } from "../src/cluster/client.ts";
import { buildDigest, gatherDigest } from "../src/schedule/index.ts";
import { openFileStore, type StoredRecord } from "../src/store/index.ts";
import { createTelemetry } from "../src/telemetry/index.ts";
import { startKubeServer } from "../test/harness/kube/index.ts";
import { emit, percentile, round } from "./stats.ts";

const NAMESPACES = 100;

/**
 * Digest build time and the Kubernetes and Prometheus requests it makes for 10, 100 and 1,000 active jobs
 * across 100 namespaces. The request counts must not grow with the number of jobs.
 */
export async function benchDigest(sizes = [10, 100, 1000], samples = 5): Promise<void> {
  const kube = await startKubeServer();
  const prometheus = await countingPrometheus(Math.max(...sizes));
  try {
    const kc = kube.kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    for (let n = 0; n < NAMESPACES; n++) {
      await core.createNamespace({ body: { metadata: { name: `team-${n}` } } });
    }
    const objects = KubernetesObjectApi.makeApiClient(kc);
    let created = 0;
    const telemetry = createTelemetry({ prometheusUrl: prometheus.url });
    const cluster = new ClusterClient(kc);
    for (const size of sizes) {
      const store = await openFileStore(await mkdtemp(path.join(tmpdir(), "graydesk-bench-digest-")));
      await store.update((d) => {
        for (let i = 0; i < size; i++) d.jobs[`job-${i}`] = job(i) as unknown as StoredRecord;
      });
      for (; created < size; created++) {
        await objects.create(virtualService(created));
        await objects.create(deployment(created));
      }
      const times: number[] = [];
      let kubeRequests = 0;
      let promRequests = 0;
      let messages = 0;
      for (let s = 0; s < samples; s++) {
        kube.resetRequests();
        prometheus.count = 0;
        const start = performance.now();
        const input = await gatherDigest({
          store,
          list: (apiVersion, kind, namespace, selector) =>
            cluster.list(apiVersion, kind, namespace, selector),
          health: (jobs) => telemetry.healthOfJobs(jobs),
          policy: openPolicy(),
        });
        messages = buildDigest(input).length;
        times.push(performance.now() - start);
        kubeRequests = kube.requests.filter((r) => r.verb !== "").length;
        promRequests = prometheus.count;
      }
      await store.close();
      emit({
        bench: "digest",
        activeJobs: size,
        namespaces: NAMESPACES,
        samples,
        p50Ms: round(percentile(times, 50)),
        maxMs: round(Math.max(...times)),
        kubernetesRequests: kubeRequests,
        prometheusRequests: promRequests,
        messages,
      });
    }
  } finally {
    await kube.close();
    await new Promise((resolve) => prometheus.server.close(resolve));
  }
}

const name = (i: number) => `svc-${i}`;
const ns = (i: number) => `team-${i % NAMESPACES}`;

function job(i: number) {
  return {
    id: `job-${i}`,
    name: `${name(i)}-canary`,
    namespace: ns(i),
    app: "shop",
    service: { name: name(i), ports: [{ name: "http", port: 9080, protocol: "TCP" }] },
    strategy: "canary",
    router: "istio",
    stableVersion: "v1",
    newVersion: { version: "v2", settings: { replicas: 1 } },
    traffic: { kind: "weights", weights: { v1: 80, v2: 20 } },
    state: "active",
    history: [],
    createdAt: new Date(Date.now() - (i % 20) * 86_400_000).toISOString(),
    createdBy: "U1",
    originals: [],
  };
}

function virtualService(i: number) {
  const dest = (subset: string, weight: number) => ({ destination: { host: name(i), subset }, weight });
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: {
      name: name(i),
      namespace: ns(i),
      labels: { "app.kubernetes.io/managed-by": "graydesk", "graydesk.io/job": `${name(i)}-canary` },
    },
    spec: {
      hosts: [name(i)],
      http: [{ name: `graydesk-${name(i)}-canary`, route: [dest("v1", 80), dest("v2", 20)] }],
    },
  };
}

function deployment(i: number) {
  const labels = { app: name(i), version: "v2" };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: `${name(i)}-v2`,
      namespace: ns(i),
      labels: { ...labels, "app.kubernetes.io/managed-by": "graydesk" },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "app", image: "registry.example.com/app:2" }] },
      },
    },
  };
}

/** A Prometheus stand-in answering every instant query with one series per job and version, counting requests. */
async function countingPrometheus(jobs: number): Promise<{ url: string; server: Server; count: number }> {
  const result = [];
  for (let i = 0; i < jobs; i++) {
    for (const [version, value] of [
      ["v1", "0.8"],
      ["v2", "0.2"],
    ] as const) {
      result.push({
        metric: {
          destination_service_namespace: ns(i),
          destination_service_name: name(i),
          destination_version: version,
          destination_workload: `${name(i)}-${version}`,
        },
        value: [Date.now() / 1000, value],
      });
    }
  }
  const vector = JSON.stringify({ status: "success", data: { resultType: "vector", result } });
  const matrix = JSON.stringify({ status: "success", data: { resultType: "matrix", result: [] } });
  const state = { url: "", server: undefined as unknown as Server, count: 0 };
  state.server = createServer((req, res) => {
    state.count++;
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(req.url?.includes("query_range") ? matrix : vector);
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, "127.0.0.1", resolve));
  const address = state.server.address();
  state.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return state;
}

if (import.meta.main) await benchDigest();
