"""Data: official sources, user files, snapshots and the Layers bundle every analysis takes."""
