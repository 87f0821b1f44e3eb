import type { components } from "./generated/schema.js";
import { ProblemError } from "./errors.js";
import { parseSSE, type SseEvent } from "./sse.js";
import type { RequestFetch } from "./auth.js";

type Notification = components["schemas"]["Notification"];

/** Options of `subscribeNotifications`. */
export interface NotificationStreamOptions {
  /** Each notification of the caller, as it is created (and the replayed ones after a reconnection). */
  onNotification: (notification: Notification, event: SseEvent) => void | Promise<void>;
  /**
   * Each time the stream is open (the server has subscribed the caller: anything created from
   * now on arrives). `reconnect` is false the first time.
   */
  onOpen?: (info: { reconnect: boolean; lastEventId: string | undefined }) => void;
  /**
   * A failure: of a connection (then `willReconnect` is true and the next attempt comes after
   * `delayMs`), of a handler, or a final one (`willReconnect` false: the session is over, the
   * account deactivated, the `Last-Event-ID` refused; the subscription is then closed).
   */
  onError?: (error: unknown, info: { willReconnect: boolean; delayMs: number }) => void;
  /** Events of another type than `notification`, if the server ever sends any. */
  onEvent?: (event: SseEvent) => void;
  /** Resume after this notification id: the ones created since are replayed first. */
  lastEventId?: string | number | undefined;
  /** Closes the subscription when aborted. */
  signal?: AbortSignal | undefined;
  /** Delay before reconnecting, ms: default the server's `retry:` (3 s), else 3000. Doubles on each consecutive failure. */
  reconnectDelayMs?: number | undefined;
  /** Longest delay between two attempts, ms (default 30000). */
  maxReconnectDelayMs?: number | undefined;
  /** Reconnect when nothing (not even a heartbeat) arrives for this long, ms; 0 (default) never. Make it larger than the server's `SSE_HEARTBEAT_SECONDS` (15 s). */
  idleTimeoutMs?: number | undefined;
}

/** A running subscription. */
export interface NotificationSubscription {
  /** Stops the stream (and any reconnection). */
  close(): void;
  /** Id of the last event received: pass it as `lastEventId` to resume later. */
  readonly lastEventId: string | undefined;
  /** The final error, when the subscription stopped on one. */
  readonly error: unknown;
  /** Settles (never rejects) once the subscription is closed: by `close()`, the signal, or a final error. */
  readonly done: Promise<void>;
}

/** What the stream needs from the client. */
export interface StreamDeps {
  apiBase: string;
  /** Plain fetch (the stream is authenticated by its stream token). */
  fetch: RequestFetch;
  /** `POST /notifications/stream-token` through the authenticated client. */
  streamToken: (signal: AbortSignal) => Promise<string>;
}

class IdleTimeout extends Error {
  override readonly name = "IdleTimeout";
}

/** Starts a subscription (see `MifClient.subscribeNotifications`). */
export function subscribeNotifications(deps: StreamDeps, opts: NotificationStreamOptions): NotificationSubscription {
  const outer = new AbortController();
  if (opts.signal) {
    if (opts.signal.aborted) outer.abort();
    else opts.signal.addEventListener("abort", () => outer.abort(), { once: true });
  }
  let lastEventId = opts.lastEventId === undefined ? undefined : String(opts.lastEventId);
  let serverRetry: number | undefined;
  let finalError: unknown;
  let everOpened = false;
  let attemptOpened = false;
  const maxDelay = opts.maxReconnectDelayMs ?? 30_000;

  const report = (error: unknown, willReconnect: boolean, delayMs: number): void => {
    if (opts.onError) {
      try {
        opts.onError(error, { willReconnect, delayMs });
      } catch (e) {
        console.error("onError threw", e);
      }
    } else if (!willReconnect) {
      console.error("notification stream stopped:", error);
    }
  };

  const connect = async (): Promise<void> => {
    const conn = new AbortController();
    const stop = (): void => conn.abort();
    outer.signal.addEventListener("abort", stop, { once: true });
    let idle: ReturnType<typeof setTimeout> | undefined;
    const idleMs = opts.idleTimeoutMs ?? 0;
    const touch = (): void => {
      if (idleMs <= 0) return;
      if (idle !== undefined) clearTimeout(idle);
      idle = setTimeout(() => conn.abort(new IdleTimeout(`no data for ${idleMs} ms`)), idleMs);
    };
    try {
      const token = await deps.streamToken(conn.signal);
      const headers: Record<string, string> = { Accept: "text/event-stream" };
      if (lastEventId !== undefined) headers["Last-Event-ID"] = lastEventId;
      const url = `${deps.apiBase}/notifications/stream?stream_token=${encodeURIComponent(token)}`;
      const response = await deps.fetch(new Request(url, { headers, signal: conn.signal, cache: "no-store" }));
      if (!response.ok) throw await ProblemError.fromFetchResponse(response);
      const type = response.headers.get("Content-Type") ?? "";
      if (!type.startsWith("text/event-stream") || !response.body) {
        void response.body?.cancel().catch(() => undefined);
        throw new Error(`notification stream: unexpected answer ${response.status} ${type}`);
      }
      touch();
      attemptOpened = true;
      const reconnect = everOpened;
      everOpened = true;
      opts.onOpen?.({ reconnect, lastEventId });
      const events = parseSSE(response.body, {
        onChunk: touch,
        onRetry: (ms) => {
          serverRetry = ms;
        },
        onId: (id) => {
          lastEventId = id;
        },
      });
      for await (const ev of events) {
        try {
          if (ev.event === "notification") {
            await opts.onNotification(JSON.parse(ev.data) as Notification, ev);
          } else {
            opts.onEvent?.(ev);
          }
        } catch (e) {
          report(e, true, 0);
        }
      }
    } catch (e) {
      if (conn.signal.reason instanceof IdleTimeout && !outer.signal.aborted) throw conn.signal.reason;
      throw e;
    } finally {
      if (idle !== undefined) clearTimeout(idle);
      outer.signal.removeEventListener("abort", stop);
    }
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (outer.signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        outer.signal.removeEventListener("abort", done);
        resolve();
      }
      outer.signal.addEventListener("abort", done, { once: true });
    });

  const run = async (): Promise<void> => {
    let failures = 0;
    while (!outer.signal.aborted) {
      let error: unknown;
      attemptOpened = false;
      try {
        // Returns when the server ends the stream (LIVE_STREAM_MAX_SECONDS, shutdown): resume.
        await connect();
      } catch (e) {
        error = e;
      }
      if (outer.signal.aborted) break;
      if (error !== undefined && isFinal(error)) {
        finalError = error;
        report(error, false, 0);
        break;
      }
      failures = attemptOpened ? 0 : failures + 1;
      const base = opts.reconnectDelayMs ?? serverRetry ?? 3000;
      const delay = Math.min(maxDelay, base * 2 ** Math.max(0, failures - 1));
      if (error !== undefined) report(error, true, delay);
      await sleep(delay);
    }
  };

  const done = run();
  return {
    close: () => outer.abort(),
    get lastEventId() {
      return lastEventId;
    },
    get error() {
      return finalError;
    },
    done,
  };
}

/** Failures that another attempt will not fix. */
function isFinal(e: unknown): boolean {
  if (!(e instanceof ProblemError)) return false;
  return e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429;
}
