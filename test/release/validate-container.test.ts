import { describe, expect, it } from "vitest";
import type { ContainerSettings, NamespaceData, ProbeKind, ProbeSettings } from "../../src/release/index.ts";
import {
  validateContainers,
  validateImage,
  validateProbe,
  validateResources,
  validateSecurity,
} from "../../src/release/index.ts";

const data: NamespaceData = { configMaps: { settings: ["LOG_LEVEL"] }, secrets: { db: ["password"] } };
const web = (extra: Partial<ContainerSettings> = {}): ContainerSettings => ({
  name: "reviews",
  type: "work",
  image: "registry.example.com/bookinfo/reviews-v2:1.20.3",
  ...extra,
});
const errorsOf = (containers: ContainerSettings[]) => validateContainers(containers, data);

describe("image reference", () => {
  it.each([
    "nginx",
    "nginx:latest",
    "docker.io/library/nginx:1.27",
    "registry.example.com:5000/team/app:v2.1-rc_1",
    "localhost/app",
    `ghcr.io/org/app@sha256:${"a".repeat(64)}`,
    `ghcr.io/org/app:1.0@sha256:${"b".repeat(64)}`,
    "my_org/app__x.y-z",
  ])("accepts %s", (image) => {
    expect(validateImage(image, "image")).toEqual([]);
  });
  it.each([
    ["", "Enter the image, e.g. nginx:1.27 or registry.example.com/team/app:v2."],
    ["nginx latest", "Image references cannot contain spaces."],
    ["Nginx:1.27", "Image repository names must be lowercase."],
    ["docker.io/Library/nginx", "Image repository names must be lowercase."],
    [`nginx:${"t".repeat(129)}`, "Image tags can be at most 128 characters."],
    ["nginx:-bad", "Image tags use letters, digits, '_', '.' and '-', and cannot start with '.' or '-'."],
    ["nginx@sha256:abc", "Image digests look like @sha256: followed by 64 hex digits."],
    ["registry.example.com:http/app", "registry.example.com:http has an invalid registry port."],
    ["-bad.example.com/app", "-bad.example.com is not a valid registry host."],
    ["team//app", "The image path is empty."],
    ["team/app-", "Image path parts use lowercase letters and digits, separated by '.', '_', '__' or '-'."],
  ])("refuses %j", (image, message) => {
    expect(validateImage(image, "containers[0].image")).toEqual([{ field: "containers[0].image", message }]);
  });
});

describe("resources", () => {
  it.each([
    [{ cpuRequest: 0.1, cpuLimit: 2, memoryRequestMiB: 128, memoryLimitMiB: 256 }],
    [{ cpuRequest: "500m", cpuLimit: "0.5" }],
    [{ memoryRequestMiB: 0.5 }],
  ])("accepts %o", (resources) => {
    expect(validateResources(resources, "r")).toEqual([]);
  });
  const cpu = "CPU is in cores, more than 0 and in steps of at least 0.001, e.g. 0.5 or 2 (or 500m).";
  it.each([
    [{ cpuRequest: 0 }, "r.cpuRequest", cpu],
    [{ cpuLimit: "-1" }, "r.cpuLimit", cpu],
    [{ cpuRequest: "1 core" }, "r.cpuRequest", cpu],
    [{ cpuRequest: 0.0005 }, "r.cpuRequest", cpu],
    [{ memoryLimitMiB: 0 }, "r.memoryLimitMiB", "Memory is in MiB and must be more than 0, e.g. 128."],
    [
      { cpuRequest: 2, cpuLimit: "500m" },
      "r.cpuRequest",
      "The CPU request cannot be more than the CPU limit.",
    ],
    [
      { memoryRequestMiB: 512, memoryLimitMiB: 256 },
      "r.memoryRequestMiB",
      "The memory request cannot be more than the memory limit.",
    ],
  ])("refuses %o", (resources, field, message) => {
    expect(validateResources(resources, "r")).toEqual([{ field, message }]);
  });
});

