import type { ModalView } from "@slack/types";
import { describe, expect, it } from "vitest";
import {
  buildAdvancedStep,
  buildBasicStep,
  buildContainerStep,
  buildStrategyStep,
  buildVersionStep,
  matchRules,
  parseAdvancedStep,
  parseBasicStep,
  parseContainerStep,
  parseStrategyStep,
  parseVersionStep,
  type StateValues,
  type SubFormMeta,
  type WizardState,
} from "../../views/wizard/index.ts";
import reviewsFixture from "../fixtures/wizard/reviews-version-step.json" with { type: "json" };
import { type EnteredValues, stateFrom } from "../harness/slack/index.ts";

/** A wizard that reached New Version Settings for Bookinfo's reviews (v1 deployed, one container). */
const REVIEWS = reviewsFixture as WizardState;

const values = (view: ModalView, entered: EnteredValues): StateValues =>
  stateFrom(view as never, entered).values as StateValues;
/** Sets one input (block and action share the id) and leaves the rest at what the view shows. */
const one = (id: string, value: unknown): EnteredValues => ({ [id]: { [id]: value } });

describe("Basic Information", () => {
  it.each([
    ["", "Give the job a name."],
    [
      "Reviews_Canary",
      "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit.",
    ],
    [
      "-reviews",
      "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit.",
    ],
    ["a".repeat(254), "Job names can be at most 253 characters."],
  ])("job name %j → %s", (name, message) => {
    const state: WizardState = { ...REVIEWS, step: "basic", name: undefined };
    const parsed = parseBasicStep(values(buildBasicStep(state), one("wizard_name", name)), state);
    expect(parsed.errors).toEqual({ wizard_name: message });
  });

  it("accepts a valid name", () => {
    const state: WizardState = { ...REVIEWS, step: "basic" };
    const parsed = parseBasicStep(values(buildBasicStep(state), one("wizard_name", "reviews-v2")), state);
    expect(parsed).toEqual({ state: { ...state, name: "reviews-v2" }, errors: {} });
  });
});

describe("New Version Settings", () => {
  const version = (entered: EnteredValues) =>
    parseVersionStep(values(buildVersionStep(REVIEWS), entered), REVIEWS).errors;

  it.each([
    ["wizard_version", "", "Give the new version a number, e.g. v2."],
    ["wizard_version", "V2", "Version numbers use lowercase letters and digits only, e.g. v2."],
    ["wizard_version", "v-2", "Version numbers use lowercase letters and digits only, e.g. v2."],
    ["wizard_version", "v12345678901234567", "Version numbers can be at most 16 characters."],
    ["wizard_version", "v1", "Version v1 is already deployed; choose another version number."],
    ["wizard_replicas", "0", "Replicas are a whole number from 1 to 100."],
    ["wizard_replicas", "101", "Replicas are a whole number from 1 to 100."],
    ["wizard_image_0", "Nginx:latest", "Image repository names must be lowercase."],
    [
      "wizard_image_0",
      "nginx:-bad",
      "Image tags use letters, digits, '_', '.' and '-', and cannot start with '.' or '-'.",
    ],
    ["wizard_image_0", "", "Enter a new image for at least one container."],
  ])("%s %j → %s", (block, value, message) => {
    expect(version(one(block, value))).toEqual({ [block]: message });
  });

  it("passes the common path: new image, everything else kept", () => {
    expect(version({})).toEqual({});
  });

  it("names the container when a described container is wrong", () => {
    const state: WizardState = {
      ...REVIEWS,
      mode: "full",
      containers: [{ name: "reviews", type: "init", image: "docker.io/istio/reviews:2" }],
    };
    const parsed = parseVersionStep(
      values(buildVersionStep(state), one("wizard_containers_mode", "full")),
      state,
    );
    expect(parsed.errors).toEqual({
      wizard_containers_mode: "Add at least one work container: init containers alone do not serve.",
    });
  });
});

