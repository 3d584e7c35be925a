"""API of the caller's own notifications in one vendor (DESIGN §5, shapes of §7).

Every role reads only notifications addressed to itself; the vendor scope of the request keeps other vendors'
notifications out, and ids of anyone else's notifications are ignored when marking read.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from notifications import services
from notifications.models import Notification
from notifications.serializers import MarkedSerializer, MarkReadSerializer, NotificationSerializer
from partners.models import ALL_ROLES
from prm.api import VendorAPIMixin
from prm.api_filters import TrueFalseFilter
from prm.api_schema import ERRORS_400, ERRORS_404
from prm.parsers import JSONParser


class NotificationFilter(django_filters.FilterSet):
    unread = TrueFalseFilter(
        method="filter_unread",
        label=_("Only unread (true) or only read (false)"),
    )

    class Meta:
        model = Notification
        fields = ["unread"]

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value)


class NotificationListView(VendorAPIMixin, mixins.ListModelMixin, GenericAPIView):
    roles = ALL_ROLES
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return (
            Notification.objects.filter(recipient=self.access.user)
            .select_related("actor")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        operation_id="vendors_notifications_list",
        tags=["notifications"],
        summary=_("My notifications"),
        description=_("The caller's own notifications in this vendor, newest first."),
        responses={200: NotificationSerializer(many=True), 400: ERRORS_400, 404: ERRORS_404},
    )
    def get(self, request, vendor_slug):
        return self.list(request)


class NotificationReadView(VendorAPIMixin, GenericAPIView):
    roles = ALL_ROLES
    parser_classes = (JSONParser,)
    serializer_class = MarkReadSerializer

    @extend_schema(
        operation_id="vendors_notifications_read",
        tags=["notifications"],
        summary=_("Mark notifications read"),
        description=_(
            "Marks the caller's notifications of `ids` read, or all of them when `ids` is left out."
        ),
        request=MarkReadSerializer,
        responses={200: MarkedSerializer, 400: ERRORS_400, 404: ERRORS_404},
    )
    def post(self, request, vendor_slug):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = services.mark_read(
            user=self.access.user, vendor=self.access.vendor, ids=serializer.validated_data.get("ids")
        )
        return Response({"marked": marked})
