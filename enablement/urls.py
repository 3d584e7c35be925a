"""Pages under /v/<vendor_slug>/content/."""

from enablement import views_funnel, views_partner, views_staff

urlpatterns = [*views_staff.urlpatterns, *views_partner.urlpatterns, *views_funnel.urlpatterns]
