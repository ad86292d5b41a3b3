import type { IContainer } from "kubernetes-models/v1/Container";
import type { ILifecycleHandler } from "kubernetes-models/v1/LifecycleHandler";
import type { IProbe } from "kubernetes-models/v1/Probe";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type {
  ActionSettings,
  ContainerSettings,
  ProbeSettings,
  SecuritySettings,
} from "./container-settings.ts";
import { splitCommaList } from "./container-settings.ts";
import { cpuQuantity, memoryQuantity } from "./quantities.ts";
import { PORT_PROTOCOLS } from "./validate/ports.ts";

/** The volume that shares the node's timezone with containers that ask for it. */
export const HOST_TIME_VOLUME = "host-time";
export const HOST_TIME_PATH = "/etc/localtime";

/** Maps one container of the wizard onto the Kubernetes container spec. */
export function containerSpec(settings: ContainerSettings): IContainer {
  const container: IContainer = { name: settings.name, image: settings.image };
  if (settings.imagePullPolicy) container.imagePullPolicy = settings.imagePullPolicy;
  const command = splitCommaList(settings.command ?? "");
  if (command.length > 0) container.command = command;
  const args = splitCommaList(settings.args ?? "");
  if (args.length > 0) container.args = args;
  const resources = resourcesSpec(settings);
  if (resources) container.resources = resources;
  if (settings.ports?.length) {
    container.ports = settings.ports.map((port) => ({
      name: port.name,
      containerPort: port.containerPort,
      protocol: PORT_PROTOCOLS[port.protocol].transport,
    }));
  }
  if (settings.env?.length) {
    container.env = settings.env.map((variable) => {
      if (!variable.from) return { name: variable.key, value: variable.value ?? "" };
      const ref = { name: variable.from.name, key: variable.from.key };
      return variable.from.kind === "ConfigMap"
        ? { name: variable.key, valueFrom: { configMapKeyRef: ref } }
        : { name: variable.key, valueFrom: { secretKeyRef: ref } };
    });
  }
  if (settings.envFrom?.length) {
    container.envFrom = settings.envFrom.map((source) =>
      source.kind === "ConfigMap"
        ? { configMapRef: { name: source.name } }
        : { secretRef: { name: source.name } },
    );
  }
  const probes = settings.probes ?? {};
  if (probes.liveness) container.livenessProbe = probeSpec(probes.liveness);
  if (probes.readiness) container.readinessProbe = probeSpec(probes.readiness);
  if (probes.startup) container.startupProbe = probeSpec(probes.startup);
  const { postStart, preStop } = settings.lifecycle ?? {};
  if (postStart || preStop) {
    container.lifecycle = {
      ...(postStart ? { postStart: handlerSpec(postStart) } : {}),
      ...(preStop ? { preStop: handlerSpec(preStop) } : {}),
    };
  }
  if (settings.securityContext) container.securityContext = securitySpec(settings.securityContext);
  const mounts = (settings.volumeMounts ?? []).map((m) => ({
    name: m.volume,
    mountPath: m.mountPath,
    ...(m.readOnly ? { readOnly: true } : {}),
    ...(m.subPath ? { subPath: m.subPath } : {}),
  }));
  if (settings.syncHostTimezone)
    mounts.push({ name: HOST_TIME_VOLUME, mountPath: HOST_TIME_PATH, readOnly: true });
  if (mounts.length) container.volumeMounts = mounts;
  return container;
}

function resourcesSpec(settings: ContainerSettings): IContainer["resources"] | undefined {
  const { cpuRequest, cpuLimit, memoryRequestMiB, memoryLimitMiB } = settings.resources ?? {};
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (cpuRequest !== undefined && cpuRequest !== "") requests.cpu = cpuQuantity(cpuRequest);
  if (memoryRequestMiB !== undefined) requests.memory = memoryQuantity(memoryRequestMiB);
  if (cpuLimit !== undefined && cpuLimit !== "") limits.cpu = cpuQuantity(cpuLimit);
  if (memoryLimitMiB !== undefined) limits.memory = memoryQuantity(memoryLimitMiB);
  if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) return undefined;
  return {
    ...(Object.keys(requests).length ? { requests } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
  };
}

export function handlerSpec(action: ActionSettings): ILifecycleHandler {
  switch (action.kind) {
    case "http":
      return { httpGet: { scheme: action.scheme, path: action.path, port: action.port } };
    case "command":
      return { exec: { command: splitCommaList(action.command) } };
    case "tcp":
      return { tcpSocket: { port: action.port } };
  }
}

function probeSpec(probe: ProbeSettings): IProbe {
  const spec: IProbe = { ...handlerSpec(probe) };
  for (const key of [
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "successThreshold",
    "failureThreshold",
  ] as const) {
    const value = probe[key];
    if (value !== undefined) spec[key] = value;
  }
  return spec;
}

function securitySpec(security: SecuritySettings): ISecurityContext {
  const spec: ISecurityContext = {};
  // Run as Non-root overrides Privileged Mode, as the console describes it.
  const privileged = security.privileged === true && security.runAsNonRoot !== true;
  if (privileged) {
    spec.privileged = true;
    spec.allowPrivilegeEscalation = true;
  } else if (security.allowPrivilegeEscalation !== undefined) {
    spec.allowPrivilegeEscalation = security.allowPrivilegeEscalation;
  }
  if (security.readOnlyRootFilesystem !== undefined)
    spec.readOnlyRootFilesystem = security.readOnlyRootFilesystem;
  if (security.runAsNonRoot !== undefined) spec.runAsNonRoot = security.runAsNonRoot;
  if (security.runAsUser !== undefined) spec.runAsUser = security.runAsUser;
  if (security.runAsGroup !== undefined) spec.runAsGroup = security.runAsGroup;
  const seLinux = Object.fromEntries(Object.entries(security.seLinux ?? {}).filter(([, value]) => value));
  if (Object.keys(seLinux).length > 0) spec.seLinuxOptions = seLinux;
  const add = security.capabilities?.add ?? [];
  const drop = security.capabilities?.drop ?? [];
  if (add.length || drop.length) {
    spec.capabilities = { ...(add.length ? { add } : {}), ...(drop.length ? { drop } : {}) };
  }
  return spec;
}
