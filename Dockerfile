# Partner MEDDIC web and Celery image. docker-compose.yml runs it as web (gunicorn), worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system prm && useradd --system --gid prm --home-dir /app --shell /usr/sbin/nologin prm

WORKDIR /app

# Dependencies first, exactly as locked (every version pinned with its hashes), so code changes reuse this layer.
COPY requirements/main.txt requirements/main.txt
RUN pip install --require-hashes -r requirements/main.txt

# The code stays owned by root: the app user writes only var/ and staticfiles/.
COPY . .

# Static files are collected into the image; the settings need a SECRET_KEY to load, so a throwaway one is
# given for this step only (the running containers get theirs from the environment).
RUN SECRET_KEY=build-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz DEBUG=false \
    python manage.py collectstatic --no-input \
    && mkdir -p var/media \
    && chown -R prm:prm /app/var /app/staticfiles

USER prm

EXPOSE 8000

CMD ["gunicorn", "prm.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
