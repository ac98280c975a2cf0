import Foundation
import Testing

@testable import Detection

@Suite struct ModelBundleTests {
    @Test func roundTripsThroughADirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("v1")
        let written = try BundleFixtures.bundle(version: "v1").write(to: path)
        let loaded = try ModelBundle.load(from: path)
        #expect(loaded.manifest == written)
        #expect(loaded.isolationForest == BundleFixtures.outcome.bundle.isolationForest)
        #expect(loaded.autoencoder == BundleFixtures.outcome.bundle.autoencoder)
        #expect(loaded.manifest.files.keys.sorted() == [ModelBundle.autoencoderFile, ModelBundle.isolationForestFile])
        #expect(loaded.manifest.evaluation?["ensemble"]?.rocAUC != nil)
        // Nothing is left behind but the bundle.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["v1"])
    }

    @Test func sameDataOptionsAndSeedGiveByteIdenticalModelFiles() throws {
        let data = BundleFixtures.data
        let again = try TrainingPipeline.fit(
            transactions: data.transactions, labels: data.labels, options: BundleFixtures.options, version: "again",
            data: BundleFixtures.source)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try BundleFixtures.bundle(version: "a").write(to: directory.file("a"))
        try again.bundle.write(to: directory.file("b"))
        for name in [ModelBundle.isolationForestFile, ModelBundle.autoencoderFile] {
            let a = try Data(contentsOf: URL(fileURLWithPath: directory.file("a/" + name)))
            let b = try Data(contentsOf: URL(fileURLWithPath: directory.file("b/" + name)))
            #expect(a == b, "\(name) differs between identical runs")
        }
    }

    @Test func refusesToOverwriteAnExistingBundle() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try BundleFixtures.bundle(version: "v1").write(to: directory.file("v1"))
        #expect(throws: DetectionError.self) { try BundleFixtures.bundle(version: "v1").write(to: directory.file("v1")) }
    }

    /// Writes a bundle, lets `damage` modify it, and returns the load error.
    private func loadError(_ damage: (String) throws -> Void) throws -> DetectionError? {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("v1")
        try BundleFixtures.bundle(version: "v1").write(to: path)
        try damage(path)
        do {
            _ = try ModelBundle.load(from: path)
            return nil
        } catch {
            return error
        }
    }

    private func modify(_ path: String, _ change: (inout [UInt8]) -> Void) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        change(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func refusesTruncatedModelFiles() throws {
        for name in [ModelBundle.isolationForestFile, ModelBundle.autoencoderFile] {
            let error = try #require(try loadError { path in try modify(path + "/" + name) { $0.removeLast(100) } })
            #expect(error.code == .corruptModel)
            #expect(error.message.contains(name))
            #expect(error.message.contains("truncated"))
            let headerOnly = try #require(try loadError { path in try modify(path + "/" + name) { $0 = Array($0[0..<10]) } })
            #expect(headerOnly.message.contains("truncated"))
        }
    }

    @Test func refusesCorruptedModelFiles() throws {
        for name in [ModelBundle.isolationForestFile, ModelBundle.autoencoderFile] {
            let flipped = try #require(try loadError { path in try modify(path + "/" + name) { $0[$0.count / 2] ^= 0x40 } })
            #expect(flipped.code == .corruptModel)
            #expect(flipped.message.contains(name))
            #expect(flipped.message.contains("checksum"))
            let magic = try #require(try loadError { path in try modify(path + "/" + name) { $0[0] = UInt8(ascii: "X") } })
            #expect(magic.message.contains("magic"))
            let version = try #require(try loadError { path in try modify(path + "/" + name) { $0[4] = 9 } })
            #expect(version.code == .unsupportedVersion)
            let missing = try #require(try loadError { path in try FileManager.default.removeItem(atPath: path + "/" + name) })
            #expect(missing.code == .fileAccess)
            #expect(missing.message.contains(name))
        }
    }

    @Test func refusesAnOlderManifestFormatWithARetrainMessage() throws {
        // A format-1 manifest has no model_inputs: the version is reported, not the missing key.
        let error = try #require(
            try loadError { path in
                let file = path + "/" + ModelBundle.manifestFile
                let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file)))
                guard var json = object as? [String: Any] else { throw DetectionError(.invalidArgument, "not an object") }
                json["format_version"] = 1
                json.removeValue(forKey: "model_inputs")
                try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: file))
            })
        #expect(error.code == .unsupportedVersion)
        #expect(error.message.contains("format version 1"))
        #expect(error.message.contains("retrain"))
    }

    @Test func refusesAModelFileFromAnotherBundle() throws {
        let other = try TemporaryDirectory()
        defer { other.remove() }
        var options = BundleFixtures.options
        options.seed = 99
        let data = BundleFixtures.data
        let different = try TrainingPipeline.fit(
            transactions: data.transactions, labels: data.labels, options: options, version: "x",
            data: BundleFixtures.source)
        try different.bundle.write(to: other.file("x"))
        let error = try #require(
            try loadError { path in
                let target = path + "/" + ModelBundle.isolationForestFile
                try FileManager.default.removeItem(atPath: target)
                try FileManager.default.copyItem(atPath: other.file("x/" + ModelBundle.isolationForestFile), toPath: target)
            })
        #expect(error.code == .corruptModel)
        #expect(error.message.contains("SHA-256"))
    }

    @Test func refusesSchemaMismatches() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("v1")
        try BundleFixtures.bundle(version: "v1").write(to: path)
        let current = FeatureSchema.current
        let newer = FeatureSchema(version: current.version + 1, names: current.names)
        #expect { try ModelBundle.load(from: path, expectedSchema: newer) } throws: { error in
            (error as? DetectionError)?.code == .schemaMismatch
                && (error as? DetectionError)?.message.contains("manifest.json") == true
        }
        var renamed = current.names
        renamed[0] = "something_else"
        #expect { try ModelBundle.load(from: path, expectedSchema: FeatureSchema(version: current.version, names: renamed)) } throws: {
            ($0 as? DetectionError)?.code == .schemaMismatch
        }
        // A manifest whose schema disagrees with the model files' width.
        let manifestPath = path + "/" + ModelBundle.manifestFile
        var manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifestPath)))
        manifest.featureSchema = FeatureSchema(version: current.version, names: Array(current.names.dropLast()))
        try Data(ModelBundle.encode(manifest)).write(to: URL(fileURLWithPath: manifestPath))
        let shorter = FeatureSchema(version: current.version, names: Array(current.names.dropLast()))
        #expect { try ModelBundle.load(from: path, expectedSchema: shorter) } throws: {
            ($0 as? DetectionError)?.code == .schemaMismatch
        }
    }

    @Test func refusesABrokenManifest() throws {
        let error = try #require(
            try loadError { path in try modify(path + "/" + ModelBundle.manifestFile) { $0.removeLast($0.count / 2) } })
        #expect(error.code == .corruptModel)
        #expect(error.message.contains("manifest.json"))
        let missing = try #require(
            try loadError { path in try FileManager.default.removeItem(atPath: path + "/" + ModelBundle.manifestFile) })
        #expect(missing.code == .fileAccess)
    }

    @Test func validatesVersionNames() {
        for good in ["v1", "20250101T120000Z", "a.b_c-d"] { #expect(throws: Never.self) { try ModelBundle.validate(version: good) } }
        for bad in ["", ".", "..", "a/b", "a b", String(repeating: "x", count: 65)] {
            #expect(throws: DetectionError.self) { try ModelBundle.validate(version: bad) }
        }
    }
}
