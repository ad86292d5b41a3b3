// Bolt's classes from their own modules. The package's entry point also loads its Express and AWS Lambda
// receivers (express, body-parser and the rest), which Graydesk never uses: about 5 MB of an idle process.
// Required, not imported: Node and the test runner then agree on what a CommonJS module's default is.
// test/slack/bolt.test.ts checks that these are the very classes the entry point exports.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const load = <T>(file: string): T => require(`@slack/bolt/dist/${file}`) as T;

export const App = load<typeof import("@slack/bolt/dist/App.js")>("App.js").default;
export type App = InstanceType<typeof App>;
export const HTTPReceiver =
  load<typeof import("@slack/bolt/dist/receivers/HTTPReceiver.js")>("receivers/HTTPReceiver.js").default;
export type HTTPReceiver = InstanceType<typeof HTTPReceiver>;
export const SocketModeReceiver = load<typeof import("@slack/bolt/dist/receivers/SocketModeReceiver.js")>(
  "receivers/SocketModeReceiver.js",
).default;
export type SocketModeReceiver = InstanceType<typeof SocketModeReceiver>;
export const isValidSlackRequest = load<typeof import("@slack/bolt/dist/receivers/verify-request.js")>(
  "receivers/verify-request.js",
).isValidSlackRequest;
