DROP TABLE IF EXISTS documents;
DROP FUNCTION IF EXISTS documents_queue_blob_sweep();
DROP TABLE IF EXISTS document_blob_sweep;
