import Domain
import Foundation

/// How the review queue is run: the review SLA per risk level and how long a claim lasts.
public struct ReviewPolicy: Sendable, Hashable {
    /// Minutes within which an alert of each risk level should be decided (`TXAD_REVIEW_SLA_MINUTES`).
    public var slaMinutes: [RiskLevel: Int]
    /// How long an analyst's claim holds before another analyst may take the alert (`TXAD_CLAIM_MINUTES`).
    public var claimMinutes: Int
    /// How long decision idempotency keys are kept (`TXAD_IDEMPOTENCY_RETENTION_HOURS`).
    public var idempotencyRetentionHours: Int

    /// The defaults: critical 15 min, high 60, medium 240, low 1,440; claims last 15 min.
    public static let defaultSLAMinutes: [RiskLevel: Int] = [.critical: 15, .high: 60, .medium: 240, .low: 1440]

    /// Creates a policy; levels missing from `slaMinutes` keep their default. Idempotency keys are kept 7 days.
    public init(
        slaMinutes: [RiskLevel: Int] = ReviewPolicy.defaultSLAMinutes, claimMinutes: Int = 15,
        idempotencyRetentionHours: Int = 168
    ) {
        self.slaMinutes = ReviewPolicy.defaultSLAMinutes.merging(slaMinutes) { _, given in given }
        self.claimMinutes = claimMinutes
        self.idempotencyRetentionHours = idempotencyRetentionHours
    }

    /// Minutes per risk level.
    public typealias SLATable = [RiskLevel: Int]

    /// `critical=15,high=60,medium=240,low=1440`: the effective SLA, as the service prints it at start.
    public var slaDescription: String {
        [RiskLevel.critical, .high, .medium, .low].map { "\($0.rawValue)=\(sla($0))" }.joined(separator: ",")
    }

    /// The SLA of `risk`, minutes.
    public func sla(_ risk: RiskLevel) -> Int { slaMinutes[risk] ?? 240 }

    /// Parses `critical=15,high=60,medium=240` (any subset of the levels, each 1–100,000 minutes).
    ///
    /// - Throws: ``ReviewPolicyError`` naming the bad entry.
    public static func parseSLA(_ text: String) throws(ReviewPolicyError) -> [RiskLevel: Int] {
        var result: [RiskLevel: Int] = [:]
        for entry in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let risk = RiskLevel(rawValue: parts[0]) else {
                throw ReviewPolicyError(
                    "'\(entry)' is not LEVEL=MINUTES with LEVEL one of low, medium, high, critical")
            }
            guard let minutes = Int(parts[1]), (1...100_000).contains(minutes) else {
                throw ReviewPolicyError("'\(entry)': minutes must be a whole number from 1 to 100000")
            }
            guard result.updateValue(minutes, forKey: risk) == nil else {
                throw ReviewPolicyError("'\(risk.rawValue)' is given twice")
            }
        }
        return result
    }
}

/// Why a review policy setting was refused.
public struct ReviewPolicyError: Error, CustomStringConvertible {
    /// What is wrong, naming the entry.
    public var description: String

    init(_ description: String) { self.description = description }
}
