import Foundation
import Testing

@testable import Detection

@Suite struct ModelRegistryTests {
    @Test func promotesListsAndRollsBack() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let registry = ModelRegistry(root: directory.path)
        #expect(try registry.activeVersion() == nil)
        for version in ["v1", "v2", "v3"] { try BundleFixtures.bundle(version: version).write(to: registry.directory(of: version)) }
        try registry.promote("v1")
        try registry.promote("v2")
        try registry.promote("v3")
        #expect(try registry.activeVersion() == "v3")
        #expect(try registry.list().map(\.version) == ["v1", "v2", "v3"])
        #expect(try registry.list().filter(\.isActive).map(\.version) == ["v3"])
        #expect(try registry.loadActive().version == "v3")
        #expect(try ModelRegistry.resolveBundleDirectory(directory.path) == registry.directory(of: "v3"))
        #expect(try registry.rollback() == "v2")
        #expect(try registry.rollback() == "v1")
        #expect(try registry.activeVersion() == "v1")
        #expect(throws: DetectionError.self) { try registry.rollback() }
        #expect(try registry.activeVersion() == "v1")
    }

    @Test func neverActivatesABrokenBundle() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let registry = ModelRegistry(root: directory.path)
        try BundleFixtures.bundle(version: "good").write(to: registry.directory(of: "good"))
        try BundleFixtures.bundle(version: "bad").write(to: registry.directory(of: "bad"))
        try registry.promote("good")
        let file = registry.directory(of: "bad") + "/" + ModelBundle.autoencoderFile
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[40] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        #expect(throws: DetectionError.self) { try registry.promote("bad") }
        #expect(throws: DetectionError.self) { try registry.promote("missing") }
        #expect(throws: DetectionError.self) { try registry.promote("../escape") }
        #expect(try registry.activeVersion() == "good")
    }

    @Test func rejectsACorruptPointer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data("../../etc\n".utf8).write(to: URL(fileURLWithPath: directory.file(ModelRegistry.activeFile)))
        #expect(throws: DetectionError.self) { try ModelRegistry(root: directory.path).activeVersion() }
        #expect(throws: DetectionError.self) { try ModelRegistry.resolveBundleDirectory(directory.file("nothing")) }
    }
}
