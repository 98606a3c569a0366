"""The one error type the command line treats as the user's: bad data, bad parameters, bad files.

Anything raised as (a subclass of) :class:`UserError` is printed as one plain message and the
command exits 1. Every other exception is a bug and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix; the message says what, where and how."""
