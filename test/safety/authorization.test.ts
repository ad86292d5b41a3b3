import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knownIds } from "../../src/slack/desk/index.ts";
import { ids } from "../../views/ids.ts";
import { ENTRIES, type Entry, NOT_ENTRY_POINTS, type Who } from "./authorization-entries.ts";
import {
  type AuthWorld,
  actorFor,
  NAMESPACES,
  type Namespace,
  OTHER_TEAM,
  ROLES,
  type Role,
  settle,
  snapshot,
  startAuthWorld,
  toUser,
} from "./authorization-world.ts";

/**
 * The ids the app's listeners use: every `ids.<group>.<name>` (or the card's `jobCard.<name>`) named in src/.
 * Views name block ids too, but only listeners live in src/, so a new button, modal or select shows up here.
 */
function listenerIds(): Set<string> {
  const root = path.resolve(import.meta.dirname, "../../src");
  const table = ids as unknown as Record<string, Record<string, string>>;
  const found = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.name.endsWith(".ts")) {
        const text = readFileSync(file, "utf8");
        for (const [, group, name] of text.matchAll(/\bids\.(\w+)\.(\w+)/g))
          if (group && name && table[group]?.[name]) found.add(table[group][name]);
        for (const [, name] of text.matchAll(/\bjobCard\.(\w+)/g))
          if (name && table.jobCard?.[name]) found.add(table.jobCard[name]);
      }
    }
  };
  visit(root);
  return found;
}

/** Who holds which right in the policy fixture: the namespace's own people, never another's or a guest. */
function allowed(entry: Entry, role: Role): boolean {
  switch (entry.right) {
    case "none":
      return true;
    case "view":
      return role === "requester" || role === "approver";
    case "request":
      return role === "requester";
    case "approve":
      return role === "approver";
  }
}

/** A refusal about this namespace (Home also tells what it leaves out of other namespaces). */
const refusalIn = (ns: Namespace) => new RegExp(`You need the \\*\\w+\\* right[^.]* in namespace ${ns}`);

let world: AuthWorld;
beforeAll(async () => {
  world = await startAuthWorld();
}, 60_000);
afterAll(async () => {
  await world?.close();
});

const rows = ENTRIES.flatMap((entry) =>
  NAMESPACES.flatMap((ns) => ROLES.map((role) => [entry.label, ns, role, entry] as const)),
);

describe("every entry point × actor × namespace asks the one authorization decision", () => {
  it.each(rows)("%s in %s by the %s", async (_label, ns: Namespace, role: Role, entry: Entry) => {
    const prepared = (await entry.setup?.(world, ns)) ?? "";
    await settle(world);
    const person = actorFor(role, ns);
    const who: Who = {
      user: { id: person.id, name: person.name },
      ...(person.external ? { team: OTHER_TEAM } : {}),
    };
    const expectRefusal = !allowed(entry, role);
    const before = expectRefusal ? await snapshot(world) : "";
    const mark = world.api.calls.length;
    const reply = await entry.run(world, ns, who, prepared);
    expect((reply as { status: number }).status).toBe(200);
    await settle(world);
    const told = toUser(world.api.calls.slice(mark), person.id);
    if (!expectRefusal) {
      expect(told).not.toMatch(refusalIn(ns));
      return;
    }
    // Refused: the person hears which right is missing; nothing in the cluster or the store moved.
    expect(told).toContain(`You need the *${entry.right}* right`);
    expect(told).toMatch(refusalIn(ns));
    expect(await snapshot(world)).toBe(before);
  });

  it("has a row for every subcommand and every action, submission and event id", () => {
    const subcommands = world.app.graydesk.commands.map((c) => c.name);
    const covered = new Set(ENTRIES.filter((e) => e.kind === "command").map((e) => e.id));
    expect(subcommands.filter((name) => !covered.has(name))).toEqual([]);
    const classified = new Set([...ENTRIES.map((e) => e.id), ...Object.values(NOT_ENTRY_POINTS).flat()]);
    const listened = listenerIds();
    expect(listened.size).toBeGreaterThan(20);
    // Every id a listener answers (an action, a submission, an options request) needs a row or a reason.
    expect([...listened].filter((id) => !classified.has(id))).toEqual([]);
    for (const id of listened) expect(knownIds().has(id)).toBe(true);
  });
});
