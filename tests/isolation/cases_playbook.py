"""The high-performer playbook (DESIGN §6): vendor staff only, as a page, its CSV and the API."""

from tests.isolation.cases import LOGIN, Case, expect

CASES = [
    Case("insights_playbook", expect(LOGIN, 403, 403, 200, 200, 404, 403)),
    Case("insights_playbook_export", expect(LOGIN, 403, 403, 200, 200, 404, 403)),
    Case("api_insights_playbook", expect(401, 403, 403, 200, 200, 404, 403), json=True),
]
