"""议事厅 Council: deliberation and owner votes for residential compounds."""

__version__ = "0.1.0"
