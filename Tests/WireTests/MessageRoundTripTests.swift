import Domain
import NIOCore
import Testing

@testable import Wire

@Suite("Messages round-trip through protobuf-c")
struct MessageRoundTripTests {
    private func roundTrip<M: WireMessage & Equatable>(_ message: M, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let bytes = try message.serialized()
        let decoded = try M(serializedBytes: bytes)
        #expect(decoded == message, sourceLocation: sourceLocation)
        // The ByteBuffer paths give the same bytes and value.
        var buffer = ByteBuffer()
        let written = try message.serialize(into: &buffer)
        #expect(written == bytes.count, sourceLocation: sourceLocation)
        #expect(Array(buffer.readableBytesView) == bytes, sourceLocation: sourceLocation)
        #expect(try M(serializedBytes: buffer) == message, sourceLocation: sourceLocation)
    }

    @Test func rpcMessages() throws {
        try roundTrip(RPCStatus())
        try roundTrip(RPCStatus(code: .deadlineExceeded, message: Fixtures.unicode))
        try roundTrip(RPCStatus(code: RPCStatusCode(rawValue: 77), message: "future code"))
        try roundTrip(Envelope())
        try roundTrip(
            Envelope(
                callID: UInt64.max, method: "txad.v1.Inference/Score", deadlineMillis: UInt32.max,
                requestID: Fixtures.unicode, status: RPCStatus(code: .internalError, message: "boom"),
                payload: Array(0...255) + [0, 0, 0]))
        try roundTrip(HealthCheckRequest())
        try roundTrip(HealthCheckRequest(service: "txad.v1.Inference"))
        for status in [ServingStatus.unknown, .serving, .notServing, .serviceUnknown, .unrecognized(42)] {
            try roundTrip(HealthCheckResponse(status: status))
        }
    }

    @Test func domainMessages() throws {
        try roundTrip(Fixtures.emptyTransaction)
        try roundTrip(Fixtures.transaction())
        try roundTrip(Fixtures.transaction(unicodeText: true))
        try roundTrip(
            Transaction(
                transactionID: "t", userID: "u", timestampMillis: Int64.min, amount: -0.0, channel: .pos, latitude: 0,
                longitude: nil))
        try roundTrip(FeatureVector(transactionID: "", schemaVersion: 0, values: [], rawValues: [], degraded: false))
        try roundTrip(Fixtures.featureVector(count: 1_000))
        try roundTrip(Reason(code: "", feature: "", value: 0, text: ""))
        try roundTrip(Reason(code: "X", feature: Fixtures.unicode, value: 1e300, text: Fixtures.unicode))
        for level in RiskLevel.allCases {
            var score = Fixtures.score()
            score.riskLevel = level
            try roundTrip(score)
        }
        try roundTrip(Fixtures.score(reasons: 0))
        try roundTrip(Fixtures.scored())
        try roundTrip(
            ScoredTransaction(
                transaction: Fixtures.emptyTransaction, score: Fixtures.score(reasons: 0), degraded: false,
                requestID: "",
                scoredAtMillis: 0))
    }

