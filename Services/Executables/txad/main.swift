import TxadCLI

// Inside an async function the call resolves to AsyncParsableCommand's `main()`; a bare top-level
// `await TxadCommand.main()` resolves to the synchronous ParsableCommand overload, which refuses an async root.
func runTxad() async { await TxadCommand.main() }
await runTxad()
