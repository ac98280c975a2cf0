/// Frames, RPC client and server, and Swift value types for the txad.v1 protobuf messages.
public enum WireModule {}
