"""One module per command: each adds its parser and runs it."""
