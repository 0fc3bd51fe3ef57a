"""The proposals area (提): proposals (提案), co-signs per household (附议), the party branch's pre-
review (前置审查), answers published together."""
