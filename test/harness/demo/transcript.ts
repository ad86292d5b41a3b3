import type { RecordedCall } from "../slack/index.ts";
import { blocksToText, mrkdwnToText, type Names, viewToText } from "./render.ts";

type Json = Record<string, unknown>;

/**
 * Turns the Web API calls Graydesk made into what each person sees: channel posts (and thread replies),
 * updates in place, answers only one person sees, modals and the App Home tab.
 */
export function describeCalls(calls: RecordedCall[], names: Names): string[] {
  const out: string[] = [];
  const who = (id: unknown) => `@${names.users[String(id)] ?? String(id)}`;
  const where = (id: unknown) => `#${names.channels[String(id)] ?? String(id)}`;
  for (const call of calls) {
    const args = Object.fromEntries(
      Object.entries(call.args as Json).map(([k, v]) => [k, ["blocks", "view"].includes(k) ? parsed(v) : v]),
    );
    const body = () =>
      args.blocks
        ? blocksToText(args.blocks as unknown[], names, "    ")
        : [`    ${mrkdwnToText(String(args.text ?? ""), names)}`];
    switch (call.method) {
      case "chat.postMessage":
        out.push(
          `  ▸ Graydesk posts in ${where(args.channel)}${args.thread_ts ? " (in the job's thread)" : ""}:`,
          ...body(),
        );
        break;
      case "chat.update":
        out.push(`  ▸ Graydesk updates its message in ${where(args.channel)}:`, ...body());
        break;
      case "chat.postEphemeral":
        out.push(`  ▸ Only ${who(args.user)} sees:`, ...body());
        break;
      case "response_url":
        out.push("  ▸ Only the person who acted sees:", ...body());
        break;
      case "views.open":
      case "views.update":
        out.push(
          `  ▸ A modal ${call.method === "views.open" ? "opens" : "fills in"}:`,
          ...viewToText(args.view as Json, names).map((l) => `  ${l}`),
        );
        break;
      case "views.publish":
        out.push(
          `  ▸ ${who(args.user_id)}'s Graydesk Home tab:`,
          ...viewToText(args.view as Json, names).map((l) => `  ${l}`),
        );
        break;
      default:
        break;
    }
  }
  return out;
}

/** Form-encoded Web API calls carry blocks and views as JSON text. */
function parsed(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
