"""Webhooks API (DESIGN §10): vendor admins list, add, change and remove endpoints, read each one's delivery log
and send a delivery again."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from partners.models import Role
from prm.api import VendorAPIMixin, bounded_id
from prm.api_schema import ERRORS_400, ERRORS_403, ERRORS_404
from prm.parsers import JSONParser
from webhooks import services
from webhooks.models import Webhook, WebhookDelivery
from webhooks.serializers import WebhookCreatedSerializer, WebhookDeliverySerializer, WebhookSerializer

ADMINS = (Role.VENDOR_ADMIN,)


@extend_schema(tags=["webhooks"])
@extend_schema_view(
    list=extend_schema(summary=_("Webhooks"), responses={200: WebhookSerializer(many=True), 403: ERRORS_403}),
    create=extend_schema(
        summary=_("Add a webhook"),
        description=_(
            "Every event of the list is POSTed to the URL after it happens, signed with the secret of this answer "
            "(X-PRM-Signature). Slack and Teams formats post a readable message instead."
        ),
        request=WebhookSerializer,
        responses={201: WebhookCreatedSerializer, 400: ERRORS_400, 403: ERRORS_403},
    ),
    retrieve=extend_schema(summary=_("A webhook"), responses={200: WebhookSerializer, 404: ERRORS_404}),
    partial_update=extend_schema(
        summary=_("Change a webhook"),
        description=_("Turning a webhook that was disabled after failures on again (is_active) resumes it."),
        request=WebhookSerializer,
        responses={200: WebhookSerializer, 400: ERRORS_400, 404: ERRORS_404},
    ),
    destroy=extend_schema(summary=_("Remove a webhook"), responses={204: None, 404: ERRORS_404}),
)
class WebhookViewSet(
    VendorAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    roles = ADMINS
    serializer_class = WebhookSerializer
    parser_classes = (JSONParser,)
    lookup_url_kwarg = "webhook_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Webhook.objects.none()
        return Webhook.objects.all().order_by("pk")

    def get_object(self):
        bounded_id(self.kwargs["webhook_id"])
        return super().get_object()

    def create(self, request, vendor_slug):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        hook = services.webhook_create(access=self.access, **serializer.validated_data)
        return Response(WebhookCreatedSerializer(hook).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, vendor_slug, webhook_id):
        hook = self.get_object()
        serializer = self.get_serializer(hook, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        hook = services.webhook_update(access=self.access, webhook=hook, **serializer.validated_data)
        return Response(WebhookSerializer(hook).data)

    def destroy(self, request, vendor_slug, webhook_id):
        services.webhook_delete(access=self.access, webhook=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["webhooks"])
class WebhookDeliveryListView(VendorAPIMixin, mixins.ListModelMixin, GenericAPIView):
    """A webhook's deliveries, newest first: each event sent, its attempts and the endpoint's last answer."""

    roles = ADMINS
    serializer_class = WebhookDeliverySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        hook = get_object_or_404(Webhook, pk=bounded_id(self.kwargs["webhook_id"]))
        return hook.deliveries.select_related("event").order_by("-created_at", "-pk")

    @extend_schema(
        operation_id="vendors_webhooks_deliveries_list",
        summary=_("A webhook's deliveries"),
        responses={200: WebhookDeliverySerializer(many=True), 404: ERRORS_404},
    )
    def get(self, request, vendor_slug, webhook_id):
        return self.list(request)


@extend_schema(tags=["webhooks"])
class WebhookRedeliverView(VendorAPIMixin, GenericAPIView):
    roles = ADMINS
    serializer_class = WebhookDeliverySerializer

    @extend_schema(
        operation_id="vendors_webhooks_deliveries_redeliver",
        summary=_("Send a delivery again"),
        description=_("The same event to the same endpoint, as a new delivery (a new X-PRM-Delivery)."),
        request=None,
        responses={202: WebhookDeliverySerializer, 400: ERRORS_400, 404: ERRORS_404},
    )
    def post(self, request, vendor_slug, webhook_id, delivery_id):
        delivery = get_object_or_404(
            WebhookDelivery.objects.select_related("webhook", "event"),
            pk=bounded_id(delivery_id),
            webhook_id=bounded_id(webhook_id),
        )
        again = services.delivery_redeliver(access=self.access, delivery=delivery)
        return Response(WebhookDeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED)
