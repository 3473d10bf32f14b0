FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY meetcoop meetcoop
COPY membership membership
COPY resellers resellers
COPY contributions contributions
COPY governance governance
RUN pip install --no-cache-dir .
COPY . .
RUN DJANGO_SETTINGS_MODULE=meetcoop.settings.local python manage.py collectstatic --noinput
RUN useradd --create-home app
USER app
EXPOSE 8000
CMD ["gunicorn", "meetcoop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
