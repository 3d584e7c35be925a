from meddic import views, views_review

urlpatterns = [*views.urlpatterns, *views_review.urlpatterns]
