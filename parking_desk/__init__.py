"""Parking Desk: the on-site desk app and notification queue engine of a park-and-fly operator."""

__version__ = "0.1.0"
