/** The mrkdwn texts of a message's blocks, in order: each section's text and each context element's. */
export function blockTexts(message: { blocks?: unknown }): string[] {
  const out: string[] = [];
  for (const block of (message.blocks ?? []) as {
    text?: { text?: string };
    elements?: { text?: string }[];
  }[]) {
    if (typeof block.text?.text === "string") out.push(block.text.text);
    for (const element of block.elements ?? []) if (typeof element.text === "string") out.push(element.text);
  }
  return out;
}
