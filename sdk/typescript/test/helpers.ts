// Shared by the tests: the server under test (MIF_API_URL), logins, unique names, waiting on
// events with a deadline. Every test creates what it needs, so tests do not depend on each other.
import { randomBytes } from "node:crypto";
import { after } from "node:test";
import assert from "node:assert/strict";
import { createMifClient, unwrap, type MifClient, type MifClientOptions, type Schemas } from "@mif-erp/client";

export const baseUrl: string = (() => {
  const url = process.env["MIF_API_URL"];
  if (!url) throw new Error("MIF_API_URL is not set: run scripts/sdk-typescript-test.sh (or point it at a server started with seeded demo data)");
  return url;
})();

/** The demo logins of `erp seed`. */
export const demo = {
  admin: { username: "admin@mif.ma", password: "Admin12345!" },
  responsable: { username: "responsable@mif.ma", password: "Responsable123!" },
  technicien: { username: "technicien@mif.ma", password: "Tech12345!" },
  client: { username: "client@mif.ma", password: "Client1234!" },
} as const;

/** A short random tag, to name what a test creates. */
export function uid(): string {
  return randomBytes(5).toString("hex");
}

/**
 * Every answer the tests get through `api` is checked against the contract the server serves
 * (`/openapi.json`): its status must be one the operation declares, and its media type one of
 * that response's. Any mismatch fails the test file (an `after` hook), naming the operation.
 */
type Json = Record<string, unknown>;
const spec = (await (await fetch(`${baseUrl.replace(/\/+$/, "")}/openapi.json`)).json()) as Json;
export const contractViolations: string[] = [];

function resolve(node: unknown): Json | undefined {
  let n = node as Json | undefined;
  for (let i = 0; n && typeof n["$ref"] === "string" && i < 10; i++) {
    n = (n["$ref"] as string)
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((o, k) => (o as Json | undefined)?.[k.replace(/~1/g, "/").replace(/~0/g, "~")], spec) as Json | undefined;
  }
  return n;
}

function checkAgainstContract(method: string, schemaPath: string, response: Response): void {
  const op = resolve((resolve((spec["paths"] as Json)[schemaPath]) ?? {})[method.toLowerCase()]);
  const where = `${method} ${schemaPath}`;
  if (!op) {
    contractViolations.push(`${where}: no such operation in the contract`);
    return;
  }
  const responses = (op["responses"] ?? {}) as Json;
  const status = String(response.status);
  const declared = resolve(responses[status] ?? responses[`${status[0]}XX`] ?? responses["default"]);
  if (!declared) {
    contractViolations.push(`${where}: answered ${status}, not among the declared ${Object.keys(responses).join(", ")}`);
    return;
  }
  const content = declared["content"] as Json | undefined;
  const type = (response.headers.get("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (content && Object.keys(content).length > 0) {
    const ok = Object.keys(content).some((m) => m === "*/*" || m.toLowerCase() === type || (m.endsWith("/*") && type.startsWith(m.slice(0, -1))));
    if (!ok) contractViolations.push(`${where}: ${status} answered ${type || "no Content-Type"}, declared ${Object.keys(content).join(", ")}`);
  } else if (response.headers.get("Content-Length") !== null && response.headers.get("Content-Length") !== "0") {
    contractViolations.push(`${where}: ${status} has a body (${type}) the contract does not declare`);
  }
}

after(() => {
  assert.deepEqual(contractViolations, [], "answers that do not match the contract");
});

export function client(opts: Omit<MifClientOptions, "baseUrl"> = {}): MifClient {
  const c = createMifClient({ baseUrl, ...opts });
  c.api.use({
    onResponse({ request, response, schemaPath }) {
      checkAgainstContract(request.method, schemaPath, response);
      return undefined;
    },
  });
  return c;
}

export async function loginAs(role: keyof typeof demo, opts: Omit<MifClientOptions, "baseUrl"> = {}): Promise<MifClient> {
  const c = client(opts);
  await c.login(demo[role].username, demo[role].password);
  return c;
}

/** Resolves with `p`, or rejects after `ms` naming what was awaited. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Items that arrive over time (events), and a way to wait for one. */
export class Inbox<T> {
  readonly items: T[] = [];
  #waiters: { pred: (t: T) => boolean; resolve: (t: T) => void }[] = [];

  push(item: T): void {
    this.items.push(item);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.pred(item)) return true;
      w.resolve(item);
      return false;
    });
  }

  /** The first item (received already or to come) matching `pred`, within `ms`. */
  waitFor(pred: (t: T) => boolean, ms: number, what: string): Promise<T> {
    const seen = this.items.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return within(new Promise<T>((resolve) => this.#waiters.push({ pred, resolve })), ms, what);
  }
}

/** A fresh machine (admins and responsables create them). */
export async function createEquipement(admin: MifClient, name?: string): Promise<Schemas["Equipement"]> {
  return unwrap(
    admin.api.POST("/equipements", {
      body: { nom: name ?? `Compresseur SDK ${uid()}`, type: "compresseur", localisation: "Atelier SDK" },
    }),
  );
}

/** A fresh technician account with its technician profile, and its password. */
export async function createTechnician(admin: MifClient): Promise<{ userId: number; technicienId: number; username: string; password: string }> {
  const tag = uid();
  const username = `tech.sdk.${tag}`;
  const password = `Tech-${tag}-Aa1!`;
  const user = await unwrap(
    admin.api.POST("/users", {
      body: { username, full_name: `Technicien SDK ${tag}`, email: `${username}@example.com`, role: "technicien", password },
    }),
  );
  const tech = await unwrap(admin.api.POST("/techniciens", { body: { user_id: user.id } }));
  return { userId: user.id, technicienId: tech.id, username, password };
}
