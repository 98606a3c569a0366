"""Test helpers (importable as ``support``: ``pythonpath = tests`` in pyproject.toml)."""
