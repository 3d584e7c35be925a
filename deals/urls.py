"""Deal pages under /v/<vendor_slug>/: each view module lists its own routes."""

from deals import views, views_form, views_import, views_list

urlpatterns = [
    *views_list.urlpatterns,
    *views_import.urlpatterns,
    *views_form.urlpatterns,
    *views.urlpatterns,
]
