import TxadCLI

/// Runs the async entry point explicitly: at top level `await TxadCommand.main()` can resolve to the synchronous
/// `ParsableCommand.main()`, which does not run async subcommands.
func runTxad() async {
    await TxadCommand.main()
}

await runTxad()