describe("ports", () => {
  it("accepts governed names and UDP ports", () => {
    const ports = [
      { protocol: "HTTP" as const, name: "http-web", containerPort: 9080 },
      { protocol: "GRPC" as const, name: "grpc", containerPort: 9090 },
      { protocol: "UDP" as const, name: "udp-dns", containerPort: 53 },
    ];
    expect(errorsOf([web({ ports })])).toEqual([]);
  });
  it.each([
    [
      { protocol: "HTTP", name: "web", containerPort: 80 },
      "containers[0].ports[0].name",
      "Port name must start with the protocol, e.g. http-web, so the mesh can govern it.",
    ],
    [
      { protocol: "GRPC", name: "http-api", containerPort: 80 },
      "containers[0].ports[0].name",
      "Port name must start with the protocol, e.g. grpc-web, so the mesh can govern it.",
    ],
    [
      { protocol: "HTTP", name: "http-much-too-long", containerPort: 80 },
      "containers[0].ports[0].name",
      "Port names use at most 15 lowercase letters, digits and single hyphens, with one letter at least.",
    ],
    [
      { protocol: "HTTP", name: "http--x", containerPort: 80 },
      "containers[0].ports[0].name",
      "Port names use at most 15 lowercase letters, digits and single hyphens, with one letter at least.",
    ],
    [
      { protocol: "HTTP", name: "http-web", containerPort: 70000 },
      "containers[0].ports[0].containerPort",
      "Container ports are whole numbers from 1 to 65535.",
    ],
    [
      { protocol: "FTP", name: "ftp-x", containerPort: 21 },
      "containers[0].ports[0].protocol",
      "Choose one of the protocols HTTP, HTTP2, HTTPS, GRPC, GRPC-WEB, TCP, TLS, UDP, SCTP.",
    ],
  ])("refuses %o", (port, field, message) => {
    expect(errorsOf([web({ ports: [port as never] })])).toContainEqual({ field, message });
  });
  it("refuses port names and numbers used twice", () => {
    const errors = errorsOf([
      web({
        ports: [
          { protocol: "HTTP", name: "http-web", containerPort: 80 },
          { protocol: "TCP", name: "tcp-web", containerPort: 80 },
        ],
      }),
      web({ name: "sidecar", ports: [{ protocol: "HTTP", name: "http-web", containerPort: 81 }] }),
    ]);
    expect(errors).toEqual([
      { field: "containers[0].ports[1].containerPort", message: "Port 80 is listed twice." },
      { field: "containers[1].ports[0].name", message: "Port name http-web is already used in this pod." },
    ]);
  });
});

