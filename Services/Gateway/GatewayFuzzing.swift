/// Entry points for the fuzz harness (`Fuzz/txad-fuzz`): the gateway's parsers of untrusted request bodies. Package
/// access only: not part of the gateway's API.
package enum GatewayFuzzing {
    /// Parses `bytes` as a `/predict` body and as `/predict/batch` bodies (JSON and CSV), discarding the results.
    package static func transactionJSON(_ bytes: [UInt8]) {
        if let value = try? JSONParser.parse(bytes) { _ = TransactionJSON.decode(value) }
        _ = try? BatchInput.json(bytes, maximumItems: 100)
        _ = try? BatchInput.csv(bytes, maximumItems: 100)
    }
}
