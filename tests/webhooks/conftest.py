from tests.api.conftest import api, api_as  # noqa: F401 - the API client fixtures
