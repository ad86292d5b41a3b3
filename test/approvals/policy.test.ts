import { describe, expect, it } from "vitest";
import { openPolicy, parsePolicy, policyFor } from "../../src/approvals/index.ts";

describe("approval policy", () => {
  it("without a file: anyone may request, anyone else approves once, 30 minutes", () => {
    const rules = policyFor(openPolicy(), "bookinfo");
    expect(rules).toEqual({
      allowedTeams: [],
      approvals: 1,
      selfApproval: false,
      expiryMinutes: 30,
      autoSteps: false,
      approveNewVersions: true,
      forgottenAfterDays: 7,
    });
    expect(rules.requesters).toBeUndefined();
    expect(rules.approvers).toBeUndefined();
  });

  it("reads clusters: a cluster's defaults over the file's, its namespaces over the cluster's", () => {
    const result = parsePolicy(`
defaults:
  expiryMinutes: 15
namespaces:
  bookinfo: { approvals: 1 }
clusters:
  prod-eu:
    defaults: { approvals: 2, approvers: { groups: [S0SRE] } }
    namespaces:
      payments: { approvals: 3 }
  staging:
    namespaces:
      bookinfo: { selfApproval: true }
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { policy } = result;
    expect(policyFor(policy, "bookinfo", "prod-eu").approvals).toBe(2);
    expect(policyFor(policy, "bookinfo", "prod-eu").expiryMinutes).toBe(15);
    expect(policyFor(policy, "payments", "prod-eu").approvals).toBe(3);
    expect(policyFor(policy, "payments", "prod-eu").approvers).toEqual({ users: [], groups: ["S0SRE"] });
    expect(policyFor(policy, "bookinfo", "staging")).toMatchObject({ approvals: 1, selfApproval: true });
    // A cluster the file does not name, or none: the file's own entries.
    expect(policyFor(policy, "bookinfo", "dev").approvals).toBe(1);
    expect(policyFor(policy, "bookinfo").approvals).toBe(1);
    expect(policyFor(policy, "constructor", "prod-eu").approvals).toBe(2);
  });

  it("names the path of a problem under clusters", () => {
    const result = parsePolicy(
      "clusters:\n  Prod_EU: {}\n  staging:\n    approvals: 2\n    namespaces: { bookinfo: { approvals: 0 } }\n",
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      "clusters.Prod_EU: not a valid cluster name (lower-case letters, digits and -)",
      "clusters.staging.approvals: unknown key (expected defaults or namespaces)",
      expect.stringMatching(/^clusters\.staging\.namespaces\.bookinfo\.approvals: /),
    ]);
  });

  it("reads defaults and per-namespace rules, which inherit the defaults", () => {
    const result = parsePolicy(`
defaults:
  expiryMinutes: 15
namespaces:
  bookinfo:
    requesters: { users: [U01DEV], groups: [S0TEAM] }
    approvers: { groups: [S0SRE] }
    approvals: 2
    approversChannel: C0APPROVE
    thresholds: { minSuccessRate: 0.99, maxP99Ms: 500, maxDriftPoints: 5 }
    autoSteps: true
    viewers: { groups: [S0VIEW] }
    allowedTeams: [T0PARTNER, E0ORG]
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.fromFile).toBe(true);
    expect(policyFor(result.policy, "bookinfo")).toEqual({
      requesters: { users: ["U01DEV"], groups: ["S0TEAM"] },
      approvers: { users: [], groups: ["S0SRE"] },
      approvals: 2,
      selfApproval: false,
      expiryMinutes: 15,
      approversChannel: "C0APPROVE",
      thresholds: { minSuccessRate: 0.99, maxP99Ms: 500, maxDriftPoints: 5 },
      autoSteps: true,
      approveNewVersions: true,
      forgottenAfterDays: 7,
      viewers: { users: [], groups: ["S0VIEW"] },
      allowedTeams: ["T0PARTNER", "E0ORG"],
    });
    expect(policyFor(result.policy, "other").expiryMinutes).toBe(15);
  });

  it("asks for an approval of new versions unless a namespace turns it off", () => {
    const result = parsePolicy("namespaces:\n  bookinfo: {}\n  scratch: { approveNewVersions: false }\n");
    if (!result.ok) throw new Error(result.problems.join("; "));
    expect(policyFor(result.policy, "bookinfo").approveNewVersions).toBe(true);
    expect(policyFor(result.policy, "scratch").approveNewVersions).toBe(false);
    expect(policyFor(openPolicy(), "bookinfo").approveNewVersions).toBe(true);
  });

  it.each(["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"])(
    "a namespace named %s gets the defaults, never an inherited object member",
    (name) => {
      const result = parsePolicy("defaults:\n  requesters: { users: [U0DEV] }\n  approvals: 2\n");
      if (!result.ok) throw new Error(result.problems.join("; "));
      const rules = policyFor(result.policy, name);
      expect(rules).toBe(result.policy.defaults);
      expect(rules.requesters).toEqual({ users: ["U0DEV"], groups: [] });
      expect(policyFor(openPolicy(), name)).toEqual(openPolicy().defaults);
    },
  );

  it.each([
    [
      "namespaces:\n  ns: { allowedTeams: [acme] }",
      /allowedTeams: must be a list of Slack team or enterprise ids/,
    ],
    ["not: [valid", /not valid YAML/],
    ["- a\n- b", /must be a YAML mapping/],
    ["approvers: []", /approvers: unknown key \(expected defaults, namespaces or clusters\)/],
    ["namespaces:\n  Bad_NS: {}", /namespaces\.Bad_NS: not a valid namespace name/],
    ["namespaces:\n  ns: { approvals: 0 }", /namespaces\.ns\.approvals: must be a whole number from 1 to 10/],
    [
      "namespaces:\n  ns: { selfApproval: yes-please }",
      /namespaces\.ns\.selfApproval: must be true or false/,
    ],
    [
      "namespaces:\n  ns: { approvers: { users: [alice] } }",
      /approvers\.users: must be a list of Slack ids such as U0123ABCD/,
    ],
    [
      "namespaces:\n  ns: { approvers: { groups: [U123] } }",
      /approvers\.groups: must be a list of Slack ids such as S0123ABCD/,
    ],
    ["namespaces:\n  ns: { approversChannel: '#releases' }", /approversChannel: must be a Slack channel id/],
    [
      "namespaces:\n  ns: { thresholds: { minSuccessRate: 99 } }",
      /thresholds\.minSuccessRate: must be a number from 0 to 1/,
    ],
    ["namespaces:\n  ns: { expiry: 5 }", /namespaces\.ns\.expiry: unknown setting/],
    [
      "namespaces:\n  ns: { approveNewVersions: sometimes }",
      /namespaces\.ns\.approveNewVersions: must be true or false/,
    ],
  ])("reports %j clearly", (text, message) => {
    const result = parsePolicy(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join("\n")).toMatch(message);
  });

  it("reports every problem at once", () => {
    const result = parsePolicy("namespaces:\n  a: { approvals: 0, expiryMinutes: -1 }");
    expect(result.ok === false && result.problems).toHaveLength(2);
  });
});