describe("Add container", () => {
  const meta: SubFormMeta = { parent: "V1", index: -1, wizard: { ...REVIEWS, mode: "full", containers: [] } };
  const base: EnteredValues = {
    wizard_container_image: { wizard_container_image: "docker.io/istio/reviews:2" },
    wizard_container_name: { wizard_container_name: "reviews" },
  };
  const container = (entered: EnteredValues) =>
    parseContainerStep(values(buildContainerStep(undefined, meta), { ...base, ...entered }), meta).errors;

  it.each([
    [
      "wizard_container_name",
      "Web_1",
      "Container names use lowercase letters, digits and hyphens, starting and ending with a letter or digit.",
    ],
    ["wizard_container_name", "a".repeat(64), "Container names can be at most 63 characters."],
    ["wizard_container_image", "bad image", "Image references cannot contain spaces."],
    [
      "wizard_cpu_request",
      "0.0001",
      "CPU is in cores, more than 0 and in steps of at least 0.001, e.g. 0.5 or 2 (or 500m).",
    ],
    [
      "wizard_ports",
      "HTTP web 8080",
      "Port 1: Port name must start with the protocol, e.g. http-web, so the mesh can govern it.",
    ],
    ["wizard_ports", "HTTP http-web 70000", "Port 1: Container ports are whole numbers from 1 to 65535."],
    [
      "wizard_ports",
      "HTTP http_web 8080",
      "Port 1: Port names use at most 15 lowercase letters, digits and single hyphens, with one letter at least.",
    ],
    [
      "wizard_ports",
      "HTTP http-web 8080\nhttp",
      "Line 2: write protocol, name and number, e.g. HTTP http-web 8080.",
    ],
  ])("%s %j → %s", (block, value, message) => {
    expect(container(one(block, value))).toEqual({ [block]: message });
  });

  it.each([
    [
      { wizard_cpu_request: { wizard_cpu_request: "2" }, wizard_cpu_limit: { wizard_cpu_limit: "1" } },
      "wizard_cpu_request",
      "The CPU request cannot be more than the CPU limit.",
    ],
    [
      {
        wizard_memory_request: { wizard_memory_request: "256" },
        wizard_memory_limit: { wizard_memory_limit: "128" },
      },
      "wizard_memory_request",
      "The memory request cannot be more than the memory limit.",
    ],
  ])("request above limit → %s", (entered, block, message) => {
    expect(container(entered)).toEqual({ [block]: message });
  });

  it("adds a valid container with every basic setting", () => {
    const parsed = parseContainerStep(
      values(buildContainerStep(undefined, meta), {
        ...base,
        ...one("wizard_cpu_request", "0.5"),
        ...one("wizard_cpu_limit", "1"),
        ...one("wizard_memory_request", "128"),
        ...one("wizard_memory_limit", "256"),
        ...one("wizard_ports", "HTTP http-web 9080\nGRPC grpc-api 9090"),
        ...one("wizard_pull_policy", "Always"),
        ...one("wizard_container_type", "work"),
      }),
      meta,
    );
    expect(parsed.errors).toEqual({});
    expect(parsed.containers).toEqual([
      {
        name: "reviews",
        type: "work",
        image: "docker.io/istio/reviews:2",
        imagePullPolicy: "Always",
        resources: { cpuRequest: "0.5", cpuLimit: "1", memoryRequestMiB: 128, memoryLimitMiB: 256 },
        ports: [
          { protocol: "HTTP", name: "http-web", containerPort: 9080 },
          { protocol: "GRPC", name: "grpc-api", containerPort: 9090 },
        ],
      },
    ]);
  });
});

