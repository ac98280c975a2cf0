import Foundation

/// An Isolation Forest (Liu, Ting & Zhou 2008), optionally Extended (Hariri et al. 2018) with random hyperplane splits.
///
/// Raw score s(x) = 2^(−E[h(x)] / c(ψ)) in (0, 1]: higher is more anomalous. Trees live in flat struct-of-arrays
/// storage (no class per node: split feature, threshold, left child, node size, leaf path length); every tree of
/// the forest shares the same arrays and child indices are global (the right child is always `left + 1`).
/// For scoring, a ``PerfectTreeLayout`` is derived from them: branch-free, fixed-length walks.
///
/// A row's score depends only on that row: scoring alone or inside any batch gives bit-identical results.
public struct IsolationForest: Sendable, Hashable {
    /// Training options.
    public struct Configuration: Sendable, Hashable, Codable {
        /// Number of trees (default 100).
        public var trees: Int
        /// Rows sampled (without replacement) per tree, ψ (default 256); capped at the training row count.
        public var subsampleSize: Int
        /// Maximum tree depth (at most ``IsolationForest/depthCap``); `nil` means ceil(log2 ψ), the depth of a
        /// balanced tree over ψ points, capped at ``IsolationForest/depthCap``.
        public var maxDepth: Int?
        /// `nil` for axis-parallel splits (classic IF); k ≥ 0 for Extended IF hyperplanes with k + 1 non-zero
        /// coordinates (k = features − 1 is "fully extended"). Values above features − 1 are capped.
        public var extensionLevel: Int?
        /// Seed of the forest; the same data, configuration and seed give the same forest.
        public var seed: UInt64

        /// The defaults of SPEC §3: 100 trees, ψ = 256, depth ceil(log2 ψ), axis-parallel.
        public init(
            trees: Int = 100, subsampleSize: Int = 256, maxDepth: Int? = nil, extensionLevel: Int? = nil,
            seed: UInt64 = 42
        ) {
            self.trees = trees
            self.subsampleSize = subsampleSize
            self.maxDepth = maxDepth
            self.extensionLevel = extensionLevel
            self.seed = seed
        }

        enum CodingKeys: String, CodingKey {
            case trees
            case subsampleSize = "subsample_size"
            case maxDepth = "max_depth"
            case extensionLevel = "extension_level"
            case seed
        }

        /// Throws ``DetectionError/Code/invalidArgument`` naming the first option out of range.
        public func validate() throws(DetectionError) {
            guard (1...100_000).contains(trees) else {
                throw DetectionError(.invalidArgument, "trees must be in 1...100000, got \(trees)")
            }
            guard (2...1_000_000).contains(subsampleSize) else {
                throw DetectionError(.invalidArgument, "subsample size must be in 2...1000000, got \(subsampleSize)")
            }
            if let maxDepth, !(1...IsolationForest.depthCap).contains(maxDepth) {
                throw DetectionError(
                    .invalidArgument, "max depth must be in 1...\(IsolationForest.depthCap), got \(maxDepth)")
            }
            if let extensionLevel, extensionLevel < 0 {
                throw DetectionError(.invalidArgument, "extension level must be ≥ 0, got \(extensionLevel)")
            }
        }
    }

    /// The deepest tree allowed: scoring lays every tree out as a perfect binary tree of 2^depth leaves, so depth
    /// is bounded to keep that layout small (2^12 leaves covers ψ up to 4096; deeper leaves get c(size) anyway).
    public static let depthCap = 12

    /// The options the forest was trained with (the extension level capped at features − 1).
    public let configuration: Configuration
    /// Number of input features (columns) the forest expects.
    public let featureCount: Int
    /// The subsample size actually used (ψ capped at the training row count).
    public let effectiveSubsampleSize: Int
    /// The depth limit actually used.
    public let maxDepth: Int
    /// Non-zero coordinates per hyperplane (k + 1) for Extended IF, 0 for axis-parallel splits.
    public let coefficientsPerNode: Int

    // Flat node storage, indexed by global node number. Internal nodes send a row to `left[i] + 1` when its split
    // value exceeds `threshold[i]`, else to `left[i]`; leaves have `left[i] == i` and `threshold[i] == +inf`.
    var treeRoots: [Int32]
    var splitFeature: [Int32]
    var threshold: [Float]
    var left: [Int32]
    var size: [Int32]
    /// Leaves: depth + c(size). Internal nodes: 0.
    var pathLength: [Float]
    /// Extended IF: `coefficientsPerNode` (feature, weight) pairs per node, node-major.
    var hyperplaneFeature: [Int32]
    var hyperplaneWeight: [Float]

    /// The branch-free scoring layout derived from the node arrays.
    let layout: PerfectTreeLayout

    /// Number of nodes over all trees.
    public var nodeCount: Int { left.count }
    /// True for an Extended Isolation Forest.
    public var isExtended: Bool { coefficientsPerNode > 0 }

