import { ProblemError, type ApiResult } from "./errors.js";

/** Page size when none is given (the API's default). */
export const DEFAULT_LIMIT = 50;
/** Largest page the API serves. */
export const MAX_LIMIT = 500;

/** One page of a list: its rows and the total number of matching rows. */
export interface Page<T> {
  items: T[];
  /** `X-Total-Count`: rows matching the filters, ignoring `limit` and `offset`. */
  total: number;
  /**
   * `X-Total-Count-Capped: true`: a text search counted up to a cap only, `total` is that cap.
   * (Browsers see it only when the server exposes the header to cross-origin callers.)
   */
  capped: boolean;
  response: Response;
}

/** `limit` and `offset` query parameters of one page. */
export interface PageParams {
  limit: number;
  offset: number;
}

/**
 * Awaits a list call and returns its rows with the total of `X-Total-Count`, or throws a
 * {@link ProblemError}.
 *
 * ```ts
 * const { items, total } = await listPage(mif.api.GET("/equipements", { params: { query: { limit: 20 } } }));
 * ```
 */
export async function listPage<T>(call: Promise<ApiResult<T[]>> | ApiResult<T[]>): Promise<Page<T>> {
  const r = await call;
  if (!r.response.ok) throw ProblemError.fromResponse(r.response, r.error);
  const items = Array.isArray(r.data) ? r.data : [];
  return { items, total: totalCount(r.response, items.length), capped: r.response.headers.get("X-Total-Count-Capped") === "true", response: r.response };
}

/** Options of {@link paginate} and {@link pages}. */
export interface PaginateOptions {
  /** Page size, 1 to 500 (default 50). */
  limit?: number;
  /** Rows to skip first (default 0). */
  offset?: number;
  /** Stops the iteration (with an `AbortError`) before the next page. */
  signal?: AbortSignal;
}

/**
 * Iterates over every page of a list: `fetchPage` gets the `limit` and `offset` to send and
 * returns the call. Stops after a short page or once `offset` reaches `X-Total-Count`.
 *
 * ```ts
 * for await (const page of pages((p) => mif.api.GET("/interventions", { params: { query: { ...p, statut: ["ouverte"] } } }))) {
 *   console.log(page.items.length, "of", page.total);
 * }
 * ```
 */
export async function* pages<T>(
  fetchPage: (page: PageParams) => Promise<ApiResult<T[]>> | ApiResult<T[]>,
  options: PaginateOptions = {},
): AsyncGenerator<Page<T>, void, undefined> {
  const limit = clampLimit(options.limit);
  let offset = Math.max(0, Math.floor(options.offset ?? 0));
  for (;;) {
    options.signal?.throwIfAborted();
    const page = await listPage(fetchPage({ limit, offset }));
    yield page;
    offset += page.items.length;
    const counted = page.response.headers.has("X-Total-Count");
    if (page.items.length === 0 || page.items.length < limit || (counted && offset >= page.total)) return;
  }
}

/**
 * Iterates over every row of a list, page after page (see {@link pages}).
 *
 * ```ts
 * for await (const eq of paginate((p) => mif.api.GET("/equipements", { params: { query: p } }), { limit: 100 })) {
 *   console.log(eq.nom);
 * }
 * ```
 */
export async function* paginate<T>(
  fetchPage: (page: PageParams) => Promise<ApiResult<T[]>> | ApiResult<T[]>,
  options: PaginateOptions = {},
): AsyncGenerator<T, void, undefined> {
  for await (const page of pages(fetchPage, options)) {
    yield* page.items;
  }
}

/** Every row of a list in one array (see {@link paginate}): mind the size of what you ask for. */
export async function listAll<T>(
  fetchPage: (page: PageParams) => Promise<ApiResult<T[]>> | ApiResult<T[]>,
  options: PaginateOptions = {},
): Promise<T[]> {
  const all: T[] = [];
  for await (const item of paginate(fetchPage, options)) all.push(item);
  return all;
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

function totalCount(response: Response, fallback: number): number {
  const v = response.headers.get("X-Total-Count");
  if (v === null || !/^\s*\d+\s*$/.test(v)) {
    // Every list of the contract sends it; without it (a proxy dropped it, or a cross-origin
    // browser that is not allowed to read it) the page's own length is all that is known.
    return fallback;
  }
  return Number(v);
}
