import Foundation
import ArgumentParser
import Detection

/// `txad models list|promote|rollback`: the model registry of a model directory.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List, promote and roll back model bundles.",
        subcommands: [List.self, Promote.self, Rollback.self])

    struct Location: ParsableArguments {
        @Option(help: "Model directory (env TXAD_MODEL_DIR; default models).")
        var modelDir: String?

        var registry: ModelRegistry {
            ModelRegistry(root: modelDir ?? ProcessInfo.processInfo.environment["TXAD_MODEL_DIR"] ?? "models")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bundles in the model directory, the active one marked.")
        @OptionGroup var location: Location

        func run() throws {
            let entries = try location.registry.list()
            guard !entries.isEmpty else {
                print("no bundles in \(location.registry.root); train one with `txad train`")
                return
            }
            print("  version                          created                    ROC AUC  PR AUC")
            for e in entries {
                let roc = e.rocAUC.map { String(format: "%.4f", $0) } ?? "   –  "
                let pr = e.prAUC.map { String(format: "%.4f", $0) } ?? "   –  "
                let name = e.version.padding(toLength: 32, withPad: " ", startingAt: 0)
                let created = e.created.padding(toLength: 26, withPad: " ", startingAt: 0)
                print("\(e.isActive ? "*" : " ") \(name) \(created) \(roc)   \(pr)")
            }
        }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a bundle the active one (it is loaded and validated first).")
        @Argument(help: "The version to activate.") var version: String
        @OptionGroup var location: Location

        func run() throws {
            try location.registry.promote(version)
            print("\(version) is now active; running inference services pick it up on Inference/Reload")
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make the previously active bundle active again.")
        @OptionGroup var location: Location

        func run() throws {
            let version = try location.registry.rollback()
            print("rolled back to \(version)")
        }
    }
}
