/// Grows isolation trees into the flat node arrays of an ``IsolationForest``.
///
/// One builder serves every tree of a forest so its scratch buffers (subsample, row order, feature order) are
/// allocated once. Trees are grown depth-first from an explicit stack; children are allocated as adjacent pairs so
/// a node only stores its left child.
struct IsolationTreeBuilder {
    private let data: FeatureMatrix
    private let subsampleSize: Int
    private let maxDepth: Int
    private let coefficientsPerNode: Int

    private(set) var splitFeature: [Int32] = []
    private(set) var threshold: [Float] = []
    private(set) var left: [Int32] = []
    private(set) var size: [Int32] = []
    private(set) var pathLength: [Float] = []
    private(set) var hyperplaneFeature: [Int32] = []
    private(set) var hyperplaneWeight: [Float] = []

    /// Subsample rows, row-major (ψ × d).
    private var sample: [Float]
    /// Row numbers into `sample`, partitioned in place as the tree grows.
    private var order: [Int32]
    /// A running permutation of the features, used to draw features without replacement.
    private var featureOrder: [Int]
    /// Extended IF: each sample's projection onto the current hyperplane.
    private var projection: [Float]
    private var chosen: [Int] = []

    init(data: FeatureMatrix, subsampleSize: Int, maxDepth: Int, coefficientsPerNode: Int) {
        self.data = data
        self.subsampleSize = subsampleSize
        self.maxDepth = maxDepth
        self.coefficientsPerNode = coefficientsPerNode
        self.sample = [Float](repeating: 0, count: subsampleSize * data.columns)
        self.order = Array(0..<Int32(subsampleSize))
        self.featureOrder = Array(0..<data.columns)
        self.projection = [Float](repeating: 0, count: subsampleSize)
        let capacity = 2 * subsampleSize
        splitFeature.reserveCapacity(capacity)
        threshold.reserveCapacity(capacity)
        left.reserveCapacity(capacity)
        size.reserveCapacity(capacity)
        pathLength.reserveCapacity(capacity)
    }

    /// Draws a subsample and grows one tree; returns the global index of its root.
    mutating func buildTree(using rng: inout Xoshiro256StarStar) -> Int {
        drawSubsample(using: &rng)
        let root = allocateNode()
        var stack: [(node: Int, lo: Int, hi: Int, depth: Int)] = [(root, 0, subsampleSize, 0)]
        while let (node, lo, hi, depth) = stack.popLast() {
            let n = hi - lo
            size[node] = Int32(n)
            if depth >= maxDepth || n <= 1 {
                makeLeaf(node, depth: depth, count: n)
                continue
            }
            let mid: Int?
            if coefficientsPerNode == 0 {
                mid = splitAxisParallel(node, lo: lo, hi: hi, using: &rng)
            } else {
                mid = splitHyperplane(node, lo: lo, hi: hi, using: &rng)
            }
            guard let mid else {
                makeLeaf(node, depth: depth, count: n)
                continue
            }
            let child = allocateNode()
            _ = allocateNode()
            left[node] = Int32(child)
            stack.append((child + 1, mid, hi, depth + 1))
            stack.append((child, lo, mid, depth + 1))
        }
        return root
    }

    /// Floyd's algorithm: ψ distinct rows, copied into `sample`.
    private mutating func drawSubsample(using rng: inout Xoshiro256StarStar) {
        let n = data.rows
        let d = data.columns
        chosen.removeAll(keepingCapacity: true)
        if subsampleSize >= n {
            chosen.append(contentsOf: 0..<n)
        } else {
            var taken = Set<Int>(minimumCapacity: subsampleSize)
            for j in (n - subsampleSize)..<n {
                let t = rng.nextInt(below: j + 1)
                let pick = taken.contains(t) ? j : t
                taken.insert(pick)
                chosen.append(pick)
            }
        }
        data.withUnsafeValues { values in
            sample.withUnsafeMutableBufferPointer { out in
                for (i, row) in chosen.enumerated() {
                    for c in 0..<d { out[i * d + c] = values[row * d + c] }
                }
            }
        }
        for i in 0..<subsampleSize { order[i] = Int32(i) }
    }

