"""poc1540: the shared logic behind the 1540 Points of Contact report pipeline."""

__version__ = "0.1.0"
