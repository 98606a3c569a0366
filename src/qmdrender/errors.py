"""The one error qmdrender raises for a problem in the input (the command line prints it)."""

from __future__ import annotations


class RenderError(RuntimeError):
    """Rendering failed; the message says where (file:line) and why, and what to do."""
