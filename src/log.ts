import { randomUUID } from "node:crypto";
import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config.ts";

export type { Logger } from "pino";

/**
 * Paths whose values never reach a log line. Tokens live in config, in Bolt's request context, in HTTP headers
 * and in Web API arguments, so each of those shapes is covered; `censor` keeps the key so a reader sees that
 * something was there.
 */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "botToken",
  "*.botToken",
  "appToken",
  "*.appToken",
  "userToken",
  "*.userToken",
  "signingSecret",
  "*.signingSecret",
  "slack.botToken",
  "slack.appToken",
  "slack.signingSecret",
  "config.slack.botToken",
  "config.slack.appToken",
  "config.slack.signingSecret",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  'headers["x-slack-signature"]',
  '*.headers["x-slack-signature"]',
  "password",
  "*.password",
  "bearerToken",
  "*.bearerToken",
] as const;

const SECRET_PATTERN = /\b(xox[abeoprs]|xapp)-[A-Za-z0-9-]+|\bBearer\s+[A-Za-z0-9._~+/=-]+/g;

/** Replaces Slack tokens and bearer credentials inside free text. */
export function scrubSecrets(text: string): string {
  return text.replace(SECRET_PATTERN, "[redacted]");
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "graydesk" },
      redact: { paths: [...REDACT_PATHS], censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        // Redaction covers object paths; a token pasted into a message string is scrubbed here.
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === "string" ? scrubSecrets(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    destination,
  );
}

export interface SlackRequestContext {
  team?: string | undefined;
  user?: string | undefined;
  channel?: string | undefined;
  kind?: string | undefined;
}

/** One child logger per Slack request, so every line it writes can be tied back to who asked what, where. */
export function requestLogger(root: Logger, context: SlackRequestContext): Logger {
  return root.child({ requestId: randomUUID().slice(0, 8), ...context });
}

/** Bolt's Logger interface, backed by pino, so Bolt's own lines come out in the same JSON stream. */
export function boltLogger(root: Logger) {
  const logger = root.child({ component: "bolt" });
  let name = "bolt";
  // Bolt and the Web API client call debug several times per request; joining (and stringifying) their
  // arguments only when the level is on keeps a quiet logger free on the request path.
  const at =
    (level: "debug" | "info" | "warn" | "error") =>
    (...msg: unknown[]) => {
      if (logger.isLevelEnabled(level)) logger[level](join(msg));
    };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    setLevel: () => {},
    getLevel: () => levelName(logger.level),
    setName: (value: string) => {
      name = value;
    },
    getName: () => name,
  };
}

function join(parts: unknown[]): string {
  return parts.map((p) => (typeof p === "string" ? p : safeStringify(p))).join(" ");
}

function safeStringify(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function levelName(level: string) {
  // Bolt's LogLevel is a string enum of these four values.
  const known = ["debug", "info", "warn", "error"];
  return (known.includes(level) ? level : "info") as never;
}
