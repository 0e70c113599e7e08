"""beleidsscan: scan Dutch municipal policy documents against a research framework."""

__version__ = "0.1.0"
