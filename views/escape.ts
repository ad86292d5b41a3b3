/**
 * Text a person typed, made safe to show in Slack mrkdwn: `&`, `<` and `>` are Slack's control characters, so
 * unescaped they would let a job name or a mistyped argument ping `@everyone`, mention someone or fake a link.
 * Slack shows the escaped text as typed.
 */
export function escapeText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
