/// One tree while training: a perfect binary tree of the trainer's depth, split on bins.
struct GrownTree {
    /// Marks a node that was not split: every row goes left.
    static let noSplit: UInt8 = 255

    /// Internal nodes (2^depth − 1): split feature and bin (right when bin > split bin).
    var feature: [Int32]
    var bin: [UInt8]
    /// Every node's value, internal nodes then leaves (2^(depth+1) − 1), shrinkage applied.
    var value: [Float]
    let depth: Int

    init(depth: Int) {
        self.depth = depth
        feature = [Int32](repeating: 0, count: (1 << depth) - 1)
        bin = [UInt8](repeating: Self.noSplit, count: (1 << depth) - 1)
        value = [Float](repeating: 0, count: (2 << depth) - 1)
    }
}

extension GradientBoostingTrainer {
    /// Gradient and hessian sums per (feature, bin) of one node, interleaved (`2 × slot` gradient, `2 × slot + 1`
    /// hessian, slot = feature × 256 + bin) so one row's update touches one cache line per feature.
    struct Histogram {
        var sums: [Double]

        init(sums: [Double]) {
            self.sums = sums
        }

        @inline(__always) func gradient(_ slot: Int) -> Double { sums[2 * slot] }
        @inline(__always) func hessian(_ slot: Int) -> Double { sums[2 * slot + 1] }

        /// `parent − sibling`, the histogram subtraction that halves the work.
        static func difference(_ parent: Histogram, _ sibling: Histogram) -> Histogram {
            var out = parent
            out.sums.withUnsafeMutableBufferPointer { o in
                sibling.sums.withUnsafeBufferPointer { s in
                    for i in o.indices { o[i] -= s[i] }
                }
            }
            return out
        }
    }

    /// A node of the level being split: its index in the tree, gradient and hessian sums, and histogram.
    private struct Node {
        var index: Int
        var gradient: Double
        var hessian: Double
        var histogram: Histogram
    }

    /// The node mark of a row outside the tree: not sampled, or in a node that was not split.
    static let outside = UInt16.max

    /// Row chunks whose counts and sums (row moves, validation loss) are taken separately and then added in chunk
    /// order. A fixed count (not the core count) keeps the model independent of the machine.
    static func histogramChunks(rows: Int) -> Int { min(8, max(1, rows / 32_768)) }

    /// Grows one depth-limited tree, level by level, on the training rows in `sample` (positions into the
    /// training rows; `nil`: all of them).
    ///
    /// Every row carries the index of the node it is in; each level is one pass over the rows that moves them to
    /// their children and counts them, and the histograms of the smaller child of every split (the larger is the
    /// parent's minus the smaller's), one (node, feature) at a time on all cores.
    func grow(sample: [Int32]?, gradient: [Float], hessian: [Float], allowed: [Bool]) -> GrownTree {
        var tree = GrownTree(depth: depth)
        let lambda = configuration.l2
        let rate = Float(configuration.learningRate)
        let rowCount = trainRows.count
        var node = [UInt16](repeating: sample == nil ? 0 : Self.outside, count: rowCount)
        if let sample { for r in sample { node[Int(r)] = 0 } }
        // The root's rows: the sample (in row order), or every row.
        let rootRows = sample ?? (0..<Int32(rowCount)).map { $0 }
        guard
            let rootHistogram = histograms(of: [rootRows[...]], gradient: gradient, hessian: hessian).first
        else { return tree }
        // Every row is in one bin of feature 0, so its bins sum to the node's totals.
        var g0 = 0.0
        var h0 = 0.0
        for b in 0..<256 {
            g0 += rootHistogram.gradient(b)
            h0 += rootHistogram.hessian(b)
        }
        var level = [Node(index: 0, gradient: g0, hessian: h0, histogram: rootHistogram)]
        let innerCount = (1 << depth) - 1
        tree.value[0] = Float(-g0 / (h0 + lambda)) * rate
        for d in 0..<depth {
            var split: [(node: Node, left: (gradient: Double, hessian: Double))] = []
            for parent in level {
                guard
                    let best = bestSplit(
                        parent.histogram, gradient: parent.gradient, hessian: parent.hessian, allowed: allowed)
                else { continue }
                tree.feature[parent.index] = Int32(best.feature)
                tree.bin[parent.index] = UInt8(best.bin)
                let leftIndex = 2 * parent.index + 1
                tree.value[leftIndex] = Float(-best.leftGradient / (best.leftHessian + lambda)) * rate
                let rightGradient = parent.gradient - best.leftGradient
                let rightHessian = parent.hessian - best.leftHessian
                tree.value[leftIndex + 1] = Float(-rightGradient / (rightHessian + lambda)) * rate
                split.append((parent, (best.leftGradient, best.leftHessian)))
            }
            // The children of the last level are leaves: no rows to move, no histograms.
            guard d + 1 < depth, !split.isEmpty else { break }
            let counts = moveRows(&node, level: d, tree: tree)
            // Sum the smaller child of each split; subtract for the larger.
            let smaller = split.map { s in
                let left = 2 * s.node.index + 1
                return counts[left] <= counts[left + 1] ? left : left + 1
            }
            let built = histograms(
                of: members(of: smaller, counts: counts, node: node), gradient: gradient, hessian: hessian)
            var next: [Node] = []
            for (k, s) in split.enumerated() {
                let left = 2 * s.node.index + 1
                let other = Histogram.difference(s.node.histogram, built[k])
                let leftSmaller = smaller[k] == left
                next.append(
                    Node(
                        index: left, gradient: s.left.gradient, hessian: s.left.hessian,
                        histogram: leftSmaller ? built[k] : other))
                next.append(
                    Node(
                        index: left + 1, gradient: s.node.gradient - s.left.gradient,
                        hessian: s.node.hessian - s.left.hessian, histogram: leftSmaller ? other : built[k]))
            }
            level = next
        }
        // Unsplit nodes pass their value down so every walk ends at the value where growth stopped.
        for n in 0..<innerCount where tree.bin[n] == GrownTree.noSplit {
            tree.value[2 * n + 1] = tree.value[n]
            tree.value[2 * n + 2] = tree.value[n]
        }
        return tree
    }

