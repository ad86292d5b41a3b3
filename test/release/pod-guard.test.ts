// The pod-spec guard: a new version may not do more than the stable one, and keeps to the namespace's rules.
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { describe, expect, it } from "vitest";
import { guardPodSpec, imageLocation, type PodSecurityLevel } from "../../src/release/index.ts";
import { loadFixture } from "./fixtures.ts";

const stablePod = () => loadFixture<IPodSpec>("guard-stable-pod.yaml");
const SECRET_TYPES = new Map([
  ["db", "Opaque"],
  ["other-db", "Opaque"],
  ["builder-token", "kubernetes.io/service-account-token"],
]);

type Change = (pod: IPodSpec) => void;
const app = (pod: IPodSpec) => pod.containers[0] as NonNullable<IPodSpec["containers"][number]>;
const security = (pod: IPodSpec) => {
  const container = app(pod);
  container.securityContext ??= {};
  return container.securityContext;
};

interface Row {
  rule: string;
  change: Change;
  field: string;
  says: string;
  /** What makes the same change acceptable: the stable pod already doing it, or the policy allowing it. */
  allowedWhen: string;
  allow: { stable?: Change; registries?: string[] };
}

const RAISE = "a new version may not have more privilege than the stable version";
const rows: Row[] = [
  {
    rule: "privileged",
    change: (pod) => {
      security(pod).privileged = true;
    },
    field: "containers[app].securityContext.privileged",
    says: RAISE,
    allowedWhen: "the stable pod is privileged",
    allow: {
      stable: (pod) => {
        security(pod).privileged = true;
      },
    },
  },
  {
    rule: "privilege escalation",
    change: (pod) => {
      security(pod).allowPrivilegeEscalation = true;
    },
    field: "containers[app].securityContext.allowPrivilegeEscalation",
    says: RAISE,
    allowedWhen: "the stable pod allows escalation",
    allow: {
      stable: (pod) => {
        security(pod).allowPrivilegeEscalation = true;
      },
    },
  },
  {
    rule: "added capability",
    change: (pod) => {
      security(pod).capabilities = { add: ["SYS_ADMIN"] };
    },
    field: "containers[app].securityContext.capabilities.add[0]",
    says: "adds the capability SYS_ADMIN",
    allowedWhen: "the stable pod adds SYS_ADMIN",
    allow: {
      stable: (pod) => {
        security(pod).capabilities = { add: ["SYS_ADMIN"] };
      },
    },
  },
  {
    rule: "root user in the container",
    change: (pod) => {
      security(pod).runAsUser = 0;
    },
    field: "containers[app].securityContext.runAsUser",
    says: "runs as root (user 0)",
    allowedWhen: "the stable pod runs as root",
    allow: {
      stable: (pod) => {
        pod.securityContext = { runAsUser: 0 };
      },
    },
  },
  {
    rule: "root user for the pod",
    change: (pod) => {
      pod.securityContext = { runAsUser: 0 };
    },
    field: "securityContext.runAsUser",
    says: "runs as root (user 0)",
    allowedWhen: "the stable pod runs as root",
    allow: {
      stable: (pod) => {
        security(pod).runAsUser = 0;
      },
    },
  },
  {
    rule: "runAsNonRoot off",
    change: (pod) => {
      security(pod).runAsNonRoot = false;
    },
    field: "containers[app].securityContext.runAsNonRoot",
    says: "allows running as root",
    allowedWhen: "the stable pod turns it off too",
    allow: {
      stable: (pod) => {
        pod.securityContext = { runAsNonRoot: false };
      },
    },
  },
  ...(["hostNetwork", "hostPID", "hostIPC"] as const).map(
    (key): Row => ({
      rule: key,
      change: (pod) => {
        pod[key] = true;
      },
      field: key,
      says: `shares the node's ${key.slice(4)} namespace`,
      allowedWhen: `the stable pod sets ${key}`,
      allow: {
        stable: (pod) => {
          pod[key] = true;
        },
      },
    }),
  ),
  {
    rule: "hostPath volume",
    change: (pod) => void pod.volumes?.push({ name: "host-time", hostPath: { path: "/etc/localtime" } }),
    field: "volumes[host-time].hostPath",
    says: "mounts /etc/localtime from the node",
    allowedWhen: "the stable pod mounts the same path",
    allow: { stable: (pod) => void pod.volumes?.push({ name: "tz", hostPath: { path: "/etc/localtime" } }) },
  },
  {
    rule: "hostPort",
    change: (pod) => {
      app(pod).ports = [{ containerPort: 8080, hostPort: 80 }];
    },
    field: "containers[app].ports[0].hostPort",
    says: "listens on the node's port 80",
    allowedWhen: "the stable pod uses that host port",
    allow: {
      stable: (pod) => {
        app(pod).ports = [{ containerPort: 8080, hostPort: 80 }];
      },
    },
  },
  {
    rule: "another ServiceAccount",
    change: (pod) => {
      pod.serviceAccountName = "builder";
    },
    field: "serviceAccountName",
    says: "runs as ServiceAccount builder, not v1's shop",
    allowedWhen: "the stable pod runs as that ServiceAccount",
    allow: {
      stable: (pod) => {
        pod.serviceAccountName = "builder";
      },
    },
  },
  {
    rule: "ServiceAccount token mounted again",
    change: (pod) => {
      pod.automountServiceAccountToken = true;
    },
    field: "automountServiceAccountToken",
    says: "mounts the ServiceAccount token",
    allowedWhen: "the stable pod mounts it",
    allow: {
      stable: (pod) => {
        pod.automountServiceAccountToken = true;
      },
    },
  },
  {
    rule: "env from a ServiceAccount token Secret",
    change: (pod) =>
      void app(pod).env?.push({
        name: "TOKEN",
        valueFrom: { secretKeyRef: { name: "builder-token", key: "token" } },
      }),
    field: "containers[app].env[TOKEN].valueFrom.secretKeyRef.name",
    says: "Secret builder-token is a ServiceAccount token — a new version may not read ServiceAccount token Secrets",
    allowedWhen: "the stable pod reads that Secret",
    allow: {
      stable: (pod) =>
        void app(pod).env?.push({
          name: "TOKEN",
          valueFrom: { secretKeyRef: { name: "builder-token", key: "token" } },
        }),
    },
  },
  {
    rule: "envFrom a ServiceAccount token Secret",
    change: (pod) => {
      app(pod).envFrom = [{ secretRef: { name: "builder-token" } }];
    },
    field: "containers[app].envFrom[0].secretRef.name",
    says: "may not read ServiceAccount token Secrets",
    allowedWhen: "the stable pod reads that Secret",
    allow: {
      stable: (pod) => {
        app(pod).envFrom = [{ secretRef: { name: "builder-token" } }];
      },
    },
  },
  {
    rule: "a ServiceAccount token Secret as a volume",
    change: (pod) => void pod.volumes?.push({ name: "token", secret: { secretName: "builder-token" } }),
    field: "volumes[token].secret.secretName",
    says: "may not read ServiceAccount token Secrets",
    allowedWhen: "the stable pod mounts that Secret",
    allow: {
      stable: (pod) => void pod.volumes?.push({ name: "t", secret: { secretName: "builder-token" } }),
    },
  },
  {
    rule: "a ServiceAccount token Secret in a projected volume",
    change: (pod) =>
      void pod.volumes?.push({
        name: "all",
        projected: { sources: [{ secret: { name: "builder-token" } }] },
      }),
    field: "volumes[all].projected.sources[0].secret.name",
    says: "may not read ServiceAccount token Secrets",
    allowedWhen: "the stable pod mounts that Secret",
    allow: {
      stable: (pod) => void pod.volumes?.push({ name: "t", secret: { secretName: "builder-token" } }),
    },
  },
  {
    rule: "image from another registry",
    change: (pod) => {
      app(pod).image = "evil.example.com/pwn:1";
    },
    field: "containers[app].image",
    says: "evil.example.com is not one of this namespace's registries (docker.io, registry.example.com) — images come only from the namespace's allowed registries",
    allowedWhen: "the policy lists that registry",
    allow: { registries: ["evil.example.com"] },
  },
  {
    rule: "image from another path of a listed registry prefix",
    change: (pod) => {
      app(pod).image = "ghcr.io/someone-else/app:2";
    },
    field: "containers[app].image",
    says: "ghcr.io is not one of this namespace's registries (docker.io, registry.example.com, ghcr.io/shop)",
    allowedWhen: "the policy lists the whole registry",
    allow: { registries: ["ghcr.io"] },
  },
];

