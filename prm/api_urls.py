"""API under /api/v1/ (DESIGN §7)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from audit import api as audit_api
from deals import api as deals_api
from deals import api_conflicts
from enablement import api as content_api
from enablement import api_funnel, api_inbox
from knowledge import api as knowledge_api
from knowledge import api_insights as insights_api
from knowledge import api_playbook, api_support
from meddic import api as meddic_api
from meddic import api_reviews as reviews_api
from notifications import api as notifications_api
from partners import api as partners_api
from partners import api_members, api_tokens
from webhooks import api as webhooks_api

partner_list = partners_api.PartnerViewSet.as_view({"get": "list", "post": "create"})
partner_detail = partners_api.PartnerViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
webhook_list = webhooks_api.WebhookViewSet.as_view({"get": "list", "post": "create"})
webhook_detail = webhooks_api.WebhookViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
)
WEBHOOK = "vendors/<slug:vendor_slug>/webhooks/<int:webhook_id>/"
deal_list = deals_api.DealViewSet.as_view({"get": "list", "post": "create"})
deal_detail = deals_api.DealViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
DEAL = "vendors/<slug:vendor_slug>/deals/<int:deal_id>/"
INFO_REQUEST = "vendors/<slug:vendor_slug>/info-requests/<int:request_id>/"
CONTENT = "vendors/<slug:vendor_slug>/content/"
INBOX = f"{CONTENT}inbox/<int:content_id>/"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("auth/token/", partners_api.TokenView.as_view(), name="api_token"),
    path("me/", partners_api.MeView.as_view(), name="api_me"),
    path("me/tokens/", api_tokens.MeTokenListView.as_view(), name="api_me_tokens"),
    path("me/tokens/<int:token_id>/", api_tokens.MeTokenDetailView.as_view(), name="api_me_token"),
    path("vendors/<slug:vendor_slug>/partners/", partner_list, name="api_partner_list"),
    path("vendors/<slug:vendor_slug>/members/", api_members.MemberListView.as_view(), name="api_members"),
    path(
        "vendors/<slug:vendor_slug>/members/<int:member_id>/deactivate/",
        api_members.MemberDeactivateView.as_view(),
        name="api_member_deactivate",
    ),
    path(
        "vendors/<slug:vendor_slug>/members/<int:member_id>/reactivate/",
        api_members.MemberReactivateView.as_view(),
        name="api_member_reactivate",
    ),
    path(
        "vendors/<slug:vendor_slug>/settings/",
        api_members.VendorSettingsView.as_view(),
        name="api_vendor_settings",
    ),
    path("vendors/<slug:vendor_slug>/audit/", audit_api.AuditListView.as_view(), name="api_audit"),
    path("vendors/<slug:vendor_slug>/support/", api_support.SupportListView.as_view(), name="api_support"),
    path(
        "vendors/<slug:vendor_slug>/support/<int:activity_id>/",
        api_support.SupportDetailView.as_view(),
        name="api_support_activity",
    ),
    path(
        "vendors/<slug:vendor_slug>/conflicts/",
        api_conflicts.ConflictListView.as_view(),
        name="api_conflicts",
    ),
    path(
        "vendors/<slug:vendor_slug>/conflicts/<int:conflict_id>/",
        api_conflicts.ConflictDetailView.as_view(),
        name="api_conflict",
    ),
    path(
        "vendors/<slug:vendor_slug>/conflicts/<int:conflict_id>/resolve/",
        api_conflicts.ConflictResolveView.as_view(),
        name="api_conflict_resolve",
    ),
    path(CONTENT, content_api.ContentListView.as_view(), name="api_contents"),
    path(f"{CONTENT}<int:content_id>/", content_api.ContentDetailView.as_view(), name="api_content"),
    path(
        f"{CONTENT}<int:content_id>/publish/",
        content_api.ContentPublishView.as_view(),
        name="api_content_publish",
    ),
    path(
        f"{CONTENT}<int:content_id>/remind/",
        content_api.ContentRemindView.as_view(),
        name="api_content_remind",
    ),
    path(f"{CONTENT}<int:content_id>/file/", content_api.ContentFileView.as_view(), name="api_content_file"),
    path(
        f"{CONTENT}<int:content_id>/partners/",
        api_funnel.ContentPartnersView.as_view(),
        name="api_content_partners",
    ),
    path(
        f"{CONTENT}<int:content_id>/recipients/",
        api_funnel.ContentRecipientsView.as_view(),
        name="api_content_recipients",
    ),
    path(
        f"{CONTENT}partners/", api_funnel.PartnerFunnelListView.as_view(), name="api_content_partner_funnels"
    ),
    path(
        f"{CONTENT}partners/<int:partner_id>/",
        api_funnel.PartnerFunnelDetailView.as_view(),
        name="api_content_partner_funnel",
    ),
    path(f"{CONTENT}inbox/", api_inbox.InboxListView.as_view(), name="api_content_inbox"),
    path(INBOX, api_inbox.InboxDetailView.as_view(), name="api_content_inbox_item"),
    *(
        path(f"{INBOX}{step}/", api_inbox.stage_view(step).as_view(), name=f"api_content_inbox_{step}")
        for step in ("open", "read", "understood")
    ),
    path(f"{INBOX}quiz/", api_inbox.InboxQuizView.as_view(), name="api_content_inbox_quiz"),
    path("vendors/<slug:vendor_slug>/webhooks/", webhook_list, name="api_webhooks"),
    path(WEBHOOK, webhook_detail, name="api_webhook"),
    path(
        f"{WEBHOOK}deliveries/", webhooks_api.WebhookDeliveryListView.as_view(), name="api_webhook_deliveries"
    ),
    path(
        f"{WEBHOOK}deliveries/<int:delivery_id>/redeliver/",
        webhooks_api.WebhookRedeliverView.as_view(),
        name="api_webhook_redeliver",
    ),
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
    path(
        f"{DEAL}info-requests/",
        reviews_api.DealInfoRequestsView.as_view(),
        name="api_deal_info_requests",
    ),
    path(
        "vendors/<slug:vendor_slug>/info-requests/",
        reviews_api.InfoRequestListView.as_view(),
        name="api_info_requests",
    ),
    path(INFO_REQUEST, reviews_api.InfoRequestDetailView.as_view(), name="api_info_request"),
    path(
        f"{INFO_REQUEST}answer/",
        reviews_api.InfoRequestAnswerView.as_view(),
        name="api_info_request_answer",
    ),
    path(
        f"{INFO_REQUEST}withdraw/",
        reviews_api.InfoRequestWithdrawView.as_view(),
        name="api_info_request_withdraw",
    ),
    path(f"{DEAL}review/", reviews_api.DealReviewView.as_view(), name="api_deal_review"),
    path(
        "vendors/<slug:vendor_slug>/reviews/", reviews_api.BulkReviewView.as_view(), name="api_reviews_bulk"
    ),
    path(
        "vendors/<slug:vendor_slug>/notifications/",
        notifications_api.NotificationListView.as_view(),
        name="api_notifications",
    ),
    path(
        "vendors/<slug:vendor_slug>/notifications/read/",
        notifications_api.NotificationReadView.as_view(),
        name="api_notifications_read",
    ),
    path("vendors/<slug:vendor_slug>/kpis/", knowledge_api.KpiListView.as_view(), name="api_kpis"),
    path(
        "vendors/<slug:vendor_slug>/kpis/recompute/",
        knowledge_api.KpiRecomputeView.as_view(),
        name="api_kpis_recompute",
    ),
    path("tasks/<str:task_id>/", knowledge_api.TaskStateView.as_view(), name="api_task"),
    path(
        "vendors/<slug:vendor_slug>/insights/playbook/",
        api_playbook.PlaybookView.as_view(),
        name="api_insights_playbook",
    ),
    path(
        "vendors/<slug:vendor_slug>/insights/loss-factors/",
        insights_api.LossFactorsView.as_view(),
        name="api_insights_loss_factors",
    ),
    path(
        "vendors/<slug:vendor_slug>/insights/ringi-patterns/",
        insights_api.RingiPatternsView.as_view(),
        name="api_insights_ringi_patterns",
    ),
]
