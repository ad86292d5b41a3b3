import { splitScope, UserFacingError } from "../release/index.ts";
import { describePeople, type Permissions } from "./permissions.ts";
import { type NamespacePolicy, type People, type Policy, policyFor } from "./policy.ts";

/** Who is acting, as Slack says: the user and the workspace (and organisation) the request came from. */
export interface Actor {
  user: string;
  /** The user's Slack workspace (team id); absent only for records written before it was kept. */
  team?: string;
  enterprise?: string;
}

/** What a right lets someone do, in the words a refusal uses. */
export type Right = "view" | "request" | "approve";

/**
 * Everything a person (or Graydesk on a person's behalf: a schedule tick, a retry, a recovered promise) can do,
 * and the right it takes. Every entry point asks `authorize` with one of these before it reads or writes.
 */
export const ACTIONS = {
  "jobs.list": "view",
  "job.status": "view",
  "job.history": "view",
  "job.objects": "view",
  "job.chart": "view",
  "job.traces": "view",
  "home.open": "view",
  "steps.show": "view",
  "digest.show": "view",
  "job.create": "request",
  "change.request": "request",
  "change.rerequest": "request",
  "change.decide": "approve",
  "job.retry": "request",
  "job.abandon": "request",
  "steps.set": "request",
  "steps.pause": "request",
  "steps.resume": "request",
  "steps.cancel": "request",
  "steps.tick": "request",
  "channel.configure": "request",
  "digest.configure": "request",
  "digest.post": "request",
  "promise.open": "request",
} as const satisfies Record<string, Right>;

export type Action = keyof typeof ACTIONS;

export type Authorization = { ok: true } | { ok: false; right: Right | "unknown"; message: string };

/** The workspace this Graydesk is installed in (auth.test), learned once. */
export type HomeTeam = () => Promise<{ team?: string; enterprise?: string }>;

const RIGHT_WORDS: Record<Right, string> = {
  view: "see release jobs",
  request: "request changes",
  approve: "approve changes",
};

/**
 * The one authorization decision: actor × action × namespace → allowed, or a refusal that names the missing
 * right and who has it. Unknown actions are refused; users from other workspaces are refused unless the
 * namespace's policy lists their team or organisation in `allowedTeams`.
 */
export class Authorizer {
  readonly #policy: Policy;
  readonly #permissions: Pick<Permissions, "isIn">;
  readonly #home: HomeTeam;

  constructor(policy: Policy, permissions: Pick<Permissions, "isIn">, home: HomeTeam) {
    this.#policy = policy;
    this.#permissions = permissions;
    this.#home = home;
  }