describe("probes and lifecycle actions", () => {
  const http: ProbeSettings = { kind: "http", scheme: "HTTP", path: "/healthz", port: 9080 };
  it.each<[ProbeKind, ProbeSettings]>([
    [
      "readiness",
      { ...http, initialDelaySeconds: 0, timeoutSeconds: 0, periodSeconds: 1, successThreshold: 3 },
    ],
    ["liveness", { kind: "command", command: "cat,/tmp/healthy", successThreshold: 1, failureThreshold: 3 }],
    ["startup", { kind: "tcp", port: 9080 }],
  ])("accepts a %s probe", (kind, probe) => {
    expect(validateProbe(kind, probe, "p")).toEqual([]);
  });
  it.each<[ProbeKind, ProbeSettings, string, string]>([
    ["readiness", { ...http, scheme: "FTP" as never }, "p.scheme", "Choose HTTP or HTTPS."],
    [
      "readiness",
      { ...http, path: "healthz" },
      "p.path",
      "The path starts with / and has no spaces, e.g. /healthz.",
    ],
    ["readiness", { ...http, port: 0 }, "p.port", "The port is a whole number from 1 to 65535."],
    ["readiness", { kind: "tcp", port: 65536 }, "p.port", "The port is a whole number from 1 to 65535."],
    [
      "readiness",
      { kind: "command", command: " , " },
      "p.command",
      "Enter the command, with commas between the command and its arguments.",
    ],
    [
      "readiness",
      { ...http, initialDelaySeconds: -1 },
      "p.initialDelaySeconds",
      "The initial delay is a whole number of seconds, 0 or more.",
    ],
    [
      "readiness",
      { ...http, timeoutSeconds: 1.5 },
      "p.timeoutSeconds",
      "The timeout is a whole number of seconds, 0 or more.",
    ],
    [
      "readiness",
      { ...http, periodSeconds: 0 },
      "p.periodSeconds",
      "The check interval is a whole number of seconds, 1 or more.",
    ],
    [
      "readiness",
      { ...http, successThreshold: 0 },
      "p.successThreshold",
      "The success threshold is a whole number, 1 or more.",
    ],
    [
      "readiness",
      { ...http, failureThreshold: 0 },
      "p.failureThreshold",
      "The failure threshold is a whole number, 1 or more.",
    ],
    [
      "liveness",
      { ...http, successThreshold: 2 },
      "p.successThreshold",
      "The success threshold of a liveness check must be 1.",
    ],
    [
      "startup",
      { ...http, successThreshold: 3 },
      "p.successThreshold",
      "The success threshold of a startup check must be 1.",
    ],
  ])("refuses a %s probe: %o", (kind, probe, field, message) => {
    expect(validateProbe(kind, probe, "p")).toEqual([{ field, message }]);
  });
  it("checks lifecycle actions with the same rules", () => {
    const errors = errorsOf([
      web({
        lifecycle: {
          postStart: { kind: "http", scheme: "HTTPS", path: "/warm up", port: 8443 },
          preStop: { kind: "tcp", port: 0 },
        },
      }),
    ]);
    expect(errors).toEqual([
      {
        field: "containers[0].lifecycle.postStart.path",
        message: "The path starts with / and has no spaces, e.g. /healthz.",
      },
      {
        field: "containers[0].lifecycle.preStop.port",
        message: "The port is a whole number from 1 to 65535.",
      },
    ]);
  });
});

describe("environment variables", () => {
  it("accepts values and existing ConfigMap/Secret keys", () => {
    const env = [
      { key: "MODE", value: "canary" },
      { key: "LOG_LEVEL", from: { kind: "ConfigMap" as const, name: "settings", key: "LOG_LEVEL" } },
      { key: "db.password", from: { kind: "Secret" as const, name: "db", key: "password" } },
    ];
    expect(errorsOf([web({ env })])).toEqual([]);
  });
  it.each([
    [
      { key: "1ST" },
      "containers[0].env[0].key",
      "Variable names use letters, digits, '_', '-' and '.', and cannot start with a digit.",
    ],
    [
      { key: "A B" },
      "containers[0].env[0].key",
      "Variable names use letters, digits, '_', '-' and '.', and cannot start with a digit.",
    ],
    [
      { key: "X", value: "1", from: { kind: "Secret", name: "db", key: "password" } },
      "containers[0].env[0].value",
      "Give either a value or a ConfigMap/Secret key, not both.",
    ],
    [
      { key: "X", from: { kind: "ConfigMap", name: "missing", key: "a" } },
      "containers[0].env[0].from.name",
      "There is no ConfigMap missing in this project.",
    ],
    [
      { key: "X", from: { kind: "Secret", name: "settings", key: "LOG_LEVEL" } },
      "containers[0].env[0].from.name",
      "There is no Secret settings in this project.",
    ],
    [
      { key: "X", from: { kind: "Secret", name: "db", key: "user" } },
      "containers[0].env[0].from.key",
      "Secret db has no key user.",
    ],
    [
      { key: "X", from: { kind: "Volume", name: "db", key: "user" } },
      "containers[0].env[0].from.kind",
      "Choose a ConfigMap or a Secret.",
    ],
  ])("refuses %o", (variable, field, message) => {
    expect(errorsOf([web({ env: [variable as never] })])).toEqual([{ field, message }]);
  });
  it("refuses a key set twice", () => {
    expect(
      errorsOf([
        web({
          env: [
            { key: "A", value: "1" },
            { key: "A", value: "2" },
          ],
        }),
      ]),
    ).toEqual([{ field: "containers[0].env[1].key", message: "Variable A is set twice." }]);
  });
});

