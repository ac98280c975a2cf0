/// The `txad` command-line tool.
public enum TxadCLIModule {}
