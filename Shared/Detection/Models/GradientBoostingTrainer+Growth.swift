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

    /// The leaf value of training row `i` (by bins).
    @inline(__always)
    func value(binnedRow i: Int, binned: [UInt8], features: Int) -> Float {
        var node = 0
        for _ in 0..<depth {
            node = 2 * node + 1 + (binned[i * features + Int(feature[node])] > bin[node] ? 1 : 0)
        }
        return value[node]
    }

    /// The leaf value of a raw row, using the bin edges through the trainer's threshold table.
    var thresholds: [Float] = []

    @inline(__always)
    func value(row: ArraySlice<Float>) -> Float {
        var node = 0
        let start = row.startIndex
        for _ in 0..<depth {
            node = 2 * node + 1 + (row[start + Int(feature[node])] > thresholds[node] ? 1 : 0)
        }
        return value[node]
    }
}

extension GradientBoostingTrainer {
    /// Gradient and hessian sums per (feature, bin) of one node, interleaved (`2 × slot` gradient, `2 × slot + 1`
    /// hessian, slot = feature × 256 + bin) so one row's update touches one cache line per feature.
    struct Histogram {
        var sums: [Double]

        init(size: Int) {
            sums = [Double](repeating: 0, count: 2 * size)
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

    /// A node being grown: its range in the row order, sums, and histogram.
    private struct Node {
        var index: Int
        var range: Range<Int>
        var gradient: Double
        var hessian: Double
        var histogram: Histogram
    }

    /// Grows one depth-limited tree on `rows` (positions into the training rows).
    func grow(rows: [Int32], gradient: [Float], hessian: [Float], allowed: [Bool]) -> GrownTree {
        var tree = GrownTree(depth: depth)
        let lambda = configuration.l2
        let rate = Float(configuration.learningRate)
        var order = rows
        var scratch = rows
        var g0 = 0.0
        var h0 = 0.0
        for r in rows {
            g0 += Double(gradient[Int(r)])
            h0 += Double(hessian[Int(r)])
        }
        let rootHistogram = histogram(order[...], gradient: gradient, hessian: hessian)
        var level = [Node(index: 0, range: 0..<order.count, gradient: g0, hessian: h0, histogram: rootHistogram)]
        let innerCount = (1 << depth) - 1
        tree.value[0] = Float(-g0 / (h0 + lambda)) * rate
        for _ in 0..<depth {
            var next: [Node] = []
            for node in level {
                guard
                    let split = bestSplit(
                        node.histogram, gradient: node.gradient, hessian: node.hessian, allowed: allowed)
                else { continue }
                tree.feature[node.index] = Int32(split.feature)
                tree.bin[node.index] = UInt8(split.bin)
                // Stable partition of the node's rows: left (bin ≤ split) first.
                var l = node.range.lowerBound
                var rCount = 0
                for p in node.range {
                    let row = order[p]
                    if binned[Int(row) * features + split.feature] <= UInt8(split.bin) {
                        order[l] = row
                        l += 1
                    } else {
                        scratch[rCount] = row
                        rCount += 1
                    }
                }
                for k in 0..<rCount { order[l + k] = scratch[k] }
                let leftRange = node.range.lowerBound..<l
                let rightRange = l..<node.range.upperBound
                let leftIndex = 2 * node.index + 1
                tree.value[leftIndex] = Float(-split.leftGradient / (split.leftHessian + lambda)) * rate
                let rightGradient = node.gradient - split.leftGradient
                let rightHessian = node.hessian - split.leftHessian
                tree.value[leftIndex + 1] = Float(-rightGradient / (rightHessian + lambda)) * rate
                guard leftIndex < innerCount else { continue }
                // Build the smaller child's histogram, subtract for the larger.
                let leftSmaller = leftRange.count <= rightRange.count
                let small = histogram(
                    order[leftSmaller ? leftRange : rightRange], gradient: gradient, hessian: hessian)
                let large = Histogram.difference(node.histogram, small)
                next.append(
                    Node(
                        index: leftIndex, range: leftRange, gradient: split.leftGradient, hessian: split.leftHessian,
                        histogram: leftSmaller ? small : large))
                next.append(
                    Node(
                        index: leftIndex + 1, range: rightRange, gradient: rightGradient, hessian: rightHessian,
                        histogram: leftSmaller ? large : small))
            }
            level = next
        }
        // Unsplit nodes pass their value down so every walk ends at the value where growth stopped.
        for n in 0..<innerCount where tree.bin[n] == GrownTree.noSplit {
            tree.value[2 * n + 1] = tree.value[n]
            tree.value[2 * n + 2] = tree.value[n]
        }
        tree.thresholds = (0..<innerCount).map { n in
            tree.bin[n] == GrownTree.noSplit ? .infinity : bins.edges[Int(tree.feature[n])][Int(tree.bin[n])]
        }
        return tree
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

    /// The histogram of `rows`, summed on all cores in a fixed partition (deterministic).
    func histogram(_ rows: ArraySlice<Int32>, gradient: [Float], hessian: [Float]) -> Histogram {
        let size = features * 256
        let chunks = rows.count >= 65_536 ? ParallelRows.workerCount : 1
        var parts = [Histogram](repeating: Histogram(size: 0), count: chunks)
        let f = features
        binned.withUnsafeBufferPointer { bins in
            gradient.withUnsafeBufferPointer { g in
                hessian.withUnsafeBufferPointer { h in
                    rows.withUnsafeBufferPointer { r in
                        parts.withUnsafeMutableBufferPointer { out in
                            guard let outBase = out.baseAddress else { return }
                            ParallelRows.concurrentPerform(iterations: chunks) { chunk in
                                var part = Histogram(size: size)
                                let lower = r.count * chunk / chunks
                                let upper = r.count * (chunk + 1) / chunks
                                part.sums.withUnsafeMutableBufferPointer { ps in
                                    for p in lower..<upper {
                                        let row = Int(r[p])
                                        let gv = Double(g[row])
                                        let hv = Double(h[row])
                                        let rowBins = row * f
                                        for c in 0..<f {
                                            let slot = 2 * (c * 256 + Int(bins[rowBins + c]))
                                            ps[slot] += gv
                                            ps[slot + 1] += hv
                                        }
                                    }
                                }
                                (outBase + chunk).pointee = part
                            }
                        }
                    }
                }
            }
        }
        var total = parts[0]
        for part in parts.dropFirst() {
            total.sums.withUnsafeMutableBufferPointer { t in
                part.sums.withUnsafeBufferPointer { p in
                    for i in t.indices { t[i] += p[i] }
                }
            }
        }
        return total
    }
}
