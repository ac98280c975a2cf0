import Foundation

/// Isolation trees re-laid out as perfect binary trees of depth `maxDepth`, for branch-free scoring.
///
/// Slot `s` of a tree has children `2s + 1` and `2s + 2`, so a step needs no child-index load. A leaf above the
/// bottom level becomes a chain of pseudo-splits with an impassable threshold (+∞, also false for NaN) down to a
/// bottom slot holding its path length, so every row takes exactly `maxDepth` steps per tree.
///
/// Walks are chains of dependent loads, so independent walks run in lock step: 16 rows through one tree (batches)
/// or 8 trees for one row (single rows and explanations). For the latter, trees are stored in groups of 8,
/// interleaved slot by slot: tree `8g + m`'s slot `s` lives at `(g · slots + s) · 8 + m`, so a member's position
/// advances as `u' = 2u + 8 − m + 8·(value > threshold)` with `m` a constant. The last group is padded with
/// empty trees (impassable, path length 0) that are never summed. The row-block walk reads a tree-major copy of
/// the axis-parallel splits instead (interleaving spreads one tree over 8× the cache lines, which costs the block
/// walk a third of its speed). Either walk sums a row's path lengths tree by tree in tree order, so its score is
/// bit-identical whichever walk ran.
struct PerfectTreeLayout: Sendable, Hashable {
    /// Trees walked in lock step for one row, and the interleaving width of the storage.
    static let group = 8
    /// Rows walked through one tree in lock step (batches).
    static let block = 16

    let trees: Int
    let maxDepth: Int
    /// c(ψ), the normaliser of the mean path length.
    let normalizer: Double
    let coefficientsPerNode: Int
    /// Internal slots per tree: 2^depth − 1.
    let internalSlots: Int
    /// Bottom slots per tree: 2^depth.
    let leafSlots: Int
    /// Groups of 8 trees.
    let groups: Int

    // Per internal slot, interleaved (see above).
    /// Axis-parallel: split feature.
    private var splitFeature: [Int32]
    /// Split threshold (+∞ for pseudo-splits and padding).
    private var threshold: [Float]
    /// Extended IF: `coefficientsPerNode` (feature, weight) pairs per slot, and each weight's share of the slot's
    /// total |weight| (how the slot's attribution is split).
    private var hyperplaneFeature: [Int32]
    private var hyperplaneWeight: [Float]
    private var hyperplaneShare: [Float]
    /// Attribution of the step into a slot from its parent: log2(n_parent / n_slot), how sharply the split
    /// narrowed the row's neighbourhood (0 for pseudo-splits and the root). Indexed by the child, over all
    /// 2^(depth+1) − 1 slots, interleaved like the splits, so crediting needs no left/right branch. Extended IF only
    /// (axis-parallel trees credit from ``leafCredit``).
    private var childGain: [Float]
    /// Path length (depth + c(size)) per bottom slot, interleaved likewise.
    private var leafPath: [Float]
    /// Tree-major copies for the row-block walk (axis-parallel only): column offset and threshold per internal
    /// slot (`t · internalSlots + s`), path length per bottom slot (`t · leafSlots + s − internalSlots`).
    private var blockColumn: [Int32]
    private var blockThreshold: [Float]
    private var blockLeaf: [Float]
    /// The attribution a row reaching a bottom slot receives (axis-parallel only). In a perfect tree a bottom slot
    /// fixes the whole path, so each step's term, gain × (1 / path length), and the split feature it goes to are
    /// precomputed: `(t · leafSlots + s − internalSlots) · maxDepth + step`. The products are the ones the walk
    /// would compute, so the credits are bit-identical to crediting along the recorded path.
    private var leafCredit: [Float]
    private var leafCreditFeature: [Int32]

