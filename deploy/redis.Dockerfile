# Debian's redis-server (7.0) on bookworm-slim, for compose and the Kubernetes try-out
# StatefulSet. Built locally so the stack needs no registry; with one, the official
# redis:7 image works the same (set REDIS_IMAGE for compose).
FROM docker.io/library/debian:bookworm-slim
# A fixed uid (999) so Kubernetes can check runAsNonRoot; the package reuses the account.
RUN groupadd --system --gid 999 redis \
 && useradd --system --uid 999 --gid redis --home-dir /var/lib/redis --shell /usr/sbin/nologin redis \
 && apt-get update \
 && apt-get install -y --no-install-recommends redis-server redis-tools \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown redis:redis /data
USER 999:999
WORKDIR /data
EXPOSE 6379
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--dir", "/data", \
     "--appendonly", "yes", "--appendfsync", "everysec"]
