import type { NamespacePolicy, People } from "./policy.ts";

export type Permission = { ok: true } | { ok: false; rule: string };

/** Lists the members of a Slack user group (usergroups.users.list), cached by the caller as it sees fit. */
export type GroupMembers = (groupId: string) => Promise<string[]>;

/** Decides who may request and who may approve, naming the rule when the answer is no. */
export class Permissions {
  readonly #groupMembers: GroupMembers;

  constructor(groupMembers: GroupMembers) {
    this.#groupMembers = groupMembers;
  }

  async mayRequest(rules: NamespacePolicy, namespace: string, user: string): Promise<Permission> {
    if (!rules.requesters || (await this.#isIn(rules.requesters, user))) return { ok: true };
    return {
      ok: false,
      rule: `Only ${describePeople(rules.requesters)} may request changes in namespace ${namespace}.`,
    };
  }

  async mayApprove(
    rules: NamespacePolicy,
    namespace: string,
    user: string,
    request: { requestedBy: string; approvals: { user: string }[] },
  ): Promise<Permission> {
    if (user === request.requestedBy && !rules.selfApproval) {
      return {
        ok: false,
        rule: `You asked for this change: someone else must approve it (policy for ${namespace}).`,
      };
    }
    if (request.approvals.some((a) => a.user === user)) {
      return { ok: false, rule: "You have already approved this request; it needs another approver." };
    }
    if (!rules.approvers || (await this.#isIn(rules.approvers, user))) return { ok: true };
    return {
      ok: false,
      rule: `Only ${describePeople(rules.approvers)} may approve changes in namespace ${namespace}.`,
    };
  }

  /** Whether `user` is named in `people`, directly or through one of its user groups. */
  async isIn(people: People, user: string): Promise<boolean> {
    return this.#isIn(people, user);
  }

  async #isIn(people: People, user: string): Promise<boolean> {
    if (people.users.includes(user)) return true;
    for (const group of people.groups) {
      if ((await this.#groupMembers(group)).includes(user)) return true;
    }
    return false;
  }
}

/** The people a list names, as Slack mentions (`nobody` for an empty list). */
export function describePeople(people: People): string {
  const names = [...people.users.map((u) => `<@${u}>`), ...people.groups.map((g) => `<!subteam^${g}>`)];
  return names.length === 0 ? "nobody" : names.join(", ");
}

/** Caches group membership for `ttlMs`, so an approval click costs no Slack call in the common case. */
export function cachedGroups(fetch: GroupMembers, ttlMs = 60_000, now = () => Date.now()): GroupMembers {
  const cache = new Map<string, { at: number; members: Promise<string[]> }>();
  return (group) => {
    const hit = cache.get(group);
    if (hit && now() - hit.at < ttlMs) return hit.members;
    const members = fetch(group);
    cache.set(group, { at: now(), members });
    members.catch(() => cache.delete(group));
    return members;
  };
}
