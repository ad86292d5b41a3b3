/**
 * The one escape for text a person typed or the cluster returned, before it goes into Slack mrkdwn: `&`, `<` and
 * `>` are Slack's control characters, so unescaped they would let a job name, a header condition or an object name
 * ping `<!channel>`, mention `<@U…>` someone or fake a `<http://…|link>`. Backticks never stand next to each other
 * afterwards (a zero-width space goes between), so the text cannot open or close a ``` code block around it.
 * Slack shows the escaped text as typed.
 */
export function escapeText(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(/`(?=`)/g, "`\u200b");
}

/** Text shown as a ``` code block that nothing inside can close or break out of. */
export function codeBlock(text: string): string {
  return `\`\`\`${escapeText(text)}\`\`\``;
}
