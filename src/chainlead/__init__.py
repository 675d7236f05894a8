"""chainlead — 产业链链长制工作平台 (a platform for a city's chain-leader program)."""

__version__ = "0.1.0"
