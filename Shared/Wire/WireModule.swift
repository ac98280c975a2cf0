/// Frames, RPC client and server, and Swift value types for the txad.v1 protobuf messages (SPEC §4).
///
/// The only module that touches the protobuf-c C API (all of it in `ProtobufC/`). Other modules use:
/// - messages: the value types in `Messages/` and the `Domain` types, all ``WireMessage``;
/// - the server: ``RPCServer`` hosting services that conform to ``Health/ServiceProtocol``,
///   ``Preprocessing/ServiceProtocol``, ``Inference/ServiceProtocol`` or ``Alerts/ServiceProtocol``;
/// - the client: ``RPCClient`` wrapped by ``HealthClient``, ``PreprocessingClient``, ``InferenceClient`` or
///   ``AlertsClient``;
/// - errors: ``RPCError`` with an ``RPCStatusCode``.
public enum WireModule {}
