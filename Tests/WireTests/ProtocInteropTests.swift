import Domain
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import Wire

/// Proves the bytes are standard protobuf by round-tripping them through an independent implementation: Debian's
/// `protoc` (protobuf-compiler, installed by `.ci/install-deps`), reading and writing the text format.
@Suite("Interop with protoc", .timeLimit(.minutes(1)))
struct ProtocInteropTests {
    /// The repository root, found from this file's path (Tests/WireTests/ProtocInteropTests.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `protoc` in the repository root with `input` on stdin; returns stdout, and fails on a non-zero exit.
    private func protoc(_ arguments: [String], input: Data) async throws -> Data {
        let result = try await Command.run(
            "/usr/bin/env", ["protoc", "-I", "proto"] + arguments, input: input, directory: Self.repositoryRoot.path)
        guard result.status == 0 else { throw CommandError("protoc \(arguments) failed: \(result.errors)") }
        return result.outputData
    }

    private func decodeWithProtoc(_ type: String, file: String, bytes: [UInt8]) async throws -> String {
        String(decoding: try await protoc(["--decode=txad.v1.\(type)", file], input: Data(bytes)), as: UTF8.self)
    }

    private func encodeWithProtoc(_ type: String, file: String, text: String) async throws -> [UInt8] {
        Array(try await protoc(["--encode=txad.v1.\(type)", file], input: Data(text.utf8)))
    }

    @Test func protocDecodesOurFrames() async throws {
        let response = ScoreResponse(scores: [Fixtures.score("tx-1", reasons: 2)])
        var frame = try EnvelopeCodec.makeFrame(
            head: EnvelopeHead(
                callID: 12_345, method: "txad.v1.Inference/Score", deadlineMillis: 250, requestID: "req-7",
                status: RPCStatus(code: .ok)),
            payload: response, maximumFrameSize: .max, allocator: ByteBufferAllocator())
        let length = frame.readInteger(as: UInt32.self)
        #expect(length.map(Int.init) == frame.readableBytes)
        let envelopeText = try await decodeWithProtoc(
            "Envelope", file: "txad/v1/rpc.proto", bytes: Array(frame.readableBytesView))
        #expect(envelopeText.contains("call_id: 12345"))
        #expect(envelopeText.contains("method: \"txad.v1.Inference/Score\""))
        #expect(envelopeText.contains("deadline_ms: 250"))
        #expect(envelopeText.contains("request_id: \"req-7\""))
        #expect(envelopeText.contains("status {"))
        #expect(envelopeText.contains("payload: \""))

        let envelope = try Envelope(serializedBytes: frame)
        let payloadText = try await decodeWithProtoc("ScoreResponse", file: "txad/v1/services.proto", bytes: envelope.payload)
        for expected in [
            "transaction_id: \"tx-1\"", "isolation_forest: 0.73", "autoencoder: 0.91", "ensemble: 0.82",
            "is_anomaly: true", "risk_level: RISK_LEVEL_CRITICAL", "code: \"AMOUNT_HIGH_0\"", "code: \"AMOUNT_HIGH_1\"",
            "feature: \"amount_ratio\"", "value: 14.2", "model_version: \"2024-06-01T12:00:00Z-abc123\"",
        ] {
            #expect(payloadText.contains(expected), "protoc's text lacks \(expected):\n\(payloadText)")
        }
    }

    @Test func protocDecodesOurTransactionsWithOptionalCoordinates() async throws {
        let transaction = Transaction(
            transactionID: "tx-9", userID: "u-1", timestampMillis: 1_717_000_000_000, amount: 12.5, currency: "EUR",
            channel: .atm, latitude: 0, longitude: nil, country: "FR")
        let text = try await decodeWithProtoc(
            "Transaction", file: "txad/v1/transaction.proto", bytes: try transaction.serialized())
        #expect(text.contains("transaction_id: \"tx-9\""))
        #expect(text.contains("timestamp_ms: 1717000000000"))
        #expect(text.contains("channel: CHANNEL_ATM"))
        #expect(text.contains("latitude: 0"))  // present although zero: the oneof keeps presence
        #expect(!text.contains("longitude"))
    }

