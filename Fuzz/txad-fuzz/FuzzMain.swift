import Foundation

#if FUZZING
    import CFuzzerSupport
#endif

/// `txad-fuzz TARGET [libFuzzer options] [CORPUS…]`.
///
/// Built with `-sanitize=fuzzer,address -DFUZZING` (`make fuzz`) it runs libFuzzer on the target. In a normal build
/// it replays every file of the given corpus files or folders once through the target — the regression run of
/// `make test` — and fails if any input crashes.
@main
enum FuzzMain {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            FileHandle.standardError.write(Data("usage: txad-fuzz \(names) [libFuzzer options] [corpus…]\n".utf8))
            exit(2)
        }
        #if FUZZING
            exit(runLibFuzzer(target, arguments: [arguments[0]] + arguments.dropFirst(2)))
        #else
            replay(target, paths: Array(arguments.dropFirst(2)))
        #endif
    }

    #if FUZZING
        /// Hands libFuzzer an argv without the target name; the callback is a capture-free closure per target.
        static func runLibFuzzer(_ target: FuzzTarget, arguments: [String]) -> Int32 {
            var pointers: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
            var argc = Int32(arguments.count)
            return pointers.withUnsafeMutableBufferPointer { buffer in
                var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
                switch target {
                case .wire:
                    return LLVMFuzzerRunDriver(&argc, &argv) { FuzzTarget.wire.run(.init(start: $0, count: $1)); return 0 }
                case .transactionJSON:
                    return LLVMFuzzerRunDriver(&argc, &argv) {
                        FuzzTarget.transactionJSON.run(.init(start: $0, count: $1))
                        return 0
                    }
                case .csv:
                    return LLVMFuzzerRunDriver(&argc, &argv) { FuzzTarget.csv.run(.init(start: $0, count: $1)); return 0 }
                case .bundle:
                    return LLVMFuzzerRunDriver(&argc, &argv) { FuzzTarget.bundle.run(.init(start: $0, count: $1)); return 0 }
                }
            }
        }
    #endif

    /// Runs every file under `paths` through `target`.
    static func replay(_ target: FuzzTarget, paths: [String]) {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("txad-fuzz: \(path) does not exist\n".utf8))
                exit(2)
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().filter { !$0.hasPrefix(".") }.map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            data.withUnsafeBytes { target.run($0) }
        }
        print("txad-fuzz \(target.rawValue): replayed \(files.count) inputs without a crash")
    }
}

#if FUZZING
    /// libFuzzer's runtime references this symbol even when `LLVMFuzzerRunDriver` is given its own callback (as here);
    /// it is never called.
    @_cdecl("LLVMFuzzerTestOneInput")
    func unusedFuzzerEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 { 0 }
#endif
