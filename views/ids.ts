/**
 * Every Block Kit block_id, action_id and callback_id Graydesk uses, in one place, so that a view and the
 * handler that reads its submission cannot drift apart.
 */
export const ids = {
  help: { header: "help_header", intro: "help_intro", commands: "help_commands" },
  error: { section: "error_section" },
} as const;
