// Slack's documented Block Kit and surface limits, in one place so every rule of the validator
// names its number here. Values follow docs.slack.dev (blocks, block elements, composition objects,
// modals, chat.* methods); where the docs are vague the stricter documented value is used.
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  // chat.postMessage truncates beyond this; chat.update and chat.postEphemeral refuse beyond 4000.
  messageTextTruncated: 40_000,
  updateText: 4000,
  ephemeralText: 4000,
  markdownBlockText: 12_000,

  blockId: 255,
  actionId: 255,
  textObject: 3000,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  inputLabel: 2000,
  inputHint: 2000,
  imageAltText: 2000,
  imageUrl: 3000,
  imageTitle: 2000,

  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  buttonAccessibilityLabel: 75,
  placeholder: 150,
  options: 100,
  optionGroups: 100,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  optionUrl: 3000,
  optionGroupLabel: 75,
  overflowOptions: 5,
  choiceOptions: 10, // checkboxes and radio_buttons
  plainTextInputLength: 3000,

  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,

  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
} as const;

export const BLOCK_TYPES = [
  "actions",
  "context",
  "divider",
  "file",
  "header",
  "image",
  "input",
  "markdown",
  "rich_text",
  "section",
  "video",
] as const;

export const SELECT_TYPES = [
  "static_select",
  "external_select",
  "users_select",
  "conversations_select",
  "channels_select",
  "multi_static_select",
  "multi_external_select",
  "multi_users_select",
  "multi_conversations_select",
  "multi_channels_select",
] as const;

export const INPUT_TYPES = [
  "plain_text_input",
  "number_input",
  "email_text_input",
  "url_text_input",
  "rich_text_input",
  "file_input",
  "datepicker",
  "timepicker",
  "datetimepicker",
  "checkboxes",
  "radio_buttons",
] as const;

export const ELEMENT_TYPES = ["button", "overflow", "image", ...SELECT_TYPES, ...INPUT_TYPES] as const;
