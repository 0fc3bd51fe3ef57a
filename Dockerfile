# Council: slim image, runs as a non-root user, keeps its data in /data, migrates then serves.
#   docker build -t council .
#   docker run -p 8000:8000 -v council-data:/data -e COUNCIL_ALLOWED_HOSTS=council.example.cn council
# Set COUNCIL_DATABASE_URL=postgresql://... to use PostgreSQL instead of the embedded SQLite file.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY council ./council
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
COPY --from=build /install /usr/local
RUN useradd --create-home --uid 10001 council && mkdir -p /data && chown council /data
USER council
WORKDIR /home/council
ENV COUNCIL_DATA_DIR=/data \
    COUNCIL_ALLOWED_HOSTS=localhost,127.0.0.1 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
ENTRYPOINT ["council"]
# `serve` applies pending migrations before it starts the workers
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
