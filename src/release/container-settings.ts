/** The container form of the new-version wizard, as the user filled it in (before mapping to Kubernetes). */

export type ContainerType = "init" | "work";

/** Console names: Use Local Image First, Pull Image Always, Use Local Image Only. */
export type ImagePullPolicy = "IfNotPresent" | "Always" | "Never";

/**
 * The protocol the console asks for. Governance protocols run on TCP; the port name carries the
 * protocol (`http-web`) so the mesh can tell them apart.
 */
export type PortProtocol = "HTTP" | "HTTP2" | "HTTPS" | "GRPC" | "GRPC-WEB" | "TCP" | "TLS" | "UDP" | "SCTP";

export interface PortSettings {
  protocol: PortProtocol;
  name: string;
  containerPort: number;
}

export interface ResourceSettings {
  /** Cores as a number or decimal string (`0.5`, `2`), or millicores (`500m`). */
  cpuRequest?: number | string;
  cpuLimit?: number | string;
  memoryRequestMiB?: number;
  memoryLimitMiB?: number;
}

/** How a probe or a lifecycle hook acts: HTTP request, command, or TCP port. */
export type ActionSettings =
  | { kind: "http"; scheme: "HTTP" | "HTTPS"; path: string; port: number }
  /** Comma-separated command and arguments, as the console takes them. */
  | { kind: "command"; command: string }
  | { kind: "tcp"; port: number };

export type ProbeSettings = ActionSettings & {
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
};

export type ProbeKind = "liveness" | "readiness" | "startup";

export interface EnvVarSettings {
  key: string;
  value?: string;
  from?: { kind: "ConfigMap" | "Secret"; name: string; key: string };
}

/** Batch Reference: every key of a ConfigMap or Secret of the same project becomes a variable. */
export interface EnvFromSettings {
  kind: "ConfigMap" | "Secret";
  name: string;
}

/** A volume of the pod mounted into the container. */
export interface VolumeMountSettings {
  volume: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

export interface SecuritySettings {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  seLinux?: { level?: string; role?: string; type?: string; user?: string };
  capabilities?: { add?: string[]; drop?: string[] };
}

export interface ContainerSettings {
  name: string;
  type: ContainerType;
  image: string;
  imagePullPolicy?: ImagePullPolicy;
  resources?: ResourceSettings;
  ports?: PortSettings[];
  probes?: Partial<Record<ProbeKind, ProbeSettings>>;
  lifecycle?: { postStart?: ActionSettings; preStop?: ActionSettings };
  /** Comma-separated, like the console's Start Command field. */
  command?: string;
  /** Comma-separated, like the console's Parameters field. */
  args?: string;
  env?: EnvVarSettings[];
  /** Batch Reference. Absent: as the container runs today (or none); `[]`: none. */
  envFrom?: EnvFromSettings[];
  /** Mounts of the pod's existing volumes. Absent: as the container runs today (or none); `[]`: none. */
  volumeMounts?: VolumeMountSettings[];
  securityContext?: SecuritySettings;
  syncHostTimezone?: boolean;
  /**
   * The private registry the image comes from: an image pull Secret (`kubernetes.io/dockerconfigjson`) of the
   * project, by name. The new version's pod lists it in `imagePullSecrets`.
   */
  pullSecret?: string;
}

/** Either swap images and keep the stable version's containers, or describe every container. */
export type ContainersChange =
  | { mode: "replace-image"; images: Record<string, string> }
  | { mode: "full"; containers: ContainerSettings[] };

export interface NewVersionSettings {
  replicas: number;
  containers: ContainersChange;
}

/** Splits the console's comma-separated command/arguments into an argv array. */
export function splitCommaList(text: string): string[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}
