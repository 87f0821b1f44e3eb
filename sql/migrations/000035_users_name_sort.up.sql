-- The default page of GET /techniciens is sorted by the account's full name: with this index its
-- plan walks the accounts in that order and stops after the page (a nested loop over the
-- technicians' user_id key, then an incremental sort of the ties by technician id) instead of
-- joining and sorting every technician (0.35 -> 0.24 ms at 202 technicians).
CREATE INDEX users_full_name_sort_idx ON users (lower(full_name), id);
