"""The `homeledger` command: Typer root; each domain adds its sub-app."""
