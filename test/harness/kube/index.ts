// A Kubernetes API server in-process for tests: real HTTP, real client-node and kubectl on the other end.

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { tempDir } from "../temp-dir.ts";
import { Api } from "./api.ts";
import type { PolicyRule, User } from "./authz.ts";
import { Controllers } from "./controllers.ts";
import { installedCrds, type KubeSphereFlavour } from "./crds.ts";
import { type Fault, Faults } from "./faults.ts";
import { writeKubeconfigFile } from "./kubeconfig.ts";
import { KubeSphereVirtualServices } from "./kubesphere-controller.ts";
import { caCertificate, listenDual } from "./listen.ts";
import { NamespaceController } from "./namespaces.ts";
import { newUid } from "./objects.ts";
import { BUILT_IN, type Mesh, Registry } from "./registry.ts";
import { type Schema, SchemaValidator } from "./schema.ts";
import { createHandler, type RecordedRequest } from "./server.ts";
import { Store } from "./store.ts";

export type { PolicyRule, User } from "./authz.ts";
export type { KubeSphereFlavour } from "./crds.ts";
export type { Fault } from "./faults.ts";
export { mergedKubeconfig } from "./kubeconfig.ts";
export type { Mesh } from "./registry.ts";
export type { RecordedRequest } from "./server.ts";

export interface KubeTestServerOptions {
  /** CRD families installed; default ["istio"]; [] is a cluster without a mesh. */
  crds?: Mesh[];
  /** Which KubeSphere Strategy schema is installed: 3.4 (snake_case VirtualService fields) or 3.3 (camelCase). */
  kubesphereVersion?: KubeSphereFlavour;
  podReadyDelayMs?: number;
  progressDeadlineMs?: number;
  users?: Record<string, User>;
  port?: number;
  dir?: string;
  /** Events kept for watches to resume from; older resourceVersions get 410 Gone. Default 1000. */
  watchHistory?: number;
  bookmarkIntervalMs?: number;
  /**
   * Runs a stand-in for KubeSphere's virtualservice controller: mesh-governed Services get the VirtualService
   * their DestinationRule and Strategy call for (needs the istio and kubesphere CRDs); "with-destination-rules"
   * also writes each DestinationRule from the ready Deployments behind the Service, as KubeSphere does.
   */
  kubesphereController?: boolean | "with-destination-rules";
}

export interface KubeTestServer {
  /** `real` when a real control plane stands behind this interface (test/harness/envtest/cluster.ts). */
  kind: "test-server" | "real";
  url: string;
  kubeconfigPath: string;
  adminToken: string;
  writeKubeconfig(token: string, path?: string): string;
  /**
   * A KubeConfig loaded from a kubeconfig file (TLS, as with any cluster). `plainHttp` skips TLS:
   * client-node opens a connection per request, so benchmarks run ~3x faster without handshakes.
   */
  kubeConfig(token?: string, opts?: { plainHttp?: boolean }): KubeConfig;
  /** Synchronous here; a real control plane needs RBAC writes, so callers await it. */
  setUser(token: string, user: User): void | Promise<void>;
  faults: { add(f: Fault): void; clear(): void };
  markImageBad(image: string): void;
  /** Pods of `image` stay Pending (being pulled, no waiting reason) until `release` is called. */
  holdImage(image: string): { release(): void };
  requests: RecordedRequest[];
  resetRequests(): void;
  close(): Promise<void>;
}

