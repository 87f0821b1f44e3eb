import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { idempotencyKey, ifMatch, isProblemError, listPage, unwrap, unwrapResponse, type Schemas } from "@mif-erp/client";
import { client, createEquipement, createTechnician, loginAs, uid } from "./helpers.js";

describe("intervention lifecycle", () => {
  it("ouverte -> affectee -> en_cours -> en_attente -> en_cours -> cloturee, with its history", async () => {
    const admin = await loginAs("admin");
    const eq = await createEquipement(admin);
    const tech = await createTechnician(admin);
    const titre = `Fuite d'huile ${uid()}`;

    const created = await unwrapResponse(
      admin.api.POST("/interventions", {
        body: { titre, description: "Fuite au niveau du carter.", type: "corrective", priorite: "haute", equipement_id: eq.id },
      }),
    );
    assert.equal(created.response.status, 201);
    const iv = created.data;
    assert.equal(iv.statut, "ouverte");
    assert.equal(iv.titre, titre);
    assert.equal(iv.equipement_id, eq.id);
    assert.ok(iv.date_limite, "a deadline from the priority");
    const path = { intervention_id: iv.id };

    const assigned = await unwrap(
      admin.api.POST("/interventions/{intervention_id}/actions/{action}", {
        params: { path: { ...path, action: "assign" } },
        body: { technicien_id: tech.technicienId },
      }),
    );
    assert.equal(assigned.intervention.statut, "affectee");
    assert.equal(assigned.intervention.technicien_id, tech.technicienId);
    assert.ok(Array.isArray(assigned.avertissements));

    // the technician starts it through the original's status call
    const techClient = client();
    await techClient.login(tech.username, tech.password);
    const started = await unwrapResponse(
      techClient.api.PATCH("/interventions/{intervention_id}/statut", { params: { path, query: { statut: "en_cours" } } }),
    );
    assert.equal(started.data.statut, "en_cours");
    assert.ok(started.etag);

    const paused = await unwrap(
      techClient.api.POST("/interventions/{intervention_id}/actions/{action}", {
        params: { path: { ...path, action: "pause" }, header: ifMatch(started.etag as string) },
        body: { remarque: "Attente de la pièce" },
      }),
    );
    assert.equal(paused.intervention.statut, "en_attente");

    const resumed = await unwrap(
      techClient.api.POST("/interventions/{intervention_id}/actions/{action}", { params: { path: { ...path, action: "resume" } } }),
    );
    assert.equal(resumed.intervention.statut, "en_cours");

    const closed = await unwrap(
      techClient.api.POST("/interventions/{intervention_id}/actions/{action}", {
        params: { path: { ...path, action: "close" } },
        body: { rapport: "Joint remplacé, essai concluant." },
      }),
    );
    assert.equal(closed.intervention.statut, "cloturee");
    assert.ok(closed.intervention.date_cloture);

    // a closed intervention cannot start again: 409 with the allowed actions
    const err = await unwrap(
      admin.api.PATCH("/interventions/{intervention_id}/statut", { params: { path, query: { statut: "en_cours" } } }),
    ).catch((e: unknown) => e);
    assert.ok(isProblemError(err, 409), `got ${String(err)}`);
    assert.ok(err.fieldErrors("actions_possibles").length >= 1);

    const history = await unwrap(admin.api.GET("/interventions/{intervention_id}/historique", { params: { path } }));
    assert.ok(history.length >= 6, `one row per change, got ${history.length}`);

    const read = await unwrap(admin.api.GET("/interventions/{intervention_id}", { params: { path } }));
    assert.equal(read.statut, "cloturee");
  });

  it("a stale ETag on an intervention answers 412", async () => {
    const admin = await loginAs("responsable");
    const eq = await createEquipement(await loginAs("admin"));
    const iv = await unwrapResponse(
      admin.api.POST("/interventions", { body: { titre: `ETag ${uid()}`, type: "diagnostic", equipement_id: eq.id } }),
    );
    const path = { intervention_id: iv.data.id };
    const v1 = iv.etag ?? (await unwrapResponse(admin.api.GET("/interventions/{intervention_id}", { params: { path } }))).etag;
    assert.ok(v1);
    const upd = await unwrapResponse(
      admin.api.PATCH("/interventions/{intervention_id}", { params: { path, header: ifMatch(v1) }, body: { priorite: "urgente" } }),
    );
    assert.equal(upd.data.priorite, "urgente");
    const err = await unwrap(
      admin.api.PATCH("/interventions/{intervention_id}", { params: { path, header: ifMatch(v1) }, body: { priorite: "basse" } }),
    ).catch((e: unknown) => e);
    assert.ok(isProblemError(err, 412), `got ${String(err)}`);
  });

  it("an Idempotency-Key makes a retried intervention creation safe", async () => {
    const admin = await loginAs("admin");
    const eq = await createEquipement(admin);
    const header = idempotencyKey();
    const body: Schemas["InterventionCreate"] = { titre: `Idempotent ${uid()}`, type: "preventive", equipement_id: eq.id };
    const [a, b] = [
      await unwrapResponse(admin.api.POST("/interventions", { params: { header }, body })),
      await unwrapResponse(admin.api.POST("/interventions", { params: { header }, body })),
    ];
    assert.equal(b.data.id, a.data.id);
    assert.equal(b.replayed, true);
    const list = await listPage(admin.api.GET("/interventions", { params: { query: { equipement_id: eq.id } } }));
    assert.equal(list.total, 1);
    assert.equal(list.items[0]?.id, a.data.id);
  });
});
