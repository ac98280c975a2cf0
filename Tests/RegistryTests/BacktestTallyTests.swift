import Domain
import Testing

@testable import Registry

/// The backtest's streaming figures on a hand-made set of rows.
@Suite struct BacktestTallyTests {
    private func row(
        _ id: Int, day: Int, live: Double, risk: RiskLevel, version: String = "v1", decision: String? = nil
    ) -> BacktestRow {
        BacktestRow(
            transaction: Transaction(
                transactionID: "t\(id)", userID: "u", timestampMillis: Int64(day) * 86_400_000 + Int64(id), amount: 1),
            liveScore: live, liveRisk: risk, liveVersion: version, degraded: false, decision: decision)
    }

    @Test func figuresOfAKnownReplay() {
        var tally = BacktestTally()
        // live score, live risk, replayed score, replayed risk, decision
        tally.add(row(1, day: 0, live: 0.1, risk: .low), score: 0.1, risk: .low, version: "v1")
        tally.add(row(2, day: 0, live: 0.2, risk: .low), score: 0.3, risk: .medium, version: "v1")
        tally.add(row(3, day: 1, live: 0.9, risk: .high, decision: "confirmed_fraud"), score: 0.9, risk: .high, version: "v1")
        tally.add(row(4, day: 1, live: 0.8, risk: .medium, decision: "legitimate"), score: 0.2, risk: .low, version: "v1")
        tally.add(
            row(5, day: 1, live: 0.7, risk: .medium, version: "v0", decision: "confirmed_fraud"), score: 0.6,
            risk: .medium, version: "v1")
        let report = tally.report(version: "v1", since: "a", until: "b", windowRows: 5, completed: true)
        let c = report.comparison
        #expect(c.champion == "live v0+v1" && c.challenger == "v1" && c.transactions == 5)
        #expect(c.championAlertRate == 0.6 && c.challengerAlertRate == 0.6)
        #expect(c.levels.map(\.count) == [2, 2, 1, 0] && c.levels.map(\.agreeing) == [1, 1, 1, 0])
        #expect(c.decidedAlerts == 3)
        #expect(c.championPrecision == 2.0 / 3.0 && c.challengerPrecision == 1.0)
        #expect(report.confirmedFraud == 2 && report.confirmedFraudCaught == 2 && report.fraudRecall == 1)
        #expect(report.sameVersionRows == 4 && report.exactMatches == 2)
        #expect(abs(report.maximumDifference - 0.6) < 1e-12)
        #expect(report.days.map(\.date) == ["1970-01-01", "1970-01-02"])
        #expect(report.days.map(\.liveAlerts) == [0, 3] && report.days.map(\.backtestAlerts) == [1, 2])
        // Pearson correlation of (0.1, 0.2, 0.9, 0.8, 0.7) and (0.1, 0.3, 0.9, 0.2, 0.6), computed by hand.
        let x = [0.1, 0.2, 0.9, 0.8, 0.7]
        let y = [0.1, 0.3, 0.9, 0.2, 0.6]
        let mx = x.reduce(0, +) / 5
        let my = y.reduce(0, +) / 5
        let sxy = zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        let expected = sxy / (x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +) * y.map { ($0 - my) * ($0 - my) }.reduce(0, +)).squareRoot()
        #expect(abs((c.correlation ?? 0) - expected) < 1e-12)
    }
}
