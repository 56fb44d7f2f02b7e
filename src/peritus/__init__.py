"""Peritus: the system of record for personnel certification bodies (ISO/IEC 17024)."""

__version__ = "0.1.0"
