import ArgumentParser

/// The `txad` command-line tool: offline detection work, the local cluster and benchmarks.
public struct TxadCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "txad",
        abstract: "Transaction anomaly detection: generate data, train and evaluate models, run the local cluster.",
        subcommands: [
            AlertsCommand.self,
            BenchCommand.self,
            GenerateCommand.self,
            DataBenchCommand.self,
            TrainCommand.self,
            EvaluateCommand.self,
            ScoreCommand.self,
            KeysCommand.self,
            ModelsCommand.self,
            UpCommand.self,
        ]
    )

    public init() {}
}
