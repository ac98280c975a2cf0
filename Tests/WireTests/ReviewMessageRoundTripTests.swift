import Domain
import Testing

@testable import Wire

@Suite("Review messages round-trip through protobuf-c")
struct ReviewMessageRoundTripTests {
    private func roundTrip<M: WireMessage & Equatable>(_ message: M, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let decoded = try M(serializedBytes: try message.serialized())
        #expect(decoded == message, sourceLocation: sourceLocation)
    }

    private func item(_ id: String = "alert-1") -> ReviewItem {
        ReviewItem(
            alert: Fixtures.alert(id), claimedBy: Fixtures.unicode, claimExpiresAtMillis: 1_714_000_000_123,
            ageSeconds: UInt64.max, slaBreached: true, slaMinutes: 15)
    }

    @Test func everyReviewMessage() throws {
        try roundTrip(item())
        try roundTrip(ReviewItem(alert: Fixtures.alert()))
        try roundTrip(ListAlertsRequest())
        for risk in [nil] + RiskLevel.allCases.map(Optional.some) {
            try roundTrip(
                ListAlertsRequest(
                    status: .legitimate, riskLevel: risk, userID: "user_7", sinceMillis: -1, untilMillis: Int64.max,
                    cursor: "YTEuMS4y", limit: 200))
        }
        try roundTrip(ListAlertsResponse())
        try roundTrip(ListAlertsResponse(items: [item("a"), item("b")], nextCursor: "next"))
        try roundTrip(GetAlertRequest(alertID: "42", recentLimit: 100))
        let delivery = AlertDelivery(
            deliveryID: "7f1c5a0e-0000-4000-8000-000000000001", channel: "oncall", channelType: "pagerduty",
            eventType: "trigger", state: "dead", attempts: 8, lastStatus: -1, lastError: Fixtures.unicode,
            createdAtMillis: 1, deliveredAtMillis: 2)
        let override = DecisionOverride(
            analyst: "bo", atMillis: 3, fromDecision: .fraud, toDecision: .unrecognized(9), note: "n")
        try roundTrip(GetAlertResponse(item: item()))
        try roundTrip(
            GetAlertResponse(
                item: item(), recentTransactions: [Fixtures.scored("t1"), Fixtures.scored("t2")],
                deliveries: [delivery, AlertDelivery()], overrides: [override, DecisionOverride()]))
        try roundTrip(ReviewQueueRequest())
        try roundTrip(ReviewQueueRequest(minRisk: .high, limit: 5, offset: 7, minAgeMinutes: 30))
        try roundTrip(ReviewQueueResponse(items: [item()], total: 9, breached: 3))
        try roundTrip(ClaimRequest(alertID: "1", analyst: "ana", minRisk: .critical))
        try roundTrip(ClaimRequest(analyst: ""))
        try roundTrip(ClaimResponse())
        try roundTrip(ClaimResponse(item: item()))
        let decide = ReviewDecideRequest(
            alertID: "1", decision: .legitimate, note: Fixtures.unicode, analyst: "ana", idempotencyKey: "k-1",
            override: true)
        try roundTrip(decide)
        try roundTrip(ReviewDecideResponse(item: item(), replayed: true, overridden: true))
        try roundTrip(DecideManyRequest(items: [decide, decide]))
        try roundTrip(
            DecideManyResponse(results: [
                DecideResult(response: ReviewDecideResponse(item: item())),
                DecideResult(status: RPCStatus(code: .aborted, message: "claimed by ana")),
            ]))
        try roundTrip(ReviewStatsRequest())
        try roundTrip(ReviewStatsResponse())
        try roundTrip(
            ReviewStatsResponse(
                decidedFraud: 3, decidedLegitimate: 1, precision: 0.75, falsePositiveRate: 0.25,
                backlogByRisk: [RiskCount(riskLevel: .high, count: 2)], medianSecondsToDecision: 1500.5,
                p90SecondsToDecision: 4740, slaBreachedByRisk: [RiskCount(riskLevel: .critical, count: 1)],
                decidedAfterSLA: 1, deliveries: [ChannelStateCount(channel: "oncall", state: "dead", count: 2)],
                deadLetters: 2, overrides: 1))
    }

    @Test func requiredSubMessagesAreRefusedWhenAbsent() throws {
        // A ClaimResponse without its item is "nothing to claim"; a ReviewDecideResponse must carry one.
        let empty = try ClaimResponse().serialized()
        #expect(throws: RPCError.self) { try ReviewDecideResponse(serializedBytes: empty) }
        #expect(throws: RPCError.self) { try ReviewItem(serializedBytes: empty) }
    }
}
