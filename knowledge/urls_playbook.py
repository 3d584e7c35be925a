from django.urls import path

from knowledge import views_playbook

urlpatterns = [
    path("insights/playbook/", views_playbook.PlaybookView.as_view(), name="insights_playbook"),
    path(
        "insights/playbook/export.csv",
        views_playbook.PlaybookExportView.as_view(),
        name="insights_playbook_export",
    ),
]
