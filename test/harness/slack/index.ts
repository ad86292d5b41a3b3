// The Slack test harness: a Web API test server, a Socket Mode server, a client that signs requests like Slack
// (or sends them as Socket Mode envelopes),
// and the Block Kit validator both of them apply.
export type { Violation } from "./block-kit.ts";
export { type MessageOptions, validateHome, validateMessage, validateModal } from "./block-kit.ts";
export { freePort } from "./free-port.ts";
export type { SlackActor } from "./interaction-payloads.ts";
export { LIMITS } from "./limits.ts";
export { type SignOverrides, signedHeaders, slackSignature } from "./signature.ts";
export {
  ACK_BOUND_MS,
  createSlackClient,
  type RequestOptions,
  type SlackClient,
  type SlackClientOptions,
  type SlackReply,
} from "./slack-client.ts";
export {
  type DisconnectReason,
  type Envelope,
  type EnvelopeType,
  type SocketAck,
  type SocketModeServer,
  type SocketModeServerOptions,
  startSocketModeServer,
} from "./socket-mode-server.ts";
export {
  type EnteredValues,
  findElement,
  stateEntry,
  stateFrom,
  type ViewStateValues,
} from "./view-state.ts";
export {
  type Failure,
  type RecordedCall,
  type SlackApiServer,
  type SlackApiServerOptions,
  startSlackApiServer,
} from "./web-api-server.ts";
export { TRIGGER_TTL_MS, VIEW_STACK_LIMIT } from "./web-api-views.ts";
export type {
  BotIdentity,
  EphemeralMessage,
  OpenView,
  SlackChannel,
  SlackUser,
  SlackUserGroup,
  StoredMessage,
  UploadedFile,
} from "./workspace.ts";