describe("Advanced settings", () => {
  const meta: SubFormMeta = {
    parent: "V1",
    index: 0,
    wizard: {
      ...REVIEWS,
      mode: "full",
      containers: [{ name: "reviews", type: "work", image: "docker.io/istio/reviews:2" }],
    },
  };
  const data = { configMaps: { settings: ["LOG_LEVEL"] }, secrets: { db: ["password"] } };
  const advanced = (entered: EnteredValues) =>
    parseAdvancedStep(
      values(buildAdvancedStep(meta.wizard.containers?.[0] as never, meta), entered),
      meta,
      data,
    ).errors;

  it.each([
    [
      one("wizard_probe_liveness", "http /healthz 8080"),
      one("wizard_probe_timing_liveness", "success=2"),
      "wizard_probe_timing_liveness",
      "The success threshold of a liveness check must be 1.",
    ],
    [
      one("wizard_probe_startup", "tcp 8080"),
      one("wizard_probe_timing_startup", "success=3"),
      "wizard_probe_timing_startup",
      "The success threshold of a startup check must be 1.",
    ],
    [
      one("wizard_probe_readiness", "tcp 8080"),
      one("wizard_probe_timing_readiness", "period=0"),
      "wizard_probe_timing_readiness",
      "The check interval is a whole number of seconds, 1 or more.",
    ],
    [
      one("wizard_probe_readiness", "tcp 8080"),
      one("wizard_probe_timing_readiness", "failure=0"),
      "wizard_probe_timing_readiness",
      "The failure threshold is a whole number, 1 or more.",
    ],
    [
      one("wizard_probe_readiness", "tcp 8080"),
      one("wizard_probe_timing_readiness", "timeout=-1"),
      "wizard_probe_timing_readiness",
      "The timeout is a whole number of seconds, 0 or more.",
    ],
    [
      one("wizard_probe_readiness", "tcp 8080"),
      one("wizard_probe_timing_readiness", "delay"),
      "wizard_probe_timing_readiness",
      "Write the timings as key=value among: delay=5 timeout=1 period=10 success=1 failure=3.",
    ],
    [
      one("wizard_probe_liveness", "http healthz 8080"),
      {},
      "wizard_probe_liveness",
      "The path starts with / and has no spaces, e.g. /healthz.",
    ],
    [
      one("wizard_probe_liveness", "tcp 0"),
      {},
      "wizard_probe_liveness",
      "The port is a whole number from 1 to 65535.",
    ],
    [
      one("wizard_probe_liveness", "ping"),
      {},
      "wizard_probe_liveness",
      "Write the check as one of: http /healthz 8080 · tcp 9080 · exec cat,/tmp/healthy.",
    ],
    [
      one("wizard_post_start", "http /ready 99999"),
      {},
      "wizard_post_start",
      "The port is a whole number from 1 to 65535.",
    ],
    [
      one("wizard_env", "DB=secret:database/password"),
      {},
      "wizard_env",
      "DB: There is no Secret database in this project.",
    ],
    [one("wizard_env", "DB=secret:db/user"), {}, "wizard_env", "DB: Secret db has no key user."],
    [
      one("wizard_env", "LEVEL=configmap:nothing/LOG_LEVEL"),
      {},
      "wizard_env",
      "LEVEL: There is no ConfigMap nothing in this project.",
    ],
    [
      one("wizard_env", "1X=a"),
      {},
      "wizard_env",
      "1X: Variable names use letters, digits, '_', '-' and '.', and cannot start with a digit.",
    ],
    [
      one("wizard_env", "just text"),
      {},
      "wizard_env",
      "Line 1: write KEY=value, KEY=configmap:name/key or KEY=secret:name/key.",
    ],
    [
      one("wizard_cap_drop", "CAP_SYS_TIME"),
      {},
      "wizard_cap_drop",
      "Leave out the CAP_ prefix: write SYS_TIME.",
    ],
    [
      one("wizard_cap_add", "net admin"),
      {},
      "wizard_cap_add",
      "Capabilities are uppercase names like SYS_TIME or NET_ADMIN.",
    ],
    [
      one("wizard_access", ["privileged"]),
      {},
      "wizard_access",
      "Privileged mode always allows privilege escalation: turn escalation on or privileged mode off.",
    ],
    [
      { ...one("wizard_access", ["runAsNonRoot"]), ...one("wizard_run_as_user", "0") },
      {},
      "wizard_run_as_user",
      "User 0 is root, which Run as Non-root forbids: choose another user ID.",
    ],
    [
      one("wizard_selinux", "level=s0 colour=blue"),
      {},
      "wizard_selinux",
      "Write the SELinux context as level=… role=… type=… user=… (any of them).",
    ],
  ])("%j %j → %s: %s", (a, b, block, message) => {
    expect(advanced({ ...a, ...b })).toEqual({ [block]: message });
  });

  it("keeps every advanced setting it reads", () => {
    const parsed = parseAdvancedStep(
      values(buildAdvancedStep(meta.wizard.containers?.[0] as never, meta), {
        ...one("wizard_probe_readiness", "http /ready 9080"),
        ...one("wizard_probe_timing_readiness", "delay=5 period=10 success=2"),
        ...one("wizard_pre_stop", "exec sh,-c,sleep 5"),
        ...one("wizard_command", "java"),
        ...one("wizard_args", "-jar,app.jar"),
        ...one("wizard_env", "LOG_LEVEL=debug\nDB_PASSWORD=secret:db/password"),
        ...one("wizard_access", ["readOnlyRootFilesystem", "runAsNonRoot"]),
        ...one("wizard_run_as_user", "1000"),
        ...one("wizard_cap_drop", "ALL"),
        ...one("wizard_timezone", ["sync"]),
      }),
      meta,
      data,
    );
    expect(parsed.errors).toEqual({});
    expect(parsed.container).toEqual({
      name: "reviews",
      type: "work",
      image: "docker.io/istio/reviews:2",
      probes: {
        readiness: {
          kind: "http",
          scheme: "HTTP",
          path: "/ready",
          port: 9080,
          initialDelaySeconds: 5,
          periodSeconds: 10,
          successThreshold: 2,
        },
      },
      lifecycle: { preStop: { kind: "command", command: "sh,-c,sleep 5" } },
      command: "java",
      args: "-jar,app.jar",
      env: [
        { key: "LOG_LEVEL", value: "debug" },
        { key: "DB_PASSWORD", from: { kind: "Secret", name: "db", key: "password" } },
      ],
      securityContext: {
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: 1000,
        capabilities: { drop: ["ALL"] },
      },
      syncHostTimezone: true,
    });
  });
});

