/// Redis (hiredis) and PostgreSQL (libpq) clients.
public enum StoresModule {}
