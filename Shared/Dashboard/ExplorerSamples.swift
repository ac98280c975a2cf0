import Synchronization

/// The Data explorer's recently drawn samples: the generator is deterministic, so the same size, seed and rate
/// give the same page, and a repeated view (or another analyst's) costs nothing instead of a regeneration.
final class ExplorerSamples: Sendable {
    /// Samples kept (each is a few SVGs, ~60 KB).
    static let capacity = 8

    private let kept = Mutex<[(ExplorerPage.SampleKey, ExplorerPage.Sample)]>([])

    /// The sample of `key`, generated on a miss (outside the lock; two concurrent misses both generate).
    func sample(_ key: ExplorerPage.SampleKey) -> ExplorerPage.Sample? {
        if let hit = kept.withLock({ list in list.first { $0.0 == key }?.1 }) { return hit }
        guard let sample = ExplorerPage.generate(key) else { return nil }
        kept.withLock { list in
            list.removeAll { $0.0 == key }
            list.append((key, sample))
            if list.count > Self.capacity { list.removeFirst(list.count - Self.capacity) }
        }
        return sample
    }
}
