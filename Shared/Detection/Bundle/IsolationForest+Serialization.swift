extension IsolationForest {
    /// Magic number of `isolation_forest.bin`.
    static let fileMagic = "TXIF"
    /// Format version of `isolation_forest.bin`.
    static let fileVersion: UInt32 = 1

    /// The forest as a model file (``ModelFile`` container). Byte-identical for identical forests.
    package func fileBytes() -> [UInt8] {
        var w = BinaryWriter(capacity: 64 + nodeCount * 24 + hyperplaneWeight.count * 8)
        w.write(UInt32(featureCount))
        w.write(UInt32(treeRoots.count))
        w.write(UInt32(configuration.subsampleSize))
        w.write(UInt32(effectiveSubsampleSize))
        w.write(UInt32(maxDepth))
        w.write(UInt32(bitPattern: Int32(configuration.maxDepth ?? -1)))
        w.write(UInt32(bitPattern: Int32(configuration.extensionLevel ?? -1)))
        w.write(UInt32(coefficientsPerNode))
        w.write(Int64(bitPattern: configuration.seed))
        w.write(UInt32(nodeCount))
        for v in treeRoots { w.write(UInt32(bitPattern: v)) }
        for v in splitFeature { w.write(UInt32(bitPattern: v)) }
        for v in threshold { w.write(v) }
        for v in left { w.write(UInt32(bitPattern: v)) }
        for v in size { w.write(UInt32(bitPattern: v)) }
        for v in pathLength { w.write(v) }
        for v in hyperplaneFeature { w.write(UInt32(bitPattern: v)) }
        for v in hyperplaneWeight { w.write(v) }
        return ModelFile.encode(magic: Self.fileMagic, version: Self.fileVersion, payload: w.bytes)
    }

    /// Reads and fully validates a forest file; every structural problem is a ``DetectionError/Code/corruptModel``
    /// naming `name`, so a damaged file can never make scoring read out of bounds.
    package init(fileBytes bytes: [UInt8], name: String) throws(DetectionError) {
        let payload = try ModelFile.decode(
            bytes, magic: Self.fileMagic, supportedVersion: Self.fileVersion, name: name)
        var r = BinaryReader(payload, code: .corruptModel, what: name)
        func count(_ what: String, _ range: ClosedRange<Int>) throws(DetectionError) -> Int {
            let v = Int(try r.readUInt32())
            guard range.contains(v) else { throw r.failure("has \(what) \(v), outside \(range)") }
            return v
        }
        func optional(_ what: String, _ range: ClosedRange<Int>) throws(DetectionError) -> Int? {
            let v = Int(Int32(bitPattern: try r.readUInt32()))
            if v == -1 { return nil }
            guard range.contains(v) else { throw r.failure("has \(what) \(v), outside \(range)") }
            return v
        }
        let features = try count("feature count", 1...100_000)
        let trees = try count("tree count", 1...100_000)
        let subsample = try count("subsample size", 2...1_000_000)
        let effective = try count("effective subsample size", 1...subsample)
        let depth = try count("max depth", 1...Self.depthCap)
        let configuredDepth = try optional("configured max depth", 1...Self.depthCap)
        let extensionLevel = try optional("extension level", 0...100_000)
        let coefficients = try count("coefficients per node", 0...features)
        let seed = UInt64(bitPattern: try r.readInt64())
        let nodes = try count("node count", 1...(trees * (2 << depth)))
        guard (extensionLevel == nil) == (coefficients == 0) else {
            throw r.failure("has extension level \(extensionLevel.map(String.init) ?? "none") but \(coefficients) coefficients per node")
        }
        // Bound the reads by the bytes actually present before allocating anything.
        let expected = 4 * (trees + nodes * 5 + nodes * coefficients * 2)
        guard payload.count - r.offset == expected else {
            throw r.failure("has \(payload.count - r.offset) bytes of node data, expected \(expected)")
        }
        func int32s(_ n: Int) throws(DetectionError) -> [Int32] {
            var out = [Int32]()
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(Int32(bitPattern: try r.readUInt32())) }
            return out
        }
        func floats(_ n: Int) throws(DetectionError) -> [Float] {
            var out = [Float]()
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try r.readFloat()) }
            return out
        }
        let roots = try int32s(trees)
        let splitFeature = try int32s(nodes)
        let threshold = try floats(nodes)
        let left = try int32s(nodes)
        let size = try int32s(nodes)
        let pathLength = try floats(nodes)
        let hyperplaneFeature = try int32s(nodes * coefficients)
        let hyperplaneWeight = try floats(nodes * coefficients)
        try r.expectEnd()

        for i in 0..<nodes {
            let isLeaf = left[i] == Int32(i)
            guard isLeaf || (Int(left[i]) > i && Int(left[i]) + 1 < nodes) else {
                throw r.failure("node \(i) has child index \(left[i]) out of range")
            }
            guard (0..<features).contains(Int(splitFeature[i])) else {
                throw r.failure("node \(i) splits on feature \(splitFeature[i]), outside 0..<\(features)")
            }
            guard isLeaf ? threshold[i] == .infinity : threshold[i].isFinite else {
                throw r.failure("node \(i) has an invalid threshold \(threshold[i])")
            }
            guard size[i] >= 0, pathLength[i].isFinite, pathLength[i] >= 0 else {
                throw r.failure("node \(i) has an invalid size or path length")
            }
            for c in 0..<coefficients {
                guard (0..<features).contains(Int(hyperplaneFeature[i * coefficients + c])),
                    hyperplaneWeight[i * coefficients + c].isFinite
                else { throw r.failure("node \(i) has an invalid hyperplane coefficient") }
            }
        }
        for (t, root) in roots.enumerated() {
            guard (0..<nodes).contains(Int(root)) else { throw r.failure("tree \(t) has root \(root) out of range") }
            var stack = [(Int(root), 0)]
            while let (node, level) = stack.popLast() {
                if left[node] == Int32(node) { continue }
                guard level < depth else { throw r.failure("tree \(t) is deeper than its max depth \(depth)") }
                stack.append((Int(left[node]), level + 1))
                stack.append((Int(left[node]) + 1, level + 1))
            }
        }
        self.init(
            configuration: Configuration(
                trees: trees, subsampleSize: subsample, maxDepth: configuredDepth, extensionLevel: extensionLevel,
                seed: seed),
            featureCount: features, effectiveSubsampleSize: effective, maxDepth: depth,
            coefficientsPerNode: coefficients, treeRoots: roots, splitFeature: splitFeature, threshold: threshold,
            left: left, size: size, pathLength: pathLength, hyperplaneFeature: hyperplaneFeature,
            hyperplaneWeight: hyperplaneWeight)
    }
}
