extension TrainingPipeline {
    /// What the supervised stage fitted on the training rows.
    struct SupervisedFit {
        var trees: GradientBoosting
        var stacking: LogisticStacking
        var counts: SupervisedBlend.LabelCounts
        /// Final (blended) score of every training row.
        var scores: [Double]
    }

    /// Fits the trees on the earlier labelled training rows (plus unlabelled rows as weighted presumed negatives)
    /// and the blend on the latest ``TrainingOptions/stackingFraction`` of them, which the trees never saw.
    ///
    /// `matrix` holds the training rows' model inputs in time order; `isolationForest`/`autoencoder` are their
    /// calibrated scores and `labels` their decisions (`nil`: unlabelled). Throws when either part lacks a class.
    static func fitSupervised(
        matrix: FeatureMatrix, isolationForest: [Double], autoencoder: [Double], labels: [Bool?], given: Int,
        options: TrainingOptions
    ) throws(DetectionError) -> SupervisedFit {
        let labelled = labels.indices.filter { labels[$0] != nil }
        let fraud = labelled.filter { labels[$0] == true }.count
        guard fraud >= 2, labelled.count - fraud >= 2 else {
            throw DetectionError(
                .invalidArgument,
                "supervised training needs at least 2 fraud and 2 legitimate labels among the training rows; "
                    + "\(labelled.count) matched (\(fraud) fraud)")
        }
        let stackingCount = max(1, Int((Double(labelled.count) * options.stackingFraction).rounded()))
        let stackingRows = Array(labelled.suffix(stackingCount))
        let boostingLabelled = labelled.count - stackingCount
        let stackingStart = stackingRows[0]
        let weight = Float(options.unlabelledWeight)
        let boostingRows = (0..<stackingStart).filter { labels[$0] != nil || weight > 0 }
        let boostingLabels = boostingRows.map { labels[$0] ?? false }
        guard boostingLabels.contains(true), stackingRows.contains(where: { labels[$0] == true }),
            stackingRows.contains(where: { labels[$0] == false }), boostingRows.contains(where: { labels[$0] == false })
        else {
            throw DetectionError(
                .invalidArgument,
                "the \(boostingLabelled) earlier labels (for the trees) and the \(stackingCount) latest (for the "
                    + "blend) must each hold fraud and legitimate decisions; label more transactions")
        }
        let inputs = SupervisedBlend.inputs(
            scaled: matrix, isolationForest: isolationForest, autoencoder: autoencoder)
        let trees = try GradientBoosting(
            fitting: inputs.selecting(rows: boostingRows), labels: boostingLabels,
            weights: boostingRows.map { labels[$0] == nil ? weight : 1 }, configuration: options.seededBoosting)
        let margins = trees.margins(inputs)
        // The blend's rows: the latest labels, and — unless turned off — every unlabelled row of the same period
        // as a presumed negative, so the blend is fitted on the population it ranks rather than only on the top of
        // the review queue (where the unsupervised scores, which chose that top, carry almost no information).
        let blendRows = options.blendUnlabelled ? Array(stackingStart...labelled[labelled.count - 1]) : stackingRows
        let stacking = try LogisticStacking(
            fitting: blendRows.map {
                SupervisedBlend.blendInputs(
                    isolationForest: isolationForest[$0], autoencoder: autoencoder[$0], margin: margins[$0])
            },
            labels: blendRows.map { labels[$0] == true }, inputs: SupervisedBlend.inputNames)
        let scores = margins.indices.map { i in
            stacking.probability(
                SupervisedBlend.blendInputs(
                    isolationForest: isolationForest[i], autoencoder: autoencoder[i], margin: margins[i]))
        }
        let counts = SupervisedBlend.LabelCounts(
            given: given, matched: labelled.count, fraud: fraud, legitimate: labelled.count - fraud,
            boostingRows: boostingLabelled, stackingRows: stackingCount,
            unlabelledRows: weight > 0 ? boostingRows.count - boostingLabelled : 0,
            unlabelledWeight: options.unlabelledWeight, blendUnlabelledRows: blendRows.count - stackingRows.count)
        return SupervisedFit(trees: trees, stacking: stacking, counts: counts, scores: scores)
    }
}