    /// Derives the layout from the linked node arrays of a forest.
    init(
        roots: [Int32], maxDepth: Int, coefficientsPerNode: Int, splitFeature: [Int32], threshold: [Float],
        left: [Int32], size: [Int32], pathLength: [Float], hyperplaneFeature: [Int32], hyperplaneWeight: [Float],
        subsampleSize: Int
    ) {
        let k = coefficientsPerNode
        let g = Self.group
        self.trees = roots.count
        self.maxDepth = maxDepth
        self.normalizer = AveragePathLength.c(subsampleSize)
        self.coefficientsPerNode = k
        self.internalSlots = (1 << maxDepth) - 1
        self.leafSlots = 1 << maxDepth
        self.groups = (roots.count + g - 1) / g
        let internalTotal = groups * internalSlots * g
        self.splitFeature = [Int32](repeating: 0, count: k == 0 ? internalTotal : 0)
        self.threshold = [Float](repeating: .infinity, count: internalTotal)
        self.hyperplaneFeature = [Int32](repeating: 0, count: internalTotal * k)
        self.hyperplaneWeight = [Float](repeating: 0, count: internalTotal * k)
        self.hyperplaneShare = [Float](repeating: 0, count: internalTotal * k)
        let slotCount = internalSlots + leafSlots
        self.childGain = [Float](repeating: 0, count: k == 0 ? 0 : groups * slotCount * g)
        self.leafPath = [Float](repeating: 0, count: groups * leafSlots * g)
        self.blockColumn = [Int32](repeating: 0, count: k == 0 ? roots.count * internalSlots : 0)
        self.blockThreshold = [Float](repeating: .infinity, count: k == 0 ? roots.count * internalSlots : 0)
        self.blockLeaf = [Float](repeating: 0, count: k == 0 ? roots.count * leafSlots : 0)
        self.leafCredit = [Float](repeating: 0, count: k == 0 ? roots.count * leafSlots * maxDepth : 0)
        self.leafCreditFeature = [Int32](repeating: 0, count: k == 0 ? roots.count * leafSlots * maxDepth : 0)
        var treeGain = [Float](repeating: 0, count: slotCount)
        var log2Size = [Float](repeating: 0, count: internalSlots + leafSlots)
        for (t, root) in roots.enumerated() {
            let internalBase = (t / g) * internalSlots * g + t % g
            let leafBase = (t / g) * leafSlots * g + t % g
            var stack: [(node: Int, slot: Int, depth: Int)] = [(Int(root), 0, 0)]
            while let (node, slot, depth) = stack.popLast() {
                log2Size[slot] = Float(log2(Double(max(size[node], 1))))
                if depth == maxDepth {
                    leafPath[leafBase + (slot - internalSlots) * g] = pathLength[node]
                    if k == 0 { blockLeaf[t * leafSlots + slot - internalSlots] = pathLength[node] }
                    continue
                }
                let isLeaf = left[node] == Int32(node)
                let at = internalBase + slot * g
                if !isLeaf {
                    self.threshold[at] = threshold[node]
                    if k == 0 {
                        self.splitFeature[at] = splitFeature[node]
                        blockColumn[t * internalSlots + slot] = splitFeature[node] * Int32(Self.block)
                        blockThreshold[t * internalSlots + slot] = threshold[node]
                    } else {
                        var total: Float = 0
                        for c in 0..<k { total += abs(hyperplaneWeight[node * k + c]) }
                        for c in 0..<k {
                            self.hyperplaneFeature[at * k + c] = hyperplaneFeature[node * k + c]
                            self.hyperplaneWeight[at * k + c] = hyperplaneWeight[node * k + c]
                            self.hyperplaneShare[at * k + c] = total > 0 ? abs(hyperplaneWeight[node * k + c]) / total : 0
                        }
                    }
                }
                // A leaf sends every row left; its value is copied to the whole subtree so any descent finds it.
                let leftChild = isLeaf ? node : Int(left[node])
                let rightChild = isLeaf ? node : Int(left[node]) + 1
                stack.append((rightChild, 2 * slot + 2, depth + 1))
                stack.append((leftChild, 2 * slot + 1, depth + 1))
            }
            let slotBase = (t / g) * slotCount * g + t % g
            for child in 1..<slotCount {
                let gain = log2Size[(child - 1) / 2] - log2Size[child]
                if k > 0 { childGain[slotBase + child * g] = gain }
                treeGain[child] = gain
            }
            if k == 0 { fillLeafCredit(tree: t, childGain: treeGain) }
        }
    }

