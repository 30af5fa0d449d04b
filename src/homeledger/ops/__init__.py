"""Operations: health, migrations, checks, backups, demo data."""
