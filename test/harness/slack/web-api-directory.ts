import type { Json } from "./block-kit-elements.ts";
import { fail, type MethodAnswer, ok, str, type Workspace } from "./workspace.ts";

export function authTest(_args: Json, ws: Workspace): MethodAnswer {
  const { bot } = ws;
  return ok({
    url: bot.url,
    team: bot.team,
    user: "graydesk",
    team_id: bot.teamId,
    user_id: bot.userId,
    bot_id: bot.botId,
    is_enterprise_install: false,
  });
}

export function usersInfo(args: Json, ws: Workspace): MethodAnswer {
  const user = ws.users.get(str(args, "user") ?? "");
  return user
    ? ok({ user: { team_id: ws.bot.teamId, deleted: false, is_bot: false, ...user } })
    : fail("user_not_found");
}

export function userGroupUsers(args: Json, ws: Workspace): MethodAnswer {
  const group = ws.userGroups.get(str(args, "usergroup") ?? "");
  return group ? ok({ users: group.users }) : fail("no_such_subteam");
}

export function conversationsInfo(args: Json, ws: Workspace): MethodAnswer {
  const channel = ws.channels.get(str(args, "channel") ?? "");
  if (!channel) return fail("channel_not_found");
  const { members: _m, ...shown } = channel;
  return ok({ channel: { is_channel: true, is_private: false, is_archived: false, ...shown } });
}
