/// Configuration, logging, metrics, lifecycle and admin HTTP shared by the services.
public enum ServiceKitModule {}
