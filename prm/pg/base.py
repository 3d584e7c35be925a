"""Django's PostgreSQL backend, plus row-level security state (see :mod:`prm.rls`).

Before each query the connection compares the django-scopes state with what it last told the server and, when
they differ, sets the role and ``prm.vendor_id`` in one statement. The statement goes through the driver's own
cursor, so query counting in tests and the debug toolbar see only the application's queries. A rollback can undo
``set_config``, so after one the state is unknown and is set again before the next query.
"""

from django.db.backends.postgresql import base

from prm import rls

SYNC_SQL = "SELECT set_config('role', %s, false), set_config(%s, %s, false)"
READY_SQL = (
    "SELECT to_regclass(%s) IS NOT NULL AND pg_has_role(current_user, r.oid, 'MEMBER')"
    " AND has_table_privilege(r.oid, coalesce(to_regclass(%s), 0)::oid, 'SELECT')"
    " FROM pg_roles r WHERE r.rolname = %s"
)
PROBE_TABLE = "partners_partnercompany"


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rls_state = None
        self._rls_ready = None
        self._rls_paused = False
        self.execute_wrappers.insert(0, self._rls_sync)

    def init_connection_state(self):
        super().init_connection_state()
        self._rls_state = (rls.OWN_ROLE, "")
        self._rls_ready = None

    def _rollback(self):
        self._rls_state = None
        return super()._rollback()

    def _savepoint_rollback(self, sid):
        # ROLLBACK TO SAVEPOINT is the one statement an aborted transaction accepts: send it as it is.
        self._rls_paused = True
        try:
            return super()._savepoint_rollback(sid)
        finally:
            self._rls_paused = False
            self._rls_state = None

    def _rls_check_ready(self) -> bool:
        """The tenant role exists, this login may take it, and it has been granted this database's tables."""
        role = rls.tenant_role()
        if not role:
            return False
        with self.wrap_database_errors, self.connection.cursor() as cursor:
            cursor.execute(READY_SQL, [PROBE_TABLE, PROBE_TABLE, role])
            row = cursor.fetchone()
        return bool(row and row[0])

    def _rls_sync(self, execute, sql, params, many, context):
        wanted = rls.wanted_state()
        if wanted != self._rls_state and not self._rls_paused:
            if self._rls_ready is None:
                self._rls_ready = self._rls_check_ready()
            if self._rls_ready:
                role, vendor = wanted
                # Wrapped like Django's own queries: a lost connection is Django's OperationalError (a 503,
                # prm.unavailable) and marks the connection for closing, not a bare psycopg2 error.
                with self.wrap_database_errors, self.connection.cursor() as cursor:
                    cursor.execute(SYNC_SQL, [role, rls.SETTING, vendor])
            self._rls_state = wanted
        return execute(sql, params, many, context)
