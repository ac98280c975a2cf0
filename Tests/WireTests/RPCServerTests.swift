import Domain
import NIOCore
import Testing

@testable import Wire

@Suite("RPC server over loopback", .timeLimit(.minutes(1)))
struct RPCServerTests {
    @Test func healthCheckIsBuiltInWithSettableStatus() async throws {
        try await withServer(services: [TestInferenceService()]) { (server, port) async throws in
            try await withClient(ports: [port]) { (client) async throws in
                let health = HealthClient(wrapping: client)
                #expect(try await health.check().status == .serving)
                #expect(try await health.check(HealthCheckRequest(service: Inference.serviceName)).status == .serving)
                server.healthStatus.set(.notServing, for: Inference.serviceName)
                #expect(
                    try await health.check(HealthCheckRequest(service: Inference.serviceName)).status == .notServing)
                #expect(try await health.check(HealthCheckRequest(service: "txad.v1.Nope")).status == .serviceUnknown)
            }
            #expect(server.methods.contains("txad.v1.Health/Check"))
            #expect(server.methods.contains("txad.v1.Inference/Score"))
        }
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        let missing = MethodDescriptor<HealthCheckRequest, HealthCheckResponse>(
            service: "txad.v1.Alerts", method: "Record", isIdempotent: true)
        try await withServer(services: [TestInferenceService()]) { (_, port) async throws in
            try await withClient(ports: [port]) { (client) async throws in
                let error = await #expect(throws: RPCError.self) {
                    try await client.unary(missing, HealthCheckRequest())
                }
                #expect(error?.code == .unimplemented)
                #expect(error?.message.contains("txad.v1.Alerts/Record") == true)
                // The connection still serves other calls.
                #expect(try await HealthClient(wrapping: client).check().status == .serving)
            }
        }
    }

    @Test func throwingHandlersAnswerWithTheirCodeOrInternal() async throws {
        try await withServer(services: [TestInferenceService()]) { (_, port) async throws in
            try await withClient(ports: [port]) { (client) async throws in
                let inference = InferenceClient(wrapping: client)
                let rpcError = await #expect(throws: RPCError.self) {
                    try await inference.reload(ReloadRequest(version: "rpc-error"))
                }
                #expect(rpcError?.code == .failedPrecondition)
                #expect(rpcError?.message == "bundle v9 is corrupt")
                let plain = await #expect(throws: RPCError.self) {
                    try await inference.reload(ReloadRequest(version: "plain-error"))
                }
                #expect(plain?.code == .internalError)
                #expect(plain?.message.contains("the disk is on fire") == true)
                #expect(plain?.message.contains("txad.v1.Inference/Reload") == true)
                // Same single connection, still fine.
                #expect(try await inference.reload(ReloadRequest(version: "v2")).version == "v2")
            }
        }
    }

    @Test func responsesThatCannotBeSentBecomeErrors() async throws {
        let configuration = RPCServer.Configuration(maximumFrameSize: 64 * 1024)
        try await withServer(services: [TestInferenceService()], configuration: configuration) {
            (_, port) async throws in
            try await withClient(ports: [port]) { (client) async throws in
                let inference = InferenceClient(wrapping: client)
                let huge = await #expect(throws: RPCError.self) {
                    try await inference.reload(ReloadRequest(version: "huge"))
                }
                #expect(huge?.code == .resourceExhausted)
                let nul = await #expect(throws: RPCError.self) {
                    try await inference.reload(ReloadRequest(version: "nul"))
                }
                #expect(nul?.code == .invalidArgument)
                #expect(try await inference.reload(ReloadRequest(version: "v3")).version == "v3")
            }
        }
    }

    @Test func handlerSeesRequestIDDeadlineAndMethod() async throws {
        try await withServer(services: [TestInferenceService()]) { (_, port) async throws in
            try await withClient(ports: [port], defaultDeadline: nil) { (client) async throws in
                let inference = InferenceClient(wrapping: client)
                let withDeadline = try await inference.modelInfo(
                    options: CallOptions(deadline: .seconds(5), requestID: "req-\(Fixtures.unicode)"))
                #expect(withDeadline.version == "req-\(Fixtures.unicode)")
                #expect(withDeadline.created == "deadline")
                #expect(withDeadline.featureNames == ["txad.v1.Inference/ModelInfo"])
                let without = try await inference.modelInfo()
                #expect(without.version == "" && without.created == "no deadline")
            }
        }
    }

    @Test func serverAnswersDeadlineExceededWhileTheHandlerRuns() async throws {
        try await withServer(services: [TestInferenceService()]) { (_, port) async throws in
            try await RawConnection.with(port: port) { inbound, outbound in
                var inbound = inbound
                var deframer = FrameDeframer()
                let request = try ReloadRequest(version: "slow").serialized()
                try await outbound.write(
                    RawConnection.frame(
                        Envelope(callID: 41, method: "txad.v1.Inference/Reload", deadlineMillis: 100, payload: request))
                )
                let reply = try #require(try await RawConnection.nextEnvelope(&inbound, deframer: &deframer))
                #expect(reply.callID == 41)
                #expect(reply.status?.code == .deadlineExceeded)
                #expect(reply.payload.isEmpty)
            }
        }
    }

    @Test func clientDeadlineIsEnforced() async throws {
        try await withServer(services: [TestInferenceService()]) { (_, port) async throws in
            try await withClient(ports: [port]) { (client) async throws in
                let error = await #expect(throws: RPCError.self) {
                    try await InferenceClient(wrapping: client).reload(
                        ReloadRequest(version: "slow"), options: CallOptions(deadline: .milliseconds(150)))
                }
                #expect(error?.code == .deadlineExceeded)
            }
        }
    }

    @Test func partialFramesSeveralFramesPerWriteAndEmptyPayloads() async throws {
        try await withServer(services: [TestInferenceService()]) { (_, port) async throws in
            try await RawConnection.with(port: port) { inbound, outbound in
                var inbound = inbound
                var deframer = FrameDeframer()
                // Three requests in one write: a health check with an empty payload, a zero-length frame (an empty
                // Envelope: call id 0, no method) and a reload.
                var batch = try RawConnection.frame(Envelope(callID: 1, method: "txad.v1.Health/Check"))
                batch.writeBytes([0, 0, 0, 0])
                var reload = try RawConnection.frame(
                    Envelope(
                        callID: 3, method: "txad.v1.Inference/Reload",
                        payload: try ReloadRequest(version: "v7").serialized()))
                batch.writeBuffer(&reload)
                try await outbound.write(batch)
                var replies: [UInt64: Envelope] = [:]
                for _ in 0..<3 {
                    let reply = try #require(try await RawConnection.nextEnvelope(&inbound, deframer: &deframer))
                    replies[reply.callID] = reply
                }
                #expect(try HealthCheckResponse(serializedBytes: try #require(replies[1]).payload).status == .serving)
                #expect(replies[0]?.status?.code == .unimplemented)
                #expect(try ReloadResponse(serializedBytes: try #require(replies[3]).payload).version == "v7")

                // One request written a byte at a time.
                let single = try RawConnection.frame(
                    Envelope(
                        callID: 4, method: "txad.v1.Inference/Reload",
                        payload: try ReloadRequest(version: "v8").serialized()))
                for byte in single.readableBytesView {
                    try await outbound.write(ByteBuffer(bytes: [byte]))
                }
                let reply = try #require(try await RawConnection.nextEnvelope(&inbound, deframer: &deframer))
                #expect(reply.callID == 4)
                #expect(try ReloadResponse(serializedBytes: reply.payload).version == "v8")
            }
        }
    }

    @Test func undecodablePayloadIsInvalidArgumentAndTheConnectionStays() async throws {
        try await withServer(services: [TestInferenceService()]) { (_, port) async throws in
            try await RawConnection.with(port: port) { inbound, outbound in
                var inbound = inbound
                var deframer = FrameDeframer()
                try await outbound.write(
                    RawConnection.frame(
                        Envelope(callID: 9, method: "txad.v1.Inference/Score", payload: [0xFF, 0xFF, 0xFF])))
                let reply = try #require(try await RawConnection.nextEnvelope(&inbound, deframer: &deframer))
                #expect(reply.callID == 9)
                #expect(reply.status?.code == .invalidArgument)
                try await outbound.write(RawConnection.frame(Envelope(callID: 10, method: "txad.v1.Health/Check")))
                let next = try #require(try await RawConnection.nextEnvelope(&inbound, deframer: &deframer))
                #expect(next.callID == 10 && next.status?.code == .ok)
            }
        }
    }

    @Test func garbageClosesOnlyThatConnection() async throws {
        try await withServer(services: [TestInferenceService()]) { (_, port) async throws in
            // A frame whose body is not an Envelope but starts with a call id: error reply, then close.
            try await RawConnection.with(port: port) { inbound, outbound in
                var inbound = inbound
                var deframer = FrameDeframer()
                try await outbound.write(ByteBuffer(bytes: [0, 0, 0, 5, 0x08, 0x2A, 0xFF, 0xFF, 0xFF]))
                let reply = try #require(try await RawConnection.nextEnvelope(&inbound, deframer: &deframer))
                #expect(reply.callID == 42)
                #expect(reply.status?.code == .invalidArgument)
                #expect(try await RawConnection.nextEnvelope(&inbound, deframer: &deframer) == nil)
            }
            // Random bytes: closed without a reply.
            try await RawConnection.with(port: port) { inbound, outbound in
                var inbound = inbound
                var deframer = FrameDeframer()
                try await outbound.write(ByteBuffer(bytes: [0, 0, 0, 3, 0xFF, 0xFE, 0xFD]))
                #expect(try await RawConnection.nextEnvelope(&inbound, deframer: &deframer) == nil)
            }
            // The server still serves.
            try await withClient(ports: [port]) { (client) async throws in
                #expect(try await HealthClient(wrapping: client).check().status == .serving)
            }
        }
    }

    @Test func oversizedFrameIsAnsweredAndCutOff() async throws {
        let configuration = RPCServer.Configuration(maximumFrameSize: 1024)
        try await withServer(services: [TestInferenceService()], configuration: configuration) {
            (_, port) async throws in
            try await RawConnection.with(port: port) { inbound, outbound in
                var inbound = inbound
                var deframer = FrameDeframer()
                // Announce 100 MB, send the start of an envelope (call id 77) and keep sending: the server must reply
                // and close instead of buffering.
                var start = ByteBuffer(bytes: [0x05, 0xF5, 0xE1, 0x00, 0x08, 0x4D])
                start.writeBytes([UInt8](repeating: 0x12, count: 512))
                try await outbound.write(start)
                let reply = try #require(try await RawConnection.nextEnvelope(&inbound, deframer: &deframer))
                #expect(reply.callID == 77)
                #expect(reply.status?.code == .resourceExhausted)
                #expect(try await RawConnection.nextEnvelope(&inbound, deframer: &deframer) == nil)
            }
            try await withClient(ports: [port]) { (client) async throws in
                #expect(try await HealthClient(wrapping: client).check().status == .serving)
            }
        }
    }

    @Test func gracefulShutdownLetsCallsInFlightFinish() async throws {
        let gate = Gate()
        var service = TestInferenceService()
        service.scoreBehavior = { request, _ in
            await gate.pass()
            return ScoreResponse(scores: request.vectors.map { Fixtures.score($0.transactionID, reasons: 0) })
        }
        let server = RPCServer(
            configuration: RPCServer.Configuration(shutdownGracePeriod: .seconds(30)), services: [service],
            logger: .quiet)
        let port = try #require(try await server.listen().port)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            try await withClient(ports: [port]) { (client) async throws in
                let inference = InferenceClient(wrapping: client)
                async let inFlight = inference.score(ScoreRequest(vectors: [Fixtures.featureVector("held")]))
                try await gate.waitUntilEntered(1)
                server.beginGracefulShutdown()
                #expect(server.healthStatus.status(for: "") == .notServing)
                gate.open()
                #expect(try await inFlight.scores.map(\.transactionID) == ["held"])
            }
            try await group.waitForAll()  // run() returned by itself once the call was answered
        }
        let error = await #expect(throws: RPCError.self) { try await server.listen() }
        #expect(error?.code == .failedPrecondition)
    }

    @Test func gracefulShutdownClosesWhatIsLeftAfterTheGracePeriod() async throws {
        let gate = Gate()
        var service = TestInferenceService()
        service.scoreBehavior = { _, _ in
            await gate.pass()
            return ScoreResponse()
        }
        let server = RPCServer(
            configuration: RPCServer.Configuration(shutdownGracePeriod: .milliseconds(200)), services: [service],
            logger: .quiet)
        let port = try #require(try await server.listen().port)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            try await withClient(ports: [port]) { (client) async throws in
                let inference = InferenceClient(wrapping: client)
                let stuck = Task { try await inference.score(ScoreRequest(vectors: [Fixtures.featureVector("stuck")])) }
                try await gate.waitUntilEntered(1)
                server.beginGracefulShutdown()
                let error = await #expect(throws: RPCError.self) { try await stuck.value }
                #expect(error?.code == .unavailable)
                gate.open()
            }
            try await group.waitForAll()
        }
    }

    @Test func bindingABusyPortIsUnavailable() async throws {
        try await withServer(services: []) { (_, port) async throws in
            let second = RPCServer(configuration: RPCServer.Configuration(port: port), services: [], logger: .quiet)
            let error = await #expect(throws: RPCError.self) { try await second.listen() }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("\(port)") == true)
        }
    }
}
