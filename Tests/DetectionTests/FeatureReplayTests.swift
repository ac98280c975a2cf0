import Domain
import Testing

@testable import Detection

@Suite struct FeatureReplayTests {
    let data: GeneratedData

    init() throws {
        data = try TransactionGenerator(configuration: GeneratorConfiguration(count: 6000, users: 40, seed: 11))
            .generate()
    }

    /// Training/serving parity: online, one transaction at a time with the state serialized and deserialized
    /// between every transaction (as through Redis), gives exactly the offline replay's values.
    @Test func onlineWithSerializedStateEqualsOfflineReplay() throws {
        let transactions = data.transactions
        let priors = try FeaturePriors.fit(transactions)
        let offline = FeatureReplay(priors: priors).run(transactions, options: .init(keepRaw: true, keepStates: true))
        let extractor = FeatureExtractor(priors: priors)
        var store: [String: [UInt8]] = [:]
        for (i, t) in transactions.enumerated() {
            let state = try store[t.userID].map { try UserState(serialized: $0) } ?? UserState()
            let online = extractor.extract(t, state: state)
            let row = Array(offline.matrix[row: i])
            #expect(online.values.map(\.bitPattern) == row.map(\.bitPattern), "row \(i)")
            #expect(online.raw == offline.raw[i], "row \(i)")
            store[t.userID] = online.nextState.serialized()
        }
        for (user, bytes) in store { #expect(try UserState(serialized: bytes) == offline.finalStates[user]) }
    }

    @Test func parallelReplayEqualsSequentialReplay() throws {
        let transactions = data.transactions
        let replay = FeatureReplay(priors: try FeaturePriors.fit(transactions))
        let sequential = replay.run(transactions, options: .init(keepRaw: true, keepStates: true, workers: 1))
        for workers in [2, 3, 64] {
            let parallel = replay.run(transactions, options: .init(keepRaw: true, keepStates: true, workers: workers))
            #expect(parallel.matrix == sequential.matrix, "\(workers) workers")
            #expect(parallel.raw == sequential.raw, "\(workers) workers")
            #expect(parallel.finalStates == sequential.finalStates, "\(workers) workers")
        }
    }

    @Test func rowsComeBackInInputOrderWhateverTheOrderGiven() throws {
        let transactions = data.transactions
        let replay = FeatureReplay(priors: .neutral)
        let sorted = replay.run(transactions)
        var rng = Xoshiro256StarStar(seed: 1)
        var permutation = Array(transactions.indices)
        for i in permutation.indices.reversed() { permutation.swapAt(i, rng.nextInt(below: i + 1)) }
        let shuffled = replay.run(permutation.map { transactions[$0] })
        for (position, original) in permutation.enumerated() {
            #expect(shuffled.matrix[row: position] == sorted.matrix[row: original])
        }
    }

    @Test func sessionBatchesEqualOneReplay() throws {
        let transactions = data.transactions
        let priors = try FeaturePriors.fit(transactions)
        let whole = FeatureReplay(priors: priors).run(transactions, options: .init(keepRaw: true, keepStates: true))
        var session = FeatureReplaySession(priors: priors)
        var start = 0
        for size in [1, 999, 2000, 17, 5000] where start < transactions.count {
            let end = min(start + size, transactions.count)
            let batch = Array(transactions[start..<end])
            let part = session.run(batch, options: .init(keepRaw: true, keepStates: true, workers: size % 3 + 1))
            for i in 0..<batch.count {
                #expect(part.matrix[row: i] == whole.matrix[row: start + i], "row \(start + i)")
                #expect(part.raw[i] == whole.raw[start + i], "row \(start + i)")
            }
            #expect(Set(part.finalStates.keys) == Set(batch.map(\.userID)))
            start = end
        }
        #expect(session.currentStates == whole.finalStates)
        #expect(session.userCount == whole.finalStates.count)
    }

    @Test func equalTimestampsKeepInputOrder() {
        let t = Transaction(transactionID: "a", userID: "u", timestampMillis: 1000, amount: 5)
        var later = t
        later.timestampMillis = 500
        var same = t
        same.transactionID = "b"
        same.amount = 500
        let replay = FeatureReplay(priors: .neutral)
        let result = replay.run([t, later, same], options: .init(keepRaw: true))
        #expect(result.raw.map(\.historyCount) == [1, 0, 2])
    }

    @Test func initialStatesContinueHistory() {
        let transactions = data.transactions
        let half = transactions.count / 2
        let replay = FeatureReplay(priors: .neutral)
        let whole = replay.run(transactions)
        let first = replay.run(Array(transactions[..<half]), options: .init(keepStates: true))
        let second = replay.run(Array(transactions[half...]), initialStates: first.finalStates)
        for i in 0..<(transactions.count - half) { #expect(second.matrix[row: i] == whole.matrix[row: half + i]) }
    }

    @Test func emptyInput() {
        let result = FeatureReplay(priors: .neutral).run([])
        #expect(result.matrix.rows == 0)
        #expect(result.matrix.columns == FeatureSchema.current.count)
    }
}
