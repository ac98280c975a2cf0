/// Known outputs of the models on ``ModelFixtures/tiny`` with fixed seeds. They catch accidental changes to
/// training or scoring; regenerate them only for a deliberate change of the algorithms (and bump file versions).
enum GoldenVectors {
    /// `IsolationForest(trees: 10, subsampleSize: 8, seed: 7)` scores of the tiny rows.
    static let isolationForest: [Float] = [
        0.4231124, 0.47981176, 0.46644926, 0.4132698, 0.45468032, 0.4702287, 0.43523344, 0.55333424, 0.4441034,
        0.43377244, 0.43173528, 0.68757933,
    ]

    /// The same with `extensionLevel: 1`.
    static let extendedIsolationForest: [Float] = [
        0.4935571, 0.41326982, 0.43464845, 0.43318942, 0.44410333, 0.46550915, 0.48959017, 0.5036156, 0.46083698,
        0.40365615, 0.4077486, 0.6546399,
    ]

    /// `AutoencoderTests.tinyConfiguration` reconstruction errors of the tiny rows.
    static let autoencoder: [Float] = [
        0.021998638, 0.0432463, 0.018142173, 0.010055548, 0.02369359, 0.03125045, 0.066239275, 0.037185203,
        0.06464075, 0.01244044, 0.015942072, 51.540253,
    ]
}
