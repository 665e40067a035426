"""Decisions: weights, scoring, robustness, location-allocation, fairness, finance."""
