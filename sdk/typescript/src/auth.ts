import type { components } from "./generated/schema.js";
import { ProblemError } from "./errors.js";

/** The answer of `POST /auth/token`, `/auth/login` and `/auth/refresh`. */
export type TokenResponse = components["schemas"]["TokenResponse"];

/** The tokens a client holds. */
export interface TokenSet {
  /** JWT sent as `Authorization: Bearer`. */
  accessToken: string;
  /** Opaque single-use token for `POST /auth/refresh`. */
  refreshToken: string;
  /** When the access token expires (epoch milliseconds), when known. */
  accessTokenExpiresAt?: number | undefined;
  /** When the refresh token expires (epoch milliseconds), when known. */
  refreshTokenExpiresAt?: number | undefined;
}

/**
 * Where a client keeps its tokens: implement it to persist them (localStorage, a secure store, a
 * file...). `get` and `set` may be synchronous or return promises. `set(null)` forgets them
 * (logout, session expired). The client calls `set` after every login and refresh: each refresh
 * token works once, so a store that loses a `set` loses the session.
 */
export interface TokenStore {
  get(): TokenSet | null | undefined | Promise<TokenSet | null | undefined>;
  set(tokens: TokenSet | null): void | Promise<void>;
}

/** The default {@link TokenStore}: in memory, lost when the process (or page) ends. */
export class MemoryTokenStore implements TokenStore {
  #tokens: TokenSet | null;
  constructor(initial: TokenSet | null = null) {
    this.#tokens = initial;
  }
  get(): TokenSet | null {
    return this.#tokens;
  }
  set(tokens: TokenSet | null): void {
    this.#tokens = tokens;
  }
}

/** The {@link TokenSet} of a token answer, with expiry times computed from `now`. */
export function tokenSetFromResponse(t: TokenResponse, now: number = Date.now()): TokenSet {
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    accessTokenExpiresAt: typeof t.expires_in === "number" ? now + t.expires_in * 1000 : undefined,
    refreshTokenExpiresAt: typeof t.refresh_expires_in === "number" ? now + t.refresh_expires_in * 1000 : undefined,
  };
}

/** A fetch taking a `Request`, as openapi-fetch calls it. */
export type RequestFetch = (request: Request) => Promise<Response>;

/** Why a session ended without `logout()`: the refresh answer (401, 403...), or none when no refresh token was held. */
export type SessionExpiredHandler = (reason: ProblemError | undefined) => void | Promise<void>;

/** Paths (under the API base) whose 401 means wrong credentials, never an expired access token. */
const CREDENTIAL_PATHS = ["/auth/token", "/auth/login", "/auth/refresh"];

/**
 * Adds the bearer token to requests, and on a 401 exchanges the refresh token once for every
 * concurrent caller, then retries each request once. Internal to the client.
 */
export class AuthSession {
  readonly #store: TokenStore;
  readonly #fetch: RequestFetch;
  readonly #apiBase: string;
  readonly #onSessionExpired: SessionExpiredHandler | undefined;
  #refreshing: Promise<TokenSet | null> | null = null;

  constructor(opts: { store: TokenStore; fetch: RequestFetch; apiBase: string; onSessionExpired?: SessionExpiredHandler | undefined }) {
    this.#store = opts.store;
    this.#fetch = opts.fetch;
    this.#apiBase = opts.apiBase;
    this.#onSessionExpired = opts.onSessionExpired;
  }

  async tokens(): Promise<TokenSet | null> {
    return (await this.#store.get()) ?? null;
  }

  async setTokens(tokens: TokenSet | null): Promise<void> {
    await this.#store.set(tokens);
  }

  /**
   * Sends `request` with the current access token. When it answers 401 and a refresh token is
   * held, refreshes (one refresh shared by every request that fails meanwhile) and sends a copy
   * of the request once more with the new token. Requests that carry their own `Authorization`
   * header, and the login and refresh calls, are sent as they are.
   */
  fetch = async (request: Request): Promise<Response> => {
    if (request.headers.has("Authorization") || this.#isCredentialRequest(request)) {
      return this.#fetch(request);
    }
    const tokens = await this.tokens();
    if (!tokens) return this.#fetch(request);
    // Kept to send again after a refresh: the first send consumes the body.
    const retry = tokens.refreshToken ? request.clone() : null;
    if (tokens.accessToken) request.headers.set("Authorization", `Bearer ${tokens.accessToken}`);
    const response = await this.#fetch(request);
    if (response.status !== 401 || retry === null) {
      void retry?.body?.cancel().catch(() => undefined);
      return response;
    }
    const fresh = await this.refresh(tokens.accessToken);
    if (!fresh) {
      void retry.body?.cancel().catch(() => undefined);
      return response;
    }
    void response.body?.cancel().catch(() => undefined);
    retry.headers.set("Authorization", `Bearer ${fresh.accessToken}`);
    return this.#fetch(retry);
  };

  /**
   * Exchanges the refresh token for new tokens; every caller that asks while an exchange is in
   * flight shares it (a refresh token works once: a second exchange would revoke the session).
   * With `staleAccessToken`, the exchange is skipped when the tokens held no longer carry that
   * access token (another caller refreshed meanwhile): they are returned as they are. Resolves
   * to `null` when the session is over (no refresh token, or the server refused it: the tokens
   * are then forgotten and `onSessionExpired` called). Other failures (network, 429, 5xx) reject,
   * and keep the tokens.
   */
  async refresh(staleAccessToken?: string): Promise<TokenSet | null> {
    if (this.#refreshing) return this.#refreshing;
    if (staleAccessToken !== undefined) {
      const current = await this.tokens();
      if (this.#refreshing) return this.#refreshing;
      if (current && current.accessToken !== staleAccessToken) return current;
    }
    this.#refreshing = this.#doRefresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #doRefresh(): Promise<TokenSet | null> {
    const current = await this.tokens();
    if (!current?.refreshToken) {
      await this.#expire(undefined, current !== null);
      return null;
    }
    const response = await this.#fetch(
      new Request(`${this.#apiBase}/auth/refresh`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: new URLSearchParams({ refresh_token: current.refreshToken }).toString(),
      }),
    );
    if (response.ok) {
      const body = (await response.json()) as TokenResponse;
      const next = tokenSetFromResponse(body);
      await this.setTokens(next);
      return next;
    }
    const problem = await ProblemError.fromFetchResponse(response);
    if (response.status === 400 || response.status === 401 || response.status === 403 || response.status === 422) {
      // Refused for good (unknown, used, expired or revoked token; deactivated account). Another
      // tab may have replaced the tokens meanwhile: only forget the ones that were refused.
      const now = await this.tokens();
      if (now && now.refreshToken !== current.refreshToken) return now;
      await this.#expire(problem, true);
      return null;
    }
    throw problem;
  }

  async #expire(reason: ProblemError | undefined, hadTokens: boolean): Promise<void> {
    await this.setTokens(null);
    if (hadTokens && this.#onSessionExpired) {
      try {
        await this.#onSessionExpired(reason);
      } catch (e) {
        console.error("onSessionExpired threw", e);
      }
    }
  }

  #isCredentialRequest(request: Request): boolean {
    let path: string;
    try {
      path = new URL(request.url).pathname;
    } catch {
      return false;
    }
    path = path.replace(/\/+$/, "");
    return CREDENTIAL_PATHS.some((p) => path.endsWith(p));
  }
}
