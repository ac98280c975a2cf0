/// The Alerts service.
public enum AlertsModule {}
