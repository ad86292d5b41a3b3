import type { App } from "@slack/bolt";
import { type Logger, requestLogger } from "../src/log.ts";
import { commandActor } from "../src/slack/actor.ts";
import { answerPrivately } from "../src/slack/desk/answer.ts";
import { replyToError } from "../src/slack/errors.ts";
import type { InFlight } from "../src/slack/in-flight.ts";
import { buildError } from "../views/error.ts";
import { escapeText } from "../views/escape.ts";
import { help } from "./help.ts";
import { closest, splitArgs } from "./parse.ts";
import type { CommandCall, Subcommand } from "./subcommand.ts";

export type { CommandCall, Reply, Subcommand } from "./subcommand.ts";

/** Every `/release` subcommand. Adding one is one line here plus its file. */
export const subcommands: readonly Subcommand[] = [help];

export interface CommandDeps {
  logger: Logger;
  inFlight: InFlight;
  table?: readonly Subcommand[];
}

/** Registers `/release`: ack() first, then parse the first word and run that subcommand. */
export function registerCommands(app: App, deps: CommandDeps): void {
  const table = deps.table ?? subcommands;
  app.command("/release", async ({ command, ack, client }) => {
    await ack();
    await deps.inFlight.afterAck(() => {
      const logger = requestLogger(deps.logger, {
        team: command.team_id,
        user: command.user_id,
        channel: command.channel_id,
        kind: "command",
      });
      // The command's response URL, else an ephemeral message in the channel.
      const replyPrivately: CommandCall["replyPrivately"] = answerPrivately(client, {
        user: command.user_id,
        channel: command.channel_id,
        responseUrl: command.response_url,
      });
      return dispatch(command.text ?? "", table, {
        user: command.user_id,
        actor: commandActor(command),
        channel: command.channel_id,
        team: command.team_id,
        triggerId: command.trigger_id,
        client,
        logger,
        replyPrivately,
      }).catch((error) => replyToError(error, logger, replyPrivately));
    });
  });
}

type CallContext = Omit<CommandCall, "name" | "args" | "text">;

export async function dispatch(
  text: string,
  table: readonly Subcommand[],
  context: CallContext,
): Promise<void> {
  const [first, ...args] = splitArgs(text);
  const name = (first ?? "help").toLowerCase();
  const subcommand = table.find((c) => c.name === name);
  if (!subcommand) {
    const names = table.map((c) => c.name);
    const guess = closest(name, names);
    const message = guess
      ? `There is no \`/release ${escapeText(name)}\`. Did you mean \`/release ${guess}\`?`
      : `There is no \`/release ${escapeText(name)}\`. Try one of: ${names.map((n) => `\`${n}\``).join(", ")}.`;
    await context.replyPrivately(buildError(`${message} \`/release help\` lists them all.`));
    return;
  }
  context.logger.info({ subcommand: name }, "command");
  await subcommand.run({ ...context, name, args, text }, table);
}
