/**
 * The one escape for text a person typed or the cluster returned, before it goes into Slack mrkdwn: `&`, `<` and
 * `>` are Slack's control characters, so unescaped they would let a job name, a header condition or an object name
 * ping `<!channel>`, mention `<@U…>` someone or fake a `<http://…|link>`. Backticks never stand next to each other
 * afterwards (a zero-width space goes between), so the text cannot open or close a ``` code block around it.
 * Slack shows the escaped text as typed.
 *
 * A UserFacingError's message is mrkdwn: it is escaped where it is composed (the cluster's, a registry's or
 * Prometheus' words in it, exactly once), not where it is shown, because some messages carry intended mentions.
 */
export function escapeText(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(/`(?=`)/g, "`\u200b");
}

/**
 * The text escapeText was given, back from its escaped form: for a message that is kept as plain text (a job's
 * failure reason, a request's outcome, an audit record, a modal's plain-text error), which its view escapes
 * again when it shows it. Mentions written as `<@U…>` stay as they are.
 */
export function plainText(mrkdwn: string): string {
  return mrkdwn
    .replace(/(?<=`)\u200b(?=`)/g, "")
    .replace(/&(amp|lt|gt);/g, (_, name: string) => ENTITIES[name] ?? "");
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">" };

/** Text shown as a ``` code block that nothing inside can close or break out of. */
export function codeBlock(text: string): string {
  return `\`\`\`${escapeText(text)}\`\`\``;
}
