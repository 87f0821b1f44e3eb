import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { listAll, listPage, pages, paginate, unwrap } from "@mif-erp/client";
import { createEquipement, loginAs, uid } from "./helpers.js";

describe("paging", () => {
  it("reads X-Total-Count and iterates over every page", async () => {
    const admin = await loginAs("admin");
    const tag = `pg${uid()}`;
    const created: number[] = [];
    for (let i = 0; i < 7; i++) created.push((await createEquipement(admin, `Moteur ${tag} ${i}`)).id);

    const first = await listPage(admin.api.GET("/equipements", { params: { query: { q: tag, limit: 3, sort: "id" } } }));
    assert.equal(first.total, created.length);
    assert.equal(first.items.length, 3);
    assert.equal(first.capped, false);
    assert.deepEqual(
      first.items.map((e) => e.id),
      created.slice(0, 3),
    );

    const sizes: number[] = [];
    const seen: number[] = [];
    for await (const page of pages((p) => admin.api.GET("/equipements", { params: { query: { ...p, q: tag, sort: "id" } } }), { limit: 3 })) {
      sizes.push(page.items.length);
      assert.equal(page.total, created.length);
      seen.push(...page.items.map((e) => e.id));
    }
    assert.deepEqual(sizes, [3, 3, 1]);
    assert.deepEqual(seen, created);

    const ids: number[] = [];
    for await (const eq of paginate((p) => admin.api.GET("/equipements", { params: { query: { ...p, q: tag, sort: "-id" } } }), { limit: 2 })) {
      ids.push(eq.id);
    }
    assert.deepEqual(ids, [...created].reverse());

    // an offset to start from, and a page size that divides the total exactly
    const tail = await listAll((p) => admin.api.GET("/equipements", { params: { query: { ...p, q: tag, sort: "id" } } }), { limit: 2, offset: 3 });
    assert.deepEqual(
      tail.map((e) => e.id),
      created.slice(3),
    );
  });

  it("an empty list is one empty page", async () => {
    const admin = await loginAs("admin");
    const none = `none${uid()}`;
    const page = await listPage(admin.api.GET("/equipements", { params: { query: { q: none } } }));
    assert.equal(page.total, 0);
    assert.deepEqual(page.items, []);
    let n = 0;
    for await (const _ of paginate((p) => admin.api.GET("/equipements", { params: { query: { ...p, q: none } } }))) n++;
    assert.equal(n, 0);
  });

  it("interventions are paged the same way, with their own filters", async () => {
    const admin = await loginAs("admin");
    const eq = await createEquipement(admin);
    const made: number[] = [];
    for (let i = 0; i < 5; i++) {
      made.push((await unwrap(admin.api.POST("/interventions", { body: { titre: `Page ${i}`, type: "corrective", equipement_id: eq.id } }))).id);
    }
    const all = await listAll((p) => admin.api.GET("/interventions", { params: { query: { ...p, equipement_id: eq.id, statut: ["ouverte"], sort: "id" } } }), {
      limit: 2,
    });
    assert.deepEqual(
      all.map((i) => i.id),
      made,
    );
  });
});
