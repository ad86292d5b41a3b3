// A release desk wired to the Kubernetes API test server with Bookinfo loaded, a file store and a mesh
// simulator reading the same cluster: what the desk and cluster tests drive.
import { readFileSync } from "node:fs";
import { type KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { parse } from "yaml";
import { ClusterClient, type Kube, withDeadline } from "../../src/cluster/index.ts";
import { createReleaseDesk, type ReleaseDeskOptions, type RunningReleaseDesk } from "../../src/desk/index.ts";
import { createLogger } from "../../src/log.ts";
import type { ReleaseJob } from "../../src/release/index.ts";
import { type AuditLog, openAuditLog, openFileStore, type Store } from "../../src/store/index.ts";
import { type BookinfoOptions, loadBookinfo } from "../harness/bookinfo.ts";
import { startTestCluster } from "../harness/envtest/cluster.ts";
import type { KubeTestServer, KubeTestServerOptions } from "../harness/kube/index.ts";
import { MeshSimulator } from "../harness/mesh/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

export const NS = "bookinfo";

export interface World {
  kube: KubeTestServer;
  kc: KubeConfig;
  cluster: Kube;
  store: Store;
  audit: AuditLog;
  desk: RunningReleaseDesk;
  mesh: MeshSimulator;
  dir: string;
  changes: { job: string; what: string; state: string }[];
  /** A second desk over the same data directory, as after a restart (without the first desk's options). */
  restart(options?: Partial<ReleaseDeskOptions>): Promise<RunningReleaseDesk>;
  close(): Promise<void>;
}

export interface WorldOptions {
  server?: KubeTestServerOptions;
  bookinfo?: BookinfoOptions;
  desk?: Partial<ReleaseDeskOptions>;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  // The test server, or a real control plane in the `real` suite: that one answers slower, so bounds grow.
  const kube = await startTestCluster({ podReadyDelayMs: 10, progressDeadlineMs: 1500, ...options.server });
  // Every cluster call is bounded, so a hang fault fails quickly; generous enough for a loaded machine.
  const deadlineMs = kube.kind === "real" ? 15_000 : 5_000;
  const kc = kube.kubeConfig();
  await loadBookinfo(kc, NS, { reviewsVersions: ["v1"], ...options.bookinfo });
  const dir = tempDir("graydesk-desk-");
  const stores: { store: Store; audit: AuditLog; desk: RunningReleaseDesk }[] = [];
  const changes: World["changes"] = [];
  const client = new ClusterClient(kc);
  // Assertions read through the same bound the desk uses, so a leftover hang fault cannot stall a test.
  const cluster = withDeadline(client, deadlineMs);
  const open = async (extra: Partial<ReleaseDeskOptions> = {}) => {
    const store = await openFileStore(dir);
    const audit = await openAuditLog(dir);
    const desk = createReleaseDesk({
      cluster: client,
      requestTimeoutMs: deadlineMs,
      store,
      audit,
      clock: () => new Date(),
      logger: createLogger((process.env.DESK_TEST_LOG as "silent" | undefined) ?? "silent"),
      pollMs: 15,
      waitReadyTimeoutMs: kube.kind === "real" ? 60_000 : 3000,
      events: {
        jobChanged: (job: ReleaseJob, what: string) =>
          void changes.push({ job: job.id, what, state: job.state }),
      },
      ...extra,
    });
    stores.push({ store, audit, desk });
    return { store, audit, desk };
  };
  // Hooks such as a simulated crash belong to the first desk only; a restarted one runs plain.
  const first = await open(options.desk);
  const mesh = new MeshSimulator({ kubeConfig: kc, namespaces: [NS], seed: 7 });
  return {
    kube,
    kc,
    cluster,
    ...first,
    mesh,
    dir,
    changes,
    async restart(extra) {
      await first.store.flush();
      return (await open(extra)).desk;
    },
    async close() {
      for (const { desk, store, audit } of stores) {
        await desk.close();
        await store.close();
        await audit.close();
      }
      await mesh.close();
      await kube.close();
    },
  };
}

/** Creates the object (or list of objects) of a YAML fixture under test/fixtures/release-engine/. */
export async function createFixture(kc: KubeConfig, file: string, namespace = NS): Promise<void> {
  const parsed = parse(readFileSync(new URL(`../fixtures/release-engine/${file}`, import.meta.url), "utf8"));
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const object of Array.isArray(parsed) ? parsed : [parsed]) {
    object.metadata.namespace = namespace;
    await api.create(object);
  }
}

/** The job input of the seeds' canary on reviews: image swap for v2 (or another version). */
export function reviewsCanary(version = "v2", name = `reviews-${version}`) {
  return {
    name,
    namespace: NS,
    app: "bookinfo",
    service: "reviews",
    strategy: "canary" as const,
    newVersion: {
      version,
      settings: {
        replicas: 1,
        containers: {
          mode: "replace-image" as const,
          images: { reviews: `docker.io/istio/examples-bookinfo-reviews-${version}:1.20.3` },
        },
      },
    },
  };
}

/**
 * Requests to named resources since the last reset, as `verb resource` (discovery requests and "may I?"
 * SelfSubjectAccessReviews left out: they read or change no object).
 */
export function apiCalls(kube: KubeTestServer): string[] {
  return kube.requests
    .filter((r) => r.resource && r.resource !== "selfsubjectaccessreviews")
    .map((r) => `${r.verb} ${r.resource}${r.name ? `/${r.name}` : ""}`);
}
