/**
 * Helpers for the conditional and idempotent requests of the API.
 *
 * - Equipment, interventions and spare parts carry an `ETag` (GET, and the answers of their
 *   updates); sending it back in `If-Match` on PATCH (and on the intervention actions and status
 *   change) makes the update fail with 412 when someone changed the row meanwhile.
 * - Creations of equipment, interventions, spare parts and stock movements accept an
 *   `Idempotency-Key`: a retry with the same key and body replays the first answer (header
 *   `Idempotent-Replayed: true`) instead of creating a second row.
 */

/** `{ "If-Match": etag }`, for `params.header` (or `headers`) of an update. */
export function ifMatch(etag: string): { "If-Match": string } {
  return { "If-Match": etag };
}

/** A fresh idempotency key (a random UUID). Keep it to retry the same creation. */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * `{ "Idempotency-Key": key }` for `params.header` (or `headers`) of a creation; without `key`, a
 * fresh one ({@link newIdempotencyKey}). Reuse the same key when retrying the same request.
 */
export function idempotencyKey(key?: string): { "Idempotency-Key": string } {
  return { "Idempotency-Key": key ?? newIdempotencyKey() };
}

/** The `ETag` of a response, when present. */
export function etagOf(response: Response): string | undefined {
  return response.headers.get("ETag") ?? undefined;
}

/** Whether the response is the replay of an earlier request with the same `Idempotency-Key`. */
export function wasReplayed(response: Response): boolean {
  return response.headers.get("Idempotent-Replayed") === "true";
}
