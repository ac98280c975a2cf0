/// The Gateway service.
public enum GatewayModule {}
