"""Facts every stage shares: paths, the manifest, the codebook, atomic writes. Imports nothing else of poc1540."""