    @Test func serviceMessages() throws {
        try roundTrip(PreprocessRequest())
        try roundTrip(
            PreprocessRequest(
                transactions: (0..<100).map { Fixtures.transaction("tx-\($0)", unicodeText: $0 % 2 == 0) }))
        try roundTrip(PreprocessResponse())
        try roundTrip(PreprocessResponse(vectors: [Fixtures.featureVector(), Fixtures.featureVector(count: 0)]))
        var withUser = Fixtures.featureVector()
        withUser.userID = "user_" + Fixtures.unicode
        try roundTrip(PreprocessResponse(vectors: [withUser]))
        try roundTrip(ScoreRequest())
        try roundTrip(Fixtures.scoreRequest(count: 1_000))
        try roundTrip(ScoreResponse())
        try roundTrip(Fixtures.scoreResponse(count: 1_000))
        try roundTrip(ModelInfoRequest())
        try roundTrip(ModelInfoRequest(driftOnly: true))
        try roundTrip(ModelInfoResponse())
        try roundTrip(
            ModelInfoResponse(
                version: "v1", created: "2024-06-01T12:00:00Z", featureSchemaVersion: 3,
                featureNames: ["amount_log", "", Fixtures.unicode], threshold: 0.95, weightIsolationForest: 0.5,
                weightAutoencoder: 0.5, manifestJSON: "{\"version\": \"v1\", \"note\": \"\(Fixtures.unicode)\"}"))
        try roundTrip(
            ModelInfoResponse(
                version: "v1", source: "registry", canaryVersion: "v2", canaryShare: 0.1, shadowVersion: "v3",
                refused: ["v4: checksum", Fixtures.unicode], shadowDropped: UInt64.max))
        try roundTrip(
            ModelInfoResponse(
                version: "v1",
                drift: [
                    VersionDrift(
                        version: "v1", observed: 10, alerts: 3, isolationForestBuckets: (0..<10).map { UInt64($0) },
                        autoencoderBuckets: [UInt64.max] + Array(repeating: 0, count: 9), sinceMillis: Int64.min),
                    VersionDrift(
                        version: Fixtures.unicode, observed: 0, alerts: 0, isolationForestBuckets: [],
                        autoencoderBuckets: [], sinceMillis: 1_700_000_000_000),
                ]))
        try roundTrip(ReloadRequest())
        try roundTrip(ReloadRequest(version: "v2"))
        try roundTrip(ReloadResponse())
        try roundTrip(ReloadResponse(previousVersion: "v1", version: Fixtures.unicode))
        try roundTrip(RecordRequest())
        try roundTrip(RecordRequest(items: (0..<50).map { Fixtures.scored("tx-\($0)") }))
        try roundTrip(RecordResponse())
        try roundTrip(RecordResponse(recorded: UInt32.max, alerts: 7, spooled: true))
        try roundTrip(StatsRequest())
        try roundTrip(StatsRequest(sinceMillis: Int64.min))
        try roundTrip(StatsRequest(sinceMillis: 5, hours: 24))
        try roundTrip(HourlyRiskCount(hourMillis: 1_714_003_200_000, riskLevel: .critical, count: UInt64.max))
        try roundTrip(RiskCount(riskLevel: .high, count: UInt64.max))
        try roundTrip(StatsResponse())
        try roundTrip(
            StatsResponse(
                predictions: UInt64.max,
                predictionsByRisk: RiskLevel.allCases.map { RiskCount(riskLevel: $0, count: 3) },
                anomalies: 5, anomalyRate: 0.05, alerts: 4, alertsByRisk: [RiskCount(riskLevel: .critical, count: 1)],
                reviewBacklog: 2, reviewedFraud: 1, reviewedLegitimate: 1, alertPrecision: 0.5, spooled: 9,
                alertsByHour: [
                    HourlyRiskCount(hourMillis: 1_714_000_000_000, riskLevel: .high, count: 3),
                    HourlyRiskCount(hourMillis: 1_714_003_600_000, riskLevel: .medium, count: 1),
                ]))
        try roundTrip(ReviewDecision())
        for decision in [Decision.unspecified, .fraud, .legitimate, .unrecognized(-5)] {
            try roundTrip(ReviewDecision(decision: decision, note: Fixtures.unicode, analyst: "a", decidedAtMillis: 1))
        }
        try roundTrip(Fixtures.alert())
        for status in [AlertStatus.unspecified, .pending, .confirmedFraud, .legitimate, .unrecognized(1234)] {
            var alert = Fixtures.alert()
            alert.status = status
            alert.decision = nil
            alert.channels = []
            try roundTrip(alert)
        }
        try roundTrip(ListReviewsRequest())
        for minRisk in [nil] + RiskLevel.allCases.map(Optional.some) {
            try roundTrip(
                ListReviewsRequest(
                    minRisk: minRisk, minAgeSeconds: UInt64.max, status: .pending, limit: 50, offset: 100))
        }
        try roundTrip(ListReviewsResponse())
        try roundTrip(ListReviewsResponse(alerts: [Fixtures.alert("a"), Fixtures.alert("b")], total: 1_000))
        try roundTrip(DecideRequest(alertID: "", decision: ReviewDecision()))
        try roundTrip(
            DecideRequest(
                alertID: "alert-1", decision: ReviewDecision(decision: .legitimate, note: "ok", analyst: "bo")))
        try roundTrip(DecideResponse(alert: Fixtures.alert()))
    }

    @Test func emptyMessagesEncodeToNoBytes() throws {
        #expect(try Envelope().serialized().isEmpty)
        #expect(try ScoreRequest().serialized().isEmpty)
        #expect(try ModelInfoRequest().serialized().isEmpty)
        #expect(try StatsResponse().serialized().isEmpty)
        #expect(try ScoreRequest(serializedBytes: []) == ScoreRequest())
    }

