"""The command line: `python -m bot [command]` (see README and docs/)."""
