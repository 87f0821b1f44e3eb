import type { components } from "./generated/schema.js";

/** An RFC 9457 problem document, as the API answers every error (`application/problem+json`). */
export type Problem = components["schemas"]["Problem"];
/** One field-level problem of a {@link Problem} (`errors[]`). */
export type FieldError = components["schemas"]["FieldError"];

/** What {@link ProblemError}'s constructor takes. */
export interface ProblemErrorInit {
  status: number;
  title: string;
  type?: string | undefined;
  detail?: string | undefined;
  instance?: string | undefined;
  errors?: FieldError[] | undefined;
  requestId?: string | undefined;
  retryAfter?: number | undefined;
  problem?: Problem | undefined;
  response?: Response | undefined;
}

/**
 * An error answer of the API. Built from the `application/problem+json` body (schema `Problem`),
 * or from the status line when the body is not a problem document (a proxy's error page, say).
 * `message` is `detail` (the human-readable French message) when there is one, else `title`.
 */
export class ProblemError extends Error {
  override readonly name = "ProblemError";
  /** HTTP status code. */
  readonly status: number;
  /** Short summary (the HTTP reason phrase). */
  readonly title: string;
  /** Problem type URI (`about:blank` when the status says it all). */
  readonly type: string;
  /** Human-readable explanation, in French. */
  readonly detail: string | undefined;
  /** The request path. */
  readonly instance: string | undefined;
  /** Field-level problems (empty when none). */
  readonly errors: FieldError[];
  /** The request id (body `request_id`, else the `X-Request-ID` header): quote it in bug reports. */
  readonly requestId: string | undefined;
  /** Seconds to wait before retrying (`Retry-After`, on 429 and 503), when given. */
  readonly retryAfter: number | undefined;
  /** The problem document itself, when the body was one. */
  readonly problem: Problem | undefined;
  /** The HTTP response (its body already read). */
  readonly response: Response | undefined;

  constructor(init: ProblemErrorInit) {
    super(init.detail || init.title || `HTTP ${init.status}`);
    this.status = init.status;
    this.title = init.title;
    this.type = init.type ?? "about:blank";
    this.detail = init.detail;
    this.instance = init.instance;
    this.errors = init.errors ?? [];
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
    this.problem = init.problem;
    this.response = init.response;
  }

  /** The field errors naming `field` (e.g. `"email"`, `"Last-Event-ID"`). */
  fieldErrors(field: string): FieldError[] {
    return this.errors.filter((e) => e.field === field);
  }

  /**
   * Builds the error of a response whose body was already read: `body` is the parsed JSON (as
   * openapi-fetch gives it in `error`) or the raw text.
   */
  static fromResponse(response: Response, body: unknown): ProblemError {
    const headerId = response.headers.get("X-Request-ID") ?? undefined;
    const retryAfterHeader = response.headers.get("Retry-After");
    const retryAfter = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader.trim()) ? Number(retryAfterHeader) : undefined;
    if (isProblemBody(body)) {
      return new ProblemError({
        status: typeof body.status === "number" ? body.status : response.status,
        title: typeof body.title === "string" && body.title !== "" ? body.title : response.statusText,
        type: typeof body.type === "string" ? body.type : undefined,
        detail: typeof body.detail === "string" ? body.detail : undefined,
        instance: typeof body.instance === "string" ? body.instance : undefined,
        errors: Array.isArray(body.errors) ? body.errors.filter(isFieldError) : [],
        requestId: typeof body.request_id === "string" ? body.request_id : headerId,
        retryAfter,
        problem: body as Problem,
        response,
      });
    }
    const text = typeof body === "string" ? body.trim() : "";
    return new ProblemError({
      status: response.status,
      title: response.statusText || `HTTP ${response.status}`,
      detail: text !== "" ? text.slice(0, 2000) : undefined,
      requestId: headerId,
      retryAfter,
      response,
    });
  }

  /** Reads the body of an error response and builds its error. */
  static async fromFetchResponse(response: Response): Promise<ProblemError> {
    let text = "";
    try {
      text = await response.text();
    } catch {
      // body unreadable (aborted): the status line is all there is
    }
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return ProblemError.fromResponse(response, body);
  }
}

/** Whether `e` is a {@link ProblemError} (optionally of that status). */
export function isProblemError(e: unknown, status?: number): e is ProblemError {
  return e instanceof ProblemError && (status === undefined || e.status === status);
}

interface ProblemLike {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  instance?: unknown;
  request_id?: unknown;
  errors?: unknown;
}

function isProblemBody(body: unknown): body is ProblemLike {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return false;
  const b = body as ProblemLike;
  return typeof b.title === "string" || typeof b.status === "number" || typeof b.detail === "string";
}

function isFieldError(e: unknown): e is FieldError {
  return e !== null && typeof e === "object" && typeof (e as FieldError).field === "string" && typeof (e as FieldError).message === "string";
}

/** What openapi-fetch answers: `data` on success, `error` (the parsed body) otherwise. */
export interface ApiResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** `T`, except that an operation without a body (204) gives `undefined` rather than `never`. */
export type DataOf<T> = [T] extends [never] ? undefined : T;

/** The data of a successful response, with what its headers say. */
export interface ResponseWithMeta<T> {
  data: T;
  response: Response;
  /** `ETag` (the version to send back in `If-Match`), when present. */
  etag: string | undefined;
  /** `true` when the server replayed the stored answer of an earlier request with the same `Idempotency-Key`. */
  replayed: boolean;
  /** `Location` of a created resource, when present. */
  location: string | undefined;
}

/**
 * Awaits an openapi-fetch call and returns its data, or throws a {@link ProblemError} when the
 * status is not 2xx.
 *
 * ```ts
 * const eq = await unwrap(mif.api.GET("/equipements/{equipement_id}", { params: { path: { equipement_id: 1 } } }));
 * ```
 */
export async function unwrap<T>(call: Promise<ApiResult<T>> | ApiResult<T>): Promise<DataOf<T>> {
  const r = await call;
  if (!r.response.ok) throw ProblemError.fromResponse(r.response, r.error);
  return r.data as DataOf<T>;
}

/** Like {@link unwrap}, also returning the response and its `ETag`, `Idempotent-Replayed` and `Location`. */
export async function unwrapResponse<T>(call: Promise<ApiResult<T>> | ApiResult<T>): Promise<ResponseWithMeta<DataOf<T>>> {
  const r = await call;
  if (!r.response.ok) throw ProblemError.fromResponse(r.response, r.error);
  return {
    data: r.data as DataOf<T>,
    response: r.response,
    etag: r.response.headers.get("ETag") ?? undefined,
    replayed: r.response.headers.get("Idempotent-Replayed") === "true",
    location: r.response.headers.get("Location") ?? undefined,
  };
}
