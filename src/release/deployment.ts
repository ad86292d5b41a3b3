import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { containerOntoRunning } from "./container-onto-running.ts";
import type { ContainerSettings, NewVersionSettings } from "./container-settings.ts";
import { HOST_TIME_PATH, HOST_TIME_VOLUME } from "./container-spec.ts";
import { ReleaseError } from "./errors.ts";

export const MANAGED_BY = "graydesk";
export const JOB_LABEL = "graydesk.io/job";
export const VERSION_LABEL = "version";

// Set by the API server or by kubectl for the old object; a copy must not carry them.
const STRIPPED_ANNOTATIONS = [
  "deployment.kubernetes.io/revision",
  "kubectl.kubernetes.io/last-applied-configuration",
];

export interface NewVersionTarget {
  service: string;
  version: string;
  job: string;
}

export function newVersionDeploymentName(service: string, version: string): string {
  return `${service}-${version}`;
}

/**
 * The new version's Deployment, derived from the stable one: same pod template, the new version in
 * the selector and labels, the requested replicas and container changes. Pure: the stable object is
 * not modified.
 */
export function deriveNewVersionDeployment(
  stable: IDeployment,
  settings: NewVersionSettings,
  target: NewVersionTarget,
): IDeployment {
  const source = structuredClone(stable);
  const template = source.spec?.template;
  if (!source.spec || !template?.spec) {
    throw new ReleaseError(
      "not-found",
      `Deployment ${stable.metadata?.name ?? "?"} has no pod template to copy.`,
    );
  }
  const { version } = target;
  const annotations = { ...(source.metadata?.annotations ?? {}) };
  for (const key of STRIPPED_ANNOTATIONS) delete annotations[key];
  const labels = {
    ...(source.metadata?.labels ?? {}),
    [VERSION_LABEL]: version,
    "app.kubernetes.io/managed-by": MANAGED_BY,
    [JOB_LABEL]: target.job,
  };
  // Istio reads these two to tell versions apart in metrics and traces.
  const podLabels = {
    ...(template.metadata?.labels ?? {}),
    [VERSION_LABEL]: version,
    "service.istio.io/canonical-revision": version,
    "app.kubernetes.io/version": version,
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: newVersionDeploymentName(target.service, version),
      ...(source.metadata?.namespace ? { namespace: source.metadata.namespace } : {}),
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    // A fresh object: status, uid, resourceVersion, managedFields and the like are not carried over.
    spec: {
      ...source.spec,
      replicas: settings.replicas,
      selector: {
        ...source.spec.selector,
        matchLabels: { ...(source.spec.selector.matchLabels ?? {}), [VERSION_LABEL]: version },
      },
      template: {
        ...template,
        metadata: { ...(template.metadata ?? {}), labels: podLabels },
        spec: podSpec(template.spec, settings),
      },
    },
  };
}

/** The new version's pod spec: the stable one with the job's container changes (what the Deployment will run). */
export function newVersionPodSpec(stable: IPodSpec, settings: NewVersionSettings): IPodSpec {
  return podSpec(structuredClone(stable), settings);
}

function podSpec(stable: IPodSpec, settings: NewVersionSettings): IPodSpec {
  const change = settings.containers;
  if (change.mode === "replace-image") {
    const known = new Set([...stable.containers, ...(stable.initContainers ?? [])].map((c) => c.name));
    const unknown = Object.keys(change.images).filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new ReleaseError("invalid-field", `The current version has no container ${unknown.join(", ")}.`, {
        fields: unknown.map((name) => ({
          field: `images.${name}`,
          message: `There is no container ${name}.`,
        })),
      });
    }
    const swap = (container: IContainer): IContainer =>
      change.images[container.name] ? { ...container, image: change.images[container.name] } : container;
    return {
      ...stable,
      containers: stable.containers.map(swap),
      ...(stable.initContainers ? { initContainers: stable.initContainers.map(swap) } : {}),
    };
  }
  // A described container that runs today keeps every setting the forms did not change.
  const running = [...stable.containers, ...(stable.initContainers ?? [])];
  const build = (settings: ContainerSettings) =>
    containerOntoRunning(
      settings,
      running.find((c) => c.name === settings.name),
    );
  const work = change.containers.filter((c) => c.type === "work").map(build);
  const init = change.containers.filter((c) => c.type === "init").map(build);
  const { initContainers: _old, ...rest } = stable;
  const spec: IPodSpec = { ...rest, containers: work, ...(init.length ? { initContainers: init } : {}) };
  // The registries' logins the described containers chose, beside those the pod already pulls with.
  const pulls = [...(stable.imagePullSecrets ?? [])];
  for (const name of change.containers.flatMap((c) => (c.pullSecret ? [c.pullSecret] : [])))
    if (!pulls.some((p) => p.name === name)) pulls.push({ name });
  if (pulls.length) spec.imagePullSecrets = pulls;
  const hasHostTime = (stable.volumes ?? []).some((volume) => volume.name === HOST_TIME_VOLUME);
  if (change.containers.some((c) => c.syncHostTimezone) && !hasHostTime) {
    spec.volumes = [
      ...(stable.volumes ?? []),
      { name: HOST_TIME_VOLUME, hostPath: { path: HOST_TIME_PATH } },
    ];
  }
  return spec;
}
