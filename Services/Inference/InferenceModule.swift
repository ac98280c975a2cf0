/// The Inference service.
public enum InferenceModule {}
