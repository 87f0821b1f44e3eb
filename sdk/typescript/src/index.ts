/**
 * @mif-erp/client: a typed client of the MIF ERP API, generated from its OpenAPI contract
 * (openapi-typescript) and sent with openapi-fetch, with login and automatic token refresh,
 * problem errors, paging, conditional and idempotent requests, documents and live notifications.
 */
export { createMifClient, apiBaseUrl } from "./client.js";
export type { MifClient, MifClientOptions, MifApi, Schemas, UploadDocumentOptions, DownloadDocumentOptions, DownloadedFile } from "./client.js";
export { MemoryTokenStore, tokenSetFromResponse } from "./auth.js";
export type { TokenStore, TokenSet, TokenResponse, RequestFetch, SessionExpiredHandler } from "./auth.js";
export { ProblemError, isProblemError, unwrap, unwrapResponse } from "./errors.js";
export type { Problem, FieldError, ProblemErrorInit, ApiResult, DataOf, ResponseWithMeta } from "./errors.js";
export { listPage, pages, paginate, listAll, DEFAULT_LIMIT, MAX_LIMIT } from "./paging.js";
export type { Page, PageParams, PaginateOptions } from "./paging.js";
export { ifMatch, idempotencyKey, newIdempotencyKey, etagOf, wasReplayed } from "./headers.js";
export { parseContentDisposition } from "./documents.js";
export type { ContentDisposition } from "./documents.js";
export { parseSSE } from "./sse.js";
export type { SseEvent, SseHooks } from "./sse.js";
export type { NotificationStreamOptions, NotificationSubscription } from "./notifications.js";
export type { paths, components, operations } from "./generated/schema.js";
