import Foundation

/// Isolation trees re-laid out as perfect binary trees of depth `maxDepth`, for branch-free scoring.
///
/// Internal slot `i` of a tree has children `2i + 1` and `2i + 2`, so a step needs no child-index load:
/// `slot = 2·slot + 1 + (value > threshold)`. A leaf above the bottom level becomes a chain of pseudo-splits with an
/// impassable threshold (+∞, also false for NaN) down to a bottom slot holding its path length, so every row takes
/// exactly `maxDepth` steps per tree and rows can be walked in lock step, their independent load chains overlapping.
struct PerfectTreeLayout: Sendable, Hashable {
    let trees: Int
    let maxDepth: Int
    let coefficientsPerNode: Int
    /// Internal slots per tree: 2^depth − 1.
    let internalSlots: Int
    /// Bottom slots per tree: 2^depth.
    let leafSlots: Int
    /// Axis-parallel: split feature per internal slot (tree-major).
    private var feature: [Int32]
    /// Split threshold per internal slot.
    private var threshold: [Float]
    /// Extended IF: `coefficientsPerNode` (feature, weight) pairs per internal slot.
    private var hyperplaneFeature: [Int32]
    private var hyperplaneWeight: [Float]
    /// Path length (depth + c(size)) per bottom slot.
    private var leafPath: [Float]
    /// log2(max(size, 1)) per slot, internal slots then bottom slots of each tree (2^(depth+1) − 1 per tree):
    /// how many training points a slot holds, for attribution.
    private var log2Size: [Float]

    /// Derives the layout from the linked node arrays of a forest.
    init(
        roots: [Int32], maxDepth: Int, coefficientsPerNode: Int, splitFeature: [Int32], threshold: [Float],
        left: [Int32], size: [Int32], pathLength: [Float], hyperplaneFeature: [Int32], hyperplaneWeight: [Float]
    ) {
        self.trees = roots.count
        self.maxDepth = maxDepth
        self.coefficientsPerNode = coefficientsPerNode
        self.internalSlots = (1 << maxDepth) - 1
        self.leafSlots = 1 << maxDepth
        let internalTotal = roots.count * internalSlots
        self.feature = [Int32](repeating: 0, count: coefficientsPerNode == 0 ? internalTotal : 0)
        self.threshold = [Float](repeating: .infinity, count: internalTotal)
        self.hyperplaneFeature = [Int32](repeating: 0, count: internalTotal * coefficientsPerNode)
        self.hyperplaneWeight = [Float](repeating: 0, count: internalTotal * coefficientsPerNode)
        self.leafPath = [Float](repeating: 0, count: roots.count * leafSlots)
        let slots = internalSlots + leafSlots
        self.log2Size = [Float](repeating: 0, count: roots.count * slots)
        for (t, root) in roots.enumerated() {
            var stack: [(node: Int, slot: Int, depth: Int)] = [(Int(root), 0, 0)]
            while let (node, slot, depth) = stack.popLast() {
                log2Size[t * slots + slot] = Float(log2(Double(max(size[node], 1))))
                if depth == maxDepth {
                    leafPath[t * leafSlots + slot - internalSlots] = pathLength[node]
                    continue
                }
                let isLeaf = left[node] == Int32(node)
                let global = t * internalSlots + slot
                if !isLeaf {
                    self.threshold[global] = threshold[node]
                    if coefficientsPerNode == 0 {
                        feature[global] = splitFeature[node]
                    } else {
                        for c in 0..<coefficientsPerNode {
                            self.hyperplaneFeature[global * coefficientsPerNode + c] =
                                hyperplaneFeature[node * coefficientsPerNode + c]
                            self.hyperplaneWeight[global * coefficientsPerNode + c] =
                                hyperplaneWeight[node * coefficientsPerNode + c]
                        }
                    }
                }
                // A leaf sends every row left; its value is copied to the whole subtree so any descent finds it.
                let leftChild = isLeaf ? node : Int(left[node])
                let rightChild = isLeaf ? node : Int(left[node]) + 1
                stack.append((rightChild, 2 * slot + 2, depth + 1))
                stack.append((leftChild, 2 * slot + 1, depth + 1))
            }
        }
    }

    /// Rows walked through each tree in lock step.
    static let block = 16

