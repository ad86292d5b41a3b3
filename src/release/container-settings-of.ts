import type { IContainer } from "kubernetes-models/v1/Container";
import type { ILifecycleHandler } from "kubernetes-models/v1/LifecycleHandler";
import type { IProbe } from "kubernetes-models/v1/Probe";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type {
  ActionSettings,
  ContainerSettings,
  ContainerType,
  EnvVarSettings,
  ImagePullPolicy,
  PortProtocol,
  PortSettings,
  ProbeSettings,
  SecuritySettings,
} from "./container-settings.ts";
import { HOST_TIME_PATH, HOST_TIME_VOLUME } from "./container-spec.ts";
import { cpuMillicores } from "./quantities.ts";
import { PORT_PROTOCOLS } from "./validate/ports.ts";

/**
 * The wizard's settings of a running container: what "Describe the containers" starts from, so the forms show
 * what the pod runs today. What the forms cannot express (named probe ports, env from the downward API, other
 * resources) is left out here and kept from the running container when the new version is built.
 */
export function settingsOfContainer(container: IContainer, type: ContainerType): ContainerSettings {
  const settings: ContainerSettings = { name: container.name, type, image: container.image ?? "" };
  if (container.imagePullPolicy) settings.imagePullPolicy = container.imagePullPolicy as ImagePullPolicy;
  if (container.command?.length) settings.command = container.command.join(", ");
  if (container.args?.length) settings.args = container.args.join(", ");
  const resources = resourcesOf(container);
  if (resources) settings.resources = resources;
  if (container.ports?.length) settings.ports = container.ports.map(portOf);
  const env = (container.env ?? []).flatMap(envOf);
  if (env.length) settings.env = env;
  const probes: ContainerSettings["probes"] = {};
  const liveness = probeOf(container.livenessProbe);
  const readiness = probeOf(container.readinessProbe);
  const startup = probeOf(container.startupProbe);
  if (liveness) probes.liveness = liveness;
  if (readiness) probes.readiness = readiness;
  if (startup) probes.startup = startup;
  if (Object.keys(probes).length) settings.probes = probes;
  const postStart = actionOf(container.lifecycle?.postStart);
  const preStop = actionOf(container.lifecycle?.preStop);
  if (postStart || preStop)
    settings.lifecycle = { ...(postStart ? { postStart } : {}), ...(preStop ? { preStop } : {}) };
  const envFrom = (container.envFrom ?? []).flatMap((source): ContainerSettings["envFrom"] & object => {
    if (source.configMapRef?.name) return [{ kind: "ConfigMap", name: source.configMapRef.name }];
    if (source.secretRef?.name) return [{ kind: "Secret", name: source.secretRef.name }];
    return [];
  });
  if (envFrom.length) settings.envFrom = envFrom;
  const mounts = (container.volumeMounts ?? [])
    .filter((m) => !(m.name === HOST_TIME_VOLUME && m.mountPath === HOST_TIME_PATH))
    .map((m) => ({
      volume: m.name,
      mountPath: m.mountPath,
      ...(m.readOnly ? { readOnly: true } : {}),
      ...(m.subPath ? { subPath: m.subPath } : {}),
    }));
  if (mounts.length) settings.volumeMounts = mounts;
  if (container.securityContext) settings.securityContext = securityOf(container.securityContext);
  if (container.volumeMounts?.some((m) => m.name === HOST_TIME_VOLUME && m.mountPath === HOST_TIME_PATH))
    settings.syncHostTimezone = true;
  return settings;
}

/** Work containers first, then init containers, in the pod's order. */
export function settingsOfPod(spec: {
  containers?: IContainer[];
  initContainers?: IContainer[];
}): ContainerSettings[] {
  return [
    ...(spec.containers ?? []).map((c) => settingsOfContainer(c, "work")),
    ...(spec.initContainers ?? []).map((c) => settingsOfContainer(c, "init")),
  ];
}

function resourcesOf(container: IContainer): ContainerSettings["resources"] {
  const requests = container.resources?.requests ?? {};
  const limits = container.resources?.limits ?? {};
  const resources = {
    cpuRequest: cpuOf(requests.cpu),
    cpuLimit: cpuOf(limits.cpu),
    memoryRequestMiB: mibOf(requests.memory),
    memoryLimitMiB: mibOf(limits.memory),
  };
  const set = Object.entries(resources).filter(([, value]) => value !== undefined);
  return set.length ? Object.fromEntries(set) : undefined;
}

