import NIOCore
import Testing

@testable import Wire

@Suite("Frame deframer (no channel)")
struct FrameDeframerTests {
    private func frame(_ body: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        let length = UInt32(body.count)
        bytes += [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
        return bytes + body
    }

    private func drain(_ deframer: inout FrameDeframer) throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        while let frame = try deframer.nextFrame() {
            frames.append(Array(frame.readableBytesView))
        }
        return frames
    }

    @Test func severalFramesInOneRead() throws {
        var deframer = FrameDeframer()
        deframer.append(ByteBuffer(bytes: frame([1, 2, 3]) + frame([]) + frame([4])))
        #expect(try drain(&deframer) == [[1, 2, 3], [], [4]])
        #expect(deframer.bufferedByteCount == 0)
    }

    @Test func framesSplitAtEveryByte() throws {
        let bodies: [[UInt8]] = [Array(0..<200), [], [9, 9], Array(repeating: 7, count: 1000)]
        let stream = bodies.flatMap(frame)
        var deframer = FrameDeframer()
        var frames: [[UInt8]] = []
        for byte in stream {
            deframer.append(ByteBuffer(bytes: [byte]))
            frames += try drain(&deframer)
        }
        #expect(frames == bodies)
    }

    @Test func framesSplitInRandomChunks() throws {
        var generator = SystemRandomNumberGenerator()
        let bodies: [[UInt8]] = (0..<200).map { i in
            (0..<Int.random(in: 0..<300, using: &generator)).map { UInt8(truncatingIfNeeded: $0 + i) }
        }
        let stream = bodies.flatMap(frame)
        var deframer = FrameDeframer()
        var frames: [[UInt8]] = []
        var offset = 0
        while offset < stream.count {
            let end = min(stream.count, offset + Int.random(in: 1...700, using: &generator))
            deframer.append(ByteBuffer(bytes: stream[offset..<end]))
            frames += try drain(&deframer)
            offset = end
        }
        #expect(frames == bodies)
    }

    @Test func oversizedFrameIsRefusedBeforeItsBodyArrives() throws {
        var deframer = FrameDeframer(maximumFrameSize: 1024)
        // Header announcing 1025 bytes, and only a few bytes of body.
        deframer.append(ByteBuffer(bytes: [0, 0, 4, 1, 0x08, 0x2A]))
        let error = #expect(throws: RPCError.self) { try deframer.nextFrame() }
        #expect(error?.code == .resourceExhausted)
        #expect(error?.message.contains("1025") == true)
        #expect(deframer.peekCallID() == 42)
        // Exactly the maximum is fine.
        var exact = FrameDeframer(maximumFrameSize: 4)
        exact.append(ByteBuffer(bytes: frame([1, 2, 3, 4])))
        #expect(try drain(&exact) == [[1, 2, 3, 4]])
    }

    @Test func hugeAnnouncedFrameIsNotBuffered() throws {
        var deframer = FrameDeframer()
        deframer.append(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF]))
        #expect(throws: RPCError.self) { try deframer.nextFrame() }
        #expect(deframer.bufferedByteCount == 4)
    }

    @Test func peekCallID() {
        func peek(_ bytes: [UInt8]) -> UInt64? {
            bytes.withUnsafeBytes { FrameDeframer.peekCallID(inEnvelope: $0) }
        }
        #expect(peek([0x08, 0x01]) == 1)
        #expect(peek([0x08, 0xAC, 0x02, 0x12]) == 300)
        #expect(peek([0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) == UInt64.max)
        #expect(peek([0x08, 0x80]) == nil)  // incomplete varint
        #expect(peek([0x12, 0x01]) == nil)  // does not start with call_id
        #expect(peek([]) == nil)
    }
}

@Suite("Envelope frames")
struct EnvelopeCodecTests {
    @Test func fastPathMatchesPackingTheWholeEnvelope() throws {
        let payloads: [any WireMessage] = [
            ModelInfoRequest(), HealthCheckRequest(service: "txad.v1.Inference"), Fixtures.scoreResponse(count: 1_000),
            Fixtures.scoreRequest(count: 3),
        ]
        for payload in payloads {
            for head in [
                EnvelopeHead(callID: 7, method: "txad.v1.Inference/Score", deadlineMillis: 250, requestID: "req-1"),
                EnvelopeHead(callID: UInt64.max, status: RPCStatus(code: .ok)),
                EnvelopeHead(callID: 0, status: RPCStatus(code: .internalError, message: Fixtures.unicode)),
            ] {
                var frame = try EnvelopeCodec.makeFrame(
                    head: head, payload: payload, maximumFrameSize: .max, allocator: ByteBufferAllocator())
                let header = frame.readInteger(as: UInt32.self)
                let length = try #require(header)
                #expect(Int(length) == frame.readableBytes)
                let reference = Envelope(
                    callID: head.callID, method: head.method, deadlineMillis: head.deadlineMillis,
                    requestID: head.requestID, status: head.status, payload: try payload.serialized())
                #expect(Array(frame.readableBytesView) == (try reference.serialized()))
                #expect(try Envelope(serializedBytes: frame) == reference)
            }
        }
    }

