# syntax=docker/dockerfile:1
#
# One image for every OpSyn process; the command picks the role:
#   docker run IMAGE web | worker | scheduler | migrate | <any command>
# See scripts/container-entrypoint.
#
# Reproducible from pinned inputs: the base image tag below (pin its digest
# with Renovate or Dependabot), requirements-prod.lock (hashes for every
# package) and the setuptools pin in the build stage. Nothing is resolved at
# build time.

# ---------------------------------------------------------------------------
# build: the virtualenv, the project and the collected static files
# ---------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

RUN python -m venv /opt/venv

# Dependencies first, so a code change reuses this layer. Wheels only: an
# sdist would pull unpinned build requirements from the index.
WORKDIR /app
COPY requirements-prod.lock ./
RUN pip install --require-hashes --only-binary=:all: --no-deps \
        -r requirements-prod.lock

# The build backend named in pyproject.toml, pinned like everything else so
# the project install below needs no build isolation. Regenerate with:
#   echo 'setuptools>=75' | uv pip compile - --generate-hashes --python-version 3.11
RUN printf '%s\n' 'setuptools==84.2.1 --hash=sha256:3ff8b3b5492a0aa66960f4419365a86b84e013070d4313e4d4a6894f5d64d6bc --hash=sha256:ca140b45d5325a9478f880e351484f62fef15f336462e449ca0c03c873d589c2' \
        >/tmp/build-requirements.lock \
    && pip install --require-hashes --only-binary=:all: --no-deps \
        -r /tmp/build-requirements.lock

COPY pyproject.toml README.md manage.py ./
COPY platform ./platform
COPY shared_apps ./shared_apps
COPY tenant_apps ./tenant_apps

# Installed in editable mode on purpose: the settings find the apps, the
# templates and the default state folder relative to the source tree
# (opsyn.env.REPO_ROOT), which a wheel in site-packages does not keep. The
# finder that setuptools writes needs only the standard library, so the
# build backend is removed again afterwards.
RUN pip install --no-deps --no-build-isolation -e . \
    && pip uninstall --yes setuptools \
    && python -m compileall -q platform shared_apps tenant_apps

# Static files are part of the image, served by WhiteNoise. The settings put
# STATIC_ROOT under OPSYN_STATE_DIR, so the runtime stage must use the same
# value.
RUN DJANGO_SETTINGS_MODULE=opsyn.settings \
    OPSYN_STATE_DIR=/var/lib/opsyn \
    python -m opsyn.manage collectstatic --noinput --verbosity 0

# ---------------------------------------------------------------------------
# runtime: no compilers, no build backend, no root
# ---------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime

LABEL org.opencontainers.image.title="opsyn" \
      org.opencontainers.image.description="OpSyn multi-tenant platform: web, worker, scheduler and migrate roles"

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=opsyn.settings \
    OPSYN_STATE_DIR=/var/lib/opsyn

# A fixed uid lets orchestrators check runAsNonRoot and lets mounted volumes
# be granted to it. The code and static files stay owned by root, so the
# application cannot rewrite itself; only the media folder is writable.
RUN groupadd --system --gid 10001 opsyn \
    && useradd --system --uid 10001 --gid opsyn \
        --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin opsyn \
    && install -d -o opsyn -g opsyn -m 0750 /var/lib/opsyn/media

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY --from=build /var/lib/opsyn/static /var/lib/opsyn/static
COPY --chmod=0755 scripts/container-entrypoint /usr/local/bin/container-entrypoint

WORKDIR /app
USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["container-entrypoint", "healthcheck"]

ENTRYPOINT ["container-entrypoint"]
CMD ["web"]
