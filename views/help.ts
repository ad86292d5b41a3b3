import type { KnownBlock } from "@slack/types";
import { ids } from "./ids.ts";

export interface CommandSummary {
  name: string;
  usage: string;
  summary: string;
  example?: string;
}

/** The `/release help` reference: one line per subcommand, in the order of the command table. */
export function buildHelp(commands: readonly CommandSummary[]): { text: string; blocks: KnownBlock[] } {
  const lines = commands.map((c) => {
    const usage = c.usage ? ` ${c.usage}` : "";
    const example = c.example ? `\n      e.g. \`${c.example}\`` : "";
    return `• \`/release ${c.name}${usage}\` — ${c.summary}${example}`;
  });
  return {
    text: "Graydesk commands",
    blocks: [
      {
        type: "header",
        block_id: ids.help.header,
        text: { type: "plain_text", text: "Graydesk — /release" },
      },
      {
        type: "section",
        block_id: ids.help.intro,
        text: {
          type: "mrkdwn",
          text: "Grayscale releases on Kubernetes: blue-green, canary and traffic mirroring. Traffic moves only after a second person approves.",
        },
      },
      ...chunk(lines, 3000).map(
        (text, i): KnownBlock => ({
          type: "section",
          block_id: `${ids.help.commands}_${i}`,
          text: { type: "mrkdwn", text },
        }),
      ),
    ],
  };
}

/** Joins lines into texts no longer than `limit` (Slack's section text limit), never splitting a line. */
export function chunk(lines: readonly string[], limit: number): string[] {
  const out: string[] = [];
  let current = "";
  for (const line of lines) {
    const next = current ? `${current}\n${line}` : line;
    if (next.length > limit && current) {
      out.push(current);
      current = line.slice(0, limit);
    } else current = next.slice(0, limit);
  }
  if (current) out.push(current);
  return out;
}