    /// Fills tree `t`'s ``leafCredit`` and ``leafCreditFeature`` from its gains per slot (after its splits and
    /// path lengths are in place).
    private mutating func fillLeafCredit(tree t: Int, childGain: [Float]) {
        for leaf in 0..<leafSlots {
            let length = blockLeaf[t * leafSlots + leaf]
            let inverse: Float = length > 0 ? 1 / length : 0
            var slot = internalSlots + leaf
            for step in stride(from: maxDepth - 1, through: 0, by: -1) {
                let parent = (slot - 1) / 2
                let at = (t * leafSlots + leaf) * maxDepth + step
                leafCredit[at] = childGain[slot] * inverse
                leafCreditFeature[at] = blockColumn[t * internalSlots + parent] / Int32(Self.block)
                slot = parent
            }
        }
    }

    /// Calls `body` with the base pointers of every array (a placeholder for the unused, empty ones).
    @inline(__always)
    private func withArrays<R>(_ body: (Arrays) -> R) -> R {
        var placeholderInt: Int32 = 0
        var placeholderFloat: Float = 0
        return withUnsafePointer(to: &placeholderInt) { pi in
            withUnsafePointer(to: &placeholderFloat) { pf in
                splitFeature.withUnsafeBufferPointer { sf in
                    blockColumn.withUnsafeBufferPointer { sc in
                        threshold.withUnsafeBufferPointer { th in
                            hyperplaneFeature.withUnsafeBufferPointer { hf in
                                hyperplaneWeight.withUnsafeBufferPointer { hw in
                                    hyperplaneShare.withUnsafeBufferPointer { hs in
                                        childGain.withUnsafeBufferPointer { cg in
                                            leafCredit.withUnsafeBufferPointer { lc in
                                            leafCreditFeature.withUnsafeBufferPointer { lf in
                                                leafPath.withUnsafeBufferPointer { lp in
                                                  blockThreshold.withUnsafeBufferPointer { bt in
                                                    blockLeaf.withUnsafeBufferPointer { bl in
                                                    body(
                                                        Arrays(
                                                            feature: sf.baseAddress ?? pi, column: sc.baseAddress ?? pi,
                                                            threshold: th.baseAddress ?? pf,
                                                            hFeature: hf.baseAddress ?? pi,
                                                            hWeight: hw.baseAddress ?? pf, hShare: hs.baseAddress ?? pf,
                                                            childGain: cg.baseAddress ?? pf,
                                                            leafCredit: lc.baseAddress ?? pf,
                                                            leafCreditFeature: lf.baseAddress ?? pi,
                                                            leaf: lp.baseAddress ?? pf,
                                                            blockThreshold: bt.baseAddress ?? pf,
                                                            blockLeaf: bl.baseAddress ?? pf))
                                                    }
                                                  }
                                                }
                                            }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Base pointers of the layout's arrays, valid inside ``withArrays(_:)``.
    private struct Arrays {
        let feature: UnsafePointer<Int32>
        let column: UnsafePointer<Int32>
        let threshold: UnsafePointer<Float>
        let hFeature: UnsafePointer<Int32>
        let hWeight: UnsafePointer<Float>
        let hShare: UnsafePointer<Float>
        let childGain: UnsafePointer<Float>
        let leafCredit: UnsafePointer<Float>
        let leafCreditFeature: UnsafePointer<Int32>
        let leaf: UnsafePointer<Float>
        let blockThreshold: UnsafePointer<Float>
        let blockLeaf: UnsafePointer<Float>
    }

    /// The score of a summed path length: 2^(−(sum / trees) / c(ψ)).
    @inline(__always)
    func score(pathSum: Float) -> Float {
        exp2(pathSum * (Float(-1 / max(normalizer, 1e-12)) / Float(trees)))
    }

    /// Scores `rows` of row-major `values` (`featureCount` columns) into `output`; with `credits` (a
    /// `rows × featureCount` buffer indexed like `values`) also each row's unnormalised attribution, exactly as
    /// ``walkTrees(_:credit:featureCount:)`` computes it.
    func scoreRows(
        _ values: UnsafeBufferPointer<Float>, featureCount: Int, rows: Range<Int>,
        into output: UnsafeMutablePointer<Float>?, credits: UnsafeMutablePointer<Float>? = nil
    ) {
        guard let output, let base = values.baseAddress, !rows.isEmpty else { return }
        let b = Self.block
        let laneCount = credits == nil ? 0 : 4 * b * featureCount
        withUnsafeTemporaryAllocation(of: Int.self, capacity: b) { indexBuffer in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: b * (featureCount + 1) + laneCount) { scratch in
                guard let index = indexBuffer.baseAddress, let sums = scratch.baseAddress else { return }
                let columns = sums + b
                let lanes = credits == nil ? nil : columns + b * featureCount
                withArrays { a in
                    var start = rows.lowerBound
                    while start < rows.upperBound {
                        let count = min(b, rows.upperBound - start)
                        let block = base + start * featureCount
                        if count == b, coefficientsPerNode == 0 {
                            walkRowBlock(
                                block, featureCount: featureCount, columns: columns, index: index, sums: sums,
                                lanes: lanes, a)
                            if let credits, let lanes {
                                let d = featureCount
                                for j in 0..<b {
                                    let credit = credits + (start + j) * d
                                    for f in 0..<d {
                                        credit[f] =
                                            (lanes[j * d + f] + lanes[(b + j) * d + f])
                                            + (lanes[(2 * b + j) * d + f] + lanes[(3 * b + j) * d + f])
                                    }
                                }
                            }
                        } else {
                            for j in 0..<count {
                                let credit = credits.map { $0 + (start + j) * featureCount }
                                credit?.initialize(repeating: 0, count: featureCount)
                                sums[j] = walkTrees(
                                    block + j * featureCount, credit: credit, featureCount: featureCount, a)
                            }
                        }
                        for j in 0..<count { output[start + j] = score(pathSum: sums[j]) }
                        start += count
                    }
                }
            }
        }
    }

    /// Sums the path lengths of 16 rows over all trees (axis-parallel splits), the rows walking each tree in lock
    /// step. The rows are read from `columns`, a column-major copy of the block (feature f of row j at
    /// `f · block + j`), so a step's address is one precomputed offset plus the row number.
    ///
    /// With `lanes` (4 × 16 × featureCount accumulators), also credits each row's attribution from ``leafCredit``,
    /// in the same order and lanes as the one-row walk so the sums are bit-identical.
    @inline(never)  // its own register allocation keeps the hot loop free of spills
    private func walkRowBlock(
        _ block: UnsafePointer<Float>, featureCount d: Int, columns: UnsafeMutablePointer<Float>,
        index: UnsafeMutablePointer<Int>, sums: UnsafeMutablePointer<Float>, lanes: UnsafeMutablePointer<Float>?,
        _ a: Arrays
    ) {
        let b = Self.block
        for j in 0..<b {
            sums[j] = 0
            for f in 0..<d { columns[f &* b &+ j] = block[j &* d &+ f] }
        }
        lanes?.initialize(repeating: 0, count: 4 * b * d)
        for t in 0..<trees {
            let column = a.column + t &* internalSlots
            let threshold = a.blockThreshold + t &* internalSlots
            let leaves = a.blockLeaf + (t &* leafSlots &- internalSlots)
            for j in 0..<b { index[j] = 0 }
            for _ in 0..<maxDepth {
                for j in 0..<b {
                    let slot = index[j]
                    let value = columns[Int(column[slot]) &+ j]
                    index[j] = 2 &* slot &+ (value > threshold[slot] ? 2 : 1)
                }
            }
            for j in 0..<b { sums[j] += leaves[index[j]] }
            guard let lanes else { continue }
            // Steps run outermost so consecutive updates go to different rows' accumulators (no store-to-load
            // chains); each row still receives its terms in step order, as in the one-row walk.
            let laneBase = lanes + (t & 3) &* b &* d
            let offset = (t &* leafSlots &- internalSlots) &* maxDepth
            for j in 0..<b { index[j] = offset &+ index[j] &* maxDepth }
            for step in 0..<maxDepth {
                for j in 0..<b {
                    let at = index[j] &+ step
                    laneBase[j &* d &+ Int(a.leafCreditFeature[at])] += a.leafCredit[at]
                }
            }
        }
    }

    /// The split value of row `x` at interleaved slot position `at`.
    @inline(__always)
    private func splitValue(_ x: UnsafePointer<Float>, _ at: Int, _ a: Arrays) -> Float {
        let k = coefficientsPerNode
        if k == 0 { return x[Int(a.feature[at])] }
        var dot: Float = 0
        let offset = at &* k
        for c in 0..<k { dot += x[Int(a.hFeature[offset &+ c])] * a.hWeight[offset &+ c] }
        return dot
    }

    /// One row's path lengths summed over all trees (in tree order), walking the 8 trees of a group in lock step.
    ///
    /// With `credit` (`featureCount` entries), also adds the row's attribution: each step's gain divided by its
    /// tree's path length, credited to the split's feature (or shared among a hyperplane's coordinates by |weight|).
    func walkTrees(_ x: UnsafePointer<Float>, credit: UnsafeMutablePointer<Float>?, featureCount d: Int) -> Float {
        withArrays { walkTrees(x, credit: credit, featureCount: d, $0) }
    }

    private func walkTrees(
        _ x: UnsafePointer<Float>, credit: UnsafeMutablePointer<Float>?, featureCount d: Int, _ a: Arrays
    ) -> Float {
        let g = Self.group
        let depth = maxDepth
        // Four interleaved credit accumulators break the read-modify-write chains on a repeatedly split feature.
        let lanes = 4
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: g * (depth + 1)) { pathBuffer in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, lanes * d)) { laneBuffer in
                guard let path = pathBuffer.baseAddress, let accumulators = laneBuffer.baseAddress else { return 0 }
                if credit != nil { accumulators.initialize(repeating: 0, count: lanes * d) }
                var sum: Float = 0
                for group in 0..<groups {
                    let internalBase = group &* internalSlots &* g
                    let threshold = a.threshold + internalBase
                    // path[step * 8 + m]: member m's position before `step` (u = slot · 8 + m).
                    var u0 = 0
                    var u1 = 1
                    var u2 = 2
                    var u3 = 3
                    var u4 = 4
                    var u5 = 5
                    var u6 = 6
                    var u7 = 7
                    @inline(__always) func next(_ u: Int, _ m: Int) -> Int {
                        let value = splitValue(x, internalBase &+ u, a)
                        return 2 &* u &+ (g - m) &+ (value > threshold[u] ? g : 0)
                    }
                    for step in 0..<depth {
                        let p = path + step &* g
                        p[0] = u0
                        p[1] = u1
                        p[2] = u2
                        p[3] = u3
                        p[4] = u4
                        p[5] = u5
                        p[6] = u6
                        p[7] = u7
                        u0 = next(u0, 0)
                        u1 = next(u1, 1)
                        u2 = next(u2, 2)
                        u3 = next(u3, 3)
                        u4 = next(u4, 4)
                        u5 = next(u5, 5)
                        u6 = next(u6, 6)
                        u7 = next(u7, 7)
                    }
                    let last = path + depth &* g
                    last[0] = u0
                    last[1] = u1
                    last[2] = u2
                    last[3] = u3
                    last[4] = u4
                    last[5] = u5
                    last[6] = u6
                    last[7] = u7
                    let leaves = a.leaf + group &* leafSlots &* g - internalSlots &* g
                    let members = min(g, trees - group * g)
                    var inverse = SIMD8<Float>()
                    for m in 0..<members {
                        let length = leaves[path[depth &* g &+ m]]
                        sum += length
                        inverse[m] = length > 0 ? 1 / length : 0
                    }
                    if credit != nil, coefficientsPerNode == 0 {
                        addLeafCredit(
                            bottom: last, members: members, group: group, a, into: accumulators, featureCount: d)
                    } else if credit != nil {
                        addHyperplaneCredit(
                            path: path, inverse: inverse, group: group, internalBase: internalBase, a,
                            into: accumulators, featureCount: d)
                    }
                }
                if let credit {
                    for f in 0..<d {
                        credit[f] += (accumulators[f] + accumulators[d + f]) + (accumulators[2 * d + f] + accumulators[3 * d + f])
                    }
                }
                return sum
            }
        }
    }

    /// Adds the attribution of a group's trees (axis-parallel) from ``leafCredit``, by the bottom position each
    /// member reached; member m's terms go to lane m mod 4.
    ///
    /// Four members (one per lane) advance step by step together, so consecutive updates hit different lanes
    /// instead of forming a read-modify-write chain; each lane still receives its trees' terms in tree and step
    /// order, as in the row-block walk.
    @inline(__always)
    private func addLeafCredit(
        bottom: UnsafePointer<Int>, members: Int, group: Int, _ a: Arrays, into lanes: UnsafeMutablePointer<Float>,
        featureCount d: Int
    ) {
        let g = Self.group
        var offsets = SIMD8<Int>()
        for m in 0..<members {
            offsets[m] = ((group &* g &+ m) &* leafSlots &+ (bottom[m] >> 3) &- internalSlots) &* maxDepth
        }
        for quarter in stride(from: 0, to: members, by: 4) {
            let count = min(4, members - quarter)
            for step in 0..<maxDepth {
                for j in 0..<count {
                    let at = offsets[quarter &+ j] &+ step
                    lanes[j &* d &+ Int(a.leafCreditFeature[at])] += a.leafCredit[at]
                }
            }
        }
    }

    /// Adds the attribution of a group's 8 trees (hyperplane splits) along their recorded paths, each step's term
    /// shared among the hyperplane's coordinates by |weight|, in the lane order of ``addLeafCredit``. A member
    /// with `inverse` 0 (path length 0, or padding) adds +0: no change.
    @inline(__always)
    private func addHyperplaneCredit(
        path: UnsafePointer<Int>, inverse: SIMD8<Float>, group: Int, internalBase: Int, _ a: Arrays,
        into lanes: UnsafeMutablePointer<Float>, featureCount d: Int
    ) {
        let g = Self.group
        let k = coefficientsPerNode
        let gains = a.childGain + group &* (internalSlots &+ leafSlots) &* g
        for quarter in stride(from: 0, to: g, by: 4) {
            for step in 0..<maxDepth {
                let p = path + (step &* g &+ quarter)
                for j in 0..<4 {
                    let offset = (internalBase &+ p[j]) &* k
                    let gain = gains[p[j &+ g]] * inverse[quarter &+ j]
                    let lane = lanes + j &* d
                    for c in 0..<k { lane[Int(a.hFeature[offset &+ c])] += gain * a.hShare[offset &+ c] }
                }
            }
        }
    }
}
