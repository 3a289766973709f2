# The app's image: the app as `make run` serves it, for the replicas of compose.yaml.
# Build: docker build -t neural-network-playground .   (compose.yaml builds it for you)
FROM python:3.11-slim-bookworm

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# The web app's static/ receives plotly.js on first use; data/ holds the SQLite file when no database is configured.
RUN mkdir -p playground/web/static data /uploads && chown -R nobody:nogroup playground/web/static data /uploads
USER nobody
ENV PLAYGROUND_UPLOADS_DIR=/uploads \
    HOME=/tmp

EXPOSE 8501
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=2)"
CMD ["python", "-m", "playground", "app", "--port", "8501", "--address", "0.0.0.0"]