describe("Strategy Settings", () => {
  const at = (state: Partial<WizardState>): WizardState => ({ ...REVIEWS, step: "strategy", ...state });

  it.each([
    ["101", "Traffic shares are whole percentages from 0 to 100."],
    ["7.5", "Traffic shares are whole percentages from 0 to 100."],
    ["", "Enter the share of traffic for the new version, e.g. 20."],
  ])("canary weight %j → %s", (percent, message) => {
    const state = at({});
    const parsed = parseStrategyStep(values(buildStrategyStep(state), one("wizard_percent", percent)), state);
    expect(parsed.errors).toEqual({ wizard_percent: message });
  });

  it.each(["23", "7", "1", "99"])("canary weight %j is accepted, as /release shift accepts it", (percent) => {
    const state = at({});
    const parsed = parseStrategyStep(values(buildStrategyStep(state), one("wizard_percent", percent)), state);
    expect(parsed.errors).toEqual({});
    expect(parsed.state.traffic?.percent).toBe(Number(percent));
  });

  const matchState = at({ traffic: { canaryBy: "match" } });
  it.each([
    [
      {
        wizard_cond_name_0: { wizard_cond_name_0: "x canary" },
        wizard_cond_value_0: { wizard_cond_value_0: "always" },
      },
      "wizard_cond_name_0",
      "Header names use letters, digits and - (no spaces or colons).",
    ],
    [
      {
        wizard_cond_name_0: { wizard_cond_name_0: "x-canary" },
        wizard_cond_match_0: { wizard_cond_match_0: "regex" },
        wizard_cond_value_0: { wizard_cond_value_0: "(?=always)" },
      },
      "wizard_cond_value_0",
      "Lookahead and lookbehind like (?=…) are not supported by the mesh (RE2).",
    ],
    [
      {
        wizard_cond_name_0: { wizard_cond_name_0: "x-canary" },
        wizard_cond_match_0: { wizard_cond_match_0: "regex" },
        wizard_cond_value_0: { wizard_cond_value_0: "a(b" },
      },
      "wizard_cond_value_0",
      "This regular expression does not compile; check brackets and escapes.",
    ],
    [
      {
        wizard_cond_kind_0: { wizard_cond_kind_0: "uri" },
        wizard_cond_value_0: { wizard_cond_value_0: "api" },
      },
      "wizard_cond_value_0",
      "URIs start with /, e.g. /api/v2.",
    ],
    [
      {
        wizard_cond_kind_0: { wizard_cond_kind_0: "cookie" },
        wizard_cond_name_0: { wizard_cond_name_0: "user" },
        wizard_cond_value_0: { wizard_cond_value_0: "ja son" },
      },
      "wizard_cond_value_0",
      "Cookie values cannot contain spaces, quotes, commas, semicolons or \\.",
    ],
    [
      {},
      "wizard_cond_value_0",
      "Add at least one condition: a header, cookie, URI, query parameter or operating system.",
    ],
  ])("request parameters %j → %s", (entered, block, message) => {
    const parsed = parseStrategyStep(values(buildStrategyStep(matchState), entered), matchState);
    expect(parsed.errors).toEqual({ [block]: message });
  });

  it("reads conditions with exact, prefix and regex matches and operating systems", () => {
    const state = at({
      traffic: {
        canaryBy: "match",
        conditions: [
          { kind: "header", name: "", match: "exact", value: "" },
          { kind: "uri", name: "", match: "prefix", value: "" },
        ],
      },
    });
    const parsed = parseStrategyStep(
      values(buildStrategyStep(state), {
        ...one("wizard_cond_name_0", "x-canary"),
        ...one("wizard_cond_value_0", "always"),
        ...one("wizard_cond_value_1", "/api"),
        ...one("wizard_oses", ["android", "ios"]),
      }),
      state,
    );
    expect(parsed.errors).toEqual({});
    expect(parsed.state.traffic?.conditions).toEqual([
      { kind: "header", name: "x-canary", match: "exact", value: "always" },
      { kind: "uri", name: "", match: "prefix", value: "/api" },
    ]);
    expect(parsed.state.traffic?.oses).toEqual(["android", "ios"]);
  });

  it("reads a query parameter condition", () => {
    const state = at({
      traffic: { canaryBy: "match", conditions: [{ kind: "query", name: "", match: "exact", value: "" }] },
    });
    const parsed = parseStrategyStep(
      values(buildStrategyStep(state), {
        ...one("wizard_cond_kind_0", "query"),
        ...one("wizard_cond_name_0", "tier"),
        ...one("wizard_cond_match_0", "prefix"),
        ...one("wizard_cond_value_0", "gold"),
      }),
      state,
    );
    expect(parsed.errors).toEqual({});
    expect(parsed.state.traffic?.conditions).toEqual([
      { kind: "query", name: "tier", match: "prefix", value: "gold" },
    ]);
    expect(matchRules(parsed.state.traffic ?? {})).toEqual([
      { kind: "query", name: "tier", match: "prefix", value: "gold" },
    ]);
  });

  it.each([["0"], ["101"]])("mirror %s → a whole percentage from 1 to 100", (percent) => {
    const state = at({ strategy: "mirror" });
    const parsed = parseStrategyStep(values(buildStrategyStep(state), one("wizard_mirror", percent)), state);
    expect(parsed.errors).toEqual({ wizard_mirror: "Mirror a whole percentage of traffic from 1 to 100." });
  });
});
