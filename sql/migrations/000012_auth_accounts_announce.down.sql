DROP TRIGGER IF EXISTS auth_clients_changed ON clients;
DROP TRIGGER IF EXISTS auth_techniciens_changed ON techniciens;
DROP TRIGGER IF EXISTS auth_users_deleted ON users;
DROP TRIGGER IF EXISTS auth_users_changed ON users;
DROP FUNCTION IF EXISTS auth_users_announce();
DROP FUNCTION IF EXISTS auth_accounts_announce();
