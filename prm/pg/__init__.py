"""PostgreSQL backend that keeps the session's row-level security setting in step with the tenant scope."""