describe("security context", () => {
  it.each([
    [{ privileged: true }],
    [{ privileged: true, allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1000 }],
    [{ runAsUser: 0, runAsGroup: 0, capabilities: { add: ["NET_ADMIN"], drop: ["SYS_TIME"] } }],
    [{ seLinux: { level: "s0:c123,c456", role: "object_r", type: "svirt_lxc_net_t", user: "system_u" } }],
  ])("accepts %o", (security) => {
    expect(validateSecurity(security, "s")).toEqual([]);
  });
  it.each([
    [
      { privileged: true, allowPrivilegeEscalation: false },
      "s.allowPrivilegeEscalation",
      "Privileged mode always allows privilege escalation: turn escalation on or privileged mode off.",
    ],
    [{ runAsUser: -1 }, "s.runAsUser", "The user ID is a whole number, 0 or more."],
    [{ runAsGroup: 1.5 }, "s.runAsGroup", "The group ID is a whole number, 0 or more."],
    [
      { runAsNonRoot: true, runAsUser: 0 },
      "s.runAsUser",
      "User 0 is root, which Run as Non-root forbids: choose another user ID.",
    ],
    [
      { capabilities: { drop: ["CAP_SYS_TIME"] } },
      "s.capabilities.drop[0]",
      "Leave out the CAP_ prefix: write SYS_TIME.",
    ],
    [
      { capabilities: { add: ["net_admin"] } },
      "s.capabilities.add[0]",
      "Capabilities are uppercase names like SYS_TIME or NET_ADMIN.",
    ],
    [
      { seLinux: { type: "bad type" } },
      "s.seLinux.type",
      "The SELinux type cannot contain spaces or symbols like that.",
    ],
  ])("refuses %o", (security, field, message) => {
    expect(validateSecurity(security, "s")).toEqual([{ field, message }]);
  });
});

describe("the pod's containers together", () => {
  it("needs a work container", () => {
    expect(errorsOf([web({ type: "init" })])).toEqual([
      {
        field: "containers",
        message: "Add at least one work container: init containers alone do not serve.",
      },
    ]);
  });
  it("needs unique names across init and work containers", () => {
    expect(errorsOf([web({ type: "init" }), web()])).toEqual([
      { field: "containers[1].name", message: "Container name reviews is already used in this pod." },
    ]);
  });
  it.each([
    [{ type: "sidecar" }, "containers[0].type", "Choose Init Container or Work Container."],
    [
      { imagePullPolicy: "Sometimes" },
      "containers[0].imagePullPolicy",
      "Choose Use Local Image First, Pull Image Always or Use Local Image Only.",
    ],
    [
      { command: ",," },
      "containers[0].command",
      "Separate the command and its parts with commas, e.g. sh,-c.",
    ],
    [{ args: " , " }, "containers[0].args", "Separate parameters with commas, e.g. --port,8080."],
    [{ syncHostTimezone: "yes" }, "containers[0].syncHostTimezone", "Sync host timezone is on or off."],
  ])("refuses %o", (extra, field, message) => {
    expect(errorsOf([web(extra as never), web({ name: "main" })])).toEqual([{ field, message }]);
  });
  it("refuses liveness checks on init containers", () => {
    const errors = errorsOf([
      web({ name: "init", type: "init", probes: { liveness: { kind: "tcp", port: 80 } } }),
      web(),
    ]);
    expect(errors).toEqual([
      {
        field: "containers[0].probes",
        message: "Init containers run to completion: give them no liveness or readiness check.",
      },
    ]);
  });
  it("accepts every pull policy", () => {
    for (const imagePullPolicy of ["IfNotPresent", "Always", "Never"] as const) {
      expect(errorsOf([web({ imagePullPolicy })])).toEqual([]);
    }
  });
});