    /// Moves every row of level `level` to the child its node's split sends it to (rows of unsplit nodes leave
    /// the tree); returns the number of rows per node index.
    private func moveRows(_ node: inout [UInt16], level: Int, tree: GrownTree) -> [Int] {
        let nodeCount = (2 << depth) - 1
        let chunks = Self.histogramChunks(rows: node.count)
        var counts = [Int](repeating: 0, count: chunks * nodeCount)
        let firstOfLevel = (1 << level) - 1
        let firstOfNext = (2 << level) - 1
        node.withUnsafeMutableBufferPointer { marks in
            counts.withUnsafeMutableBufferPointer { countBuffer in
                binned.withUnsafeBufferPointer { bins in
                    tree.feature.withUnsafeBufferPointer { feature in
                        tree.bin.withUnsafeBufferPointer { splitBin in
                            guard let m = marks.baseAddress, let c = countBuffer.baseAddress,
                                let b = bins.baseAddress
                            else { return }
                            let rows = marks.count
                            ParallelRows.concurrentPerform(iterations: chunks) { chunk in
                                let count = c + chunk * nodeCount
                                for r in (rows * chunk / chunks)..<(rows * (chunk + 1) / chunks) {
                                    let k = Int(m[r])
                                    guard k >= firstOfLevel, k < firstOfNext else { continue }
                                    let s = splitBin[k]
                                    guard s != GrownTree.noSplit else {
                                        m[r] = Self.outside
                                        continue
                                    }
                                    let child = 2 &* k &+ (b[Int(feature[k]) &* rows &+ r] > s ? 2 : 1)
                                    m[r] = UInt16(truncatingIfNeeded: child)
                                    count[child] &+= 1
                                }
                            }
                        }
                    }
                }
            }
        }
        var total = [Int](repeating: 0, count: nodeCount)
        for chunk in 0..<chunks {
            for k in 0..<nodeCount { total[k] += counts[chunk * nodeCount + k] }
        }
        return total
    }

    /// The best split of a node by gain G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), or `nil` when none gains or
    /// every candidate leaves a child under the minimum hessian. Ties go to the lower feature, then bin.
    private func bestSplit(_ histogram: Histogram, gradient: Double, hessian: Double, allowed: [Bool])
        -> (feature: Int, bin: Int, leftGradient: Double, leftHessian: Double)?
    {
        let lambda = configuration.l2
        let minimum = max(configuration.minChildWeight, 1e-9)
        let parent = gradient * gradient / (hessian + lambda)
        var best: (feature: Int, bin: Int, leftGradient: Double, leftHessian: Double)?
        var bestGain = 1e-9
        for f in 0..<features where allowed[f] {
            let count = bins.binCount(f)
            var gl = 0.0
            var hl = 0.0
            for b in 0..<(count - 1) {
                gl += histogram.gradient(f * 256 + b)
                hl += histogram.hessian(f * 256 + b)
                let hr = hessian - hl
                guard hl >= minimum else { continue }
                guard hr >= minimum else { break }
                let gr = gradient - gl
                let gain = gl * gl / (hl + lambda) + gr * gr / (hr + lambda) - parent
                if gain > bestGain {
                    bestGain = gain
                    best = (f, b, gl, hl)
                }
            }
        }
        return best
    }

    /// The rows marked with each of `nodes` (whose sizes `counts` holds, by node index), in row order: one pass
    /// over the marks into one buffer.
    private func members(of nodes: [Int], counts: [Int], node: [UInt16]) -> [ArraySlice<Int32>] {
        var slot = [Int32](repeating: -1, count: (2 << depth) - 1)
        var next = [Int](repeating: 0, count: nodes.count)
        var total = 0
        for (s, n) in nodes.enumerated() {
            slot[n] = Int32(s)
            next[s] = total
            total += counts[n]
        }
        let starts = next
        var rows = [Int32](repeating: 0, count: total)
        rows.withUnsafeMutableBufferPointer { out in
            node.withUnsafeBufferPointer { marks in
                slot.withUnsafeBufferPointer { slots in
                    for r in marks.indices {
                        let k = marks[r]
                        guard k != Self.outside else { continue }
                        let s = Int(slots[Int(k)])
                        guard s >= 0 else { continue }
                        out[next[s]] = Int32(truncatingIfNeeded: r)
                        next[s] &+= 1
                    }
                }
            }
        }
        return nodes.indices.map { s in rows[starts[s]..<next[s]] }
    }

