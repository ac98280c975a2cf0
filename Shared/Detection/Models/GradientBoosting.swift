import Foundation

/// Gradient-boosted decision trees for binary classification (logistic loss), trained on histograms of binned
/// features in the spirit of LightGBM; the supervised scorer that learns from analysts' labels.
///
/// The model's margin is `bias + Σ_t leaf_t(x)`; ``probability(_:)`` is its logistic. Every tree is stored as a
/// *perfect* binary tree of depth ``depth`` in flat arrays (internal node `i` of a tree has children `2i + 1` and
/// `2i + 2`; a row goes right when `x[feature] > threshold`); a node that was not split is padded with threshold
/// +∞ (always left) and copies of its value, so every walk is ``depth`` branch-free steps. Internal nodes keep the
/// value the tree would predict had it stopped there, which gives per-feature contributions by path attribution
/// (Saabas): each split credits its feature with value(child) − value(parent), so for every row
/// `bias + Σ contributions == margin` up to float rounding.
///
/// A row's score depends only on that row: alone or inside any batch it is bit-identical.
public struct GradientBoosting: Sendable, Hashable {
    /// The deepest tree allowed (2^10 leaves per tree).
    public static let depthCap = 10

    /// The options the model was trained with.
    public let configuration: Configuration
    /// Number of input features.
    public let featureCount: Int
    /// Depth of every (padded) tree.
    public let depth: Int
    /// Margin before any tree: the log-odds of the weighted training positives.
    public let baseMargin: Float
    /// Validation log-loss per boosting round (empty without a validation split) and the rounds kept.
    public let history: TrainingHistory

    // Per tree, node-major: (2^depth − 1) internal nodes, then 2^depth leaves.
    var splitFeature: [Int32]
    var threshold: [Float]
    /// Internal nodes' values (what the tree predicts at that node), shrinkage applied.
    var nodeValue: [Float]
    /// Leaf values, shrinkage applied.
    var leafValue: [Float]

    /// Number of trees kept.
    public var treeCount: Int { leafValue.count / leavesPerTree }
    /// Internal nodes per tree.
    var internalPerTree: Int { (1 << depth) - 1 }
    /// Leaves per tree.
    var leavesPerTree: Int { 1 << depth }
    /// `baseMargin` plus every tree's root value: the margin credited to no feature.
    public var bias: Float {
        var b = baseMargin
        for t in 0..<treeCount { b += nodeValue[t * internalPerTree] }
        return b
    }

    /// Reassembles a model from its parts (the trainer and the file reader, which validate them).
    init(
        configuration: Configuration, featureCount: Int, depth: Int, baseMargin: Float, history: TrainingHistory,
        splitFeature: [Int32], threshold: [Float], nodeValue: [Float], leafValue: [Float]
    ) {
        self.configuration = configuration
        self.featureCount = featureCount
        self.depth = depth
        self.baseMargin = baseMargin
        self.history = history
        self.splitFeature = splitFeature
        self.threshold = threshold
        self.nodeValue = nodeValue
        self.leafValue = leafValue
    }

    /// The logistic function, mapping a margin to a probability.
    @inline(__always)
    public static func sigmoid(_ margin: Float) -> Float { 1 / (1 + exp(-margin)) }

    /// Margins (log-odds) of every row of `data`, on all cores.
    public func margins(_ data: FeatureMatrix) -> [Float] {
        precondition(data.columns == featureCount, "matrix has \(data.columns) columns, model expects \(featureCount)")
        var out = [Float](repeating: 0, count: data.rows)
        out.withUnsafeMutableBufferPointer { outBuffer in
            data.withUnsafeValues { values in
                guard let x = values.baseAddress, let o = outBuffer.baseAddress else { return }
                ParallelRows.forEachChunk(rows: data.rows, minimumChunk: 4096) { range in
                    self.marginRows(x, rows: range, into: o)
                }
            }
        }
        return out
    }

    /// Probabilities of every row of `data`.
    public func probabilities(_ data: FeatureMatrix) -> [Float] { margins(data).map(Self.sigmoid) }

    /// The margin of one row of `featureCount` values.
    public func margin(_ row: UnsafeBufferPointer<Float>) -> Float {
        precondition(row.count == featureCount, "row has \(row.count) values, model expects \(featureCount)")
        guard let x = row.baseAddress else { return baseMargin }
        var out: Float = 0
        marginRows(x, rows: 0..<1, into: &out)
        return out
    }

