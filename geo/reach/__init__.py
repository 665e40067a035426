"""Reach: catchment engines (estimate | road network) and the indicator table per site."""
