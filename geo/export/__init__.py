"""Exports of the indicator table, each stamped with provenance."""
