import type { ReleaseStrategy } from "../src/release/index.ts";
import { ROUTER_KINDS, UserFacingError } from "../src/release/index.ts";
import type { SlackDeps } from "../src/slack/deps.ts";
import { createRelease, describeCreated } from "../src/slack/wizard/index.ts";
import { buildNote } from "../views/desk-message.ts";
import { escapeText } from "../views/escape.ts";
import { buildStep, newWizard } from "../views/wizard/index.ts";
import { parseNewArgs, STRATEGY_WORDS } from "./new-args.ts";
import { checkNewRelease } from "./new-release.ts";
import { closest } from "./parse.ts";
import type { Subcommand } from "./subcommand.ts";
import { usageError } from "./usage.ts";

export type NewCommandDeps = Pick<
  SlackDeps,
  "desk" | "cards" | "approvals" | "authorizer" | "promises" | "policy"
>;

/**
 * `/release new [strategy]` opens the wizard at once (the trigger id lives 3 s, so before any cluster call);
 * with a service and settings after the strategy, it creates the release in one line.
 */
export function newCommand(deps: NewCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "new",
    usage: `[blue-green|canary|mirror] — or in one line: <strategy> [<cluster>/]<namespace>/<service> version=<v> image=<image> [name=<job>] [replicas=N] [router=${ROUTER_KINDS.join("|")}] [weight=20 | header:<name>=<value> (^= prefix, ~= regex) | cookie:<name>=<value> | query:<name>=<value> | uri^=/api | os:android,ios | mirror=30 | serve=new]`,
    summary:
      "Create a grayscale release job with the wizard, or in one line. The first traffic change waits for approval.",
    example:
      "/release new canary bookinfo/reviews version=v2 image=docker.io/istio/examples-bookinfo-reviews-v2:1.20.3 weight=20",
    async run(call) {
      const [word, ...rest] = call.args;
      const strategy = word?.toLowerCase();
      if (strategy !== undefined && !STRATEGY_WORDS.includes(strategy as ReleaseStrategy)) {
        const guess = closest(strategy, STRATEGY_WORDS);
        throw usageError(
          command,
          `\`${escapeText(word ?? "")}\` is not a release type${guess ? `; did you mean \`${guess}\`?` : "."} Choose blue-green, canary or mirror.`,
        );
      }
      if (rest.length === 0) {
        await call.client.views.open({
          trigger_id: call.triggerId,
          view: buildStep(newWizard(call.channel, strategy as ReleaseStrategy | undefined)),
        });
        return;
      }
      const parsed = parseNewArgs(strategy as ReleaseStrategy, rest);
      if (!parsed.ok) throw usageError(command, parsed.problem);
      const args = parsed.value;
      // Before any cluster read: an outsider learns nothing about the namespace.
      await deps.authorizer.require(call.actor, "job.create", args.namespace);
      const [services, apps] = await Promise.all([
        // The job's routes find their own gateways: none are listed for the command.
        deps.desk.services(args.namespace, undefined, { gateways: false }),
        deps.desk.apps(args.namespace),
      ]);
      const service = services.find((s) => s.name === args.service);
      if (!service) {
        throw new UserFacingError(
          "not-found",
          `\`${escapeText(args.namespace)}/${escapeText(args.service)}\`: there is no service ${escapeText(args.service)} in namespace ${escapeText(args.namespace)}.`,
        );
      }
      const template = apps.find((a) => a.name === service.app)?.template ?? false;
      const { input, traffic } = checkNewRelease(args, service, template, call.channel);
      const created = await createRelease(deps, call.logger, input, traffic, call.actor, call.channel);
      await call.replyPrivately(buildNote(describeCreated(created, traffic)));
    },
  };
  return command;
}
