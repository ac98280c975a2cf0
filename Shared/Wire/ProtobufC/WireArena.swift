internal import CProtobufC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Scratch memory for one protobuf-c conversion: the C structs, pointer arrays and NUL-terminated strings built
/// while packing, and everything protobuf-c allocates while unpacking. Implementation detail of Wire's messages;
/// it has no public members.
///
/// Why it exists: protobuf-c wants C structs with `char *` strings and arrays of pointers to sub-messages, and by
/// default unpacks with one `malloc` per sub-message, string and array. A 1,000-score response would cost tens of
/// thousands of `malloc`/`free` calls. The arena hands out memory by bumping a cursor through a 1 KiB stack chunk and
/// then through a few geometrically growing heap chunks, and frees everything at once when the conversion ends.
///
/// Why it is safe:
/// - It is `~Copyable`, so there is exactly one owner of the cursor and the chunk list; it is only ever created by
///   ``with(capacityHint:_:)``, whose scope bounds the lifetime of every pointer it hands out — no pointer into the
///   arena is stored anywhere that outlives that call (Swift values are built by copying out of the C structs).
/// - Every block is 8-byte aligned (the strictest alignment of the generated structs: `double`, `size_t`, pointers)
///   and carries its byte count in the 8 bytes in front of it, which ``wireLength(ofUnpackedString:)`` uses to see
///   embedded NULs that protobuf-c would otherwise silently cut.
/// - Heap chunks are linked through their first word and freed in `deinit`, on every path including throws.
public struct WireArena: ~Copyable {
    /// Next free byte of the current chunk (nil before the first chunk).
    var cursor: UnsafeMutableRawPointer?
    /// One past the last byte of the current chunk.
    var end: UnsafeMutableRawPointer?
    /// Most recent heap chunk; each chunk's first word points at the previous one.
    var heapChunks: UnsafeMutableRawPointer?
    /// Size of the next heap chunk (doubles each time, so a big message needs only a few `malloc`s).
    var nextChunkSize: Int

    /// Size of each block's header, which records the block's byte count.
    static let headerSize = 8
    /// Size of the first, stack-allocated chunk. `withUnsafeTemporaryAllocation` keeps this size on the stack.
    static let stackChunkSize = 1024

    private init(stackChunk: UnsafeMutableRawBufferPointer, capacityHint: Int) {
        self.cursor = stackChunk.baseAddress
        self.end = stackChunk.baseAddress.map { $0 + stackChunk.count }
        self.heapChunks = nil
        self.nextChunkSize = max(16 * 1024, capacityHint)
    }

    deinit {
        var chunk = heapChunks
        while let current = chunk {
            chunk = current.load(as: UnsafeMutableRawPointer?.self)
            free(current)
        }
    }

    /// Runs `body` with a fresh arena; all memory it handed out is released when `body` returns or throws.
    ///
    /// `capacityHint` is the expected total in bytes (e.g. twice the input size when unpacking); it sizes the first
    /// heap chunk so that large messages need one `malloc` rather than several.
    static func with<R, E: Error>(
        capacityHint: Int = 0, _ body: (inout WireArena) throws(E) -> R
    ) throws(E) -> R {
        try withUnsafeTemporaryAllocation(byteCount: stackChunkSize, alignment: 16) {
            (chunk) throws(E) -> R in
            var arena = WireArena(stackChunk: chunk, capacityHint: capacityHint)
            return try body(&arena)
        }
    }

    /// Returns `byteCount` bytes, 8-byte aligned, preceded by a header recording `byteCount`. Never returns nil
    /// unless `malloc` fails.
    mutating func allocate(byteCount: Int) -> UnsafeMutableRawPointer? {
        let total = Self.headerSize + ((byteCount + 7) & ~7)
        if let block = cursor, let end, end - block >= total {
            block.storeBytes(of: byteCount, as: Int.self)
            cursor = block + total
            return block + Self.headerSize
        }
        let chunkSize = max(nextChunkSize, total + 16)
        guard let chunk = malloc(chunkSize) else { return nil }
        chunk.storeBytes(of: heapChunks, as: UnsafeMutableRawPointer?.self)
        heapChunks = chunk
        nextChunkSize = min(chunkSize * 2, 64 * 1024 * 1024)
        // The chunk's first 16 bytes hold the link (16 keeps blocks aligned like malloc's).
        let block = chunk + 16
        block.storeBytes(of: byteCount, as: Int.self)
        cursor = block + total
        end = chunk + chunkSize
        return block + Self.headerSize
    }

    /// Uninitialized memory for `count` values of `T` (a C struct or pointer type).
    mutating func allocate<T>(_ type: T.Type, count: Int) throws(RPCError) -> UnsafeMutablePointer<T> {
        precondition(MemoryLayout<T>.alignment <= 8, "arena blocks are 8-byte aligned")
        guard let raw = allocate(byteCount: MemoryLayout<T>.stride * max(count, 1)) else {
            throw RPCError(code: .resourceExhausted, message: "out of memory while encoding a message")
        }
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    /// The byte count protobuf-c asked for when it allocated `string` during an unpack with this arena's allocator.
    ///
    /// protobuf-c allocates `wire length + 1` bytes for every string it unpacks, so a `strlen` shorter than that
    /// means the wire string had an embedded NUL. Only valid for pointers this arena returned.
    static func allocatedByteCount(of block: UnsafeRawPointer) -> Int {
        (block - headerSize).load(as: Int.self)
    }

    /// Runs `body` with a protobuf-c allocator that allocates from this arena and never frees (the arena frees
    /// everything at the end of its scope).
    mutating func withAllocator<R>(_ body: (UnsafeMutablePointer<ProtobufCAllocator>) -> R) -> R {
        withUnsafeMutablePointer(to: &self) { arenaPointer in
            var allocator = ProtobufCAllocator(
                alloc: { data, size in
                    guard let data else { return nil }
                    return data.assumingMemoryBound(to: WireArena.self).pointee.allocate(byteCount: size)
                },
                free: { _, _ in },
                allocator_data: UnsafeMutableRawPointer(arenaPointer))
            return withUnsafeMutablePointer(to: &allocator, body)
        }
    }
}
