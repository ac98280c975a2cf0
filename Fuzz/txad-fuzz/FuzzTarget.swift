import Detection
import Foundation
import GatewayService
import NIOCore
import Wire

/// The decoders fed untrusted bytes, each with the property it must keep: never crash, never hang, and a value that
/// decodes re-encodes to something that decodes to the same value.
enum FuzzTarget: String, CaseIterable {
    /// The frame deframer (length-prefixed frames) and the envelope decoder behind it.
    case wire
    /// The gateway's JSON parser, transaction validation and batch bodies (JSON and CSV).
    case transactionJSON = "transaction-json"
    /// The CSV transaction reader used by training, evaluation and batch scoring.
    case csv
    /// Model bundle files: Isolation Forest and autoencoder model files and the manifest.
    case bundle

    func run(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .wire: Self.wire(bytes)
        case .transactionJSON: GatewayFuzzing.transactionJSON(Array(bytes))
        case .csv: Self.csv(Array(bytes))
        case .bundle: Self.bundle(Array(bytes))
        }
    }

    private static func wire(_ bytes: UnsafeRawBufferPointer) {
        var deframer = FrameDeframer(maximumFrameSize: 1 << 16)
        // Split the input in two appends so partial headers and bodies are exercised.
        let split = bytes.count / 2
        deframer.append(ByteBuffer(bytes: bytes[..<split]))
        deframer.append(ByteBuffer(bytes: bytes[split...]))
        while true {
            let frame: ByteBuffer?
            do {
                frame = try deframer.nextFrame()
            } catch {
                return
            }
            guard let frame else { return }
            guard let envelope = try? Envelope(serializedBytes: frame) else { continue }
            guard let again = try? envelope.serialized(), let decoded = try? Envelope(serializedBytes: again),
                decoded == envelope
            else {
                fatalError("envelope round trip changed: \(envelope)")
            }
        }
    }

    private static func csv(_ bytes: [UInt8]) {
        guard
            let reader = try? CSVTransactionReader(
                bytes: bytes, options: .init(chunkSize: 64, maximumRecordBytes: 4096))
        else { return }
        var rows = 0
        while rows < 10_000, let row = try? reader.next() {
            _ = row
            rows += 1
        }
    }

    private static func bundle(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let body = Array(bytes.dropFirst())
        switch selector % 3 {
        case 0:
            guard let forest = try? IsolationForest(fileBytes: body, name: "fuzz") else { return }
            // Compared as bytes: NaN weights make value equality fail on identical forests.
            guard (try? IsolationForest(fileBytes: forest.fileBytes(), name: "fuzz"))?.fileBytes() == forest.fileBytes()
            else {
                fatalError("isolation forest round trip changed")
            }
        case 1:
            guard let autoencoder = try? Autoencoder(fileBytes: body, name: "fuzz") else { return }
            guard
                (try? Autoencoder(fileBytes: autoencoder.fileBytes(), name: "fuzz"))?.fileBytes()
                    == autoencoder.fileBytes()
            else {
                fatalError("autoencoder round trip changed")
            }
        default:
            _ = try? JSONDecoder().decode(BundleManifest.self, from: Data(body))
        }
    }
}