    private mutating func allocateNode() -> Int {
        splitFeature.append(0)
        threshold.append(.infinity)
        left.append(Int32(left.count))
        size.append(0)
        pathLength.append(0)
        if coefficientsPerNode > 0 {
            hyperplaneFeature.append(contentsOf: repeatElement(0, count: coefficientsPerNode))
            hyperplaneWeight.append(contentsOf: repeatElement(0, count: coefficientsPerNode))
        }
        return left.count - 1
    }

    private mutating func makeLeaf(_ node: Int, depth: Int, count: Int) {
        left[node] = Int32(node)
        threshold[node] = .infinity
        pathLength[node] = Float(Double(depth) + AveragePathLength.c(count))
    }

    /// Picks a random non-constant feature and a uniform threshold in [min, max); nil if every feature is constant.
    private mutating func splitAxisParallel(_ node: Int, lo: Int, hi: Int, using rng: inout Xoshiro256StarStar) -> Int? {
        let d = data.columns
        for drawn in 0..<d {
            let pick = drawn + rng.nextInt(below: d - drawn)
            featureOrder.swapAt(drawn, pick)
            let feature = featureOrder[drawn]
            var lowest = Float.infinity
            var highest = -Float.infinity
            for i in lo..<hi {
                let v = sample[Int(order[i]) * d + feature]
                lowest = min(lowest, v)
                highest = max(highest, v)
            }
            guard highest > lowest else { continue }
            var cut = lowest + rng.nextFloat() * (highest - lowest)
            if cut >= highest { cut = highest.nextDown }
            splitFeature[node] = Int32(feature)
            threshold[node] = cut
            let rows = sample
            return Self.partition(&order, lo: lo, hi: hi) { rows[Int($0) * d + feature] > cut }
        }
        return nil
    }

    /// Extended IF: a random hyperplane through a uniform point of the node's bounding box, with k + 1 non-zero
    /// Gaussian coordinates. Empty children are allowed (they become size-0 leaves), as in the original method.
    private mutating func splitHyperplane(_ node: Int, lo: Int, hi: Int, using rng: inout Xoshiro256StarStar) -> Int? {
        let d = data.columns
        let k = coefficientsPerNode
        let offset = node * k
        var intercept: Float = 0
        var spread = false
        for c in 0..<k {
            let pick = c + rng.nextInt(below: d - c)
            featureOrder.swapAt(c, pick)
            let feature = featureOrder[c]
            var lowest = Float.infinity
            var highest = -Float.infinity
            for i in lo..<hi {
                let v = sample[Int(order[i]) * d + feature]
                lowest = min(lowest, v)
                highest = max(highest, v)
            }
            if highest > lowest { spread = true }
            let weight = Float(rng.nextGaussian())
            let point = lowest + rng.nextFloat() * (highest - lowest)
            hyperplaneFeature[offset + c] = Int32(feature)
            hyperplaneWeight[offset + c] = weight
            intercept += weight * point
        }
        guard spread else {
            for c in 0..<k { hyperplaneWeight[offset + c] = 0 }
            return nil
        }
        threshold[node] = intercept
        for i in lo..<hi {
            let row = Int(order[i]) * d
            var dot: Float = 0
            for c in 0..<k { dot += sample[row + Int(hyperplaneFeature[offset + c])] * hyperplaneWeight[offset + c] }
            projection[Int(order[i])] = dot
        }
        let projected = projection
        return Self.partition(&order, lo: lo, hi: hi) { projected[Int($0)] > intercept }
    }

    /// Moves rows for which `goesRight` is false to the front of `order[lo..<hi]`; returns the first right row.
    private static func partition(_ order: inout [Int32], lo: Int, hi: Int, _ goesRight: (Int32) -> Bool) -> Int {
        var i = lo
        var j = hi - 1
        while i <= j {
            if goesRight(order[i]) {
                order.swapAt(i, j)
                j -= 1
            } else {
                i += 1
            }
        }
        return i
    }
}