    @Test func transactionDefaultsFollowTheProto() throws {
        // Absent currency means USD; absent optional strings are nil; coordinates keep presence.
        let decoded = try Transaction(serializedBytes: [])
        #expect(decoded.currency == "USD")
        #expect(decoded.merchantID == nil && decoded.country == nil && decoded.channel == nil)
        #expect(decoded.latitude == nil && decoded.longitude == nil)
        let atOrigin = Transaction(
            transactionID: "t", userID: "u", timestampMillis: 1, amount: 1, latitude: 0, longitude: 0)
        let back = try Transaction(serializedBytes: try atOrigin.serialized())
        #expect(back.latitude == 0 && back.longitude == 0)
    }

    @Test func supervisedScoreKeepsPresence() throws {
        // Old senders and bundles without labels: absent, not 0.
        #expect(try Score(serializedBytes: try Fixtures.score().serialized()).supervised == nil)
        for value in [0.0, 0.37, 1.0] {
            var score = Fixtures.score()
            score.supervised = value
            let back = try Score(serializedBytes: try score.serialized())
            #expect(back.supervised == value)
            #expect(back == score)
        }
        // A score carrying it inside a response and a recorded transaction.
        var labelled = Fixtures.scored()
        labelled.score.supervised = 0
        #expect(try ScoredTransaction(serializedBytes: try labelled.serialized()).score.supervised == 0)
        // Field 9, fixed64: 0x49 then 8 bytes of 0.5, with the required risk level.
        let bytes: [UInt8] = [0x30, 0x01, 0x49, 0, 0, 0, 0, 0, 0, 0xE0, 0x3F]
        #expect(try Score(serializedBytes: bytes).supervised == 0.5)
    }

    @Test func nanSurvives() throws {
        let vector = FeatureVector(transactionID: "n", schemaVersion: 1, values: [.nan, 1], rawValues: [], degraded: false)
        let back = try FeatureVector(serializedBytes: try vector.serialized())
        #expect(back.values[0].isNaN)
        #expect(back.values[1] == 1)
    }
}

