// Block Kit as plain text, for the demo transcript: what a person would read on the surface.

type Json = Record<string, unknown>;

export interface Names {
  users: Record<string, string>;
  channels: Record<string, string>;
}

/** Slack's mrkdwn markup as plain text: mentions by name, dates by their fallback, no emphasis marks. */
export function mrkdwnToText(text: string, names: Names): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)>/g, (_, id: string) => `@${names.users[id] ?? id}`)
    .replace(/<#([CG][A-Z0-9]+)(\|[^>]*)?>/g, (_, id: string) => `#${names.channels[id] ?? id}`)
    .replace(/<!subteam\^([A-Z0-9]+)>/g, (_, id: string) => `@group-${id}`)
    .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, (_, fallback: string) => fallback)
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, "$2 ($1)")
    .replace(/`/g, "")
    .replace(/:([a-z_+-]+):/g, (_, name: string) => EMOJI[name] ?? "")
    .replace(/\*([^*\n]+)\*/g, "$1")
    .replace(/(^|\s)_([^_\n]+)_/g, "$1$2");
}

const EMOJI: Record<string, string> = {
  warning: "⚠",
  white_check_mark: "✔",
  x: "✘",
  hourglass: "⌛",
  hourglass_flowing_sand: "⌛",
  raised_hand: "✋",
  no_entry: "⛔",
  no_entry_sign: "⛔",
  alarm_clock: "⏰",
  large_blue_circle: "●",
  large_green_circle: "●",
  red_circle: "●",
  white_circle: "○",
  black_circle: "●",
  leftwards_arrow_with_hook: "↩",
};

function textOf(value: unknown, names: Names): string {
  const t = value as { type?: string; text?: string } | undefined;
  if (!t?.text) return "";
  return t.type === "mrkdwn" ? mrkdwnToText(t.text, names) : t.text;
}

function elementText(element: Json, names: Names): string {
  switch (element.type) {
    case "button":
      return `[ ${textOf(element.text, names)} ]`;
    case "static_select": {
      const initial = (element.initial_option as Json | undefined)?.text;
      return `[ ${initial ? textOf(initial, names) : "choose…"} ▾ ]`;
    }
    case "plain_text_input":
      return `[ ${(element.initial_value as string | undefined) ?? ""}_ ]`;
    default:
      return `[ ${String(element.type)} ]`;
  }
}

/** Blocks as indented lines of text. */
export function blocksToText(blocks: unknown[] | undefined, names: Names, indent = "  "): string[] {
  const lines: string[] = [];
  const push = (text: string) => {
    for (const line of text.split("\n")) lines.push(`${indent}${line}`);
  };
  for (const raw of blocks ?? []) {
    const block = raw as Json;
    switch (block.type) {
      case "header":
        push(textOf(block.text, names).toUpperCase());
        break;
      case "section":
        if (block.text) push(textOf(block.text, names));
        for (const field of (block.fields as unknown[] | undefined) ?? []) push(textOf(field, names));
        if (block.accessory) push(elementText(block.accessory as Json, names));
        break;
      case "context":
        push((block.elements as Json[]).map((e) => textOf(e, names)).join("  "));
        break;
      case "actions":
        push((block.elements as Json[]).map((e) => elementText(e, names)).join(" "));
        break;
      case "divider":
        push("────────────────────────────────");
        break;
      case "input":
        push(`${textOf(block.label, names)}: ${elementText(block.element as Json, names)}`);
        break;
      default:
        push(`(${String(block.type)})`);
    }
  }
  return lines;
}

/** A modal or home tab: its title, then its blocks. */
export function viewToText(view: Json, names: Names): string[] {
  const title = textOf(view.title, names) || (view.type === "home" ? "Home" : "");
  const submit = view.submit ? `   [ ${textOf(view.submit, names)} ]` : "";
  return [`  ┌ ${title}${submit}`, ...blocksToText(view.blocks as unknown[], names, "  │ ")];
}
