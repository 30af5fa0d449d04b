"""Bank-file import: parsers for CSV, OFX/QFX, QIF, CAMT.053 and MT940."""
