import type { KnownBlock, SectionBlock } from "@slack/types";

/** One chat.postMessage: blocks plus the plain text notifications and screen readers use. */
export interface DigestMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Block Kit: at most 50 blocks per message and 3000 characters of section text. */
export const MAX_BLOCKS = 50;
export const MAX_SECTION_TEXT = 3000;

/**
 * A titled list as sections: lines are packed into sections of at most 3000 characters, the title on the first;
 * a single overlong line is shortened rather than dropped.
 */
export function sectionsOf(title: string, lines: string[]): SectionBlock[] {
  const sections: SectionBlock[] = [];
  let current = title;
  for (const raw of lines) {
    const line = raw.length > MAX_SECTION_TEXT ? `${raw.slice(0, MAX_SECTION_TEXT - 1)}…` : raw;
    if (current.length + 1 + line.length > MAX_SECTION_TEXT) {
      sections.push(section(current));
      current = line;
    } else current = current === "" ? line : `${current}\n${line}`;
  }
  if (current !== "") sections.push(section(current));
  return sections;
}

/** Splits blocks across messages of at most 50 blocks, each headed by the title and "part n of m". */
export function toMessages(title: string, blocks: KnownBlock[]): DigestMessage[] {
  const perMessage = MAX_BLOCKS - 1;
  const chunks: KnownBlock[][] = [];
  for (let i = 0; i < blocks.length; i += perMessage) chunks.push(blocks.slice(i, i + perMessage));
  if (chunks.length === 0) chunks.push([]);
  return chunks.map((chunk, i) => {
    const heading = chunks.length > 1 ? `${title} (part ${i + 1} of ${chunks.length})` : title;
    return {
      text: heading,
      blocks: [{ type: "context", elements: [{ type: "mrkdwn", text: `*${heading}*` }] }, ...chunk],
    };
  });
}

function section(text: string): SectionBlock {
  return { type: "section", text: { type: "mrkdwn", text } };
}
