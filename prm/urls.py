from django.contrib import admin
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from notifications.views_account import MailPreferencesView, UnsubscribeView
from partners.views_account import InvitationAcceptView, home, set_language


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("invitations/<str:token>/", InvitationAcceptView.as_view(), name="invitation_accept"),
    path("account/mail/", MailPreferencesView.as_view(), name="mail_preferences"),
    path("mail/unsubscribe/<str:token>/", UnsubscribeView.as_view(), name="mail_unsubscribe"),
    path("admin/", admin.site.urls),
    path("v/<slug:vendor_slug>/", include("partners.urls")),
    path("v/<slug:vendor_slug>/", include("deals.urls")),
    path("v/<slug:vendor_slug>/", include("meddic.urls")),
    path("v/<slug:vendor_slug>/", include("notifications.urls")),
    path("v/<slug:vendor_slug>/", include("enablement.urls")),
    path("v/<slug:vendor_slug>/", include("knowledge.urls")),
    path("v/<slug:vendor_slug>/", include("knowledge.urls_support")),
    path("v/<slug:vendor_slug>/", include("knowledge.urls_insights")),
    path("v/<slug:vendor_slug>/", include("knowledge.urls_playbook")),
    path("v/<slug:vendor_slug>/", include("audit.urls")),
    path("v/<slug:vendor_slug>/", include("webhooks.urls")),
    path("api/v1/", include("prm.api_urls")),
]

# A database that is away while a middleware runs (sessions, users, vendors) is a 503, not a 500 (prm.unavailable).
handler500 = "prm.unavailable.server_error"
