import TxadCLI

await TxadCommand.main()
