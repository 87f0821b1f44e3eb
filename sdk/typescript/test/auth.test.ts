import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryTokenStore, ProblemError, unwrap, type RequestFetch, type TokenSet } from "@mif-erp/client";
import { baseUrl, client, createTechnician, demo, loginAs, uid } from "./helpers.js";

/** A fetch that counts the refresh exchanges it sends. */
function countingFetch(): { fetch: RequestFetch; refreshes: () => number } {
  let n = 0;
  return {
    fetch: (req) => {
      if (new URL(req.url).pathname.replace(/\/+$/, "").endsWith("/auth/refresh")) n++;
      return globalThis.fetch(req);
    },
    refreshes: () => n,
  };
}

describe("authentication", () => {
  it("logs in with an e-mail or a username and keeps the tokens", async () => {
    const store = new MemoryTokenStore();
    const mif = client({ tokenStore: store });
    const t = await mif.login(demo.admin.username, demo.admin.password);
    assert.equal(t.token_type, "bearer");
    assert.ok(t.access_token.length > 0 && t.refresh_token.length > 0);
    assert.ok(t.expires_in > 0 && t.refresh_expires_in > 0);
    const held = store.get();
    assert.equal(held?.accessToken, t.access_token);
    assert.equal(held?.refreshToken, t.refresh_token);
    assert.ok((held?.accessTokenExpiresAt ?? 0) > Date.now());

    const me = await unwrap(mif.api.GET("/users/me"));
    assert.equal(me.email, demo.admin.username);
    assert.equal(me.role, "admin");

    // by username: the same account
    const byName = client();
    await byName.login(me.username, demo.admin.password);
    const again = await unwrap(byName.api.GET("/auth/me"));
    assert.equal(again.id, me.id);
  });

  it("throws a ProblemError on wrong credentials, without refreshing", async () => {
    const counter = countingFetch();
    const mif = client({ fetch: counter.fetch });
    await assert.rejects(mif.login(`nobody-${uid()}@example.com`, "Wrong-password-1!"), (e: unknown) => {
      assert.ok(e instanceof ProblemError);
      assert.equal(e.status, 401);
      assert.ok(e.detail && e.detail.length > 0);
      assert.equal(e.message, e.detail);
      assert.ok(e.requestId, "request id from the problem or X-Request-ID");
      return true;
    });
    assert.equal(counter.refreshes(), 0);
    assert.equal(await mif.getTokens(), null);
  });

  it("refreshes once for many concurrent 401s and retries every call", async () => {
    const counter = countingFetch();
    const mif = await loginAs("admin", { fetch: counter.fetch });
    const before = (await mif.getTokens()) as TokenSet;
    const me = await unwrap(mif.api.GET("/users/me"));
    // The access token is no longer valid: every call below answers 401 first.
    await mif.setTokens({ ...before, accessToken: `garbage.${uid()}.token` });

    const tag = uid();
    const calls = [
      ...Array.from({ length: 6 }, () => unwrap(mif.api.GET("/users/me")).then((u) => u.id)),
      // calls with a body are sent again whole after the refresh
      unwrap(mif.api.POST("/equipements", { body: { nom: `Race ${tag}`, type: "pompe", localisation: "Zone R" } })).then((e) => e.id),
      unwrap(mif.api.GET("/equipements", { params: { query: { limit: 1 } } })).then((l) => l.length),
    ];
    const results = await Promise.all(calls);
    assert.deepEqual(results.slice(0, 6), Array(6).fill(me.id));
    assert.equal(typeof results[6], "number");
    assert.equal(counter.refreshes(), 1, "exactly one refresh for all the 401s");

    const after = (await mif.getTokens()) as TokenSet;
    assert.notEqual(after.refreshToken, before.refreshToken, "the refresh token rotated");
    assert.notEqual(after.accessToken, before.accessToken);
    const created = await unwrap(mif.api.GET("/equipements/{equipement_id}", { params: { path: { equipement_id: results[6] as number } } }));
    assert.equal(created.nom, `Race ${tag}`);

    // The new pair works, and the old refresh token was consumed.
    assert.equal((await unwrap(mif.api.GET("/users/me"))).id, me.id);
    const stale = await mif.api.POST("/auth/refresh", {
      body: { refresh_token: before.refreshToken },
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    assert.equal(stale.response.status, 401);
  });

  it("calls onSessionExpired and forgets the tokens when the refresh token is refused", async () => {
    const expired: (ProblemError | undefined)[] = [];
    const store = new MemoryTokenStore();
    const mif = await loginAs("responsable", { tokenStore: store, onSessionExpired: (reason) => void expired.push(reason) });
    await mif.setTokens({ accessToken: `bad-${uid()}`, refreshToken: `bad-${uid()}` });
    const calls = Array.from({ length: 3 }, () => unwrap(mif.api.GET("/users/me")).then(
      () => assert.fail("the call should fail"),
      (e: unknown) => e,
    ));
    for (const e of await Promise.all(calls)) {
      assert.ok(e instanceof ProblemError);
      assert.equal(e.status, 401);
    }
    assert.equal(expired.length, 1, "onSessionExpired once");
    assert.ok(expired[0] instanceof ProblemError);
    assert.equal(expired[0].status, 401);
    assert.equal(store.get(), null);
  });

  it("refresh() rotates the tokens on demand", async () => {
    const mif = await loginAs("client");
    const before = (await mif.getTokens()) as TokenSet;
    const [a, b] = await Promise.all([mif.refresh(), mif.refresh()]);
    assert.ok(a && b);
    assert.equal(a.refreshToken, b.refreshToken, "concurrent refresh() calls share one exchange");
    assert.notEqual(a.refreshToken, before.refreshToken);
    const me = await unwrap(mif.api.GET("/users/me"));
    assert.equal(me.role, "client");
  });

  it("logout revokes the refresh token and forgets the tokens", async () => {
    // a fresh account: logout revokes every session of the account
    const tech = await createTechnician(await loginAs("admin"));
    const mif = client();
    await mif.login(tech.username, tech.password);
    const held = (await mif.getTokens()) as TokenSet;
    await mif.logout();
    assert.equal(await mif.getTokens(), null);

    const other = client();
    const r = await other.api.POST("/auth/refresh", {
      body: { refresh_token: held.refreshToken },
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    assert.equal(r.response.status, 401);
    await assert.rejects(unwrap(Promise.resolve(r)), (e: unknown) => e instanceof ProblemError && e.status === 401 && !!e.detail);

    // without tokens, calls go out unauthenticated: 401, and no refresh is attempted
    await assert.rejects(unwrap(mif.api.GET("/users/me")), (e: unknown) => e instanceof ProblemError && e.status === 401);
  });

  it("serves the API under the base URL given with or without /api/v1", async () => {
    const a = client();
    const b = client({});
    assert.equal(a.apiBaseUrl, `${baseUrl.replace(/\/+$/, "")}/api/v1`);
    const c = (await import("@mif-erp/client")).createMifClient({ baseUrl: `${baseUrl}/api/v1/` });
    assert.equal(c.apiBaseUrl, b.apiBaseUrl);
    const health = await unwrap(c.api.GET("/health"));
    assert.equal(health.status, "ok");
  });
});
