import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";
import { AuthSession, MemoryTokenStore, tokenSetFromResponse, type RequestFetch, type SessionExpiredHandler, type TokenResponse, type TokenSet, type TokenStore } from "./auth.js";
import { ProblemError, unwrap } from "./errors.js";
import { parseContentDisposition } from "./documents.js";
import { subscribeNotifications, type NotificationStreamOptions, type NotificationSubscription } from "./notifications.js";

/** The contract's schemas: `Schemas["Equipement"]`, `Schemas["InterventionCreate"]`... */
export type Schemas = components["schemas"];

/** The typed openapi-fetch client of the API (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `use`...). */
export type MifApi = Client<paths>;

/** Options of {@link createMifClient}. */
export interface MifClientOptions {
  /**
   * The server, e.g. `https://erp.example.com` (its `/api/v1` is appended unless already there).
   * Default `""`: the page's own origin, in a browser.
   */
  baseUrl?: string;
  /** Where the tokens are kept (default: in memory). */
  tokenStore?: TokenStore;
  /**
   * Called when the session ends without `logout()`: a request answered 401 and the refresh
   * token was refused (expired, revoked, already used) or the account deactivated. The tokens
   * are already forgotten: send the user to the login page.
   */
  onSessionExpired?: SessionExpiredHandler;
  /** The fetch to send requests with (default `globalThis.fetch`): instrumentation, tests, a proxy agent. */
  fetch?: RequestFetch;
  /** Headers sent with every request (e.g. `Accept-Language`). */
  headers?: Record<string, string>;
}

/** Options of {@link MifClient.uploadDocument}. */
export interface UploadDocumentOptions {
  /** The file name; required unless `file` is a `File`. The server checks its extension against the content. */
  filename?: string;
  /** Up to 1000 characters. */
  description?: string;
  /** A free category (50 characters), e.g. `photo`, `rapport`, `facture`. */
  categorie?: string;
  /** The MIME type given to a `Blob` built from bytes (the server checks the content anyway). */
  contentType?: string;
  /**
   * `intervention` (default): `POST /interventions/{id}/documents`; `upload`: the original's
   * `POST /documents/upload?intervention_id=`.
   */
  via?: "intervention" | "upload";
  signal?: AbortSignal;
}

/** Options of {@link MifClient.downloadDocument}. */
export interface DownloadDocumentOptions {
  /** `blob` (default) or `arrayBuffer`. */
  as?: "blob" | "arrayBuffer";
  /** One byte range, e.g. `bytes=0-1023` (answers 206 with that part). */
  range?: string;
  signal?: AbortSignal;
}

/** A downloaded file. */
export interface DownloadedFile<T extends Blob | ArrayBuffer> {
  data: T;
  /** From `Content-Disposition` (undefined when the header is missing or, cross-origin, not exposed to the page). */
  filename: string | undefined;
  /** `inline` (images, PDF) or `attachment`. */
  disposition: string | undefined;
  /** The document's MIME type. */
  contentType: string;
  /** Bytes received. */
  size: number;
  /** The SHA-256 of the content, as the server's ETag. */
  etag: string | undefined;
  /** 200, or 206 for a range. */
  status: number;
  response: Response;
}

/** A client of the MIF ERP API. */
export interface MifClient {
  /** The typed openapi-fetch client: every operation of the contract, with its types. */
  readonly api: MifApi;
  /** `${baseUrl}/api/v1`. */
  readonly apiBaseUrl: string;
  /** Where the tokens are kept. */
  readonly tokenStore: TokenStore;
  /**
   * Logs in with a username or an e-mail (`POST /auth/token`, form fields) and keeps the tokens.
   * Throws a {@link ProblemError} (401 wrong credentials, 403 deactivated, 429 locked out).
   */
  login(username: string, password: string): Promise<TokenResponse>;
  /** `POST /auth/logout` (revokes every refresh token of the account), then forgets the tokens. */
  logout(): Promise<void>;
  /**
   * Exchanges the refresh token now (shared with any refresh in flight). `null` when the session
   * is over (then `onSessionExpired` has been called).
   */
  refresh(): Promise<TokenSet | null>;
  /** The tokens held, if any. */
  getTokens(): Promise<TokenSet | null>;
  /** Replaces the tokens held (`null` forgets them), e.g. restored from storage. */
  setTokens(tokens: TokenSet | null): Promise<void>;
  /**
   * A fetch of the API with the client's tokens (and refresh): `path` is relative to
   * `apiBaseUrl` (`/interventions/export?statut=ouverte`), or an absolute URL.
   */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Uploads a file to an intervention (`multipart/form-data`): the stored document's metadata. */
  uploadDocument(interventionId: number, file: Blob | ArrayBuffer | ArrayBufferView, options?: UploadDocumentOptions): Promise<Schemas["Document"]>;
  /** Downloads a document (`GET /documents/{id}/download`) with its name and type. */
  downloadDocument(documentId: number, options?: DownloadDocumentOptions & { as?: "blob" }): Promise<DownloadedFile<Blob>>;
  downloadDocument(documentId: number, options: DownloadDocumentOptions & { as: "arrayBuffer" }): Promise<DownloadedFile<ArrayBuffer>>;
  /**
   * Subscribes to the caller's live notifications (`POST /notifications/stream-token`, then the
   * Server-Sent Events of `GET /notifications/stream`), reconnecting with `Last-Event-ID` so
   * nothing is missed. Close it with `close()` or the `signal`.
   */
  subscribeNotifications(options: NotificationStreamOptions): NotificationSubscription;
}