function guard(next: IPodSpec, stable = stablePod(), registries?: string[], level?: PodSecurityLevel) {
  return guardPodSpec({
    stable,
    next,
    stableVersion: "v1",
    secretTypes: SECRET_TYPES,
    ...(registries ? { allowedRegistries: registries } : {}),
    ...(level ? { podSecurity: level } : {}),
  });
}

function nextPod(change: Change): IPodSpec {
  const pod = stablePod();
  app(pod).image = "registry.example.com/shop/app:2.0.0";
  change(pod);
  return pod;
}

describe("the pod-spec guard against the stable version", () => {
  it("lets the stable pod with a new image from its registry through", () => {
    expect(guard(nextPod(() => undefined))).toEqual([]);
  });

  it.each(rows)("$rule is refused, naming $field and the rule", ({ change, field, says, rule }) => {
    const errors = guard(
      nextPod(change),
      stablePod(),
      rule.includes("prefix") ? ["ghcr.io/shop"] : undefined,
    );
    expect(errors.map((error) => error.field)).toEqual([field]);
    expect(errors[0]?.message.startsWith(`${field}: `)).toBe(true);
    expect(errors[0]?.message).toContain(says);
  });

  it.each(rows)("$rule is allowed when $allowedWhen", ({ change, allow }) => {
    const stable = stablePod();
    allow.stable?.(stable);
    expect(guard(nextPod(change), stable, allow.registries)).toEqual([]);
  });

  it("lets the new version read an ordinary Secret the stable one does not", () => {
    const next = nextPod((pod) => {
      app(pod).env?.push({
        name: "OTHER",
        valueFrom: { secretKeyRef: { name: "other-db", key: "password" } },
      });
    });
    expect(guard(next)).toEqual([]);
  });

  it("names every raise of the wizard attack at once", () => {
    const next = nextPod((pod) => {
      const container = app(pod);
      container.securityContext = {
        privileged: true,
        allowPrivilegeEscalation: true,
        runAsUser: 0,
        capabilities: { add: ["SYS_ADMIN"] },
      };
      container.env?.push({
        name: "T",
        valueFrom: { secretKeyRef: { name: "builder-token", key: "token" } },
      });
      pod.volumes?.push({ name: "host-time", hostPath: { path: "/etc/localtime" } });
    });
    expect(guard(next).map((error) => error.field)).toEqual([
      "volumes[host-time].hostPath",
      "containers[app].securityContext.privileged",
      "containers[app].securityContext.allowPrivilegeEscalation",
      "containers[app].securityContext.capabilities.add[0]",
      "containers[app].securityContext.runAsUser",
      "containers[app].env[T].valueFrom.secretKeyRef.name",
    ]);
  });
});

