"""Placeholder: routes are added with the pages."""

urlpatterns = []
