extension GradientBoosting {
    /// Magic number of `gradient_boosting.bin`.
    static let fileMagic = "TXGB"
    /// Format version of `gradient_boosting.bin`.
    static let fileVersion: UInt32 = 1

    /// The model as a model file (``ModelFile`` container). Byte-identical for identical models.
    ///
    /// The payload holds the counts, the options, the base margin, the validation history, then per tree the
    /// internal nodes' features, thresholds and values and the leaves' values.
    func fileBytes() -> [UInt8] {
        var w = BinaryWriter(capacity: 128 + splitFeature.count * 12 + leafValue.count * 4)
        w.write(UInt32(featureCount))
        w.write(UInt32(depth))
        w.write(UInt32(treeCount))
        w.write(baseMargin)
        let c = configuration
        w.write(UInt32(c.trees))
        w.write(c.learningRate)
        w.write(UInt32(c.maxDepth))
        w.write(c.l2)
        w.write(c.minChildWeight)
        w.write(UInt32(c.bins))
        w.write(c.featureFraction)
        w.write(c.rowFraction)
        w.write(UInt32(c.earlyStoppingRounds))
        w.write(c.validationFraction)
        w.write(Int64(bitPattern: c.seed))
        w.write(UInt32(history.bestRound))
        w.write(history.stoppedEarly)
        w.write(UInt32(history.validationLoss.count))
        for v in history.validationLoss { w.write(v) }
        for v in splitFeature { w.write(UInt32(bitPattern: v)) }
        for v in threshold { w.write(v) }
        for v in nodeValue { w.write(v) }
        for v in leafValue { w.write(v) }
        return ModelFile.encode(magic: Self.fileMagic, version: Self.fileVersion, payload: w.bytes)
    }

    /// Reads and fully validates a model file; every structural problem is a ``DetectionError/Code/corruptModel``
    /// naming `name`, so a damaged file can never make scoring read out of bounds.
    init(fileBytes bytes: [UInt8], name: String) throws(DetectionError) {
        let payload = try ModelFile.decode(bytes, magic: Self.fileMagic, supportedVersion: Self.fileVersion, name: name)
        var r = BinaryReader(payload, code: .corruptModel, what: name)
        func count(_ what: String, _ range: ClosedRange<Int>) throws(DetectionError) -> Int {
            let v = Int(try r.readUInt32())
            guard range.contains(v) else { throw r.failure("has \(what) \(v), outside \(range)") }
            return v
        }
        let features = try count("feature count", 1...100_000)
        let depth = try count("depth", 1...Self.depthCap)
        let trees = try count("tree count", 0...10_000)
        let base = try r.readFloat()
        guard base.isFinite else { throw r.failure("has a non-finite base margin") }
        let configuration = Configuration(
            trees: try count("configured trees", 1...10_000), learningRate: try r.readDouble(),
            maxDepth: try count("configured depth", 1...Self.depthCap), l2: try r.readDouble(),
            minChildWeight: try r.readDouble(), bins: try count("bins", 2...FeatureBins.maximumBins),
            featureFraction: try r.readDouble(), rowFraction: try r.readDouble(),
            earlyStoppingRounds: try count("early stopping rounds", 1...Int(UInt32.max)),
            validationFraction: try r.readDouble(), seed: UInt64(bitPattern: try r.readInt64()))
        do {
            try configuration.validate()
        } catch {
            throw r.failure("has invalid options: \(error.message)")
        }
        guard configuration.maxDepth == depth, trees <= configuration.trees else {
            throw r.failure("has \(trees) trees of depth \(depth), inconsistent with its options")
        }
        let bestRound = try count("best round", 0...10_000)
        let stoppedEarly = try r.readBool()
        let losses = try count("validation loss count", 0...10_000)
        let innerCount = (1 << depth) - 1
        let expected = losses * 8 + trees * (innerCount * 12 + (innerCount + 1) * 4)
        guard payload.count - r.offset == expected else {
            throw r.failure("has \(payload.count - r.offset) bytes of history and trees, expected \(expected)")
        }
        var validationLoss: [Double] = []
        for _ in 0..<losses { validationLoss.append(try r.readDouble()) }
        var splitFeature: [Int32] = []
        splitFeature.reserveCapacity(trees * innerCount)
        for _ in 0..<(trees * innerCount) {
            let f = Int32(bitPattern: try r.readUInt32())
            guard (0..<Int32(features)).contains(f) else {
                throw r.failure("splits on feature \(f), outside 0..<\(features)")
            }
            splitFeature.append(f)
        }
        func floats(_ n: Int, _ what: String, allowInfinity: Bool = false) throws(DetectionError) -> [Float] {
            var out: [Float] = []
            out.reserveCapacity(n)
            for _ in 0..<n {
                let v = try r.readFloat()
                guard v.isFinite || (allowInfinity && v == .infinity) else { throw r.failure("has an invalid \(what)") }
                out.append(v)
            }
            return out
        }
        let threshold = try floats(trees * innerCount, "threshold", allowInfinity: true)
        let nodeValue = try floats(trees * innerCount, "node value")
        let leafValue = try floats(trees * (innerCount + 1), "leaf value")
        try r.expectEnd()
        self.init(
            configuration: configuration, featureCount: features, depth: depth, baseMargin: base,
            history: TrainingHistory(validationLoss: validationLoss, bestRound: bestRound, stoppedEarly: stoppedEarly),
            splitFeature: splitFeature, threshold: threshold, nodeValue: nodeValue, leafValue: leafValue)
    }
}
