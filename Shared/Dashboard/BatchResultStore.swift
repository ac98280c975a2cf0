import Detection
import Foundation
import Stores

/// Batch results kept for their page, table sorting and pagination, and the CSV download, readable only by the
/// principal who uploaded them, for ``lifetime``; at most ``capacity`` batches (the oldest goes first), each at most
/// ``maximumBytes`` of `POST /predict/batch` answer.
///
/// With Redis (every gateway replica given the same server), any replica serves a batch another one scored: one
/// key per batch, named by the SHA-256 of its id, holding `{owner, filename, created}` and the answer's JSON, with
/// the lifetime as its TTL, plus one sorted set of the keys by creation time that enforces the capacity (two
/// replicas adding at the same moment may briefly keep one or two more). Without Redis, they are kept in this
/// process's memory, as a single gateway needs.
public struct BatchResultStore: Sendable {
    /// One scored upload.
    struct Batch: Sendable {
        var id: String
        var owner: String
        var filename: String
        var created: Date
        var document: APIDocuments.Batch
    }

    /// Why a batch could not be kept.
    enum StoreFailure: Error {
        /// The answer is larger than ``maximumBytes``.
        case tooLarge(bytes: Int)
        /// Redis did not take it.
        case unavailable(String)
    }

    /// 30 minutes.
    public static let defaultLifetime: Duration = .seconds(1800)
    /// 16 batches.
    public static let defaultCapacity = 16
    /// 16 MiB of JSON per batch (a full 10,000-line batch answers about 4–7 MiB), so Redis holds at most 256 MiB of
    /// batches.
    public static let defaultMaximumBytes = 16 << 20

    /// How long a batch is kept.
    public let lifetime: Duration
    /// Most batches kept (across replicas with Redis).
    public let capacity: Int
    /// Largest answer kept, in bytes.
    public let maximumBytes: Int
    private let backend: Backend

    private enum Backend: Sendable {
        case memory(MemoryBatches)
        case redis(RedisClient, prefix: String)
    }

    /// A store in Redis (shared by replicas) when `redis` is given, else in this process's memory.
    public init(
        redis: RedisClient? = nil, prefix: String = "txad:dashboard:batch:", lifetime: Duration = defaultLifetime,
        capacity: Int = defaultCapacity, maximumBytes: Int = defaultMaximumBytes
    ) {
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
        self.maximumBytes = max(1, maximumBytes)
        backend = redis.map { .redis($0, prefix: prefix) } ?? .memory(MemoryBatches())
    }

    /// Whether batches are shared through Redis.
    public var isShared: Bool { if case .redis = backend { true } else { false } }

    /// "30 minutes, 16 batches at most" — for the pages that explain what is kept.
    var policy: String {
        let minutes = Int(lifetime.components.seconds / 60)
        return "\(minutes) minute\(minutes == 1 ? "" : "s"), \(capacity) batches at most"
    }

    /// Keeps the `POST /predict/batch` answer `body` (already decoded as `document` by the caller); the new batch's
    /// id (32 random hex digits), or why it was not kept.
    func add(body: [UInt8], document: APIDocuments.Batch, owner: String, filename: String) async
        -> Result<String, StoreFailure>
    {
        guard body.count <= maximumBytes else { return .failure(.tooLarge(bytes: body.count)) }
        var generator = SystemRandomNumberGenerator()
        let id = (0..<2).map { _ in
            let v = generator.next() as UInt64
            return String(repeating: "0", count: 16 - String(v, radix: 16).count) + String(v, radix: 16)
        }.joined()
        let created = Date()
        switch backend {
        case .memory(let batches):
            await batches.add(
                Batch(id: id, owner: owner, filename: filename, created: created, document: document),
                capacity: capacity, lifetime: lifetime)
        case .redis(let redis, let prefix):
            let header = Header(
                owner: owner, filename: filename, createdMillis: Int64(created.timeIntervalSince1970 * 1000))
            do {
                try await add(
                    key: key(id, prefix: prefix), header: header, body: body, redis: redis, index: prefix + "index")
            } catch {
                return .failure(.unavailable("\(error)"))
            }
        }
        return .success(id)
    }

    /// The batch `id` when it is kept and belongs to `owner`; nil otherwise (unknown, expired, another owner's).
    ///
    /// - Throws: when Redis cannot be read.
    func batch(_ id: String, owner: String) async throws -> Batch? {
        guard id.count == 32, id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            return nil
        }
        switch backend {
        case .memory(let batches):
            return await batches.batch(id, owner: owner, lifetime: lifetime)
        case .redis(let redis, let prefix):
            guard let value = try await redis.get(key(id, prefix: prefix)),
                let newline = value.firstIndex(of: 0x0A),
                let header = try? JSONDecoder().decode(Header.self, from: Data(value[..<newline])),
                header.owner == owner,
                let document = APIDocuments.decode(APIDocuments.Batch.self, from: Array(value[(newline + 1)...]))
            else { return nil }
            return Batch(
                id: id, owner: owner, filename: header.filename,
                created: Date(timeIntervalSince1970: Double(header.createdMillis) / 1000), document: document)
        }
    }

    /// The first line of a batch's Redis value; the answer's JSON follows it.
    private struct Header: Codable {
        var owner: String
        var filename: String
        var createdMillis: Int64
    }

    private func key(_ id: String, prefix: String) -> String { prefix + SHA256.hex(of: Array(id.utf8)) }

    /// Stores the value with its TTL, indexes it, forgets expired index entries and evicts the oldest batches
    /// beyond the capacity.
    private func add(key: String, header: Header, body: [UInt8], redis: RedisClient, index: String) async throws {
        let milliseconds = lifetime.components.seconds * 1000 + lifetime.components.attoseconds / 1_000_000_000_000_000
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let value = Array(try JSONEncoder().encode(header)) + [0x0A] + body
        let replies = try await redis.pipeline([
            RedisCommand("SET", key, value, "PX", max(1, milliseconds)),
            RedisCommand("ZADD", index, now, key),
            RedisCommand("ZREMRANGEBYSCORE", index, "-inf", now - milliseconds),
            RedisCommand("PEXPIRE", index, max(1, milliseconds)),
            RedisCommand("ZCARD", index),
        ])
        if let error = replies.lazy.compactMap(\.errorMessage).first {
            throw StoreError(.unexpectedReply, "storing a batch: \(error)")
        }
        let surplus = (replies.last?.int64 ?? 0) - Int64(capacity)
        guard surplus > 0 else { return }
        let popped = try await redis.command("ZPOPMIN", index, surplus)
        let evicted = (popped.array ?? []).enumerated().compactMap { $0.offset % 2 == 0 ? $0.element.string : nil }
        if !evicted.isEmpty { _ = try await redis.command(RedisCommand("DEL", arguments: evicted)) }
    }
}

/// The batches of a store without Redis, in this process.
private actor MemoryBatches {
    private var batches: [BatchResultStore.Batch] = []

    func add(_ batch: BatchResultStore.Batch, capacity: Int, lifetime: Duration) {
        expire(lifetime)
        batches.append(batch)
        if batches.count > capacity { batches.removeFirst(batches.count - capacity) }
    }

    func batch(_ id: String, owner: String, lifetime: Duration) -> BatchResultStore.Batch? {
        expire(lifetime)
        return batches.first { $0.id == id && $0.owner == owner }
    }

    private func expire(_ lifetime: Duration) {
        let cutoff = Date().addingTimeInterval(-Double(lifetime.components.seconds))
        batches.removeAll { $0.created < cutoff }
    }
}
