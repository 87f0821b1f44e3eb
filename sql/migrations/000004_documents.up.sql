-- Documents attached to interventions. The content lives encrypted in a blob store
-- (internal/storage); the row keeps what is needed to find, decrypt and check it.
CREATE TABLE documents (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    intervention_id bigint      NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    filename        text        NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    storage_key     text        NOT NULL UNIQUE,
    key_id          text        NOT NULL,
    taille          bigint      NOT NULL CHECK (taille >= 0),
    mime_type       text        NOT NULL,
    sha256          text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    description     text,
    categorie       text,
    uploaded_by     bigint      REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_intervention_idx ON documents (intervention_id, created_at DESC, id DESC);
CREATE INDEX documents_created_idx ON documents (created_at DESC, id DESC);
CREATE INDEX documents_key_id_idx ON documents (key_id);

-- Blobs to delete. A row leaves `documents` first (in its transaction); its blob is deleted
-- after the commit, and stays listed here until that succeeds, so a failed or interrupted blob
-- deletion is retried by the sweeper and never leaves a row pointing nowhere.
CREATE TABLE document_blob_sweep (
    storage_key text PRIMARY KEY,
    queued_at   timestamptz NOT NULL DEFAULT now(),
    attempts    integer     NOT NULL DEFAULT 0,
    last_error  text
);

-- Every way a row stops referencing a blob (DELETE, a cascade from its intervention, a key
-- rotation moving the content to a new blob) queues the old blob in the same transaction.
CREATE FUNCTION documents_queue_blob_sweep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO document_blob_sweep (storage_key) VALUES (OLD.storage_key) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
CREATE TRIGGER documents_sweep_on_delete AFTER DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION documents_queue_blob_sweep();
CREATE TRIGGER documents_sweep_on_rekey AFTER UPDATE OF storage_key ON documents
    FOR EACH ROW WHEN (OLD.storage_key IS DISTINCT FROM NEW.storage_key)
    EXECUTE FUNCTION documents_queue_blob_sweep();
