"""The command line: each subcommand parses its arguments, calls the library and prints."""
