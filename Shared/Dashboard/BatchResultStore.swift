import Foundation

/// Batch results kept for their page, table sorting and pagination, and the CSV download, in this gateway's
/// memory: at most ``capacity`` batches (the oldest goes first), each for ``lifetime``, readable only by the
/// principal who uploaded it. A page served by another gateway replica does not see them; the upload answers with
/// a link to the replica-independent CSV download of the same request, so nothing is lost but the table.
actor BatchResultStore {
    /// One scored upload.
    struct Batch: Sendable {
        var id: String
        var owner: String
        var filename: String
        var created: Date
        var document: APIDocuments.Batch
    }

    /// Most batches kept.
    let capacity: Int
    /// How long a batch is kept.
    let lifetime: TimeInterval
    private var batches: [Batch] = []

    /// A store for `capacity` batches of `lifetime` seconds.
    init(capacity: Int = 16, lifetime: TimeInterval = 1800) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// Keeps `document` and returns its id (32 random hex digits).
    func add(_ document: APIDocuments.Batch, owner: String, filename: String) -> String {
        expire()
        var generator = SystemRandomNumberGenerator()
        let id = (0..<2).map { _ in
            let v = generator.next() as UInt64
            return String(repeating: "0", count: 16 - String(v, radix: 16).count) + String(v, radix: 16)
        }.joined()
        batches.append(Batch(id: id, owner: owner, filename: filename, created: Date(), document: document))
        if batches.count > capacity { batches.removeFirst(batches.count - capacity) }
        return id
    }

    /// The batch `id` when it exists, has not expired and belongs to `owner`.
    func batch(_ id: String, owner: String) -> Batch? {
        expire()
        return batches.first { $0.id == id && $0.owner == owner }
    }

    private func expire() {
        let cutoff = Date().addingTimeInterval(-lifetime)
        batches.removeAll { $0.created < cutoff }
    }
}
