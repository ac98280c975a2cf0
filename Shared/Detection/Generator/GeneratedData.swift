import Domain

/// A generated data set, sorted by time: transactions with labels, ready to write as CSV or use in memory.
public struct GeneratedData: Sendable {
    /// How it was generated.
    public let configuration: GeneratorConfiguration
    private let events: [GeneratedEvent]
    private let merchantNames: [String]
    private let transactionIDWidth: Int
    private let userIDWidth: Int

    init(configuration: GeneratorConfiguration, events: [GeneratedEvent], merchantNames: [String]) {
        self.configuration = configuration
        self.events = events
        self.merchantNames = merchantNames
        transactionIDWidth = max(7, String(events.count).count)
        userIDWidth = max(5, String(configuration.users).count)
    }

    /// Number of rows.
    public var count: Int { events.count }

    /// Row `index` as a transaction (ids `tx0000001…` in time order, users `u00001…`).
    public func transaction(at index: Int) -> Transaction {
        let e = events[index]
        let located = !e.latitude.isNaN
        return Transaction(
            transactionID: "tx" + Self.padded(index + 1, transactionIDWidth),
            userID: "u" + Self.padded(Int(e.user) + 1, userIDWidth),
            timestampMillis: e.millis,
            amount: Double(e.amountCents) / 100,
            currency: "USD",
            merchantID: e.merchant >= 0 ? merchantNames[Int(e.merchant)] : nil,
            merchantCategory: e.category >= 0 ? WorldCatalog.categories[Int(e.category)].name : nil,
            channel: e.channel >= 0 ? Channel.allCases[Int(e.channel)] : nil,
            latitude: located ? e.latitude : nil,
            longitude: located ? e.longitude : nil,
            country: e.countryCity >= 0 ? WorldCatalog.cities[Int(e.countryCity)].country : nil)
    }

    /// The label of row `index`.
    public func label(at index: Int) -> AnomalyLabel {
        let a = Int(events[index].anomaly)
        return a == 0
            ? AnomalyLabel(isAnomaly: false)
            : AnomalyLabel(isAnomaly: true, anomalyType: InjectedAnomaly.allCases[a - 1].rawValue)
    }

    /// All rows as transactions, in time order.
    public var transactions: [Transaction] { (0..<count).map(transaction(at:)) }

    /// All labels, aligned with ``transactions``.
    public var labels: [AnomalyLabel] { (0..<count).map(label(at:)) }

    /// Number of anomalous rows per type (`high_amount`: 2000, …).
    public var anomalyCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for e in events where e.anomaly > 0 {
            counts[InjectedAnomaly.allCases[Int(e.anomaly) - 1].rawValue, default: 0] += 1
        }
        return counts
    }

    /// Writes the header and every row with labels; `progress` gets (rows written, rows) every 65,536 rows.
    /// Call `writer.close()` afterwards.
    public func write(to writer: CSVWriter, progress: ((_ done: Int, _ total: Int) -> Void)? = nil)
        throws(DetectionError)
    {
        try writer.writeRow(CSVWriter.header(labels: true))
        for i in 0..<count {
            try writer.write(transaction(at: i), label: label(at: i), labels: true)
            if let progress, (i + 1) & 0xFFFF == 0 { progress(i + 1, count) }
        }
        progress?(count, count)
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