    /// One row's margin (bit-identical to ``margin(_:)``) and its per-feature contributions: `featureCount`
    /// values that, with ``bias``, sum to the margin.
    ///
    /// Eight trees are walked in lock step (their loads overlap instead of forming one chain); each tree's path is
    /// then recovered from the leaf it reached (in a perfect tree the ancestors of node n at level l are
    /// `((n + 1) >> (depth − l)) − 1`) and credited in tree and step order, and the margin sums the leaves from the
    /// base in tree order exactly as the batch walk does.
    public func marginAndContributions(_ row: UnsafeBufferPointer<Float>) -> (margin: Float, contributions: [Float]) {
        precondition(row.count == featureCount, "row has \(row.count) values, model expects \(featureCount)")
        var credit = [Float](repeating: 0, count: featureCount)
        var margin = baseMargin
        guard let x = row.baseAddress, treeCount > 0 else { return (margin, credit) }
        let innerCount = internalPerTree
        let leaves = leavesPerTree
        let levels = depth
        let trees = treeCount
        credit.withUnsafeMutableBufferPointer { creditBuffer in
            nodeValue.withUnsafeBufferPointer { nodeBuffer in
                withTrees { a in
                    guard let creditOut = creditBuffer.baseAddress, let nodes = nodeBuffer.baseAddress else { return }
                    var index = SIMD8<Int>()
                    var start = 0
                    while start < trees {
                        let count = min(8, trees - start)
                        for m in 0..<count { index[m] = 0 }
                        for _ in 0..<levels {
                            for m in 0..<count {
                                let base = (start &+ m) &* innerCount
                                let n = index[m]
                                index[m] = 2 &* n &+ (x[Int(a.feature[base &+ n])] > a.threshold[base &+ n] ? 2 : 1)
                            }
                        }
                        for m in 0..<count {
                            let t = start &+ m
                            let base = t &* innerCount
                            let end = index[m] &+ 1
                            var node = 0
                            var value = nodes[base]
                            for level in 0..<levels {
                                let child = (end >> (levels &- level &- 1)) &- 1
                                let childValue =
                                    level &+ 1 == levels
                                    ? a.leaf[t &* leaves &+ child &- innerCount] : nodes[base &+ child]
                                creditOut[Int(a.feature[base &+ node])] += childValue - value
                                value = childValue
                                node = child
                            }
                            margin += value
                        }
                        start += count
                    }
                }
            }
        }
        return (margin, credit)
    }

    /// Rows walked through one tree in lock step.
    static let block = 16

    /// Writes the margin of rows `rows` (row-major `x`) to `out[r]`. Full blocks of 16 rows are copied column-major
    /// and walk each tree level by level in lock step (``walkRowBlock(_:trees:into:)``); the rest walk row-major.
    /// Either way a row's margin is the base plus its leaves in tree order, as in the one-row walk.
    private func marginRows(_ x: UnsafePointer<Float>, rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let f = featureCount
        let b = Self.block
        withTrees { trees in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: b * (f + 1)) { scratch in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: b) { indexBuffer in
                    guard let columns = scratch.baseAddress, let index = indexBuffer.baseAddress else { return }
                    var start = rows.lowerBound
                    while start + b <= rows.upperBound {
                        let rowBase = x + start &* f
                        for j in 0..<b {
                            for c in 0..<f { columns[c &* b &+ j] = rowBase[j &* f &+ c] }
                        }
                        walkRowBlock(columns, index: index, trees: trees, into: out + start)
                        start += b
                    }
                    for r in start..<rows.upperBound { out[r] = walkRow(x + r &* f, trees: trees) }
                }
            }
        }
    }

    /// Base pointers of the tree arrays, valid inside ``withTrees(_:)``.
    private struct Trees {
        let feature: UnsafePointer<Int32>
        let threshold: UnsafePointer<Float>
        let leaf: UnsafePointer<Float>
    }

    /// Calls `body` with the tree arrays' base pointers (never called without trees: the margin is then the base).
    private func withTrees(_ body: (Trees) -> Void) {
        splitFeature.withUnsafeBufferPointer { features in
            threshold.withUnsafeBufferPointer { thresholds in
                leafValue.withUnsafeBufferPointer { leafValues in
                    guard let feature = features.baseAddress, let threshold = thresholds.baseAddress,
                        let leaf = leafValues.baseAddress
                    else {
                        // No trees (depth ≥ 1 always has internal nodes): an empty but valid set.
                        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 1) { f in
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: 1) { v in
                                guard let fp = f.baseAddress, let vp = v.baseAddress else { return }
                                body(Trees(feature: fp, threshold: vp, leaf: vp))
                            }
                        }
                        return
                    }
                    body(Trees(feature: feature, threshold: threshold, leaf: leaf))
                }
            }
        }
    }

    /// One row's margin: the base plus every tree's leaf, in tree order.
    @inline(__always)
    private func walkRow(_ row: UnsafePointer<Float>, trees a: Trees) -> Float {
        let innerCount = internalPerTree
        let leaves = leavesPerTree
        var sum = baseMargin
        for t in 0..<treeCount {
            let feature = a.feature + t &* innerCount
            let threshold = a.threshold + t &* innerCount
            var node = 0
            for _ in 0..<depth {
                node = 2 &* node &+ (row[Int(feature[node])] > threshold[node] ? 2 : 1)
            }
            sum += a.leaf[t &* leaves &+ node &- innerCount]
        }
        return sum
    }

    /// The margins of 16 rows held column-major in `columns` (feature c of row j at `c · 16 + j`), the rows
    /// walking each tree in lock step so their loads overlap.
    @inline(never)  // its own register allocation keeps the hot loop free of spills
    private func walkRowBlock(
        _ columns: UnsafePointer<Float>, index: UnsafeMutablePointer<Int>, trees a: Trees,
        into out: UnsafeMutablePointer<Float>
    ) {
        let b = Self.block
        let innerCount = internalPerTree
        let leaves = leavesPerTree
        let levels = depth
        for j in 0..<b { out[j] = baseMargin }
        for t in 0..<treeCount {
            let feature = a.feature + t &* innerCount
            let threshold = a.threshold + t &* innerCount
            // The root is the same for every row.
            let rootColumn = columns + Int(feature[0]) &* b
            let rootThreshold = threshold[0]
            for j in 0..<b { index[j] = rootColumn[j] > rootThreshold ? 2 : 1 }
            for _ in 1..<levels {
                for j in 0..<b {
                    let node = index[j]
                    let value = columns[Int(feature[node]) &* b &+ j]
                    index[j] = 2 &* node &+ (value > threshold[node] ? 2 : 1)
                }
            }
            let leaf = a.leaf + (t &* leaves &- innerCount)
            for j in 0..<b { out[j] += leaf[index[j]] }
        }
    }
}