    /// The histograms of each list of rows (positions into the training rows, in row order).
    ///
    /// Every (list, feature) histogram is summed by one task on all cores, reading that feature's bins
    /// (column-major) in row order into four copies of the feature's histogram (rows alternate between them, so
    /// consecutive rows in the same bin do not wait on each other's additions), added in a fixed order at the
    /// end. The sums depend only on the rows, not on the number of cores.
    func histograms(of lists: [ArraySlice<Int32>], gradient: [Float], hessian: [Float]) -> [Histogram] {
        let f = features
        let rowCount = trainRows.count
        // One flat buffer so the tasks can write disjoint ranges through a pointer.
        var flat = [Double](repeating: 0, count: lists.count * f * 512)
        flat.withUnsafeMutableBufferPointer { flatBuffer in
            binned.withUnsafeBufferPointer { bins in
                gradient.withUnsafeBufferPointer { g in
                    hessian.withUnsafeBufferPointer { h in
                        guard let target = flatBuffer.baseAddress, let b = bins.baseAddress, let gp = g.baseAddress,
                            let hp = h.baseAddress
                        else { return }
                        let groups = (f + Self.featureGroup - 1) / Self.featureGroup
                        ParallelRows.concurrentPerform(iterations: lists.count * groups) { task in
                            let s = task / groups
                            let first = (task % groups) * Self.featureGroup
                            let last = min(f, first + Self.featureGroup)
                            lists[s].withUnsafeBufferPointer { rows in
                                withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.featureGroup * 2048) {
                                    copies in
                                    guard let sums = copies.baseAddress, let r = rows.baseAddress else { return }
                                    sums.initialize(repeating: 0, count: (last - first) * 2048)
                                    // Row blocks keep their gradients in cache while every feature of the group
                                    // reads them; each feature still sees its rows in order.
                                    var start = 0
                                    while start < rows.count {
                                        let end = min(rows.count, start + 1024)
                                        for c in first..<last {
                                            Self.featureHistogram(
                                                column: b + c &* rowCount, rows: r, range: start..<end, gradient: gp,
                                                hessian: hp, into: sums + (c - first) &* 2048)
                                        }
                                        start = end
                                    }
                                    for c in first..<last {
                                        let h = sums + (c - first) &* 2048
                                        let out = target + (s &* f &+ c) &* 512
                                        for j in 0..<512 {
                                            out[j] = (h[j] + h[512 &+ j]) + (h[1024 &+ j] + h[1536 &+ j])
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return lists.indices.map { s in Histogram(sums: Array(flat[(s * f * 512)..<((s + 1) * f * 512)])) }
    }

    /// Features whose histograms one task sums together, row block by row block.
    static let featureGroup = 8

    /// Adds rows `range` of `rows` to one feature's four histogram copies (`sums`, 4 × 256 bins × gradient,
    /// hessian; row i goes to copy i mod 4). `range` starts at a multiple of 4.
    @inline(__always)
    private static func featureHistogram(
        column: UnsafePointer<UInt8>, rows r: UnsafePointer<Int32>, range: Range<Int>, gradient g: UnsafePointer<Float>,
        hessian h: UnsafePointer<Float>, into sums: UnsafeMutablePointer<Double>
    ) {
        var i = range.lowerBound
        let count = range.upperBound
        while i &+ 4 <= count {
            let r0 = Int(r[i])
            let r1 = Int(r[i &+ 1])
            let r2 = Int(r[i &+ 2])
            let r3 = Int(r[i &+ 3])
            let b0 = 2 &* Int(column[r0])
            let b1 = 512 &+ 2 &* Int(column[r1])
            let b2 = 1024 &+ 2 &* Int(column[r2])
            let b3 = 1536 &+ 2 &* Int(column[r3])
            sums[b0] += Double(g[r0])
            sums[b0 &+ 1] += Double(h[r0])
            sums[b1] += Double(g[r1])
            sums[b1 &+ 1] += Double(h[r1])
            sums[b2] += Double(g[r2])
            sums[b2 &+ 1] += Double(h[r2])
            sums[b3] += Double(g[r3])
            sums[b3 &+ 1] += Double(h[r3])
            i &+= 4
        }
        while i < count {
            let r0 = Int(r[i])
            let b0 = 512 &* (i & 3) &+ 2 &* Int(column[r0])
            sums[b0] += Double(g[r0])
            sums[b0 &+ 1] += Double(h[r0])
            i &+= 1
        }
    }
}
