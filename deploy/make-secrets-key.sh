#!/bin/sh
# Makes the key file that encrypts webhook URLs and secrets in Redis (the notifier's
# SECRETS_KEY_FILE; docs/SECURITY.md, "Encryption at rest"):
#   deploy/make-secrets-key.sh [DIR]      (default: deploy/secrets)
# DIR/webhook-keys   one line "<key id> <base64 of 32 random bytes>" (openssl rand), mode 0400;
#                    the key id is k<UTC date and time>.
# Does nothing when DIR/webhook-keys already exists (the compose `certs` service runs it at every
# `up`): losing it makes every stored webhook unreadable, so keep it with the Redis backups, apart
# from them. When run as root, the file is handed to the services' uid 10001 (SA_TOKEN_OWNER
# overrides). Rotation adds lines to this file by hand (docs/SECURITY.md).
set -eu
DIR=${1:-$(dirname "$0")/secrets}
mkdir -p "$DIR"
if [ -s "$DIR/webhook-keys" ]; then
  echo "make-secrets-key: $DIR/webhook-keys already exists" >&2
  exit 0
fi
umask 077
tmp="$DIR/.webhook-keys.tmp"
printf 'k%s %s\n' "$(date -u +%Y%m%d%H%M)" "$(openssl rand -base64 32)" >"$tmp"
if [ "$(id -u)" = 0 ]; then chown "${SA_TOKEN_OWNER:-10001:10001}" "$tmp"; fi
chmod 0400 "$tmp"
mv "$tmp" "$DIR/webhook-keys"
echo "make-secrets-key: wrote $DIR/webhook-keys" >&2
