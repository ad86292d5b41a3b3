// Loads the Bookinfo sample (test/fixtures/bookinfo) into a cluster through client-node and waits for its pods.
import { readFileSync } from "node:fs";
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1Deployment,
  type V1Service,
  type V1ServiceAccount,
} from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";

const FIXTURES = new URL("../fixtures/bookinfo/", import.meta.url);
const APPS = ["productpage", "details", "ratings", "reviews"];

export interface BookinfoOptions {
  /** Which reviews versions to deploy; all three by default. `["v1"]` is the usual start of a canary. */
  reviewsVersions?: string[];
  /** Replicas per reviews version (default 1 each). */
  reviewsReplicas?: Record<string, number>;
  /** Also create the reviews DestinationRule with subsets v1, v2, v3. */
  withDestinationRule?: boolean;
  readyTimeoutMs?: number;
}

export interface LoadedBookinfo {
  namespace: string;
  deployments: string[];
}

export class BookinfoLoadError extends Error {
  readonly code = "bookinfo_load_failed";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

type Manifest = {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

function readManifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(new URL(file, FIXTURES), "utf8")).map((d) => d.toJS() as Manifest);
}

/** The Bookinfo objects for the chosen options, namespaced, in creation order. */
export function bookinfoManifests(namespace: string, options: BookinfoOptions = {}): Manifest[] {
  const versions = options.reviewsVersions ?? ["v1", "v2", "v3"];
  const objects = APPS.flatMap((app) => readManifests(`${app}.yaml`)).filter((o) => {
    if (o.kind !== "Deployment" || o.metadata.labels?.app !== "reviews") return true;
    return versions.includes(o.metadata.labels.version ?? "");
  });
  for (const o of objects) {
    o.metadata.namespace = namespace;
    const version = o.metadata.labels?.version;
    if (o.kind === "Deployment" && o.metadata.labels?.app === "reviews" && version) {
      (o as V1Deployment).spec = {
        ...(o as V1Deployment).spec,
        replicas: options.reviewsReplicas?.[version] ?? 1,
      } as V1Deployment["spec"];
    }
  }
  if (options.withDestinationRule) {
    const rule = readManifests("reviews-destination-rule.yaml")[0] as Manifest;
    rule.metadata.namespace = namespace;
    objects.push(rule);
  }
  return objects;
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

async function createIgnoringExisting(what: string, create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (statusOf(error) === 409) return;
    throw new BookinfoLoadError(`Creating ${what} failed`, { cause: error });
  }
}

export async function loadBookinfo(
  kc: KubeConfig,
  namespace: string,
  options: BookinfoOptions = {},
): Promise<LoadedBookinfo> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await createIgnoringExisting(`Namespace ${namespace}`, () =>
    core.createNamespace({
      body: { metadata: { name: namespace, labels: { "istio-injection": "enabled" } } },
    }),
  );
  const deployments: string[] = [];
  for (const o of bookinfoManifests(namespace, options)) {
    const what = `${o.kind} ${namespace}/${o.metadata.name}`;
    if (o.kind === "Service") {
      await createIgnoringExisting(what, () =>
        core.createNamespacedService({ namespace, body: o as V1Service }),
      );
    } else if (o.kind === "ServiceAccount") {
      await createIgnoringExisting(what, () =>
        core.createNamespacedServiceAccount({ namespace, body: o as V1ServiceAccount }),
      );
    } else if (o.kind === "Deployment") {
      deployments.push(o.metadata.name);
      await createIgnoringExisting(what, () =>
        apps.createNamespacedDeployment({ namespace, body: o as V1Deployment }),
      );
    } else if (o.kind === "DestinationRule") {
      await createIgnoringExisting(what, () =>
        custom.createNamespacedCustomObject({
          group: "networking.istio.io",
          version: "v1",
          namespace,
          plural: "destinationrules",
          body: o,
        }),
      );
    } else {
      throw new BookinfoLoadError(`The Bookinfo fixture holds an unexpected ${o.kind}`);
    }
  }
  await waitForReady(apps, namespace, deployments, options.readyTimeoutMs ?? 20_000);
  return { namespace, deployments };
}

async function waitForReady(
  apps: AppsV1Api,
  namespace: string,
  names: string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = names;
  while (Date.now() <= deadline) {
    const list = await apps.listNamespacedDeployment({ namespace });
    const ready = new Set(
      list.items
        .filter((d) => (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 1))
        .map((d) => d.metadata?.name),
    );
    pending = names.filter((n) => !ready.has(n));
    if (pending.length === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new BookinfoLoadError(
    `Bookinfo Deployments not ready in ${namespace} after ${timeoutMs} ms: ${pending.join(", ")}`,
  );
}
