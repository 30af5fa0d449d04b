"""homeledger: self-hosted double-entry finance for a person or a household."""

__version__ = "0.1.0"
