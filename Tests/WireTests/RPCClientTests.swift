import Domain
import NIOCore
import Synchronization
import Testing

@testable import Wire

@Suite("RPC client over loopback", .timeLimit(.minutes(1)))
struct RPCClientTests {
    @Test func thousandConcurrentCallsOverFourConnectionsAnsweredOutOfOrder() async throws {
        let peers = Mutex<Set<String>>([])
        let order = Mutex<(started: [String], finished: [String])>(([], []))
        var service = TestInferenceService()
        service.scoreBehavior = { request, context in
            let id = request.vectors.first?.transactionID ?? ""
            peers.withLock { _ = $0.insert(context.remoteAddress) }
            order.withLock { $0.started.append(id) }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...20)))
            order.withLock { $0.finished.append(id) }
            return ScoreResponse(scores: [Fixtures.score(id, reasons: 1)])
        }
        try await withServer(services: [service]) { (_, port) async throws in
            try await withClient(ports: [port], connectionsPerTarget: 4) { (client) async throws in
                let inference = InferenceClient(wrapping: client)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for i in 0..<1_000 {
                        group.addTask {
                            let id = "tx-\(i)"
                            let response = try await inference.score(
                                ScoreRequest(vectors: [Fixtures.featureVector(id, count: 4)]),
                                options: CallOptions(requestID: "r\(i)"))
                            #expect(response.scores.map(\.transactionID) == [id])
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
        #expect(peers.withLock { $0.count } == 4)
        let (started, finished) = order.withLock { ($0.started, $0.finished) }
        #expect(started.count == 1_000 && Set(finished) == Set(started))
        #expect(started != finished, "with random handler times the answers must come back out of order")
    }

    @Test func peerDownIsUnavailable() async throws {
        let port = try await closedPort()
        try await withClient(ports: [port], connectionsPerTarget: 2) { (client) async throws in
            for _ in 0..<5 {
                let error = await #expect(throws: RPCError.self) { try await HealthClient(wrapping: client).check() }
                #expect(error?.code == .unavailable)
                #expect(error?.message.contains("127.0.0.1:\(port)") == true)
            }
        }
    }

    @Test func clientRecoversWhenTheServerRestarts() async throws {
        let first = RPCServer(
            configuration: RPCServer.Configuration(), services: [TestInferenceService()], logger: .quiet)
        let port = try #require(try await first.listen().port)
        try await withClient(ports: [port], connectionsPerTarget: 2) { (client) async throws in
            let health = HealthClient(wrapping: client)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await first.run() }
                #expect(try await health.check().status == .serving)
                group.cancelAll()
                try await group.waitForAll()
            }
            // Down: calls fail with UNAVAILABLE, none hangs.
            let down = await #expect(throws: RPCError.self) { try await health.check() }
            #expect(down?.code == .unavailable)

            let second = RPCServer(
                configuration: RPCServer.Configuration(port: port), services: [TestInferenceService()], logger: .quiet)
            try await second.listen()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await second.run() }
                var recovered = false
                for _ in 0..<100 where !recovered {
                    do throws(RPCError) {
                        recovered = try await health.check().status == .serving
                    } catch {
                        #expect(error.code == .unavailable)
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
                #expect(recovered)
                group.cancelAll()
                try await group.waitForAll()
            }
        }
    }

    @Test func deadlineWhenThePeerNeverAnswers() async throws {
        let blackHole = try await MisbehavingServer(mode: .blackHole)
        try await withClient(ports: [blackHole.port]) { (client) async throws in
            let error = await #expect(throws: RPCError.self) {
                try await HealthClient(wrapping: client).check(options: CallOptions(deadline: .milliseconds(200)))
            }
            #expect(error?.code == .deadlineExceeded)
        }
        await blackHole.close()
    }

    @Test func onlyIdempotentCallsAreRetriedAfterAConnectionDrops() async throws {
        // A peer that accepts, reads the request and closes: every attempt reaches it and fails after sending.
        let dropper = try await MisbehavingServer(mode: .closeOnRead)
        try await withClient(ports: [dropper.port]) { (client) async throws in
            let idempotent = await #expect(throws: RPCError.self) { try await HealthClient(wrapping: client).check() }
            #expect(idempotent?.code == .unavailable)
            #expect(dropper.reads.count == 3, "an idempotent call is tried maximumAttempts (3) times")

            let before = dropper.reads.count
            let notIdempotent = await #expect(throws: RPCError.self) {
                try await PreprocessingClient(wrapping: client).preprocess(
                    PreprocessRequest(transactions: [Fixtures.transaction()]))
            }
            #expect(notIdempotent?.code == .unavailable)
            #expect(dropper.reads.count - before == 1, "a call that is not idempotent is sent once")
        }
        await dropper.close()
    }

    @Test func idempotentCallsFailOverToAHealthyTarget() async throws {
        let dropper = try await MisbehavingServer(mode: .closeOnRead)
        try await withServer(services: []) { (_, port) async throws in
            try await withClient(ports: [dropper.port, port]) { (client) async throws in
                let health = HealthClient(wrapping: client)
                for _ in 0..<10 {
                    #expect(try await health.check().status == .serving)
                }
            }
        }
        await dropper.close()
    }

    @Test func requestsThatCannotBeEncodedAreRefusedLocally() async throws {
        try await withServer(services: [TestInferenceService()]) { (_, port) async throws in
            try await withClient(ports: [port], maximumFrameSize: 4096) { (client) async throws in
                let inference = InferenceClient(wrapping: client)
                let nul = await #expect(throws: RPCError.self) {
                    try await inference.reload(ReloadRequest(version: "v\0"))
                }
                #expect(nul?.code == .invalidArgument)
                let big = await #expect(throws: RPCError.self) {
                    try await inference.score(Fixtures.scoreRequest(count: 100))
                }
                #expect(big?.code == .resourceExhausted)
                let badRequestID = await #expect(throws: RPCError.self) {
                    try await inference.modelInfo(options: CallOptions(requestID: "a\0b"))
                }
                #expect(badRequestID?.code == .invalidArgument)
                #expect(try await inference.reload(ReloadRequest(version: "ok")).version == "ok")
            }
        }
    }

    @Test func responsesLargerThanTheClientMaximumAreRefused() async throws {
        try await withServer(services: [TestInferenceService()]) { (_, port) async throws in
            try await withClient(ports: [port], maximumFrameSize: 64 * 1024) { (client) async throws in
                let inference = InferenceClient(wrapping: client)
                let error = await #expect(throws: RPCError.self) {
                    try await inference.reload(ReloadRequest(version: "huge"))
                }
                #expect(error?.code == .resourceExhausted)
                // The connection was cut off; the next call reconnects.
                #expect(try await inference.reload(ReloadRequest(version: "small")).version == "small")
            }
        }
    }

    @Test func largePayloadsRoundTrip() async throws {
        try await withServer(services: [TestInferenceService()]) { (_, port) async throws in
            try await withClient(ports: [port]) { (client) async throws in
                let request = Fixtures.scoreRequest(count: 1_000)
                let response = try await InferenceClient(wrapping: client).score(request)
                #expect(response.scores.map(\.transactionID) == request.vectors.map(\.transactionID))
            }
        }
    }

    @Test func cancellingTheCallerCancelsTheCall() async throws {
        try await withServer(services: [TestInferenceService()]) { (_, port) async throws in
            try await withClient(ports: [port]) { (client) async throws in
                let inference = InferenceClient(wrapping: client)
                let task = Task { try await inference.reload(ReloadRequest(version: "slow")) }
                try await Task.sleep(for: .milliseconds(100))
                task.cancel()
                let error = await #expect(throws: RPCError.self) { try await task.value }
                #expect(error?.code == .cancelled)
                #expect(try await inference.reload(ReloadRequest(version: "after")).version == "after")
            }
        }
    }

    @Test func invalidConfigurationFailsEveryCallWithTheFieldNamed() async throws {
        let client = RPCClient(configuration: RPCClient.Configuration(targets: []), logger: .quiet)
        let error = await #expect(throws: RPCError.self) { try await HealthClient(wrapping: client).check() }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("targets") == true)
        let zero = RPCClient.Configuration(targets: [.init(host: "h", port: 1)], connectionsPerTarget: 0)
        #expect(throws: RPCError.self) { try zero.validate() }
    }

    @Test func closedClientRefusesCalls() async throws {
        try await withServer(services: []) { (_, port) async throws in
            let client = RPCClient(
                configuration: RPCClient.Configuration(targets: [.init(host: "127.0.0.1", port: port)]), logger: .quiet)
            #expect(try await HealthClient(wrapping: client).check().status == .serving)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                try await Task.sleep(for: .milliseconds(20))
                group.cancelAll()
                try await group.waitForAll()
            }
            let error = await #expect(throws: RPCError.self) { try await HealthClient(wrapping: client).check() }
            #expect(error?.code == .unavailable)
        }
    }
}

