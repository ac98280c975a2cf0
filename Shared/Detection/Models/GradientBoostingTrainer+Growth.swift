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

    /// Row chunks whose histograms are summed separately and then added in chunk order. A fixed count (not the
    /// core count) keeps the model independent of the machine.
    static func histogramChunks(rows: Int) -> Int { min(8, max(1, rows / 32_768)) }

    /// Grows one depth-limited tree, level by level, on the training rows in `sample` (positions into the
    /// training rows; `nil`: all of them).
    ///
    /// Every row carries the index of the node it is in; each level is one pass over the rows that moves them to
    /// their children and counts them, and one pass that sums the histograms of the smaller child of every split
    /// (the larger is the parent's minus the smaller's). Both passes read the rows in order, on all cores.
    func grow(sample: [Int32]?, gradient: [Float], hessian: [Float], allowed: [Bool]) -> GrownTree {
        var tree = GrownTree(depth: depth)
        let lambda = configuration.l2
        let rate = Float(configuration.learningRate)
        let rowCount = trainRows.count
        var node = [UInt16](repeating: sample == nil ? 0 : Self.outside, count: rowCount)
        if let sample { for r in sample { node[Int(r)] = 0 } }
        guard let rootHistogram = histograms(of: [0], node: node, gradient: gradient, hessian: hessian).first else {
            return tree
        }
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
            let built = histograms(of: smaller, node: node, gradient: gradient, hessian: hessian)
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
        let f = features
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
                                    let child = 2 &* k &+ (b[r &* f &+ Int(feature[k])] > s ? 2 : 1)
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

    /// The histograms of the rows marked with each of `nodes`, in one pass over the rows on all cores: each
    /// chunk of rows (``histogramChunks(rows:)``, in row order) is summed separately, the chunks added in order
    /// (deterministic).
    func histograms(of nodes: [Int], node: [UInt16], gradient: [Float], hessian: [Float]) -> [Histogram] {
        let stride = features * 512
        let chunks = Self.histogramChunks(rows: node.count)
        var slot = [Int32](repeating: -1, count: (2 << depth) - 1)
        for (s, n) in nodes.enumerated() { slot[n] = Int32(s) }
        var parts = [Double](repeating: 0, count: chunks * nodes.count * stride)
        let f = features
        parts.withUnsafeMutableBufferPointer { partBuffer in
            binned.withUnsafeBufferPointer { bins in
                gradient.withUnsafeBufferPointer { g in
                    hessian.withUnsafeBufferPointer { h in
                        node.withUnsafeBufferPointer { marks in
                            slot.withUnsafeBufferPointer { slots in
                                guard let out = partBuffer.baseAddress, let b = bins.baseAddress,
                                    let m = marks.baseAddress
                                else { return }
                                let rows = marks.count
                                ParallelRows.concurrentPerform(iterations: chunks) { chunk in
                                    let part = out + chunk * nodes.count * stride
                                    for r in (rows * chunk / chunks)..<(rows * (chunk + 1) / chunks) {
                                        let k = m[r]
                                        guard k != Self.outside else { continue }
                                        let s = Int(slots[Int(k)])
                                        guard s >= 0 else { continue }
                                        let histogram = part + s &* stride
                                        let gv = Double(g[r])
                                        let hv = Double(h[r])
                                        let rowBins = b + r &* f
                                        for c in 0..<f {
                                            let at = c &* 512 &+ 2 &* Int(rowBins[c])
                                            histogram[at] += gv
                                            histogram[at &+ 1] += hv
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return nodes.indices.map { s in
            var sums = [Double](parts[(s * stride)..<((s + 1) * stride)])
            for chunk in 1..<max(1, chunks) {
                let start = (chunk * nodes.count + s) * stride
                sums.withUnsafeMutableBufferPointer { t in
                    parts.withUnsafeBufferPointer { p in
                        for i in t.indices { t[i] += p[start + i] }
                    }
                }
            }
            return Histogram(sums: sums)
        }
    }
}
