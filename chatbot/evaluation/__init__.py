"""Offline evaluation: ReDial ranking metrics, weight fitting, conversation suites."""
