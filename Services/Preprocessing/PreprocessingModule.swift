/// The Preprocessing service.
public enum PreprocessingModule {}
