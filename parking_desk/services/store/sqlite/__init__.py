"""The embedded backend: one SQLite file, the default when no cloud project is configured."""
