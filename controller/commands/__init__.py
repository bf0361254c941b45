"""One module per ``bosun`` subcommand: argument parsing and output formatting only."""
