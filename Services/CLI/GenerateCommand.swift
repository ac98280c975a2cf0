import ArgumentParser
import Detection
import Domain

/// `txad generate`: writes a labelled synthetic transaction CSV (SPEC §3).
public struct GenerateCommand: ParsableCommand {
    /// Command name and help text.
    public static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate labelled synthetic card transactions as CSV (gzip when FILE ends in .gz).",
        discussion: """
            Users have homes, spending levels, daily rhythms, favourite categories and merchants; anomalies are \
            injected at --anomaly-rate (high amount 40%, rapid succession 30%, unusual location 20%, unusual time \
            10%). The same --seed always produces the same file.
            """)

    @Option(help: "Total number of rows.")
    var count: Int = 100_000

    @Option(help: "Number of users (default: one per 200 rows).")
    var users: Int?

    @Option(help: "Share of anomalous rows, 0…0.5.")
    var anomalyRate: Double = 0.05

    @Option(help: "Random seed; equal seeds give identical files.")
    var seed: UInt64 = 42

    @Option(help: "Output CSV file (.csv or .csv.gz).")
    var out: String

    @Option(help: "Start of the period (RFC 3339).")
    var start: String = "2024-01-01T00:00:00Z"

    @Option(help: "Length of the period in days.")
    var days: Int = 90

    @Option(help: "Anomaly profile: standard (SPEC mix) or sparkov (card-fraud bursts; use --anomaly-rate 0.006).")
    var profile: String = "standard"

    @Flag(help: "Do not show progress.")
    var quiet = false

    /// Creates the command (ArgumentParser fills the options).
    public init() {}

    /// Refuses options that cannot generate a data set, naming the option to fix.
    public func validate() throws {
        _ = try makeConfiguration()
    }

    private func makeConfiguration() throws -> GeneratorConfiguration {
        guard let startMillis = RFC3339.parseMillis(start) else {
            throw ValidationError("--start must be an RFC 3339 timestamp such as 2024-01-01T00:00:00Z, got '\(start)'")
        }
        guard let kind = GeneratorConfiguration.Profile(rawValue: profile) else {
            throw ValidationError("--profile must be standard or sparkov, got '\(profile)'")
        }
        let configuration = GeneratorConfiguration(
            count: count, users: users, anomalyRate: anomalyRate, seed: seed, startMillis: startMillis, days: days,
            profile: kind)
        do {
            try configuration.validate()
        } catch {
            throw ValidationError(error.message)
        }
        return configuration
    }

    /// Generates the data set, writes it with progress on standard error and prints a summary.
    public func run() throws {
        let configuration = try makeConfiguration()
        let generator = try TransactionGenerator(configuration: configuration)
        let writer = try CSVWriter(path: out)  // before the work, so a bad path fails at once
        let users = quiet ? nil : ProgressBar(label: "users", total: configuration.users, unit: "users")
        let data = generator.generate { done, total in users?.update(done, total: total) }
        users?.finish(configuration.users)
        let rows = quiet ? nil : ProgressBar(label: "writing", total: data.count)
        try data.write(to: writer) { done, total in rows?.update(done, total: total) }
        try writer.close()
        rows?.finish(data.count)

        let anomalies = data.anomalyCounts
        let types = configuration.profile == .sparkov ? [InjectedAnomaly.cardFraud] : InjectedAnomaly.standardMix
        let mix = types.map { "\($0.rawValue) \(formatCount(anomalies[$0.rawValue] ?? 0))" }
        let end = configuration.startMillis + Int64(configuration.days) * 86_400_000
        print(
            "wrote \(formatCount(data.count)) rows for \(formatCount(configuration.users)) users to \(out): "
                + "\(formatCount(anomalies.values.reduce(0, +))) anomalies (\(mix.joined(separator: ", "))), "
                + "\(RFC3339.format(millis: configuration.startMillis)) to \(RFC3339.format(millis: end)), "
                + "seed \(configuration.seed)")
    }
}
