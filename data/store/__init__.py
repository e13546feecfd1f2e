"""Storage: ORM models, engines and sessions, migrations, the cache, the text index."""
