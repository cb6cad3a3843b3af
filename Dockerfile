# Playbook bot: python-telegram-bot on Python 3.11 (the CI version), run as a non-root user.
# Build:  docker build -t playbook-bot .
# Run:    docker run --rm -e TELEGRAM_BOT_TOKEN=... -v ./content:/app/content:ro playbook-bot
# See docs/docker.md.

# The package as a wheel, built where a C compiler is: the urgency model's n-gram lookups are
# compiled (bot/_ngrams.c). The image itself needs no compiler.
FROM python:3.11-slim AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY bot/ ./bot/
COPY bot_telegram/ ./bot_telegram/
# The extension is optional for pip (it builds without a compiler); here it must be there.
RUN pip wheel --no-deps --wheel-dir /wheels . \
    && python -c "import glob, sys, zipfile; \
names = zipfile.ZipFile(glob.glob('/wheels/*.whl')[0]).namelist(); \
sys.exit(0 if any(n.startswith('bot/_ngrams') for n in names) else 'bot/_ngrams.c not built')"

FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BOT_CONTENT_DIR=/app/content \
    BOT_DATA_DIR=/app/data \
    PTB_TIMEDELTA=1

# A fixed, unprivileged user: it can read /app but not change the code or the content.
RUN groupadd --system --gid 10001 playbook \
    && useradd --system --uid 10001 --gid playbook --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin playbook

WORKDIR /app

# Dependencies first, from pyproject.toml alone (with empty stand-in packages): editing the code
# or the content does not invalidate this, the slowest layer.
COPY pyproject.toml README.md constraints.txt ./
RUN mkdir bot bot_telegram \
    && touch bot/__init__.py bot_telegram/__init__.py \
    && pip install -c constraints.txt . \
    && pip uninstall --yes playbook-bot \
    && rm -rf bot bot_telegram build ./*.egg-info

# Then the code, without touching the dependencies again.
COPY --from=wheel /wheels /wheels
RUN pip install --no-deps /wheels/*.whl \
    && rm -rf /wheels

# Content last (it changes most often); a volume may replace it at run time.
COPY content/ ./content/

# The figures (SQLite, unless BOT_DATABASE_URL points at PostgreSQL) and the health status:
# the only folder the bot writes to. Mount a volume here to keep the figures.
RUN mkdir /app/data && chown 10001:10001 /app/data

USER 10001:10001

# An image with broken content cannot be built; run as the runtime user to prove it can read it.
RUN playbook check /app/content

# Telegram webhook mode only (BOT_WEBHOOK_URL set); polling needs no inbound port.
EXPOSE 8443

# Exit 0 only when the running bot serves content (the status file it rewrites every 15 s)
# and the Bot API answers getMe: milliseconds, the content folder is not loaded.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["playbook", "health"]

CMD ["playbook", "run"]
