import type { Actor } from "../approvals/index.ts";

/** What an interaction payload says about who acted (block actions, view submissions). */
interface InteractionBody {
  user: { id: string; team_id?: string };
  team?: { id?: string } | null;
  enterprise?: { id?: string } | null;
}

/**
 * The actor of an interaction: the user's own workspace (in a Slack Connect channel `user.team_id` is the
 * user's home, not the channel's), and their organisation when Slack names one.
 */
export function actorOf(body: InteractionBody): Actor {
  const team = body.user.team_id ?? body.team?.id ?? undefined;
  const enterprise = body.enterprise?.id ?? undefined;
  return { user: body.user.id, ...(team ? { team } : {}), ...(enterprise ? { enterprise } : {}) };
}

/** The actor of a slash command (its `team_id` and `enterprise_id` fields). */
export function commandActor(command: { user_id: string; team_id?: string; enterprise_id?: string }): Actor {
  return {
    user: command.user_id,
    ...(command.team_id ? { team: command.team_id } : {}),
    ...(command.enterprise_id ? { enterprise: command.enterprise_id } : {}),
  };
}
