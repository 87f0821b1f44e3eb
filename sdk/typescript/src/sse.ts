/**
 * A Server-Sent Events parser over a fetch response body (the WHATWG event stream format), so
 * the stream works the same in Node 20 and in browsers without EventSource (which cannot send
 * headers nor be given a fetch).
 */

/** One dispatched event. */
export interface SseEvent {
  /** `event:` field, `"message"` when absent. */
  event: string;
  /** `data:` lines joined with `\n`. */
  data: string;
  /** The last event id (`id:`) at dispatch, as EventSource's `lastEventId`; `undefined` when none was ever set. */
  id: string | undefined;
}

/** Callbacks of {@link parseSSE} for what is not an event. */
export interface SseHooks {
  /** Each chunk read (liveness). */
  onChunk?: () => void;
  /** A comment line (`: ping`, the API's heartbeat), without the colon. */
  onComment?: (text: string) => void;
  /** A `retry:` field: the reconnection delay the server asks for, in milliseconds. */
  onRetry?: (ms: number) => void;
  /** An `id:` field, even on a block that dispatches no event. */
  onId?: (id: string) => void;
}

/**
 * Yields the events of an event stream until it ends. Cancelling (breaking out of the loop, or
 * an aborted fetch) releases the body.
 */
export async function* parseSSE(body: ReadableStream<Uint8Array>, hooks: SseHooks = {}): AsyncGenerator<SseEvent, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  let skipLF = false;
  let data: string[] = [];
  let hasData = false;
  let eventType = "";
  let lastId: string | undefined;
  const pending: SseEvent[] = [];

  const line = (l: string): void => {
    if (l === "") {
      if (hasData) pending.push({ event: eventType || "message", data: data.join("\n"), id: lastId });
      data = [];
      hasData = false;
      eventType = "";
      return;
    }
    if (l.charCodeAt(0) === 58 /* : */) {
      hooks.onComment?.(l.slice(1).replace(/^ /, ""));
      return;
    }
    const colon = l.indexOf(":");
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? "" : l.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case "event":
        eventType = value;
        break;
      case "data":
        data.push(value);
        hasData = true;
        break;
      case "id":
        if (!value.includes("\0")) {
          lastId = value;
          hooks.onId?.(value);
        }
        break;
      case "retry":
        if (/^\d+$/.test(value)) hooks.onRetry?.(Number(value));
        break;
      default:
        // unknown fields are ignored
    }
  };

  const feed = (text: string): void => {
    buffer += text;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (skipLF) {
        skipLF = false;
        if (c === 10) {
          start = i + 1;
          continue;
        }
      }
      if (c === 10 || c === 13) {
        line(buffer.slice(start, i));
        start = i + 1;
        skipLF = c === 13;
      }
    }
    buffer = buffer.slice(start);
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hooks.onChunk?.();
      feed(decoder.decode(value, { stream: true }));
      while (pending.length > 0) yield pending.shift() as SseEvent;
    }
    feed(decoder.decode());
    while (pending.length > 0) yield pending.shift() as SseEvent;
    // An unterminated last block is dropped, as the format says.
  } finally {
    reader.cancel().catch(() => undefined);
  }
}
