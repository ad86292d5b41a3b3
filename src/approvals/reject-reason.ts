/** A rejection reason is read in a thread quote and the audit trail: a few sentences, not an essay. */
export const REASON_MAX = 500;

export type CheckedReason = { ok: true; reason?: string } | { ok: false; problem: string };

/**
 * The reason typed into the Reject dialog, cleaned and checked. Required when an approver rejects someone
 * else's change (the requester must learn what to fix); optional when requesters withdraw their own.
 * Control characters are dropped and runs of blank lines collapsed; the text is escaped where it is shown.
 */
export function checkReason(value: unknown, required: boolean): CheckedReason {
  const text = typeof value === "string" ? value : "";
  const cleaned = text
    .replace(/\r\n?/g, "\n")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, " ")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  if (cleaned.length > REASON_MAX)
    return {
      ok: false,
      problem: `The reason is ${cleaned.length} characters long; keep it to ${REASON_MAX}.`,
    };
  if (cleaned === "")
    return required
      ? { ok: false, problem: "Say why you reject it, so the requester knows what to change." }
      : { ok: true };
  return { ok: true, reason: cleaned };
}
