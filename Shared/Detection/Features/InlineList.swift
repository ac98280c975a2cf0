/// Small fixed-capacity lists stored inline (a homogeneous tuple), so a ``UserState`` is one contiguous value with
/// no heap allocations: the offline replay touches one cache-friendly block per transaction instead of eight
/// scattered arrays, and copying a state costs a memcpy, not eight retains.
///
/// Why the unsafe access is safe: a homogeneous tuple is laid out like a C array (elements at multiples of the
/// stride, suitably aligned); every access is bounds-checked against `count` first; elements are
/// `BitwiseCopyable`, so loading and storing raw bytes is a valid copy.
protocol InlineList: RandomAccessCollection, MutableCollection, Hashable, Sendable
where Index == Int, Element: BitwiseCopyable & Hashable & Sendable {
    associatedtype Storage: BitwiseCopyable & Sendable
    /// Maximum number of elements.
    static var capacity: Int { get }
    var storage: Storage { get set }
    /// Number of valid elements.
    var length: UInt8 { get set }
}

extension InlineList {
    var startIndex: Int { 0 }
    var endIndex: Int { Int(length) }

    subscript(i: Int) -> Element {
        @inline(__always) get {
            precondition(i >= 0 && i < Int(length), "inline list index \(i) out of range 0..<\(length)")
            return withUnsafeBytes(of: storage) {
                $0.load(fromByteOffset: i * MemoryLayout<Element>.stride, as: Element.self)
            }
        }
        @inline(__always) set {
            precondition(i >= 0 && i < Int(length), "inline list index \(i) out of range 0..<\(length)")
            withUnsafeMutableBytes(of: &storage) {
                $0.storeBytes(of: newValue, toByteOffset: i * MemoryLayout<Element>.stride, as: Element.self)
            }
        }
    }

    /// Calls `body` with the valid elements as a buffer, for tight loops.
    @inline(__always)
    func withElements<R>(_ body: (UnsafeBufferPointer<Element>) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: Element.self), count: Int(length)))
        }
    }

    /// Appends an element; the list must not be full.
    mutating func append(_ element: Element) {
        precondition(Int(length) < Self.capacity, "inline list is full")
        length += 1
        self[Int(length) - 1] = element
    }

    static func == (a: Self, b: Self) -> Bool { a.elementsEqual(b) }

    func hash(into hasher: inout Hasher) {
        hasher.combine(length)
        for e in self { hasher.combine(e) }
    }
}

/// Up to 8 elements inline.
struct InlineList8<Element: BitwiseCopyable & Hashable & Sendable>: InlineList {
    static var capacity: Int { 8 }
    var storage: (Element, Element, Element, Element, Element, Element, Element, Element)
    var length: UInt8 = 0

    /// An empty list; `filler` initialises the unused slots (never read).
    init(filler: Element) {
        storage = (filler, filler, filler, filler, filler, filler, filler, filler)
    }

    /// A list of `count` copies of `value`.
    init(repeating value: Element, count: Int) {
        self.init(filler: value)
        precondition(count <= Self.capacity, "inline list capacity exceeded")
        length = UInt8(count)
    }
}

/// Up to 24 elements inline.
struct InlineList24<Element: BitwiseCopyable & Hashable & Sendable>: InlineList {
    static var capacity: Int { 24 }
    var storage:
        (
            Element, Element, Element, Element, Element, Element, Element, Element, Element, Element, Element, Element,
            Element, Element, Element, Element, Element, Element, Element, Element, Element, Element, Element, Element
        )
    var length: UInt8 = 0

    /// An empty list; `filler` initialises the unused slots (never read).
    init(filler f: Element) {
        storage = (f, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f)
    }

    /// A list of `count` copies of `value`.
    init(repeating value: Element, count: Int) {
        self.init(filler: value)
        precondition(count <= Self.capacity, "inline list capacity exceeded")
        length = UInt8(count)
    }
}
