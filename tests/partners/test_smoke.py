import pytest
from django_scopes import ScopeError

from partners.models import PartnerCompany


@pytest.mark.django_db
def test_unscoped_query_raises(world):
    with pytest.raises(ScopeError):
        list(PartnerCompany.objects.all())
