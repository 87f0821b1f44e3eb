import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProblemError, idempotencyKey, ifMatch, isProblemError, newIdempotencyKey, listPage, unwrap, unwrapResponse } from "@mif-erp/client";
import { createEquipement, loginAs, uid } from "./helpers.js";

describe("equipment CRUD", () => {
  it("creates, reads, updates, lists and deletes a machine", async () => {
    const admin = await loginAs("admin");
    const nom = `Pompe CRUD ${uid()}`;
    const created = await unwrapResponse(
      admin.api.POST("/equipements", {
        body: { nom, type: "pompe", localisation: "Atelier C", criticite: "important", marque: "Grundfos", frequence_entretien: "mensuel" },
      }),
    );
    assert.equal(created.response.status, 201);
    assert.equal(created.data.nom, nom);
    assert.equal(created.data.criticite, "important");
    assert.equal(created.data.frequence_entretien, 30, "mensuel is 30 days");
    assert.ok(created.location?.endsWith(`/equipements/${created.data.id}`), `Location ${created.location}`);
    const id = created.data.id;

    const read = await unwrapResponse(admin.api.GET("/equipements/{equipement_id}", { params: { path: { equipement_id: id } } }));
    assert.deepEqual({ ...read.data }, { ...created.data });
    assert.ok(read.etag);

    const updated = await unwrap(
      admin.api.PATCH("/equipements/{equipement_id}", { params: { path: { equipement_id: id } }, body: { localisation: "Atelier D", marque: null } }),
    );
    assert.equal(updated.localisation, "Atelier D");
    assert.equal(updated.marque, null);
    assert.equal(updated.nom, nom);
    assert.ok(updated.version > created.data.version);

    const page = await listPage(admin.api.GET("/equipements", { params: { query: { q: nom } } }));
    assert.equal(page.total, 1);
    assert.deepEqual(
      page.items.map((e) => e.id),
      [id],
    );

    const del = await unwrapResponse(admin.api.DELETE("/equipements/{equipement_id}", { params: { path: { equipement_id: id } } }));
    assert.equal(del.response.status, 204);
    assert.equal(del.data, undefined);

    await assert.rejects(unwrap(admin.api.GET("/equipements/{equipement_id}", { params: { path: { equipement_id: id } } })), (e: unknown) => {
      assert.ok(isProblemError(e, 404));
      return true;
    });
  });
});

describe("problem errors", () => {
  it("a 422 lists the invalid fields", async () => {
    const admin = await loginAs("admin");
    const err = await unwrap(admin.api.POST("/equipements", { body: { nom: "", type: "pompe", localisation: "Zone 1" } })).then(
      () => assert.fail("an empty name is refused"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ProblemError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, "ProblemError");
    assert.equal(err.status, 422);
    assert.equal(err.title, "Unprocessable Entity");
    assert.ok(err.errors.length >= 1);
    assert.ok(err.fieldErrors("nom").length >= 1, `errors name the field: ${JSON.stringify(err.errors)}`);
    for (const fe of err.errors) assert.ok(fe.message.length > 0);
    assert.equal(err.instance, "/api/v1/equipements");
    assert.equal(err.requestId, err.response?.headers.get("X-Request-ID"));
  });

  it("a 404 carries the French detail", async () => {
    const admin = await loginAs("admin");
    // an id past every machine: create one and ask for a far larger one
    const eq = await createEquipement(admin);
    const missing = eq.id + 1_000_000;
    const err = await unwrap(admin.api.GET("/equipements/{equipement_id}", { params: { path: { equipement_id: missing } } })).then(
      () => assert.fail("not found"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ProblemError);
    assert.equal(err.status, 404);
    assert.equal(err.title, "Not Found");
    assert.ok(err.detail && err.detail !== err.title);
    assert.match(err.detail, /introuvable|non trouvé/i);
    assert.equal(err.message, err.detail);
    assert.deepEqual(err.errors, []);

    const ierr = await unwrap(admin.api.GET("/interventions/{intervention_id}", { params: { path: { intervention_id: 2_000_000_000 } } })).catch((e: unknown) => e);
    assert.ok(isProblemError(ierr, 404));
    assert.match(ierr.detail ?? "", /Intervention introuvable/);
  });

  it("a 403 for a role that may not call the operation", async () => {
    const tech = await loginAs("technicien");
    const err = await unwrap(tech.api.GET("/users")).catch((e: unknown) => e);
    assert.ok(isProblemError(err, 403));
    assert.ok(err.detail);
  });
});

describe("If-Match", () => {
  it("a stale ETag answers 412 and changes nothing", async () => {
    const admin = await loginAs("admin");
    const eq = await createEquipement(admin);
    const path = { equipement_id: eq.id };
    const first = await unwrapResponse(admin.api.GET("/equipements/{equipement_id}", { params: { path } }));
    assert.ok(first.etag, "GET gives an ETag");

    const ok = await unwrapResponse(
      admin.api.PATCH("/equipements/{equipement_id}", { params: { path, header: ifMatch(first.etag) }, body: { localisation: "Zone fraîche" } }),
    );
    assert.ok(ok.etag && ok.etag !== first.etag, "the update gives the new version");

    const err = await unwrap(
      admin.api.PATCH("/equipements/{equipement_id}", { params: { path, header: ifMatch(first.etag) }, body: { localisation: "Zone périmée" } }),
    ).catch((e: unknown) => e);
    assert.ok(isProblemError(err, 412), `got ${String(err)}`);
    assert.ok(err.detail);

    const now = await unwrapResponse(admin.api.GET("/equipements/{equipement_id}", { params: { path } }));
    assert.equal(now.data.localisation, "Zone fraîche");
    assert.equal(now.etag, ok.etag);

    // with the current version it goes through
    const again = await unwrap(
      admin.api.PATCH("/equipements/{equipement_id}", { params: { path, header: ifMatch(now.etag as string) }, body: { localisation: "Zone B" } }),
    );
    assert.equal(again.localisation, "Zone B");
  });
});

describe("Idempotency-Key", () => {
  it("a retried creation replays the first answer instead of creating twice", async () => {
    const admin = await loginAs("admin");
    const key = newIdempotencyKey();
    assert.match(key, /^[0-9a-f-]{36}$/);
    const nom = `Idem ${uid()}`;
    const body = { nom, type: "convoyeur", localisation: "Ligne 2" };
    const first = await unwrapResponse(admin.api.POST("/equipements", { params: { header: idempotencyKey(key) }, body }));
    const second = await unwrapResponse(admin.api.POST("/equipements", { params: { header: idempotencyKey(key) }, body }));
    assert.equal(first.replayed, false);
    assert.equal(second.replayed, true);
    assert.equal(second.response.status, first.response.status);
    assert.equal(second.data.id, first.data.id);
    const page = await listPage(admin.api.GET("/equipements", { params: { query: { q: nom } } }));
    assert.equal(page.total, 1, "one machine only");

    // the same key with another body is refused
    const err = await unwrap(
      admin.api.POST("/equipements", { params: { header: idempotencyKey(key) }, body: { ...body, localisation: "Ligne 3" } }),
    ).catch((e: unknown) => e);
    assert.ok(isProblemError(err, 422), `got ${String(err)}`);

    // a fresh key each time creates (a new name, or the unique name would clash)
    const other = await unwrapResponse(admin.api.POST("/equipements", { params: { header: idempotencyKey() }, body: { ...body, nom: `${nom} bis` } }));
    assert.equal(other.replayed, false);
    assert.notEqual(other.data.id, first.data.id);
  });
});
