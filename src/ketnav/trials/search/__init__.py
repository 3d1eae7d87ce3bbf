"""Search over the local registry: query parsing, documents, backends (SQLite FTS5, PostgreSQL)."""
