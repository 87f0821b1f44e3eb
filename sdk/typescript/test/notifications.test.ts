import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { unwrap, type MifClient, type NotificationSubscription, type RequestFetch, type Schemas } from "@mif-erp/client";
import { Inbox, client, createEquipement, createTechnician, loginAs, uid, within } from "./helpers.js";

type Notification = Schemas["Notification"];
const WAIT = 15_000;

/** Subscribes `mif` to its notifications, collecting them; resolves once the stream is open. */
async function subscribe(
  mif: MifClient,
  opts: { lastEventId?: string } = {},
): Promise<{ sub: NotificationSubscription; inbox: Inbox<Notification>; opens: Inbox<{ reconnect: boolean; lastEventId: string | undefined }>; errors: unknown[] }> {
  const inbox = new Inbox<Notification>();
  const opens = new Inbox<{ reconnect: boolean; lastEventId: string | undefined }>();
  const errors: unknown[] = [];
  const sub = mif.subscribeNotifications({
    onNotification: (n) => inbox.push(n),
    onOpen: (info) => opens.push(info),
    onError: (e) => void errors.push(e),
    lastEventId: opts.lastEventId,
    reconnectDelayMs: 50,
  });
  await opens.waitFor(() => true, WAIT, "the stream to open");
  return { sub, inbox, opens, errors };
}

async function notify(admin: MifClient, userId: number, contenu: string): Promise<Notification> {
  return unwrap(admin.api.POST("/notifications", { body: { user_id: userId, contenu, titre: "Message SDK", type: "information" } }));
}

describe("live notifications (SSE)", () => {
  it("receives the assignment of an intervention while subscribed", async () => {
    const admin = await loginAs("admin");
    const tech = await createTechnician(admin);
    const techClient = client();
    await techClient.login(tech.username, tech.password);
    const { sub, inbox } = await subscribe(techClient);
    try {
      const eq = await createEquipement(admin);
      const iv = await unwrap(
        admin.api.POST("/interventions", {
          body: { titre: `Assignée ${uid()}`, type: "corrective", equipement_id: eq.id, technicien_id: tech.technicienId },
        }),
      );
      assert.equal(iv.statut, "affectee");
      const n = await inbox.waitFor((x) => x.intervention_id === iv.id, WAIT, "the affectation notification");
      assert.equal(n.type, "affectation");
      assert.equal(n.user_id, tech.userId);
      assert.equal(n.lue, false);
      assert.equal(sub.lastEventId, String(n.id), "the event id is the notification id");
      // the same row as the REST list
      const mine = await unwrap(techClient.api.GET("/notifications/me"));
      assert.ok(mine.some((m) => m.id === n.id));
    } finally {
      sub.close();
      await within(sub.done, WAIT, "the subscription to close");
    }
    assert.equal(sub.error, undefined);
  });

  it("resumes after Last-Event-ID: what was created meanwhile is replayed in order", async () => {
    const admin = await loginAs("admin");
    const tech = await createTechnician(admin);
    const techClient = client();
    await techClient.login(tech.username, tech.password);

    const first = await subscribe(techClient);
    const n1 = await notify(admin, tech.userId, `premier ${uid()}`);
    await first.inbox.waitFor((x) => x.id === n1.id, WAIT, "the first notification");
    const resumeFrom = first.sub.lastEventId;
    first.sub.close();
    await within(first.sub.done, WAIT, "the first subscription to close");
    assert.equal(resumeFrom, String(n1.id));

    const n2 = await notify(admin, tech.userId, `deuxième ${uid()}`);
    const n3 = await notify(admin, tech.userId, `troisième ${uid()}`);
    const second = await subscribe(techClient, { lastEventId: resumeFrom as string });
    try {
      await second.inbox.waitFor((x) => x.id === n3.id, WAIT, "the replayed notifications");
      assert.deepEqual(
        second.inbox.items.map((x) => x.id),
        [n2.id, n3.id],
      );
      assert.equal(second.inbox.items[0]?.contenu, n2.contenu);
    } finally {
      second.sub.close();
      await second.sub.done;
    }
  });

  it("reconnects by itself after the connection drops, sending Last-Event-ID, without gap or duplicate", async () => {
    const admin = await loginAs("admin");
    const tech = await createTechnician(admin);

    // A fetch whose event streams the test can cut, as a network failure would.
    const streams: { lastEventId: string | null; cut: () => void }[] = [];
    const cuttable: RequestFetch = async (req) => {
      const res = await globalThis.fetch(req);
      if (!new URL(req.url).pathname.endsWith("/notifications/stream") || !res.body) return res;
      const reader = res.body.getReader();
      let ctrl: ReadableStreamDefaultController<Uint8Array> | undefined;
      const body = new ReadableStream<Uint8Array>({
        start: (c) => {
          ctrl = c;
        },
        pull: async (c) => {
          try {
            const { done, value } = await reader.read();
            if (done) c.close();
            else c.enqueue(value);
          } catch (e) {
            c.error(e);
          }
        },
        cancel: (reason) => reader.cancel(reason),
      });
      streams.push({
        lastEventId: req.headers.get("Last-Event-ID"),
        cut: () => {
          ctrl?.error(new TypeError("connection reset (test)"));
          void reader.cancel().catch(() => undefined);
        },
      });
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    };

    const techClient = client({ fetch: cuttable });
    await techClient.login(tech.username, tech.password);
    const { sub, inbox, opens, errors } = await subscribe(techClient);
    try {
      assert.equal(streams.length, 1);
      assert.equal(streams[0]?.lastEventId, null);
      const n1 = await notify(admin, tech.userId, `avant la coupure ${uid()}`);
      await inbox.waitFor((x) => x.id === n1.id, WAIT, "the notification before the cut");

      streams[0]?.cut();
      const n2 = await notify(admin, tech.userId, `pendant la coupure ${uid()}`);
      const reopened = await opens.waitFor((o) => o.reconnect, WAIT, "the reconnection");
      assert.equal(reopened.lastEventId, String(n1.id));
      assert.equal(streams[1]?.lastEventId, String(n1.id), "the reconnection sends Last-Event-ID");
      await inbox.waitFor((x) => x.id === n2.id, WAIT, "the notification created during the cut");

      const n3 = await notify(admin, tech.userId, `après la coupure ${uid()}`);
      await inbox.waitFor((x) => x.id === n3.id, WAIT, "the notification after the reconnection");
      assert.deepEqual(
        inbox.items.map((x) => x.id),
        [n1.id, n2.id, n3.id],
        "each once, in order",
      );
      assert.ok(errors.length >= 1, "the cut was reported");
    } finally {
      sub.close();
      await within(sub.done, WAIT, "the subscription to close");
    }
  });

  it("stops with a final error when the session is over", async () => {
    const mif = client();
    await mif.login("client@mif.ma", "Client1234!");
    await mif.setTokens({ accessToken: `bad-${uid()}`, refreshToken: `bad-${uid()}` });
    const errors: { error: unknown; willReconnect: boolean }[] = [];
    const sub = mif.subscribeNotifications({
      onNotification: () => assert.fail("no notification expected"),
      onError: (error, info) => void errors.push({ error, willReconnect: info.willReconnect }),
      reconnectDelayMs: 50,
    });
    await within(sub.done, WAIT, "the subscription to give up");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.willReconnect, false);
    assert.ok(sub.error);
    assert.equal((sub.error as { status?: number }).status, 401);
  });
});
