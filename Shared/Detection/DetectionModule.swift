/// Features, models, calibration, reasons, evaluation and model bundles (pure Swift).
public enum DetectionModule {}
