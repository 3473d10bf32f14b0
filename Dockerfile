FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONPATH=/app
WORKDIR /app

# 1. The dependencies, read from pyproject.toml alone, so this layer is rebuilt only when they
#    change. The project itself runs from /app (not installed as a package).
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# 2. The source, whole: no app is named here, so a new one cannot be left out. .dockerignore
#    keeps secrets (.env), databases, virtualenvs, caches and build leftovers out.
COPY . .

# 3. The static files and the compiled translations (.mo, from the .po with Babel), collected with the production storage, whose manifest production serves
#    from. The key and host are placeholders for this one command; the image keeps neither.
RUN DJANGO_SETTINGS_MODULE=meetcoop.settings.production \
    DJANGO_SECRET_KEY=placeholder-for-collectstatic-at-build-time-only-not-a-secret \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    OIDC_RSA_PRIVATE_KEY=placeholder-for-collectstatic-at-build-time-only \
    sh -c "python manage.py collectstatic --noinput && python manage.py catalogues compile"

RUN useradd --create-home app
USER app
EXPOSE 8000
CMD ["gunicorn", "meetcoop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