const cpuOf = (quantity: unknown): string | undefined =>
  quantity !== undefined && cpuMillicores(String(quantity)) !== undefined ? String(quantity) : undefined;

const MEMORY_UNITS: Record<string, number> = {
  "": 1,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/** MiB of a memory quantity (`64Mi`, `1Gi`, `128M`); undefined when it is not a whole number of KiB. */
export function mibOf(quantity: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(quantity ?? "").trim());
  if (!m) return undefined;
  const bytes = Number(m[1]) * (MEMORY_UNITS[m[2] ?? ""] ?? Number.NaN);
  const kib = bytes / 1024;
  return Number.isInteger(kib) && kib > 0 ? kib / 1024 : undefined;
}

function portOf(port: NonNullable<IContainer["ports"]>[number]): PortSettings {
  const transport = port.protocol ?? "TCP";
  const named = Object.entries(PORT_PROTOCOLS)
    .filter(([, p]) => p.transport === transport && port.name)
    .filter(([, p]) => port.name === p.prefix || port.name?.startsWith(`${p.prefix}-`))
    .sort(([, a], [, b]) => b.prefix.length - a.prefix.length)[0];
  const protocol = (named?.[0] ?? transport) as PortProtocol;
  return {
    protocol,
    name: port.name ?? PORT_PROTOCOLS[protocol].prefix,
    containerPort: port.containerPort,
  };
}

function envOf(variable: NonNullable<IContainer["env"]>[number]): EnvVarSettings[] {
  const from = variable.valueFrom;
  if (!from) return [{ key: variable.name, value: variable.value ?? "" }];
  const config = from.configMapKeyRef;
  if (config?.name)
    return [{ key: variable.name, from: { kind: "ConfigMap", name: config.name, key: config.key } }];
  const secret = from.secretKeyRef;
  if (secret?.name)
    return [{ key: variable.name, from: { kind: "Secret", name: secret.name, key: secret.key } }];
  return [];
}

function actionOf(handler: ILifecycleHandler | IProbe | undefined): ActionSettings | undefined {
  if (!handler) return undefined;
  const http = handler.httpGet;
  if (http && typeof http.port === "number")
    return {
      kind: "http",
      scheme: http.scheme === "HTTPS" ? "HTTPS" : "HTTP",
      path: http.path ?? "/",
      port: http.port,
    };
  if (handler.exec?.command?.length) return { kind: "command", command: handler.exec.command.join(", ") };
  if (handler.tcpSocket && typeof handler.tcpSocket.port === "number")
    return { kind: "tcp", port: handler.tcpSocket.port };
  return undefined;
}

function probeOf(probe: IProbe | undefined): ProbeSettings | undefined {
  const action = actionOf(probe);
  if (!probe || !action) return undefined;
  const settings: ProbeSettings = { ...action };
  for (const key of [
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "successThreshold",
    "failureThreshold",
  ] as const) {
    const value = probe[key];
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}

function securityOf(spec: ISecurityContext): SecuritySettings {
  const security: SecuritySettings = {};
  if (spec.privileged !== undefined) security.privileged = spec.privileged;
  if (spec.allowPrivilegeEscalation !== undefined)
    security.allowPrivilegeEscalation = spec.allowPrivilegeEscalation;
  if (spec.readOnlyRootFilesystem !== undefined)
    security.readOnlyRootFilesystem = spec.readOnlyRootFilesystem;
  if (spec.runAsNonRoot !== undefined) security.runAsNonRoot = spec.runAsNonRoot;
  if (spec.runAsUser !== undefined) security.runAsUser = spec.runAsUser;
  if (spec.runAsGroup !== undefined) security.runAsGroup = spec.runAsGroup;
  if (spec.seLinuxOptions) security.seLinux = { ...spec.seLinuxOptions };
  const { add, drop } = spec.capabilities ?? {};
  if (add?.length || drop?.length)
    security.capabilities = { ...(add?.length ? { add } : {}), ...(drop?.length ? { drop } : {}) };
  return security;
}
