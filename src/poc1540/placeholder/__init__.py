"""Generators of the shipped placeholder data (reference files, illustrative listing, synthetic survey). No stage imports them."""