    /// Trains a forest on `data` (rows are samples, already scaled if scaling is wanted).
    ///
    /// Throws when the configuration is invalid or `data` has fewer than 2 rows or non-finite values.
    public init(fitting data: FeatureMatrix, configuration: Configuration = Configuration()) throws(DetectionError) {
        try configuration.validate()
        guard data.rows >= 2 else {
            throw DetectionError(.invalidArgument, "isolation forest needs at least 2 training rows, got \(data.rows)")
        }
        try data.requireFinite("training")
        let psi = min(configuration.subsampleSize, data.rows)
        let depthLimit =
            configuration.maxDepth ?? min(Self.depthCap, max(1, Int((log2(Double(psi))).rounded(.up))))
        let coefficients = configuration.extensionLevel.map { min($0, data.columns - 1) + 1 } ?? 0

        var builder = IsolationTreeBuilder(
            data: data, subsampleSize: psi, maxDepth: depthLimit, coefficientsPerNode: coefficients)
        var roots: [Int32] = []
        roots.reserveCapacity(configuration.trees)
        for tree in 0..<configuration.trees {
            var rng = Xoshiro256StarStar(seed: configuration.seed, stream: UInt64(tree))
            roots.append(Int32(builder.buildTree(using: &rng)))
        }

        var effective = configuration
        effective.extensionLevel = coefficients > 0 ? coefficients - 1 : nil
        self.configuration = effective
        self.featureCount = data.columns
        self.effectiveSubsampleSize = psi
        self.maxDepth = depthLimit
        self.coefficientsPerNode = coefficients
        self.treeRoots = roots
        self.splitFeature = builder.splitFeature
        self.threshold = builder.threshold
        self.left = builder.left
        self.size = builder.size
        self.pathLength = builder.pathLength
        self.hyperplaneFeature = builder.hyperplaneFeature
        self.hyperplaneWeight = builder.hyperplaneWeight
        self.layout = PerfectTreeLayout(
            roots: roots, maxDepth: depthLimit, coefficientsPerNode: coefficients, splitFeature: builder.splitFeature,
            threshold: builder.threshold, left: builder.left, size: builder.size, pathLength: builder.pathLength,
            hyperplaneFeature: builder.hyperplaneFeature, hyperplaneWeight: builder.hyperplaneWeight)
    }

    /// Reassembles a forest from its stored parts (used by the bundle reader, which validates them first).
    init(
        configuration: Configuration, featureCount: Int, effectiveSubsampleSize: Int, maxDepth: Int,
        coefficientsPerNode: Int, treeRoots: [Int32], splitFeature: [Int32], threshold: [Float], left: [Int32],
        size: [Int32], pathLength: [Float], hyperplaneFeature: [Int32], hyperplaneWeight: [Float]
    ) {
        self.configuration = configuration
        self.featureCount = featureCount
        self.effectiveSubsampleSize = effectiveSubsampleSize
        self.maxDepth = maxDepth
        self.coefficientsPerNode = coefficientsPerNode
        self.treeRoots = treeRoots
        self.splitFeature = splitFeature
        self.threshold = threshold
        self.left = left
        self.size = size
        self.pathLength = pathLength
        self.hyperplaneFeature = hyperplaneFeature
        self.hyperplaneWeight = hyperplaneWeight
        self.layout = PerfectTreeLayout(
            roots: treeRoots, maxDepth: maxDepth, coefficientsPerNode: coefficientsPerNode,
            splitFeature: splitFeature, threshold: threshold, left: left, size: size, pathLength: pathLength,
            hyperplaneFeature: hyperplaneFeature, hyperplaneWeight: hyperplaneWeight)
    }

    /// c(ψ), the normaliser of the mean path length.
    public var normalizer: Double { AveragePathLength.c(effectiveSubsampleSize) }

    /// Raw anomaly scores of every row of `data` (higher is more anomalous), computed on all cores.
    ///
    /// `data.columns` must equal ``featureCount``.
    public func scores(_ data: FeatureMatrix) -> [Float] {
        precondition(data.columns == featureCount, "matrix has \(data.columns) columns, forest expects \(featureCount)")
        var out = [Float](repeating: 0, count: data.rows)
        out.withUnsafeMutableBufferPointer { outBuffer in
            data.withUnsafeValues { values in
                ParallelRows.forEachChunk(rows: data.rows, minimumChunk: 2048) { range in
                    self.layout.scoreRows(
                        values, featureCount: self.featureCount, rows: range, into: outBuffer.baseAddress,
                        normalizer: self.normalizer)
                }
            }
        }
        return out
    }

    /// The raw anomaly score of one row of `featureCount` values.
    public func score(_ row: UnsafeBufferPointer<Float>) -> Float {
        precondition(row.count == featureCount, "row has \(row.count) values, forest expects \(featureCount)")
        var out: Float = 0
        withUnsafeMutablePointer(to: &out) {
            layout.scoreRows(row, featureCount: featureCount, rows: 0..<1, into: $0, normalizer: normalizer)
        }
        return out
    }

    /// Per-feature attribution of one row's anomaly: how much each feature's splits isolated the row.
    ///
    /// For each tree, every split on the row's path is credited with log2(n_parent / n_child) — how sharply it
    /// narrowed the row's neighbourhood — divided by the tree's path length, so splits that isolate a row early
    /// (short paths) weigh most. Hyperplane splits share their credit among their coordinates by |weight|.
    /// The result has `featureCount` non-negative entries summing to 1 (all zero if nothing was split).
    public func attribution(_ row: UnsafeBufferPointer<Float>) -> [Float] {
        precondition(row.count == featureCount, "row has \(row.count) values, forest expects \(featureCount)")
        var credit = [Float](repeating: 0, count: featureCount)
        credit.withUnsafeMutableBufferPointer { out in
            guard let x = row.baseAddress, let out = out.baseAddress else { return }
            layout.addAttribution(x, into: out)
        }
        let total = credit.reduce(0, +)
        if total > 0 {
            for i in credit.indices { credit[i] /= total }
        }
        return credit
    }
}
