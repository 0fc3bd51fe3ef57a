"""The raising area (筹): targets per matter, co-building units, pledges."""