export async function startKubeServer(opts: KubeTestServerOptions = {}): Promise<KubeTestServer> {
  const crds = installedCrds(opts.crds ?? ["istio"], opts.kubesphereVersion ?? "3.4");
  const registry = new Registry([...BUILT_IN, ...crds.map((c) => c.type)]);
  const store = new Store(opts.watchHistory ?? 1000);
  const schemas = new Map<string, Schema>(crds.map((c) => [`${c.type.group}/${c.type.resource}`, c.schema]));
  const printerColumns = new Map(
    crds.map((c) => {
      const version = ((c.manifest.spec as { versions: Array<{ additionalPrinterColumns?: [] }> })
        .versions[0] ?? {}) as {
        additionalPrinterColumns?: Array<{ name: string; type: string; jsonPath: string }>;
      };
      return [`${c.type.group}/${c.type.resource}`, version.additionalPrinterColumns ?? []];
    }),
  );
  const now = () => new Date();
  const api = new Api({ store, schemas, validator: new SchemaValidator(), now });
  const badImages = new Set<string>();
  const heldImages = new Set<string>();
  const namespaces = new NamespaceController(store, caCertificate(), () =>
    now()
      .toISOString()
      .replace(/\.\d+Z$/, "Z"),
  );
  const controllers = new Controllers(store, {
    podReadyDelayMs: opts.podReadyDelayMs ?? 50,
    progressDeadlineMs: opts.progressDeadlineMs ?? 2000,
    badImages,
    heldImages,
    now,
  });

  const kubesphere = opts.kubesphereController
    ? new KubeSphereVirtualServices(store, {
        destinationRules: opts.kubesphereController === "with-destination-rules",
      })
    : undefined;

  const stamp = now()
    .toISOString()
    .replace(/\.\d+Z$/, "Z");
  const seed = (gr: string, o: Parameters<Store["put"]>[1]) => {
    o.metadata.uid = newUid();
    o.metadata.creationTimestamp = stamp;
    store.put(gr, o, "ADDED");
  };
  for (const ns of ["default", "kube-system", "kube-public", "istio-system"]) {
    seed("/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: ns, labels: { "kubernetes.io/metadata.name": ns } },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });
  }
  for (const c of crds) seed("apiextensions.k8s.io/customresourcedefinitions", structuredClone(c.manifest));

  const adminToken = randomBytes(16).toString("hex");
  const users = new Map<string, User>([[adminToken, { name: "admin", rules: "cluster-admin" }]]);
  for (const [token, user] of Object.entries(opts.users ?? {})) users.set(token, user);
  const requests: RecordedRequest[] = [];
  const faults = new Faults();
  const open = new Set<() => void>();
  let url = "";
  const handler = createHandler({
    api,
    store,
    registry,
    faults,
    users,
    requests,
    printerColumns,
    // A real API server sends a bookmark about once a minute, not within a watch's first seconds.
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
    open,
    url: () => url,
  });
  const server = await listenDual(handler, opts.port ?? 0);
  url = `http://127.0.0.1:${server.port}`;
  const dir = opts.dir ?? tempDir("graydesk-kube-");
  const writeKubeconfig = (token: string, path = join(dir, `kubeconfig-${token.slice(0, 8)}.yaml`)) =>
    writeKubeconfigFile(path, url.replace("http:", "https:"), token, caCertificate());
  const kubeconfigPath = writeKubeconfig(adminToken, join(dir, "kubeconfig.yaml"));

  return {
    kind: "test-server",
    url,
    kubeconfigPath,
    adminToken,
    writeKubeconfig,
    kubeConfig(token = adminToken, kcOpts = {}) {
      const kc = new KubeConfig();
      kc.loadFromFile(token === adminToken ? kubeconfigPath : writeKubeconfig(token));
      if (kcOpts.plainHttp) {
        kc.loadFromOptions({
          clusters: [{ name: "graydesk-test", server: url, skipTLSVerify: true }],
          users: [{ name: "graydesk-test", token }],
          contexts: [
            { name: "graydesk-test", cluster: "graydesk-test", user: "graydesk-test", namespace: "default" },
          ],
          currentContext: "graydesk-test",
        });
      }
      return kc;
    },
    setUser(token: string, user: User) {
      users.set(token, user);
    },
    faults: { add: (f) => faults.add(f), clear: () => faults.clear() },
    markImageBad(image: string) {
      badImages.add(image);
    },
    holdImage(image: string) {
      heldImages.add(image);
      return { release: () => heldImages.delete(image) };
    },
    requests,
    resetRequests() {
      requests.length = 0;
    },
    async close() {
      controllers.stop();
      kubesphere?.stop();
      namespaces.stop();
      for (const end of [...open]) end();
      await server.close();
    },
  };
}

export type { PolicyRule as Rule };
