// A real Kubernetes control plane for tests, the envtest way: etcd, kube-apiserver (RBAC on, token
// auth, its own CA) and, when present, kube-controller-manager, from the folder KUBEBUILDER_ASSETS names,
// all on loopback; a kubelet stand-in marks Pods Ready; the project's CRDs are installed.

import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import type { User } from "../kube/authz.ts";
import type { KubeSphereFlavour } from "../kube/crds.ts";
import { writeKubeconfigFile } from "../kube/kubeconfig.ts";
import type { Mesh } from "../kube/registry.ts";
import type { RecordedRequest } from "../kube/server.ts";
import { freePort } from "../slack/free-port.ts";
import { tempDir } from "../temp-dir.ts";
import { makeKeys } from "./certs.ts";
import { installCrds } from "./crds.ts";
import { type KubeletStandIn, startKubelet } from "./kubelet.ts";
import { type Running, run, waitHealthy } from "./processes.ts";
import { type RecordingProxy, startProxy } from "./proxy.ts";
import { grantUser } from "./users.ts";

export { installCrds } from "./crds.ts";

/** The folder with kube-apiserver and etcd, when the environment names one that has them. */
export function envtestAssets(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env.KUBEBUILDER_ASSETS;
  if (!dir) return undefined;
  return ["kube-apiserver", "etcd"].every((b) => existsSync(join(dir, b))) ? dir : undefined;
}

export interface EnvtestOptions {
  assets?: string;
  crds?: Mesh[];
  kubesphereVersion?: KubeSphereFlavour;
  /** Delay before the kubelet stand-in reports a new Pod Ready; default 50 ms. */
  podReadyDelayMs?: number;
  /** Start kube-controller-manager when its binary is there (default): Deployments get ReplicaSets and Pods. */
  controllerManager?: boolean;
}

export interface Envtest {
  /** The recording proxy's address (what kubeconfigs name); `apiserverUrl` is the API server itself. */
  url: string;
  apiserverUrl: string;
  kubeconfigPath: string;
  adminToken: string;
  caCertificate: string;
  kubeConfig(token?: string): KubeConfig;
  writeKubeconfig(token: string, path?: string): string;
  /** Binds `user.rules` to a ServiceAccount; `kubeConfig(token)` then acts as that user. */
  setUser(token: string, user: User): Promise<void>;
  /** The username the API server sees for a user set with setUser. */
  username(token: string): string | undefined;
  markImageBad(image: string): void;
  /** Pods of `image` stay Pending until `release` is called (no kubelet yet: nothing to release). */
  holdImage(image: string): { release(): void };
  /** Replaces the installed CRDs with those of `meshes`. */
  installCrds(meshes: Mesh[], kubesphere?: KubeSphereFlavour): Promise<void>;
  /** Requests that went through the recording proxy, with the real server's status codes. */
  requests: RecordedRequest[];
  resetRequests(): void;
  close(): Promise<void>;
}