    @Test func frameLargerThanTheMaximumIsRefused() throws {
        let error = #expect(throws: RPCError.self) {
            try EnvelopeCodec.makeFrame(
                head: EnvelopeHead(callID: 1), payload: Fixtures.scoreResponse(count: 100), maximumFrameSize: 1_000,
                allocator: ByteBufferAllocator())
        }
        #expect(error?.code == .resourceExhausted)
    }

    @Test func envelopeViewReadsEveryField() throws {
        let payload = HealthCheckRequest(service: "svc")
        let frame = try EnvelopeCodec.makeFrame(
            head: EnvelopeHead(
                callID: 99, method: "txad.v1.Health/Check", deadlineMillis: 5, requestID: "r",
                status: RPCStatus(code: .notFound, message: "m")),
            payload: payload, maximumFrameSize: .max, allocator: ByteBufferAllocator())
        let body = frame.getSlice(at: 4, length: frame.readableBytes - 4) ?? ByteBuffer()
        let decoded = try EnvelopeCodec.withEnvelope(in: body) { (envelope, arena) throws(RPCError) in
            (
                envelope.callID, try envelope.method(), envelope.deadlineMillis, try envelope.requestID(),
                try envelope.status(), try HealthCheckRequest(_unpacking: envelope.payload, arena: &arena),
                String(decoding: envelope.methodBytes, as: UTF8.self)
            )
        }
        #expect(decoded.0 == 99 && decoded.1 == "txad.v1.Health/Check" && decoded.2 == 5 && decoded.3 == "r")
        #expect(decoded.4 == RPCStatus(code: .notFound, message: "m"))
        #expect(decoded.5 == payload)
        #expect(decoded.6 == "txad.v1.Health/Check")
    }
}

@Suite("Deadline queue and backoff")
struct DeadlineQueueTests {
    @Test func popsInDeadlineOrderAndSkipsNothingLive() {
        var queue = DeadlineQueue()
        let base = NIODeadline.uptimeNanoseconds(1_000_000)
        var generator = SystemRandomNumberGenerator()
        var expected: [(UInt64, Int64)] = []
        for id in 0..<500 as Range<UInt64> {
            let offset = Int64.random(in: 0..<10_000, using: &generator)
            expected.append((id, offset))
            queue.insert(callID: id, deadline: base + .nanoseconds(offset))
        }
        let popped = queue.popExpired(now: base + .nanoseconds(5_000))
        let due = expected.filter { $0.1 <= 5_000 }.sorted { $0.1 < $1.1 }
        #expect(popped.count == due.count)
        #expect(Set(popped) == Set(due.map(\.0)))
        #expect(queue.count == 500 - due.count)
        #expect(queue.popExpired(now: base + .nanoseconds(20_000)).count == 500 - due.count)
        #expect(queue.earliest == nil)
    }

    @Test func compactionDropsOnlyStaleEntries() {
        var queue = DeadlineQueue()
        let base = NIODeadline.uptimeNanoseconds(1_000)
        for id in 0..<1_000 as Range<UInt64> {
            queue.insert(callID: id, deadline: base + .nanoseconds(Int64(id)))
        }
        let live: Set<UInt64> = [3, 500, 999]
        queue.compact(liveCount: live.count) { live.contains($0) }
        #expect(queue.count == 3)
        #expect(queue.popExpired(now: base + .nanoseconds(2_000)) == [3, 500, 999])
    }

    @Test func backoffGrowsCapsAndJitters() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2, jitter: 0)
        #expect(backoff.delay(afterFailures: 1) == .milliseconds(100))
        #expect(backoff.delay(afterFailures: 2) == .milliseconds(200))
        #expect(backoff.delay(afterFailures: 4) == .milliseconds(800))
        #expect(backoff.delay(afterFailures: 10) == .seconds(1))
        let jittered = Backoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2, jitter: 0.2)
        let delays = (0..<200).map { _ in jittered.delay(afterFailures: 1) }
        #expect(delays.allSatisfy { $0 >= .milliseconds(80) && $0 <= .milliseconds(120) })
        #expect(Set(delays).count > 1)
    }
}

@Suite("Frame deframer memory")
struct FrameDeframerMemoryTests {
    @Test func aLargeAnnouncedFrameReservesAtMostOneMebibyteAhead() throws {
        var deframer = FrameDeframer()
        // 15 MiB announced, 10 bytes sent: the buffer must not jump to 15 MiB.
        var start = ByteBuffer()
        start.writeInteger(UInt32(15 * 1024 * 1024))
        start.writeBytes([UInt8](repeating: 1, count: 10))
        deframer.append(start)
        #expect(try deframer.nextFrame() == nil)
        #expect(deframer.bufferedByteCount == 14)
        #expect(deframer.reservedCapacity <= 2 * 1024 * 1024)
        // The whole frame still assembles.
        var remaining = 15 * 1024 * 1024 - 10
        while remaining > 0 {
            let chunk = min(remaining, 64 * 1024)
            deframer.append(ByteBuffer(bytes: [UInt8](repeating: 2, count: chunk)))
            remaining -= chunk
            if remaining > 0 { #expect(try deframer.nextFrame() == nil) }
        }
        let frame = try #require(try deframer.nextFrame())
        #expect(frame.readableBytes == 15 * 1024 * 1024)
    }
}