    /// Scores `rows` of row-major `values` (`featureCount` columns) into `output`: 2^(−mean path / normalizer).
    ///
    /// Each row's path lengths are summed tree by tree in the same order whatever block it falls in, so a row's
    /// score does not depend on the rows around it.
    func scoreRows(
        _ values: UnsafeBufferPointer<Float>, featureCount: Int, rows: Range<Int>,
        into output: UnsafeMutablePointer<Float>?, normalizer: Double
    ) {
        guard let output, let base = values.baseAddress, !rows.isEmpty else { return }
        let scale = Float(-1 / max(normalizer, 1e-12)) / Float(trees)
        withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.block) { index in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: Self.block) { sums in
                guard let index = index.baseAddress, let sums = sums.baseAddress else { return }
                var start = rows.lowerBound
                while start < rows.upperBound {
                    let count = min(Self.block, rows.upperBound - start)
                    let block = base + start * featureCount
                    if coefficientsPerNode == 0 {
                        walkAxisParallel(block, featureCount: featureCount, count: count, index: index, sums: sums)
                    } else {
                        walkHyperplanes(block, featureCount: featureCount, count: count, index: index, sums: sums)
                    }
                    for j in 0..<count {
                        output[start + j] = exp2(sums[j] * scale)
                    }
                    start += count
                }
            }
        }
    }

    private func walkAxisParallel(
        _ block: UnsafePointer<Float>, featureCount d: Int, count: Int, index: UnsafeMutablePointer<Int>,
        sums: UnsafeMutablePointer<Float>
    ) {
        for j in 0..<count { sums[j] = 0 }
        feature.withUnsafeBufferPointer { feature in
            threshold.withUnsafeBufferPointer { threshold in
                leafPath.withUnsafeBufferPointer { leafPath in
                    guard let featureBase = feature.baseAddress, let thresholdBase = threshold.baseAddress,
                        let leafBase = leafPath.baseAddress
                    else { return }
                    for t in 0..<trees {
                        let feature = featureBase + t * internalSlots
                        let threshold = thresholdBase + t * internalSlots
                        let leaves = leafBase + t * leafSlots - internalSlots
                        for j in 0..<count { index[j] = 0 }
                        @inline(__always) func step(_ j: Int) {
                            let slot = index[j]
                            let value = block[j &* d &+ Int(feature[slot])]
                            index[j] = 2 &* slot &+ (value > threshold[slot] ? 2 : 1)
                        }
                        if count == Self.block {
                            // A constant trip count lets the compiler unroll the lock-step loop completely.
                            for _ in 0..<maxDepth {
                                for j in 0..<Self.block { step(j) }
                            }
                        } else {
                            for _ in 0..<maxDepth {
                                for j in 0..<count { step(j) }
                            }
                        }
                        for j in 0..<count { sums[j] += leaves[index[j]] }
                    }
                }
            }
        }
    }

    private func walkHyperplanes(
        _ block: UnsafePointer<Float>, featureCount d: Int, count: Int, index: UnsafeMutablePointer<Int>,
        sums: UnsafeMutablePointer<Float>
    ) {
        let k = coefficientsPerNode
        for j in 0..<count { sums[j] = 0 }
        hyperplaneFeature.withUnsafeBufferPointer { hFeature in
            hyperplaneWeight.withUnsafeBufferPointer { hWeight in
                threshold.withUnsafeBufferPointer { threshold in
                    leafPath.withUnsafeBufferPointer { leafPath in
                        guard let featureBase = hFeature.baseAddress, let weightBase = hWeight.baseAddress,
                            let thresholdBase = threshold.baseAddress, let leafBase = leafPath.baseAddress
                        else { return }
                        for t in 0..<trees {
                            let features = featureBase + t * internalSlots * k
                            let weights = weightBase + t * internalSlots * k
                            let threshold = thresholdBase + t * internalSlots
                            let leaves = leafBase + t * leafSlots - internalSlots
                            for j in 0..<count { index[j] = 0 }
                            for _ in 0..<maxDepth {
                                for j in 0..<count {
                                    let slot = index[j]
                                    let x = block + j * d
                                    var dot: Float = 0
                                    for c in 0..<k { dot += x[Int(features[slot * k + c])] * weights[slot * k + c] }
                                    index[j] = 2 &* slot &+ (dot > threshold[slot] ? 2 : 1)
                                }
                            }
                            for j in 0..<count { sums[j] += leaves[index[j]] }
                        }
                    }
                }
            }
        }
    }

    /// Adds one row's attribution to `credit` (`featureCount` entries); see ``IsolationForest/attribution(_:)``.
    ///
    /// Per tree, each split on the row's path earns log2(n_parent / n_child) — how sharply it narrowed the row's
    /// neighbourhood — divided by the tree's path length, so splits that isolate early weigh most. Pseudo-splits
    /// below an early leaf earn nothing (the size does not change).
    func addAttribution(_ x: UnsafePointer<Float>, into credit: UnsafeMutablePointer<Float>) {
        let k = coefficientsPerNode
        let slots = internalSlots + leafSlots
        withUnsafeTemporaryAllocation(of: Int.self, capacity: maxDepth) { path in
            guard let path = path.baseAddress else { return }
            for t in 0..<trees {
                let sizes = t * slots
                var slot = 0
                for step in 0..<maxDepth {
                    path[step] = slot
                    let global = t * internalSlots + slot
                    let value: Float
                    if k == 0 {
                        value = x[Int(feature[global])]
                    } else {
                        var dot: Float = 0
                        for c in 0..<k { dot += x[Int(hyperplaneFeature[global * k + c])] * hyperplaneWeight[global * k + c] }
                        value = dot
                    }
                    slot = 2 * slot + (value > threshold[global] ? 2 : 1)
                }
                let length = leafPath[t * leafSlots + slot - internalSlots]
                guard length > 0 else { continue }
                var child = slot
                for step in stride(from: maxDepth - 1, through: 0, by: -1) {
                    let parent = path[step]
                    let gain = (log2Size[sizes + parent] - log2Size[sizes + child]) / length
                    child = parent
                    guard gain > 0 else { continue }
                    let global = t * internalSlots + parent
                    if k == 0 {
                        credit[Int(feature[global])] += gain
                    } else {
                        var total: Float = 0
                        for c in 0..<k { total += abs(hyperplaneWeight[global * k + c]) }
                        guard total > 0 else { continue }
                        for c in 0..<k {
                            credit[Int(hyperplaneFeature[global * k + c])] +=
                                gain * abs(hyperplaneWeight[global * k + c]) / total
                        }
                    }
                }
            }
        }
    }
}
