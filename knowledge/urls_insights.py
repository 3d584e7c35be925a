"""Insight pages (DESIGN §6): loss factors and ringi patterns, for vendor staff."""

from django.urls import path

from knowledge import views_insights as views

urlpatterns = [
    path("insights/loss-factors/", views.LossFactorsView.as_view(), name="insights_loss_factors"),
    path(
        "insights/loss-factors/export.csv",
        views.LossFactorsExportView.as_view(),
        name="insights_loss_factors_export",
    ),
    path("insights/ringi-patterns/", views.RingiPatternsView.as_view(), name="insights_ringi_patterns"),
    path(
        "insights/ringi-patterns/export.csv",
        views.RingiPatternsExportView.as_view(),
        name="insights_ringi_patterns_export",
    ),
]
