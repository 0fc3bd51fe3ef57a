# Slim image for Council. Build: docker build -t council .
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
ENV COUNCIL_DATA_DIR=/data
VOLUME ["/data"]
COPY --chown=council examples ./examples
ENTRYPOINT ["council"]
CMD ["tally", "--help"]
