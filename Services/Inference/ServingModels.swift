import Detection
import Domain
import Registry

/// One loaded bundle and the checksum of the stored archive it came from (empty for a directory bundle).
public struct LoadedModel: Sendable {
    public var scorer: AnomalyScorer
    public var checksum: String

    /// Wraps a scorer.
    public init(scorer: AnomalyScorer, checksum: String = "") {
        self.scorer = scorer
        self.checksum = checksum
    }

    /// The bundle's version.
    public var version: String { scorer.version }
}

/// The versions a replica serves: swapped as one value, and read once per request, so a request never sees half
/// a change.
public struct ServingModels: Sendable {
    /// Answers every user not in the canary.
    public var champion: LoadedModel?
    /// Answers `canaryShare` of users (by ``CanaryRouter``).
    public var canary: LoadedModel?
    public var canaryShare: Double
    /// Scores the champion's vectors off the response path.
    public var shadow: LoadedModel?

    /// Creates a set.
    public init(
        champion: LoadedModel? = nil, canary: LoadedModel? = nil, canaryShare: Double = 0, shadow: LoadedModel? = nil
    ) {
        self.champion = champion
        self.canary = canary
        self.canaryShare = canaryShare
        self.shadow = shadow
    }

    /// Scores `vectors`: canary users by the canary, everyone else by the champion, in request order.
    /// Returns the scores and the positions the champion answered.
    func score(_ vectors: [FeatureVector]) throws(DetectionError) -> (scores: [Score], champion: [Int]) {
        guard let champion else {
            throw DetectionError(.invalidArgument, "no model is loaded")
        }
        guard let canary, canaryShare > 0 else {
            return (try champion.scorer.score(vectors), Array(vectors.indices))
        }
        var championPositions: [Int] = []
        var canaryPositions: [Int] = []
        for (i, vector) in vectors.enumerated() {
            if CanaryRouter.isCanary(userID: vector.userID, share: canaryShare) {
                canaryPositions.append(i)
            } else {
                championPositions.append(i)
            }
        }
        if canaryPositions.isEmpty { return (try champion.scorer.score(vectors), championPositions) }
        if championPositions.isEmpty { return (try canary.scorer.score(vectors), []) }
        let championScores = try champion.scorer.score(championPositions.map { vectors[$0] })
        let canaryScores = try canary.scorer.score(canaryPositions.map { vectors[$0] })
        var scores = [Score?](repeating: nil, count: vectors.count)
        for (position, score) in zip(championPositions, championScores) { scores[position] = score }
        for (position, score) in zip(canaryPositions, canaryScores) { scores[position] = score }
        return (scores.compactMap { $0 }, championPositions)
    }
}
