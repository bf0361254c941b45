"""Git adapters: reading repositories and working trees (read-only; bosun never writes to the
watched branches)."""
