"""API under /api/v1/ (DESIGN §7)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from deals import api as deals_api
from meddic import api as meddic_api
from partners import api as partners_api

partner_list = partners_api.PartnerViewSet.as_view({"get": "list", "post": "create"})
partner_detail = partners_api.PartnerViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
deal_list = deals_api.DealViewSet.as_view({"get": "list", "post": "create"})
deal_detail = deals_api.DealViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
DEAL = "vendors/<slug:vendor_slug>/deals/<int:deal_id>/"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("auth/token/", partners_api.TokenView.as_view(), name="api_token"),
    path("me/", partners_api.MeView.as_view(), name="api_me"),
    path("vendors/<slug:vendor_slug>/partners/", partner_list, name="api_partner_list"),
    path("vendors/<slug:vendor_slug>/partners/<int:partner_id>/", partner_detail, name="api_partner_detail"),
    path(
        "vendors/<slug:vendor_slug>/partners/<int:partner_id>/invitations/",
        partners_api.PartnerInvitationView.as_view(),
        name="api_partner_invitations",
    ),
    path(
        "vendors/<slug:vendor_slug>/invitations/",
        partners_api.StaffInvitationView.as_view(),
        name="api_staff_invitations",
    ),
    path(
        "invitations/<str:token>/accept/",
        partners_api.InvitationAcceptView.as_view(),
        name="api_invitation_accept",
    ),
    path("vendors/<slug:vendor_slug>/deals/", deal_list, name="api_deal_list"),
    path(DEAL, deal_detail, name="api_deal_detail"),
    *(
        path(f"{DEAL}{step}/", deals_api.workflow_view(step).as_view(), name=f"api_deal_{step}")
        for step in ("submit", "approve", "reject", "return")
    ),
    path(
        f"{DEAL}champion-activities/",
        deals_api.ChampionActivityView.as_view(),
        name="api_deal_champion_activities",
    ),
    path(
        "vendors/<slug:vendor_slug>/meddic-weights/",
        meddic_api.WeightsView.as_view(),
        name="api_meddic_weights",
    ),
    path(
        "vendors/<slug:vendor_slug>/deals/<int:deal_id>/elements/<str:code>/verify/",
        meddic_api.ElementVerifyView.as_view(),
        name="api_element_verify",
    ),
]
