import { splitScope } from "../src/release/index.ts";
import { buildNote } from "../views/desk-message.ts";
import { escapeText } from "../views/escape.ts";
import type { DeskCommandDeps } from "./desk-deps.ts";
import { closest } from "./parse.ts";
import type { Subcommand } from "./subcommand.ts";
import { expectArgs, usageError } from "./usage.ts";

// A desk for several clusters names a namespace with its cluster: `prod-eu/bookinfo`.
const NAMESPACE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function configCommand(deps: DeskCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "config",
    usage: "namespace <namespace>",
    summary: "Set this channel's default namespace, so jobs can be named without it.",
    example: "/release config namespace bookinfo",
    async run(call) {
      expectArgs(command, call.args, 2, 2);
      const [setting, namespace] = call.args as [string, string];
      if (setting.toLowerCase() !== "namespace")
        throw usageError(
          command,
          `\`${escapeText(setting)}\` is not a setting; the one setting is \`namespace\`.`,
        );
      const scope = splitScope(namespace);
      if (!NAMESPACE.test(namespace) || scope.namespace.length > 63)
        throw usageError(
          command,
          `\`${escapeText(namespace)}\` is not a namespace name (lower-case letters, digits and -).`,
        );
      await deps.authorizer.require(call.actor, "channel.configure", scope.namespace, scope.cluster);
      // Moving a channel away from a namespace is a change there too.
      const current = deps.store.data().channels[call.channel]?.namespace;
      if (typeof current === "string" && current !== namespace)
        await deps.authorizer.require(call.actor, "channel.configure", current);
      const namespaces = await deps.desk.namespaces();
      if (!namespaces.includes(namespace)) {
        const guess = closest(namespace, namespaces);
        throw usageError(
          command,
          `The cluster has no namespace ${namespace}.${guess ? ` Did you mean \`${guess}\`?` : ""}`,
        );
      }
      await deps.store.update((d) => {
        d.channels[call.channel] = { ...(d.channels[call.channel] ?? { id: call.channel }), namespace };
      });
      await deps.audit.append({
        kind: "configured",
        actor: call.user,
        namespace,
        detail: { channel: call.channel },
      });
      await call.replyPrivately(
        buildNote(
          `This channel's jobs now live in namespace *${namespace}*: \`/release status <job>\` finds them there.`,
        ),
      );
    },
  };
  return command;
}
