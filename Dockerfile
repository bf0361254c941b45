# The bosun controller image: `bosun install` runs it as `bosun controller ...` (docs/kubernetes.md).
#   docker build -t registry.example.com/bosun:0.1.0 .
FROM python:3.11-slim

# The controller mirrors the watched repository with git.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/*

# Non-root; the uid matches the Deployment's runAsUser (bosun.render.install.USER_ID).
RUN groupadd --gid 10001 bosun \
    && useradd --uid 10001 --gid 10001 --home-dir /home/bosun --create-home --shell /usr/sbin/nologin bosun

WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY controller/ controller/
# constraints.txt pins what the test suite ran against.
RUN pip install --no-cache-dir -c constraints.txt '.[gitops,kubernetes]' \
    && rm -rf /src

USER 10001:10001
WORKDIR /home/bosun
ENV PYTHONUNBUFFERED=1 \
    BOSUN_STATE_DIR=/var/lib/bosun
ENTRYPOINT ["bosun"]
CMD ["controller", "--help"]