export async function startEnvtest(opts: EnvtestOptions = {}): Promise<Envtest> {
  const assets = opts.assets ?? envtestAssets();
  if (!assets) throw new Error("KUBEBUILDER_ASSETS must name a folder with kube-apiserver and etcd");
  const dir = tempDir("graydesk-envtest-");
  const processes: Running[] = [];
  let kubelet: KubeletStandIn | undefined;
  let proxy: RecordingProxy | undefined;
  const close = async () => {
    kubelet?.stop();
    await proxy?.close();
    for (const p of processes.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const keys = makeKeys(dir);
    const ca = readFileSync(keys.caCert, "utf8");
    const adminToken = randomBytes(16).toString("hex");
    const kcmToken = randomBytes(16).toString("hex");
    writeFileSync(
      join(dir, "tokens.csv"),
      `${adminToken},admin,admin,"system:masters"\n${kcmToken},system:kube-controller-manager,kcm,""\n`,
      { mode: 0o600 },
    );
    const [etcdPort, peerPort, apiPort, kcmPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const etcd = run(
      "etcd",
      join(assets, "etcd"),
      [
        "--name",
        "t",
        "--data-dir",
        join(dir, "etcd"),
        "--listen-client-urls",
        `http://127.0.0.1:${etcdPort}`,
        "--listen-peer-urls",
        `http://127.0.0.1:${peerPort}`,
      ],
      dir,
    );
    processes.push(etcd);
    await waitEtcd(etcd, etcdPort);
    const apiserver = run(
      "kube-apiserver",
      join(assets, "kube-apiserver"),
      [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        "--endpoint-reconciler-type=none",
        `--tls-cert-file=${keys.servingCert}`,
        `--tls-private-key-file=${keys.servingKey}`,
        `--client-ca-file=${keys.caCert}`,
        `--token-auth-file=${join(dir, "tokens.csv")}`,
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${keys.serviceAccountPub}`,
        `--service-account-signing-key-file=${keys.serviceAccountKey}`,
        "--service-cluster-ip-range=10.0.0.0/24",
        "--allow-privileged=true",
        `--cert-dir=${dir}`,
      ],
      dir,
    );
    processes.push(apiserver);
    const apiserverUrl = `https://127.0.0.1:${apiPort}`;
    await waitHealthy(apiserver, `${apiserverUrl}/readyz`, { ca, token: adminToken });
    proxy = await startProxy(apiserverUrl, keys);
    const { url, requests } = proxy;

    const writeKubeconfig = (token: string, path = join(dir, `kubeconfig-${token.slice(0, 8)}.yaml`)) =>
      writeKubeconfigFile(path, url, token, ca);
    const kubeconfigPath = writeKubeconfig(adminToken, join(dir, "kubeconfig.yaml"));
    const load = (token: string, path?: string) => {
      const kc = new KubeConfig();
      kc.loadFromFile(writeKubeconfig(token, path));
      return kc;
    };
    const admin = load(adminToken, kubeconfigPath);

    const withKcm = (opts.controllerManager ?? true) && existsSync(join(assets, "kube-controller-manager"));
    if (withKcm) {
      const kcmConfig = writeKubeconfig(kcmToken, join(dir, "kcm.kubeconfig"));
      const kcm = run(
        "kube-controller-manager",
        join(assets, "kube-controller-manager"),
        [
          `--kubeconfig=${kcmConfig}`,
          `--authentication-kubeconfig=${kcmConfig}`,
          `--authorization-kubeconfig=${kcmConfig}`,
          "--bind-address=127.0.0.1",
          `--secure-port=${kcmPort}`,
          "--leader-elect=false",
          "--use-service-account-credentials=true",
          "--controllers=*,-service-ca-certificate-publisher-controller",
          `--service-account-private-key-file=${keys.serviceAccountKey}`,
          `--root-ca-file=${keys.caCert}`,
          `--cert-dir=${dir}`,
        ],
        dir,
      );
      processes.push(kcm);
      await waitDefaultServiceAccount(admin, kcm);
      kubelet = startKubelet(admin, { readyDelayMs: opts.podReadyDelayMs ?? 50 });
    }
    await installCrds(admin, opts.crds ?? ["istio"], opts.kubesphereVersion ?? "3.4");

    const tokens = new Map<string, { token: string; username: string }>();
    return {
      url,
      apiserverUrl,
      kubeconfigPath,
      adminToken,
      caCertificate: ca,
      kubeConfig: (token = adminToken) =>
        token === adminToken ? load(adminToken, kubeconfigPath) : load(tokens.get(token)?.token ?? token),
      writeKubeconfig: (token, path) => writeKubeconfig(tokens.get(token)?.token ?? token, path),
      async setUser(token, user) {
        tokens.set(token, await grantUser(admin, user));
      },
      username: (token) => tokens.get(token)?.username,
      markImageBad: (image) => kubelet?.markImageBad(image),
      holdImage: (image) => kubelet?.holdImage(image) ?? { release: () => undefined },
      installCrds: (meshes, kubesphere) => installCrds(admin, meshes, kubesphere),
      requests,
      resetRequests() {
        requests.length = 0;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** etcd's /health answers JSON rather than `ok`: any 200 there means it serves. */
async function waitEtcd(etcd: Running, port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (etcd.child.exitCode !== null) throw new Error(`etcd exited ${etcd.child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("etcd not serving");
}

/** kube-controller-manager is working once its ServiceAccount controller has made `default/default`. */
async function waitDefaultServiceAccount(admin: KubeConfig, kcm: Running): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (kcm.child.exitCode !== null) throw new Error(`kube-controller-manager exited ${kcm.child.exitCode}`);
    const found = await core.readNamespacedServiceAccount({ name: "default", namespace: "default" }).then(
      () => true,
      () => false,
    );
    if (found) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("kube-controller-manager did not create ServiceAccount default/default");
}
