"""The wall's per-scope snapshot, computed once per tick and shared."""
