import { describe, expect, it } from "vitest";
import {
  type Action,
  Authorizer,
  OPEN_DEFAULTS,
  openPolicy,
  type Policy,
} from "../../src/approvals/index.ts";

const groups: Record<string, string[]> = { S0SRE: ["U0SRE"] };
const membership = {
  isIn: async (people: { users: string[]; groups: string[] }, user: string) =>
    people.users.includes(user) || people.groups.some((g) => (groups[g] ?? []).includes(user)),
};
const home = async () => ({ team: "T0HOME", enterprise: "E0ORG" });
const strict: Policy = {
  fromFile: true,
  defaults: { ...OPEN_DEFAULTS },
  namespaces: Object.assign(Object.create(null), {
    shop: {
      ...OPEN_DEFAULTS,
      viewers: { users: ["U0VIEW"], groups: [] },
      requesters: { users: ["U0DEV"], groups: [] },
      approvers: { users: [], groups: ["S0SRE"] },
      allowedTeams: ["T0PARTNER"],
    },
  }),
};
const authorizer = new Authorizer(strict, membership, home);

describe("authorize(actor, action, namespace)", () => {
  it.each([
    ["U0DEV", "T0HOME", "job.create", true],
    ["U0VIEW", "T0HOME", "job.create", false],
    ["U0VIEW", "T0HOME", "job.status", true],
    ["U0DEV", "T0HOME", "job.history", true],
    ["U0SRE", "T0HOME", "home.open", true],
    ["U0SRE", "T0HOME", "change.decide", true],
    ["U0DEV", "T0HOME", "change.decide", false],
    ["U0OUT", "T0HOME", "jobs.list", false],
    ["U0OUT", "T0HOME", "steps.pause", false],
    ["U0DEV", "T0ELSEWHERE", "job.create", false],
    ["U0DEV", "T0PARTNER", "job.create", true],
  ] as const)("%s of %s: %s → %s", async (user, team, action, allowed) => {
    expect((await authorizer.authorize({ user, team }, action, "shop")).ok).toBe(allowed);
  });

  it("names the missing right and who holds it", async () => {
    expect(await authorizer.authorize({ user: "U0OUT", team: "T0HOME" }, "job.retry", "shop")).toEqual({
      ok: false,
      right: "request",
      message: "You need the *request* right to request changes in namespace shop; it is held by <@U0DEV>.",
    });
    const viewing = await authorizer.authorize({ user: "U0OUT", team: "T0HOME" }, "jobs.list", "shop");
    expect(viewing).toMatchObject({ ok: false, right: "view" });
    expect(!viewing.ok && viewing.message).toContain("held by <@U0VIEW>, <@U0DEV>, <!subteam^S0SRE>");
  });

  it("refuses a user from another workspace, saying why, even under the open policy", async () => {
    const open = new Authorizer(openPolicy(), membership, home);
    const verdict = await open.authorize({ user: "U0EXT", team: "T0OTHER" }, "job.status", "bookinfo");
    expect(verdict).toMatchObject({ ok: false, right: "view" });
    expect(!verdict.ok && verdict.message).toContain("users from another Slack workspace (yours is T0OTHER)");
    // Another workspace of the same organisation (Enterprise Grid) is the organisation's own.
    expect(
      (await open.authorize({ user: "U0GRID", team: "T0SISTER", enterprise: "E0ORG" }, "job.create", "x")).ok,
    ).toBe(true);
  });

  it("refuses an action it does not know", async () => {
    const verdict = await authorizer.authorize({ user: "U0DEV" }, "job.explode" as Action, "shop");
    expect(verdict).toMatchObject({ ok: false, right: "unknown" });
  });

  it("gives a namespace named constructor the defaults, not Object", async () => {
    const defaults = new Authorizer(
      { ...strict, defaults: { ...OPEN_DEFAULTS, requesters: { users: ["U0DEV"], groups: [] } } },
      membership,
      home,
    );
    expect((await defaults.authorize({ user: "U0OUT" }, "change.request", "constructor")).ok).toBe(false);
    expect((await defaults.authorize({ user: "U0DEV" }, "change.request", "constructor")).ok).toBe(true);
  });
});

describe("managed namespaces", () => {
  it("refuses a job in a namespace the policy file does not name, saying how to manage it", async () => {
    const authorizer = new Authorizer(
      { ...strict, defaults: { ...OPEN_DEFAULTS, requesters: { users: ["U0DEV"], groups: [] } } },
      membership,
      home,
    );
    const verdict = await authorizer.authorize({ user: "U0DEV" }, "job.create", "payments");
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.message).toContain("Graydesk does not manage namespace payments");
      expect(verdict.message).toContain("npm run deploy:namespaces");
    }
  });
});
