import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/**
 * The server side of a WebSocket (RFC 6455), just what Slack's Socket Mode uses: text frames, ping/pong and the
 * close handshake. Client frames arrive masked and may be fragmented; server frames go out unmasked, whole.
 */
export interface WebSocketPeer {
  readonly open: boolean;
  sendText(text: string): void;
  ping(data?: string): void;
  /** Starts the close handshake; the socket is destroyed if the peer does not answer within a second. */
  close(code?: number, reason?: string): void;
  /** Drops the connection without a close frame (a network failure). */
  drop(): void;
  onText(listener: (text: string) => void): void;
  onClose(listener: (code: number) => void): void;
  /** Resolves once the TCP connection is gone. */
  closed(): Promise<void>;
}

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** Answers an HTTP upgrade request and returns the connected peer, or undefined (after a 400) if it is not one. */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): WebSocketPeer | undefined {
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string" || req.headers.upgrade?.toLowerCase() !== "websocket") {
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    return undefined;
  }
  const accept = createHash("sha1").update(`${key}${GUID}`).digest("base64");
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  return peer(socket, head);
}

function peer(socket: Duplex, head: Buffer): WebSocketPeer {
  const textListeners: ((text: string) => void)[] = [];
  const closeListeners: ((code: number) => void)[] = [];
  let buffered = head;
  let fragments: Buffer[] = [];
  let open = true;
  let closeSent = false;
  let closedWith = 1006;
  let killTimer: NodeJS.Timeout | undefined;

  const write = (opcode: number, payload: Buffer) => {
    if (socket.destroyed || closeSent) return;
    socket.write(Buffer.concat([frameHeader(opcode, payload.length), payload]));
  };
  const sendClose = (code: number, reason = "") => {
    if (closeSent) return;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    write(OP.close, payload);
    closeSent = true;
  };

  function onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === OP.ping) {
      write(OP.pong, payload);
      return;
    }
    if (opcode === OP.pong) return;
    if (opcode === OP.close) {
      closedWith = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      open = false;
      sendClose(closedWith === 1005 ? 1000 : closedWith);
      socket.end();
      return;
    }
    fragments.push(payload);
    if (!fin) return;
    const message = Buffer.concat(fragments);
    const first = opcode === OP.continuation ? OP.text : opcode;
    fragments = [];
    if (first === OP.text && open) for (const listener of textListeners) listener(message.toString("utf8"));
  }

  const drain = () => {
    for (;;) {
      const frame = readFrame(buffered);
      if (!frame) return;
      buffered = buffered.subarray(frame.size);
      onFrame(frame.fin, frame.opcode, frame.payload);
    }
  };
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    drain();
  });
  let gone = false;
  socket.on("close", () => {
    open = false;
    gone = true;
    clearTimeout(killTimer);
    for (const listener of closeListeners) listener(closedWith);
  });
  socket.on("error", () => socket.destroy());
  // Bytes that came with the upgrade request are frames too, read once the caller has added its listeners.
  if (head.length > 0) queueMicrotask(drain);

  return {
    get open() {
      return open && !closeSent && !socket.destroyed;
    },
    sendText: (text) => write(OP.text, Buffer.from(text, "utf8")),
    ping: (data = "") => write(OP.ping, Buffer.from(data)),
    close(code = 1000, reason = "") {
      sendClose(code, reason);
      killTimer = setTimeout(() => socket.destroy(), 1_000);
    },
    drop: () => socket.destroy(),
    onText: (listener) => void textListeners.push(listener),
    onClose: (listener) => void closeListeners.push(listener),
    closed: () =>
      gone ? Promise.resolve() : new Promise<void>((resolve) => closeListeners.push(() => resolve())),
  };
}

function frameHeader(opcode: number, length: number): Buffer {
  if (length < 126) return Buffer.from([0x80 | opcode, length]);
  if (length < 65_536) {
    const header = Buffer.from([0x80 | opcode, 126, 0, 0]);
    header.writeUInt16BE(length, 2);
    return header;
  }
  const header = Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
  size: number;
}

/** One whole frame from the front of the buffer, unmasked, or undefined while it is still arriving. */
function readFrame(data: Buffer): Frame | undefined {
  if (data.length < 2) return undefined;
  const first = data[0] as number;
  const second = data[1] as number;
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (data.length < 4) return undefined;
    length = data.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (data.length < 10) return undefined;
    length = Number(data.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = (second & 0x80) !== 0;
  const mask = masked ? data.subarray(offset, offset + 4) : undefined;
  if (masked) offset += 4;
  if (data.length < offset + length) return undefined;
  const payload = Buffer.from(data.subarray(offset, offset + length));
  if (mask)
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload, size: offset + length };
}
