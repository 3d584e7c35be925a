from django.urls import path

from knowledge import views_support

urlpatterns = [
    path("support/", views_support.SupportListView.as_view(), name="support_list"),
    path("support/export.csv", views_support.SupportExportView.as_view(), name="support_export"),
    path("support/new/", views_support.SupportCreateView.as_view(), name="support_create"),
    path(
        "support/<int:activity_id>/remove/", views_support.SupportRemoveView.as_view(), name="support_remove"
    ),
]
