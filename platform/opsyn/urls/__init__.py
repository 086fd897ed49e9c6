"""URL maps: one for the platform host, one for tenant hosts."""