    @Test func protocSeesTheSupervisedScoreOnlyWhenPresent() async throws {
        var score = Fixtures.score()
        let without = try await decodeWithProtoc("Score", file: "txad/v1/transaction.proto", bytes: try score.serialized())
        #expect(!without.contains("supervised"))
        score.supervised = 0
        let zero = try await decodeWithProtoc("Score", file: "txad/v1/transaction.proto", bytes: try score.serialized())
        #expect(zero.contains("supervised: 0"))  // present although zero: the oneof keeps presence
        let bytes = try await encodeWithProtoc(
            "Score", file: "txad/v1/transaction.proto", text: "risk_level: RISK_LEVEL_HIGH\nsupervised: 0.875")
        #expect(try Score(serializedBytes: bytes).supervised == 0.875)
    }

    @Test func weDecodeWhatProtocEncodes() async throws {
        let transactionBytes = try await encodeWithProtoc(
            "Transaction", file: "txad/v1/transaction.proto",
            text: """
                transaction_id: "tx-42"
                user_id: "user-\\303\\274"
                timestamp_ms: -5
                amount: -0.25
                merchant_category: "caf\\303\\251"
                channel: CHANNEL_POS
                longitude: 13.4
                """)
        let transaction = try Transaction(serializedBytes: transactionBytes)
        #expect(transaction.transactionID == "tx-42")
        #expect(transaction.userID == "user-ü")
        #expect(transaction.timestampMillis == -5)
        #expect(transaction.amount == -0.25)
        #expect(transaction.currency == "USD")
        #expect(transaction.merchantCategory == "café")
        #expect(transaction.channel == .pos)
        #expect(transaction.latitude == nil && transaction.longitude == 13.4)

        // An envelope carrying that transaction as payload, with the largest call id and an error status.
        let escapedPayload = transactionBytes.map { String(format: "\\%03o", $0) }.joined()
        let envelopeBytes = try await encodeWithProtoc(
            "Envelope", file: "txad/v1/rpc.proto",
            text: """
                call_id: 18446744073709551615
                method: "txad.v1.Preprocessing/Preprocess"
                deadline_ms: 4294967295
                request_id: "r-\\342\\234\\223"
                status { code: UNAVAILABLE message: "down" }
                payload: "\(escapedPayload)"
                """)
        let envelope = try Envelope(serializedBytes: envelopeBytes)
        #expect(envelope.callID == UInt64.max)
        #expect(envelope.method == "txad.v1.Preprocessing/Preprocess")
        #expect(envelope.deadlineMillis == UInt32.max)
        #expect(envelope.requestID == "r-✓")
        #expect(envelope.status == RPCStatus(code: .unavailable, message: "down"))
        #expect(envelope.payload == transactionBytes)
        // Our encoding of the same value is byte-identical to protoc's.
        #expect(try envelope.serialized() == envelopeBytes)
    }

    @Test func weDecodeProtocAlertsWithUnknownEnumNumbers() async throws {
        // The currency is set because an empty one decodes as the domain default "USD", which would not re-encode
        // to the same bytes.
        let bytes = try await encodeWithProtoc(
            "Alert", file: "txad/v1/services.proto",
            text: """
                alert_id: "a-1"
                scored {
                  transaction { transaction_id: "t" user_id: "u" timestamp_ms: 1 amount: 2 currency: "EUR" }
                  score { transaction_id: "t" risk_level: RISK_LEVEL_HIGH reasons { code: "C" text: "why" } }
                  request_id: "r"
                }
                status: ALERT_STATUS_PENDING
                channels: NOTIFICATION_CHANNEL_SLACK
                channels: 42
                decision { decision: DECISION_FRAUD analyst: "ana" }
                """)
        let alert = try Alert(serializedBytes: bytes)
        #expect(alert.alertID == "a-1")
        #expect(alert.scored.score.riskLevel == .high)
        #expect(alert.scored.score.reasons == [Reason(code: "C", feature: "", value: 0, text: "why")])
        #expect(alert.status == .pending)
        #expect(alert.channels == [.slack, .unrecognized(42)])
        #expect(alert.decision?.decision == .fraud)
        #expect(try alert.serialized() == bytes)
    }
}