@Suite("Invalid messages are refused, never truncated or crashing")
struct MessageValidationTests {
    @Test func nulInAStringIsRefusedWhenEncoding() throws {
        let cases: [any WireMessage] = [
            Transaction(transactionID: "a\0b", userID: "u", timestampMillis: 0, amount: 0),
            Transaction(transactionID: "a", userID: "u", timestampMillis: 0, amount: 0, country: "\0"),
            HealthCheckRequest(service: "x\0"),
            ScoreResponse(scores: [
                Fixtures.score(),
                Score(
                    transactionID: "t", isolationForest: 0, autoencoder: 0, ensemble: 0, isAnomaly: false,
                    riskLevel: .low,
                    reasons: [Reason(code: "C", feature: "f", value: 0, text: "cut\0here")], modelVersion: "m"),
            ]),
            ModelInfoResponse(featureNames: ["ok", "bad\0name"]),
            Envelope(method: "txad.v1.Health/Check\0"),
        ]
        for message in cases {
            let error = #expect(throws: RPCError.self) { try message.serialized() }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("NUL") == true)
        }
        let error = #expect(throws: RPCError.self) {
            try HealthCheckRequest(service: "x\0").serialized()
        }
        #expect(error?.message.contains("HealthCheckRequest.service") == true)
    }

    @Test func nulInAStringIsRefusedWhenDecoding() throws {
        // HealthCheckRequest { service: "ab\0cd" } as another encoder would produce it.
        let bytes: [UInt8] = [0x0A, 0x05, 0x61, 0x62, 0x00, 0x63, 0x64]
        let error = #expect(throws: RPCError.self) { try HealthCheckRequest(serializedBytes: bytes) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("NUL") == true)
        // A string that is only a NUL.
        #expect(throws: RPCError.self) { try HealthCheckRequest(serializedBytes: [0x0A, 0x01, 0x00]) }
        // A present but empty string is fine.
        #expect(try HealthCheckRequest(serializedBytes: [0x0A, 0x00]) == HealthCheckRequest())
    }

    @Test func invalidUTF8IsRefused() {
        let error = #expect(throws: RPCError.self) {
            try HealthCheckRequest(serializedBytes: [0x0A, 0x02, 0xC3, 0x28])
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("UTF-8") == true)
    }

    @Test func garbageIsRefused() {
        let inputs: [[UInt8]] = [
            [0xFF, 0xFF, 0xFF], [0x0A, 0x10, 0x61], [0x08], [0x0B, 0x0C], Array(repeating: 0xFF, count: 64),
        ]
        for bytes in inputs {
            let error = #expect(throws: RPCError.self) { try ScoreResponse(serializedBytes: bytes) }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test func unknownEnumValuesDoNotCrash() throws {
        // Wire-defined enums keep unknown numbers.
        let health = try HealthCheckResponse(serializedBytes: [0x08, 0x2A])
        #expect(health.status == .unrecognized(42))
        let review = try ReviewDecision(serializedBytes: [0x08, 0x07])
        #expect(review.decision == .unrecognized(7))
        // A negative enum number (10-byte varint) survives too.
        let negative = try HealthCheckResponse(serializedBytes: [
            0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
        ])
        #expect(negative.status == .unrecognized(-1))
        let status = try RPCStatus(serializedBytes: [0x08, 0x63])
        #expect(status.code.rawValue == 99 && status.code.name == "CODE_99")

        // Domain enums cannot hold unknown numbers: the message is refused with the field named.
        // Transaction { channel = 9 }
        let channelError = #expect(throws: RPCError.self) { try Transaction(serializedBytes: [0x40, 0x09]) }
        #expect(channelError?.code == .invalidArgument)
        #expect(channelError?.message.contains("Transaction.channel") == true)
        // Score { risk_level = 12 }
        let riskError = #expect(throws: RPCError.self) { try Score(serializedBytes: [0x30, 0x0C]) }
        #expect(riskError?.message.contains("Score.risk_level") == true)
        // A score must carry a risk level.
        #expect(throws: RPCError.self) { try Score(serializedBytes: []) }
        // ListReviewsRequest.min_risk unspecified means "all".
        #expect(try ListReviewsRequest(serializedBytes: []).minRisk == nil)
    }

    @Test func requiredSubMessagesMustBePresent() {
        let error = #expect(throws: RPCError.self) { try ScoredTransaction(serializedBytes: []) }
        #expect(error?.message.contains("ScoredTransaction.transaction") == true)
        #expect(throws: RPCError.self) { try DecideResponse(serializedBytes: []) }
        #expect(throws: RPCError.self) { try DecideRequest(serializedBytes: [0x0A, 0x01, 0x61]) }
    }
}

@Suite("UTF-8 and NUL validation")
struct UTF8ValidationTests {
    private func check(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            isWellFormedUTF8WithoutNUL(
                buffer.baseAddress ?? UnsafePointer(bitPattern: 1).unsafelyUnwrapped, count: buffer.count)
        }
    }

    @Test func knownSequences() {
        #expect(check(Array("plain ascii, long enough to use the fast path".utf8)))
        #expect(check(Array(Fixtures.unicode.utf8)))
        #expect(check([0xF4, 0x8F, 0xBF, 0xBF]))  // U+10FFFF
        #expect(!check([0xF4, 0x90, 0x80, 0x80]))  // above U+10FFFF
        #expect(!check([0xC0, 0xAF]))  // overlong "/"
        #expect(!check([0xE0, 0x80, 0xAF]))  // overlong
        #expect(!check([0xED, 0xA0, 0x80]))  // surrogate U+D800
        #expect(!check([0xE2, 0x82]))  // truncated
        #expect(!check([0x80]))  // lone continuation
        #expect(!check([0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0xFF]))
        #expect(!check([0x61, 0x00]))  // NUL, byte by byte
        #expect(!check(Array("0123456789abcdef".utf8) + [0] + Array("0123456789abcdef".utf8)))  // NUL in the fast path
        #expect(!check([0x61, 0x62, 0x00, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69]))
    }

    @Test func agreesWithTheStandardLibraryOnRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...12, using: &generator)
            // Bias towards bytes that form multi-byte sequences.
            let bytes = (0..<count).map { _ -> UInt8 in
                Bool.random(using: &generator)
                    ? UInt8.random(in: 0x80...0xF5, using: &generator) : UInt8.random(in: 0...0xFF, using: &generator)
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil && !bytes.contains(0)
            #expect(check(bytes) == expected, "\(bytes)")
        }
    }
}
