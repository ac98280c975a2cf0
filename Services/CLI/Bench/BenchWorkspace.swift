import Foundation
import Logging

/// What a benchmark that starts txad processes needs: the folder of the built executables (next to this `txad`),
/// checked to hold the one it runs; a logger that only reports problems; a scratch folder the caller removes.
struct BenchWorkspace {
    /// The folder of the executables.
    let bin: String
    /// A fresh scratch folder (`txad-bench-<name>-<uuid>` under the temporary directory).
    let folder: String
    let logger: Logger

    /// - Throws: `CLIError` when `bin/executable` is missing (the release build was not run).
    init(name: String, needs executable: String) throws {
        bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        guard FileManager.default.isExecutableFile(atPath: bin + "/" + executable) else {
            throw CLIError("\(bin)/\(executable) is missing: build everything first (`swift build -c release`)")
        }
        var logger = Logger(label: "txad-bench")
        logger.logLevel = .warning
        self.logger = logger
        folder = NSTemporaryDirectory() + "txad-bench-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// Deletes the scratch folder.
    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}
