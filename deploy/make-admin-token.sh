#!/bin/sh
# Makes the first admin token for a deployment (the services' ADMIN_TOKEN_FILE):
#   deploy/make-admin-token.sh [DIR]      (default: deploy/secrets)
# DIR/admin-token   one line: a random token (`alertctl token generate` when alertctl is on the
#                   PATH, else 32 bytes from `openssl rand`, base64url), mode 0400. Each service
#                   registers it at start as owner `admin`, scope `admin` (docs/SECURITY.md).
# Does nothing when DIR/admin-token already exists (the compose `certs` service runs it at every
# `up`, after make-dev-certs.sh). When run as root, the file is handed to the services' uid
# 10001 (SA_TOKEN_OWNER overrides). Use the admin token to make other tokens, never as a
# client's everyday token: `alertctl token create --owner=alice --scope=subscribe`.
set -eu
DIR=${1:-$(dirname "$0")/secrets}
mkdir -p "$DIR"
if [ -s "$DIR/admin-token" ]; then
  echo "make-admin-token: $DIR/admin-token already exists; delete it to make a new one" >&2
  exit 0
fi
umask 077
tmp="$DIR/.admin-token.tmp"
if command -v alertctl >/dev/null 2>&1; then
  alertctl token generate >"$tmp"
else
  printf 'sat_%s\n' "$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=\n')" >"$tmp"
fi
if [ "$(id -u)" = 0 ]; then chown "${SA_TOKEN_OWNER:-10001:10001}" "$tmp"; fi
chmod 0400 "$tmp"
mv "$tmp" "$DIR/admin-token"
echo "make-admin-token: wrote $DIR/admin-token" >&2
