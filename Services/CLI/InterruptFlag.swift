import Dispatch
import Foundation
import Synchronization

/// Turns Ctrl-C (SIGINT) into a flag that long commands poll between steps, so they stop cleanly and report what
/// they did instead of dying mid-way. A second Ctrl-C while the flag is set ends the process as usual.
final class InterruptFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    /// True once SIGINT arrived during ``whileInterruptible(_:)``.
    var isSet: Bool { flag.load(ordering: .acquiring) }

    /// Runs `body` with SIGINT setting the flag; the default SIGINT behaviour is restored afterwards.
    func whileInterruptible<T>(_ body: () async throws -> T) async rethrows -> T {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "txad.interrupt"))
        source.setEventHandler { [self] in
            if flag.exchange(true, ordering: .acquiringAndReleasing) {
                exit(130)
            }
            FileHandle.standardError.write(Data("\nstopping after the current step (Ctrl-C again to abort)\n".utf8))
        }
        source.resume()
        defer {
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        return try await body()
    }
}
