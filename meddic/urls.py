from meddic import views, views_queue, views_review

urlpatterns = [*views.urlpatterns, *views_review.urlpatterns, *views_queue.urlpatterns]
