"""An in-memory fake OKX exchange for offline, deterministic tests."""