@Suite("RPC client on its own event loop", .timeLimit(.minutes(1)))
struct RPCClientEventLoopTests {
    @Test func callsFromTasksPreferringTheClientLoopSucceed() async throws {
        try await withServer(services: [TestInferenceService()]) { (_, port) async throws in
            try await withClient(ports: [port], connectionsPerTarget: 4) { (client) async throws in
                let inference = InferenceClient(wrapping: client)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for i in 0..<200 {
                        group.addTask(executorPreference: client.eventLoopTaskExecutor()) {
                            let response = try await inference.reload(ReloadRequest(version: "v\(i)"))
                            #expect(response.version == "v\(i)")
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }
}

@Suite("RPC server limits", .timeLimit(.minutes(1)))
struct RPCServerLimitTests {
    @Test func callsBeyondTheConcurrencyLimitAreRefused() async throws {
        let gate = Gate()
        var service = TestInferenceService()
        service.scoreBehavior = { request, _ in
            await gate.pass()
            return ScoreResponse(scores: request.vectors.map { Fixtures.score($0.transactionID, reasons: 0) })
        }
        let configuration = RPCServer.Configuration(maximumConcurrentCallsPerConnection: 2)
        try await withServer(services: [service], configuration: configuration) { (_, port) async throws in
            try await withClient(ports: [port]) { (client) async throws in
                let inference = InferenceClient(wrapping: client)
                async let first = inference.score(ScoreRequest(vectors: [Fixtures.featureVector("a")]))
                async let second = inference.score(ScoreRequest(vectors: [Fixtures.featureVector("b")]))
                try await gate.waitUntilEntered(2)
                let third = await #expect(throws: RPCError.self) {
                    try await inference.score(ScoreRequest(vectors: [Fixtures.featureVector("c")]))
                }
                #expect(third?.code == .resourceExhausted)
                gate.open()
                #expect(try await first.scores.map(\.transactionID) == ["a"])
                #expect(try await second.scores.map(\.transactionID) == ["b"])
                #expect(try await inference.reload(ReloadRequest(version: "after")).version == "after")
            }
        }
    }
}