/** `${baseUrl}/api/v1`, without a trailing slash. */
export function apiBaseUrl(baseUrl = ""): string {
  const b = baseUrl.replace(/\/+$/, "");
  return /\/api\/v1$/.test(b) ? b : `${b}/api/v1`;
}

/**
 * Creates a client.
 *
 * ```ts
 * const mif = createMifClient({ baseUrl: "http://localhost:8000" });
 * await mif.login("admin@mif.ma", "Admin12345!");
 * const me = await unwrap(mif.api.GET("/users/me"));
 * ```
 */
export function createMifClient(options: MifClientOptions = {}): MifClient {
  const apiBase = apiBaseUrl(options.baseUrl);
  const baseFetch: RequestFetch = options.fetch ?? ((request) => globalThis.fetch(request));
  const store = options.tokenStore ?? new MemoryTokenStore();
  const session = new AuthSession({ store, fetch: baseFetch, apiBase, onSessionExpired: options.onSessionExpired });
  const api = createClient<paths>({ baseUrl: apiBase, fetch: session.fetch, headers: options.headers });

  const login = async (username: string, password: string): Promise<TokenResponse> => {
    const tokens = await unwrap(
      api.POST("/auth/token", {
        body: { username, password },
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      }),
    );
    await session.setTokens(tokenSetFromResponse(tokens));
    return tokens;
  };

  const logout = async (): Promise<void> => {
    try {
      if (await session.tokens()) {
        const r = await api.POST("/auth/logout");
        // 401: the session was already over, which is what was asked.
        if (!r.response.ok && r.response.status !== 401) throw ProblemError.fromResponse(r.response, r.error);
      }
    } finally {
      await session.setTokens(null);
    }
  };

  const rawFetch = (path: string, init?: RequestInit): Promise<Response> => {
    const url = /^[a-z][a-z0-9+.-]*:/i.test(path) ? path : `${apiBase}${path.startsWith("/") ? "" : "/"}${path}`;
    const request = new Request(url, init);
    if (options.headers) {
      for (const [k, v] of Object.entries(options.headers)) if (!request.headers.has(k)) request.headers.set(k, v);
    }
    return session.fetch(request);
  };

  const uploadDocument = async (interventionId: number, file: Blob | ArrayBuffer | ArrayBufferView, opts: UploadDocumentOptions = {}): Promise<Schemas["Document"]> => {
    const blob = file instanceof Blob ? file : new Blob([file as BlobPart], opts.contentType ? { type: opts.contentType } : {});
    const filename = opts.filename ?? (typeof File !== "undefined" && file instanceof File ? file.name : undefined);
    if (!filename) throw new TypeError("uploadDocument: give options.filename (the server checks the file's extension)");
    const body = { file: blob, description: opts.description, categorie: opts.categorie };
    const bodySerializer = (): FormData => {
      const form = new FormData();
      form.append("file", blob, filename);
      if (opts.description !== undefined) form.append("description", opts.description);
      if (opts.categorie !== undefined) form.append("categorie", opts.categorie);
      return form;
    };
    if (opts.via === "upload") {
      return unwrap(
        api.POST("/documents/upload", { params: { query: { intervention_id: interventionId } }, body, bodySerializer, signal: opts.signal ?? null }),
      );
    }
    return unwrap(
      api.POST("/interventions/{intervention_id}/documents", {
        params: { path: { intervention_id: interventionId } },
        body,
        bodySerializer,
        signal: opts.signal ?? null,
      }),
    );
  };

  async function downloadDocument(documentId: number, opts?: DownloadDocumentOptions & { as?: "blob" }): Promise<DownloadedFile<Blob>>;
  async function downloadDocument(documentId: number, opts: DownloadDocumentOptions & { as: "arrayBuffer" }): Promise<DownloadedFile<ArrayBuffer>>;
  async function downloadDocument(documentId: number, opts: DownloadDocumentOptions = {}): Promise<DownloadedFile<Blob> | DownloadedFile<ArrayBuffer>> {
    const r = await api.GET("/documents/{document_id}/download", {
      params: { path: { document_id: documentId }, header: opts.range ? { Range: opts.range } : {} },
      parseAs: opts.as === "arrayBuffer" ? "arrayBuffer" : "blob",
      signal: opts.signal ?? null,
    });
    if (!r.response.ok) throw ProblemError.fromResponse(r.response, r.error);
    const data = r.data as unknown as Blob | ArrayBuffer;
    const cd = parseContentDisposition(r.response.headers.get("Content-Disposition"));
    return {
      data,
      filename: cd?.filename,
      disposition: cd?.type,
      contentType: r.response.headers.get("Content-Type") ?? (data instanceof Blob ? data.type : "application/octet-stream"),
      size: data instanceof Blob ? data.size : data.byteLength,
      etag: r.response.headers.get("ETag") ?? undefined,
      status: r.response.status,
      response: r.response,
    } as DownloadedFile<Blob> | DownloadedFile<ArrayBuffer>;
  }

  const streamToken = async (signal: AbortSignal): Promise<string> => {
    const t = await unwrap(api.POST("/notifications/stream-token", { signal }));
    return t.stream_token;
  };

  return {
    api,
    apiBaseUrl: apiBase,
    tokenStore: store,
    login,
    logout,
    refresh: () => session.refresh(),
    getTokens: () => session.tokens(),
    setTokens: (tokens) => session.setTokens(tokens),
    fetch: rawFetch,
    uploadDocument,
    downloadDocument,
    subscribeNotifications: (opts) => subscribeNotifications({ apiBase, fetch: baseFetch, streamToken }, opts),
  };
}
