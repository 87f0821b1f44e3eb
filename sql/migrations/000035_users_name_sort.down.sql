DROP INDEX IF EXISTS users_full_name_sort_idx;
