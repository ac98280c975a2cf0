/// Throwaway redis-server and PostgreSQL processes for tests and `txad up`.
public enum EmbeddedStoresModule {}
