# One image for web, worker and beat (see docker-compose.yml). It runs production settings: it
# needs DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS at run time, and never seeds demo data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
# WeasyPrint (PDF receipts) needs Pango, and a CJK font to print Chinese.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic imports the production settings: a throwaway key of this build step only.
RUN pybabel compile -d locale -D django \
 && DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    DJANGO_ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput --verbosity 0 \
 && useradd --create-home --uid 1000 billing \
 && mkdir -p /app/var/media && chown billing /app/var/media
USER billing

EXPOSE 8000
ENV WEB_CONCURRENCY=2
CMD ["gunicorn", "billing_center.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
