"""Domain vocabulary and pure rules: no SQLAlchemy, no Flask."""