describe("the namespace's Pod Security level", () => {
  const hardened: Change = (pod) => {
    pod.securityContext = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
    for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
      container.securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
    }
  };

  it.each<[string, PodSecurityLevel, Change, string, string]>([
    [
      "privileged",
      "baseline",
      (p) => {
        security(p).privileged = true;
      },
      "containers[app].securityContext.privileged",
      "privileged containers are not allowed",
    ],
    [
      "SYS_ADMIN",
      "baseline",
      (p) => {
        security(p).capabilities = { add: ["SYS_ADMIN"] };
      },
      "containers[app].securityContext.capabilities.add[0]",
      "the capability SYS_ADMIN is not allowed",
    ],
    [
      "hostNetwork",
      "baseline",
      (p) => {
        p.hostNetwork = true;
      },
      "hostNetwork",
      "sharing the node's Network namespace is not allowed",
    ],
    [
      "hostPath",
      "baseline",
      (p) => void p.volumes?.push({ name: "h", hostPath: { path: "/var" } }),
      "volumes[h].hostPath",
      "hostPath volumes are not allowed",
    ],
    [
      "hostPort",
      "baseline",
      (p) => {
        app(p).ports = [{ containerPort: 1, hostPort: 1 }];
      },
      "containers[app].ports[0].hostPort",
      "host ports are not allowed",
    ],
    [
      "unconfined seccomp",
      "baseline",
      (p) => {
        p.securityContext = { seccompProfile: { type: "Unconfined" } };
      },
      "securityContext.seccompProfile.type",
      "seccomp may not be switched off",
    ],
    [
      "an unsafe sysctl",
      "baseline",
      (p) => {
        p.securityContext = { sysctls: [{ name: "kernel.msgmax", value: "1" }] };
      },
      "securityContext.sysctls[0]",
      "the sysctl kernel.msgmax is not allowed",
    ],
    [
      "a custom SELinux user",
      "baseline",
      (p) => {
        security(p).seLinuxOptions = { user: "root" };
      },
      "containers[app].securityContext.seLinuxOptions.user",
      "a custom SELinux user is not allowed",
    ],
    [
      "escalation left on",
      "restricted",
      (p) => void delete security(p).allowPrivilegeEscalation,
      "containers[app].securityContext.allowPrivilegeEscalation",
      "must be set to false",
    ],
    [
      "root allowed",
      "restricted",
      (p) => {
        p.securityContext = { seccompProfile: { type: "RuntimeDefault" } };
      },
      "initContainers[migrate].securityContext.runAsNonRoot",
      "must be set to true",
    ],
    [
      "capabilities kept",
      "restricted",
      (p) => {
        security(p).capabilities = {};
      },
      "containers[app].securityContext.capabilities.drop",
      "must include ALL",
    ],
    [
      "no seccomp profile",
      "restricted",
      (p) => {
        p.securityContext = { runAsNonRoot: true };
      },
      "initContainers[migrate].securityContext.seccompProfile.type",
      "must be RuntimeDefault or Localhost",
    ],
    [
      "a volume type outside the list",
      "restricted",
      (p) => void p.volumes?.push({ name: "n", nfs: { server: "s", path: "/" } }),
      "volumes[n].nfs",
      "nfs volumes are not allowed",
    ],
  ])("%s is refused under %s", (_name, level, change, field, says) => {
    const next = nextPod((pod) => {
      hardened(pod);
      change(pod);
    });
    // The stable pod already does it: Pod Security Admission still refuses.
    const stable = nextPod((pod) => {
      hardened(pod);
      change(pod);
    });
    const errors = guard(next, stable, undefined, level);
    expect(errors.map((error) => error.field)).toContain(field);
    const error = errors.find((e) => e.field === field);
    expect(error?.message).toBe(
      `${field}: ${says} — the namespace enforces the Pod Security "${level}" level.`,
    );
  });

  it.each<[PodSecurityLevel | undefined]>([[undefined], ["privileged"], ["baseline"]])(
    "a privileged stable pod may stay privileged when the level is %s",
    (level) => {
      const privileged: Change = (pod) => {
        security(pod).capabilities = { add: ["SYS_ADMIN"] };
      };
      const stable = stablePod();
      privileged(stable);
      const errors = guard(nextPod(privileged), stable, undefined, level);
      expect(errors.length > 0).toBe(level === "baseline");
    },
  );

  it("lets a hardened pod through the restricted level", () => {
    expect(guard(nextPod(hardened), stablePod(), undefined, "restricted")).toEqual([]);
  });
});

describe("where an image comes from", () => {
  it.each([
    ["busybox:1.36", "docker.io/library/busybox"],
    [`istio/proxy@sha256:${"a".repeat(64)}`, "docker.io/istio/proxy"],
    ["index.docker.io/istio/proxy:1", "docker.io/istio/proxy"],
    ["Registry.Example.com:5000/team/app:2", "registry.example.com:5000/team/app"],
    ["localhost/app", "localhost/app"],
  ])("%s comes from %s", (image, location) => {
    expect(imageLocation(image)).toBe(location);
  });
});