  /** `namespace` undefined: an action about no one namespace (a channel without one), judged by the defaults. */
  async authorize(
    actor: Actor,
    action: Action,
    namespace: string | undefined,
    cluster?: string,
  ): Promise<Authorization> {
    if (!Object.hasOwn(ACTIONS, action))
      return {
        ok: false,
        right: "unknown",
        message: `Graydesk does not know the action ${String(action)}, so it is refused.`,
      };
    const right = ACTIONS[action];
    // A desk for several clusters may name the namespace as `cluster/namespace`.
    if (cluster === undefined && namespace?.includes("/")) ({ cluster, namespace } = splitScope(namespace));
    if (action === "job.create" && namespace !== undefined && !isManaged(this.#policy, namespace, cluster)) {
      return {
        ok: false,
        right,
        message:
          `Graydesk does not manage namespace ${namespace}: it releases only in the namespaces its approval ` +
          `policy names, and holds Kubernetes rights only there. To manage ${namespace}, add it under ` +
          "`namespaces:` in the policy (POLICY_FILE), run `npm run deploy:namespaces` and apply deploy/ again " +
          '(README, "Adding a namespace").',
      };
    }
    const rules = policyFor(this.#policy, namespace, cluster);
    const where =
      namespace === undefined
        ? "every namespace"
        : cluster === undefined
          ? `namespace ${namespace}`
          : `namespace ${namespace} of cluster ${cluster}`;
    const holders = this.#holders(rules, right);
    if (!(await this.#member(actor, rules))) {
      return {
        ok: false,
        right,
        message: `You need the *${right}* right to ${RIGHT_WORDS[right]} in ${where}, and users from another Slack workspace (yours is ${actor.team ?? "unknown"}) do not get it unless the policy's allowedTeams lists their workspace. It is held by ${holders}.`,
      };
    }
    if (await this.#holds(rules, right, actor.user)) return { ok: true };
    return {
      ok: false,
      right,
      message: `You need the *${right}* right to ${RIGHT_WORDS[right]} in ${where}; it is held by ${holders}.`,
    };
  }

  /** Throws the refusal as a user-facing error (see `refusal`), or returns when allowed. */
  async require(
    actor: Actor,
    action: Action,
    namespace: string | undefined,
    cluster?: string,
  ): Promise<void> {
    const verdict = await this.authorize(actor, action, namespace, cluster);
    if (!verdict.ok) throw new NotAuthorized(verdict.message, verdict.right);
  }

  async #member(actor: Actor, rules: NamespacePolicy): Promise<boolean> {
    // Records from before teams were kept, and Graydesk's own work, carry no team: they are the workspace's
    // (asked before Slack is: start-up recovery judges recorded people while Slack may not answer yet).
    if (actor.team === undefined) return true;
    const home = await this.#home();
    if (actor.team === home.team) return true;
    if (actor.enterprise !== undefined && actor.enterprise === home.enterprise) return true;
    return (
      rules.allowedTeams.includes(actor.team) ||
      (actor.enterprise !== undefined && rules.allowedTeams.includes(actor.enterprise))
    );
  }

  async #holds(rules: NamespacePolicy, right: Right, user: string): Promise<boolean> {
    const lists = this.#lists(rules, right);
    if (lists.some((list) => list === undefined)) return true;
    for (const list of lists) if (list && (await this.#permissions.isIn(list, user))) return true;
    return false;
  }

  /** The people lists granting a right; `undefined` in the result means "everyone in the workspace". */
  #lists(rules: NamespacePolicy, right: Right): (People | undefined)[] {
    switch (right) {
      case "approve":
        return [rules.approvers];
      case "request":
        return [rules.requesters];
      case "view":
        // Seeing is part of requesting and approving; without a viewers list everyone sees.
        return rules.viewers ? [rules.viewers, rules.requesters, rules.approvers] : [undefined];
    }
  }

  #holders(rules: NamespacePolicy, right: Right): string {
    const lists = this.#lists(rules, right);
    if (lists.some((list) => list === undefined)) return "everyone in this workspace";
    const merged: People = {
      users: [...new Set(lists.flatMap((l) => l?.users ?? []))],
      groups: [...new Set(lists.flatMap((l) => l?.groups ?? []))],
    };
    return describePeople(merged);
  }
}

/** A refused action: its message is for the user (it names the right and who has it). */
export class NotAuthorized extends UserFacingError {
  readonly right: Right | "unknown";

  constructor(message: string, right: Right | "unknown") {
    super("not-authorized", `:no_entry: ${message} Nothing changed.`);
    this.name = "NotAuthorized";
    this.right = right;
  }
}

/** The actor Graydesk records for what it does by itself (no person's rights involved). */
export const GRAYDESK_ACTOR: Actor = { user: "graydesk" };

/**
 * The namespaces Graydesk manages are those its policy file names (per cluster when the file has clusters): the
 * same list deploy/ grants its Roles from. Without a policy file (a trial) every namespace is.
 */
export function isManaged(policy: Policy, namespace: string, cluster?: string): boolean {
  if (!policy.fromFile) return true;
  if (Object.hasOwn(policy.namespaces, namespace)) return true;
  const scope = cluster !== undefined && policy.clusters ? policy.clusters[cluster] : undefined;
  return scope !== undefined && Object.hasOwn(scope.namespaces, namespace);
}
