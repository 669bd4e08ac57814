# meshlint in a container: `docker run --rm -v "$PWD:/src:ro" IMAGE` checks the mounted
# repository (CMD `check .`); other arguments replace the CMD (`IMAGE check --format sarif infra`).
# Build: docker build -t meshlint .   (tests/test_dockerfile.py builds and runs it where a builder runs)

# --- build: the wheel, installed with its dependencies into a virtual environment ---
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /build
# what the wheel is built from (pyproject: readme, src/meshlint, force-included rules/)
COPY pyproject.toml README.md ./
COPY src/ src/
COPY rules/ rules/
RUN python -m pip wheel --no-deps --wheel-dir /wheels . \
 && python -m venv /opt/meshlint \
 && /opt/meshlint/bin/pip install /wheels/meshlint-*.whl \
 && /opt/meshlint/bin/pip uninstall --yes pip setuptools \
 && /opt/meshlint/bin/meshlint --version

# --- runtime: Python, git (for --new-since and `meshlint diff`) and the virtual environment ---
FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="meshlint" \
      org.opencontainers.image.description="Lint Istio-on-Kubernetes infrastructure repositories (Terraform, Helm, manifests) before apply" \
      org.opencontainers.image.source="https://github.com/meshlint/meshlint" \
      org.opencontainers.image.licenses="Apache-2.0"
# git reads the mounted repository, which belongs to another user: safe.directory allows it
RUN apt-get update \
 && apt-get install --yes --no-install-recommends git \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*' \
 && useradd --create-home --uid 10001 --user-group meshlint
COPY --from=build /opt/meshlint /opt/meshlint
# the cache goes to /tmp so that any --user can write it
ENV PATH=/opt/meshlint/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    MESHLINT_CACHE_DIR=/tmp/meshlint-cache
USER 10001:10001
WORKDIR /src
ENTRYPOINT ["meshlint"]
CMD ["check", "."]
