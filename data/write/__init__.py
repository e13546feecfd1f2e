"""The one write path: rows, history, audit, rollups and data versions in one transaction."""
