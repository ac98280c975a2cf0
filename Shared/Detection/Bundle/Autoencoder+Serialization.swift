extension Autoencoder {
    /// Magic number of `autoencoder.bin`.
    static let fileMagic = "TXAE"
    /// Format version of `autoencoder.bin`.
    static let fileVersion: UInt32 = 1

    /// The network as a model file (``ModelFile`` container): layer widths, training options, input clipping
    /// bounds and the logical (unpadded) weights and biases layer by layer. Byte-identical for identical networks.
    package func fileBytes() -> [UInt8] {
        let parameters = network.logicalParameters
        var w = BinaryWriter(capacity: 128 + parameters.count * 4)
        w.write(UInt32(network.widths.count))
        for width in network.widths { w.write(UInt32(width)) }
        w.write(UInt32(configuration.epochs))
        w.write(UInt32(configuration.batchSize))
        w.write(configuration.learningRate)
        w.write(configuration.validationFraction)
        w.write(UInt32(configuration.patience))
        w.write(Int64(bitPattern: configuration.seed))
        w.write(configuration.clipQuantile)
        w.write(configuration.errorCap)
        for v in lower { w.write(v) }
        for v in upper { w.write(v) }
        w.write(UInt32(parameters.count))
        for v in parameters { w.write(v) }
        return ModelFile.encode(magic: Self.fileMagic, version: Self.fileVersion, payload: w.bytes)
    }

    /// Reads and validates an autoencoder file; problems are ``DetectionError/Code/corruptModel`` naming `name`.
    package init(fileBytes bytes: [UInt8], name: String) throws(DetectionError) {
        let payload = try ModelFile.decode(
            bytes, magic: Self.fileMagic, supportedVersion: Self.fileVersion, name: name)
        var r = BinaryReader(payload, code: .corruptModel, what: name)
        let layerCount = Int(try r.readUInt32())
        guard (3...64).contains(layerCount) else { throw r.failure("has \(layerCount) layers, expected 3...64") }
        var widths: [Int] = []
        for _ in 0..<layerCount {
            let width = Int(try r.readUInt32())
            guard (1...100_000).contains(width) else { throw r.failure("has a layer of width \(width)") }
            widths.append(width)
        }
        guard widths.first == widths.last else {
            throw r.failure("has input width \(widths[0]) but output width \(widths[layerCount - 1])")
        }
        let configuration = Configuration(
            hiddenLayers: Array(widths.dropFirst().dropLast()), epochs: Int(try r.readUInt32()),
            batchSize: Int(try r.readUInt32()), learningRate: try r.readDouble(),
            validationFraction: try r.readDouble(), patience: Int(try r.readUInt32()),
            seed: UInt64(bitPattern: try r.readInt64()), clipQuantile: try r.readDouble(), errorCap: try r.readDouble())
        do {
            try configuration.validate()
        } catch {
            throw r.failure("has invalid training options: \(error.message)")
        }
        let features = widths[0]
        var lower: [Float] = []
        var upper: [Float] = []
        for _ in 0..<features { lower.append(try r.readFloat()) }
        for _ in 0..<features { upper.append(try r.readFloat()) }
        for c in 0..<features where !(lower[c] <= upper[c]) || lower[c] == .infinity || upper[c] == -.infinity {
            throw r.failure("has invalid clipping bounds for feature \(c)")
        }
        var network = AutoencoderNetwork(widths: widths)
        let count = Int(try r.readUInt32())
        guard count == network.logicalParameterCount else {
            throw r.failure("has \(count) parameters, its layer widths need \(network.logicalParameterCount)")
        }
        guard payload.count - r.offset == 4 * count else {
            throw r.failure("has \(payload.count - r.offset) bytes of parameters, expected \(4 * count)")
        }
        var parameters = [Float]()
        parameters.reserveCapacity(count)
        for i in 0..<count {
            let v = try r.readFloat()
            guard v.isFinite else { throw r.failure("has a non-finite parameter at index \(i)") }
            parameters.append(v)
        }
        try r.expectEnd()
        network.setLogicalParameters(parameters)
        self.init(configuration: configuration, network: network, lower: lower, upper: upper)
    }
}
