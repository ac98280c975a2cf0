import Detection
import Foundation
import Stores
import Testing

@testable import Registry

@Suite("Model registry in PostgreSQL")
struct BundleRegistryTests {
    @Test("register, shadow, canary, approve (maker–checker), champion, rollback: every change audited")
    func lifecycleIsAudited() async throws {
        let bundles = try await RegistryFixtures.bundles()
        try await RegistryFixtures.withRegistry { registry, _, _ in
            let first = try await registry.register(directory: bundles.directory("v1"), by: "alice")
            #expect(first.stage == .candidate)
            #expect(first.registeredBy == "alice")
            #expect(first.dataDigest == String(repeating: "a", count: 64))
            #expect(first.bundleBytes > 0)
            await #expect(throws: RegistryError.self) {
                try await registry.register(directory: bundles.directory("v1"), by: "alice")
            }

            // Champion needs an approval, and not the registrar's own.
            let unapproved = await #expect(throws: RegistryError.self) {
                try await registry.promote("v1", to: .champion, by: "alice")
            }
            #expect(unapproved?.code == .approvalRequired)
            let selfApproval = await #expect(throws: RegistryError.self) {
                try await registry.approve("v1", by: "alice")
            }
            #expect(selfApproval?.code == .selfApprovalRefused)
            let approved = try await registry.approve("v1", by: "bob")
            #expect(approved.approvedBy == "bob")
            #expect(try await registry.promote("v1", to: .champion, by: "alice").stage == .champion)

            try await registry.register(directory: bundles.directory("v2"), by: "carol")
            #expect(try await registry.promote("v2", to: .shadow, by: "carol").stage == .shadow)
            let canary = try await registry.promote("v2", to: .canary(share: 0.1), by: "carol")
            #expect(canary.stage == .canary)
            #expect(canary.canaryShare == 0.1)
            var plan = try await registry.servingPlan()
            #expect(plan.champion?.version == "v1")
            #expect(plan.canary?.entry.version == "v2")
            #expect(plan.canary?.share == 0.1)
            #expect(plan.shadow == nil)

            try await registry.approve("v2", by: "alice")
            try await registry.promote("v2", to: .champion, by: "carol")
            #expect(try await registry.show("v1").stage == .archived)
            plan = try await registry.servingPlan()
            #expect(plan.champion?.version == "v2")
            #expect(plan.canary == nil)

            let rolledBack = try await registry.rollback(by: "dave")
            #expect(rolledBack.version == "v1")
            #expect(rolledBack.stage == .champion)
            #expect(try await registry.show("v2").stage == .archived)

            let trail = try await registry.history()
            let summary = trail.map {
                "\($0.version) \($0.action) \($0.fromStage?.rawValue ?? "-")→\($0.toStage) \($0.actor)"
            }
            #expect(
                summary == [
                    "v1 register -→candidate alice",
                    "v1 approve candidate→candidate bob",
                    "v1 promote candidate→champion alice",
                    "v2 register -→candidate carol",
                    "v2 promote candidate→shadow carol",
                    "v2 promote shadow→canary carol",
                    "v2 approve canary→canary alice",
                    "v1 replace champion→archived carol",
                    "v2 promote canary→champion carol",
                    "v2 rollback champion→archived dave",
                    "v1 rollback archived→champion dave",
                ])
            #expect(trail[5].canaryShare == 0.1)
            #expect(try await registry.list().map(\.version).sorted() == ["v1", "v2"])
        }
    }

    @Test("self-approval only when permitted; rollback needs an earlier champion")
    func selfApprovalAndRollbackLimits() async throws {
        let bundles = try await RegistryFixtures.bundles()
        try await RegistryFixtures.withRegistry { registry, _, _ in
            try await registry.register(directory: bundles.directory("v1"), by: "alice")
            let approved = try await registry.approve("v1", by: "alice", selfApprovalPermitted: true)
            #expect(approved.approvedBy == "alice")
            try await registry.promote("v1", to: .champion, by: "alice")
            let onlyOne = await #expect(throws: RegistryError.self) { try await registry.rollback(by: "alice") }
            #expect(onlyOne?.code == .conflict)
            let demote = await #expect(throws: RegistryError.self) {
                try await registry.promote("v1", to: .shadow, by: "alice")
            }
            #expect(demote?.code == .conflict)
            let missing = await #expect(throws: RegistryError.self) { try await registry.show("nope") }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("a stored bundle is verified when loaded: checksum and the bundle loader's checks")
    func corruptBundlesAreRefused() async throws {
        let bundles = try await RegistryFixtures.bundles()
        try await RegistryFixtures.withRegistry { registry, client, _ in
            try await registry.register(directory: bundles.directory("v1"), by: "alice")
            let loaded = try await registry.loadBundle("v1")
            #expect(loaded.version == "v1")
            #expect(loaded.manifest.files == (try ModelBundle.load(from: bundles.directory("v1"))).manifest.files)

            // Bytes changed after registration: the checksum no longer matches.
            try await client.execute(
                "UPDATE model_versions SET bundle = overlay(bundle placing '\\xff'::bytea from 200) WHERE version = 'v1'"
            )
            let changed = await #expect(throws: RegistryError.self) { try await registry.loadBundle("v1") }
            #expect(changed?.code == .corruptBundle)

            // A consistent archive whose model file differs from its manifest: the loader refuses it.
            var files = try BundleArchive.files(of: BundleArchive.pack(directory: bundles.directory("v2")))
            let index = try #require(files.firstIndex { $0.path == ModelBundle.autoencoderFile })
            files[index].bytes[files[index].bytes.count / 2] ^= 0x5a
            let archive = Self.archive(files)
            let manifest = try #require(files.first { $0.path == ModelBundle.manifestFile })
            try await registry.register(
                version: "v2", manifestJSON: String(decoding: manifest.bytes, as: UTF8.self), archive: archive,
                dataDigest: "", by: "mallory", mlflowRunID: nil)
            let corrupt = await #expect(throws: RegistryError.self) { try await registry.loadBundle("v2") }
            #expect(corrupt?.code == .corruptBundle)
        }
    }

    @Test("archives round-trip and refuse unsafe paths and truncation")
    func archiveFormat() throws {
        let files: [(path: String, bytes: [UInt8])] = [("a.bin", [1, 2, 3]), ("report/x.svg", Array("<svg/>".utf8))]
        let archive = Self.archive(files)
        let back = try BundleArchive.files(of: archive)
        #expect(back.map(\.path) == ["a.bin", "report/x.svg"])
        #expect(back.map(\.bytes) == [[1, 2, 3], Array("<svg/>".utf8)])
        #expect(throws: RegistryError.self) { try BundleArchive.files(of: Array(archive.dropLast())) }
        #expect(throws: RegistryError.self) { try BundleArchive.files(of: Self.archive([("../etc/x", [1])])) }
        #expect(throws: RegistryError.self) { try BundleArchive.files(of: Self.archive([("/abs", [1])])) }
    }

    @Test("promotion targets parse with their share")
    func targets() throws {
        #expect(try PromotionTarget(parsing: "shadow") == .shadow)
        #expect(try PromotionTarget(parsing: "canary=10%") == .canary(share: 0.1))
        #expect(try PromotionTarget(parsing: "canary=2.5") == .canary(share: 0.025))
        #expect(try PromotionTarget(parsing: "champion") == .champion)
        #expect(throws: RegistryError.self) { try PromotionTarget(parsing: "canary=0%") }
        #expect(throws: RegistryError.self) { try PromotionTarget(parsing: "canary=100%") }
        // 0.01 % to 99.99 %: a sub-normal share (found by schemathesis: 5e-324) is refused, not rounded to zero.
        #expect(throws: RegistryError.self) { try PromotionTarget(parsing: "canary=5e-324") }
        #expect(throws: RegistryError.self) { try PromotionTarget(parsing: "canary=99.995") }
        #expect(try PromotionTarget(parsing: "canary=0.01%") == .canary(share: 0.0001))
        #expect(throws: RegistryError.self) { try PromotionTarget(parsing: "production") }
        #expect(PromotionTarget.canary(share: 0.1).description == "canary=10%")
    }

    @Test("every stage change is announced on the registry's channel")
    func changesAreNotified() async throws {
        let bundles = try await RegistryFixtures.bundles()
        let version = "notify-\(UInt32.random(in: 0...UInt32.max))"
        let directory = try RegistryFixtures.copy(bundles.first, as: version, into: bundles.root)
        try await RegistryFixtures.withRegistry { registry, client, _ in
            let listener = try PostgresListener(
                configuration: client.configuration, channel: RegistrySchema.notifyChannel)
            let events = listener.events()
            var iterator = events.makeAsyncIterator()
            #expect(await iterator.next() == .listening)
            try await registry.register(directory: directory, by: "alice")
            try await registry.promote(version, to: .shadow, by: "alice")
            // Other tests of this process notify on the same channel; count only this test's version.
            var seen = 0
            while seen < 2, let event = await iterator.next() {
                if event == .notification(payload: version) { seen += 1 }
            }
            #expect(seen == 2)
        }
    }

    /// Builds an archive in the registry's format (for corrupt and hostile inputs).
    static func archive(_ files: [(path: String, bytes: [UInt8])]) -> [UInt8] {
        var out = Array("TXBA".utf8)
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        put(UInt32(1))
        put(UInt32(files.count))
        for file in files {
            put(UInt32(file.path.utf8.count))
            out.append(contentsOf: file.path.utf8)
            put(UInt64(file.bytes.count))
            out.append(contentsOf: file.bytes)
        }
        return out
    }
}
