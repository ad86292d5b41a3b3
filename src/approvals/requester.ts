/** Requests opened by a controller gate name the controller, not a Slack user. */
const CONTROLLERS: Record<string, string> = { flagger: "Flagger", "argo-rollouts": "Argo Rollouts" };

/** Who asked, for a message: a Slack mention for a user id, the controller's name for a controller gate. */
export function requesterText(requestedBy: string): string {
  if (/^[UW][A-Z0-9]+$/.test(requestedBy)) return `<@${requestedBy}>`;
  return CONTROLLERS[requestedBy] ?? requestedBy.replaceAll(/[<>&]/g, "");
}
