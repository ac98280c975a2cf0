import ArgumentParser

/// `txad bench …`: benchmarks that print tables (never asserted in tests).
public struct BenchCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the RPC layer, the models and the whole stack; prints tables.",
        subcommands: [
            RPCBenchCommand.self, ModelsBenchCommand.self, StackBenchCommand.self, NotificationsBenchCommand.self,
            DashboardBenchCommand.self,
            BacktestBenchCommand.self, ShadowBenchCommand.self, ReloadBenchCommand.self,
            PredictionsBenchCommand.self,
            RateLimitBenchCommand.self,
        ]
    )

    public init() {}
}
