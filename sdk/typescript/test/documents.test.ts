import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { isProblemError, listPage, unwrap } from "@mif-erp/client";
import { createEquipement, loginAs, uid } from "./helpers.js";

async function newIntervention(admin: Awaited<ReturnType<typeof loginAs>>): Promise<number> {
  const eq = await createEquipement(admin);
  const iv = await unwrap(admin.api.POST("/interventions", { body: { titre: `Documents ${uid()}`, type: "corrective", equipement_id: eq.id } }));
  return iv.id;
}

describe("documents", () => {
  it("uploads a text file and downloads the same bytes, name and type", async () => {
    const admin = await loginAs("admin");
    const interventionId = await newIntervention(admin);
    const text = `Rapport d'intervention ${uid()}\nMesures : ${randomBytes(24).toString("hex")}\nÉtat : réparé ✓\n`;
    const bytes = new TextEncoder().encode(text);
    const filename = `rapport-été-${uid()}.txt`;

    const doc = await admin.uploadDocument(interventionId, new Blob([bytes], { type: "text/plain" }), {
      filename,
      description: "Compte rendu",
      categorie: "rapport",
    });
    assert.equal(doc.intervention_id, interventionId);
    assert.equal(doc.filename, filename.normalize("NFC"));
    assert.equal(doc.taille, bytes.byteLength);
    assert.equal(doc.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.equal(doc.categorie, "rapport");
    assert.equal(doc.description, "Compte rendu");
    assert.match(doc.mime_type, /^text\/plain/);

    const file = await admin.downloadDocument(doc.id);
    assert.ok(file.data instanceof Blob);
    assert.deepEqual(new Uint8Array(await file.data.arrayBuffer()), bytes);
    assert.equal(file.size, bytes.byteLength);
    assert.equal(file.filename, doc.filename, "name from Content-Disposition (filename*, UTF-8)");
    assert.equal(file.disposition, "attachment");
    assert.equal(file.contentType, doc.mime_type);
    assert.equal(file.status, 200);

    const listed = await listPage(admin.api.GET("/interventions/{intervention_id}/documents", { params: { path: { intervention_id: interventionId } } }));
    assert.equal(listed.total, 1);
    assert.equal(listed.items[0]?.id, doc.id);
  });

  it("uploads binary content through /documents/upload and downloads it as an ArrayBuffer, whole or a range", async () => {
    const admin = await loginAs("responsable");
    const interventionId = await newIntervention(await loginAs("admin"));
    // a PNG signature followed by every byte value, then random bytes
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 256 }, (_, i) => i), ...randomBytes(70_000)]);
    const doc = await admin.uploadDocument(interventionId, bytes, { filename: "photo-carter.png", categorie: "photo", via: "upload", contentType: "image/png" });
    assert.equal(doc.taille, bytes.byteLength);
    assert.equal(doc.mime_type, "image/png");

    const file = await admin.downloadDocument(doc.id, { as: "arrayBuffer" });
    assert.ok(file.data instanceof ArrayBuffer);
    assert.deepEqual(new Uint8Array(file.data), bytes);
    assert.equal(file.filename, "photo-carter.png");
    assert.equal(file.disposition, "inline");
    assert.equal(file.contentType, "image/png");

    const part = await admin.downloadDocument(doc.id, { as: "arrayBuffer", range: "bytes=8-263" });
    assert.equal(part.status, 206);
    assert.deepEqual(new Uint8Array(part.data), bytes.slice(8, 264));
  });

  it("refuses a file whose content does not match its extension, and an unknown document", async () => {
    const admin = await loginAs("admin");
    const interventionId = await newIntervention(admin);
    const err = await admin
      .uploadDocument(interventionId, new TextEncoder().encode("<html><script>alert(1)</script></html>"), { filename: "image.png" })
      .catch((e: unknown) => e);
    assert.ok(isProblemError(err, 415), `got ${String(err)}`);
    assert.ok(err.detail);

    const missing = await admin.downloadDocument(2_000_000_000).catch((e: unknown) => e);
    assert.ok(isProblemError(missing, 404), `got ${String(missing)}`);
    assert.ok(missing.detail);
  });
});
