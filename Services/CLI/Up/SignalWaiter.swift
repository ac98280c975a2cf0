import Dispatch
import Synchronization
import Foundation

/// Waits for SIGINT or SIGTERM (Ctrl-C), or until a condition becomes true.
enum SignalWaiter {
    /// Returns the signal's name, or nil when `stopWhen` became true first (checked every 200 ms).
    static func waitForTermination(stopWhen: @escaping @Sendable () -> Bool) async -> String? {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let received = SignalFlag()
        let queue = DispatchQueue(label: "txad.signals")
        let sources = [(SIGINT, "interrupted"), (SIGTERM, "terminated")].map { number, name in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { received.set(name) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        while true {
            if let name = received.value { return name }
            if stopWhen() { return nil }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}

/// The name of the signal received, shared between the signal queue and the waiting task.
private final class SignalFlag: Sendable {
    private let storage = Mutex<String?>(nil)
    var value: String? { storage.withLock { $0 } }
    func set(_ name: String) { storage.withLock { $0 = name } }
}
