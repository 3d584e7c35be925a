"""What the deals API and the MEDDIC API share: a deal rendered as its caller sees it, and the stale-version
answer (409) of every write that takes ``version``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse

from deals import selectors
from deals.serializers import DealSerializer, StaleVersionSerializer

ERRORS_409 = OpenApiResponse(
    StaleVersionSerializer,
    description=_(
        'The deal changed since `version` was read: `{"detail", "code": "stale_version", "current": <deal>}`; '
        "nothing was written."
    ),
)


class DealRenderMixin:
    def render_deal(self, deal_id: int) -> dict:
        """The deal as the caller sees it now (conflict flag and elements freshly read)."""
        return DealSerializer(selectors.deal_get(self.access, deal_id)).data
