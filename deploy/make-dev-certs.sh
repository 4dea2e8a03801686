#!/bin/sh
# Makes a development CA and one server certificate for the compose stack (or any test setup):
#   deploy/make-dev-certs.sh [DIR]        (default: deploy/certs)
# DIR/ca.crt        the CA clients trust (alertctl --tls_ca=DIR/ca.crt, grpc.ssl_channel_credentials)
# DIR/tls.crt, tls.key  the services' certificate (TLS_CERT, TLS_KEY), valid for localhost,
#                   127.0.0.1 and the compose service names, 825 days
# DIR/ca.key        the CA's key: keep it, or delete it once the certificate is made
# Does nothing when DIR/tls.crt already exists (the compose `certs` service runs it at every
# `up`). Only openssl is needed. Not for production: use cert-manager or your own CA there.
set -eu
DIR=${1:-$(dirname "$0")/certs}
NAMES=${SA_CERT_NAMES:-DNS:localhost,IP:127.0.0.1,DNS:collector,DNS:notifier,DNS:notifier-1,DNS:notifier-2}
mkdir -p "$DIR"
if [ -s "$DIR/tls.crt" ] && [ -s "$DIR/tls.key" ] && [ -s "$DIR/ca.crt" ]; then
  echo "make-dev-certs: $DIR already has a certificate; delete it to make a new one" >&2
  exit 0
fi
umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/ca.cnf" <<CNF
[req]
distinguished_name=dn
x509_extensions=v3
prompt=no
[dn]
CN=summit-alerts development CA
[v3]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
CNF
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
  "$NAMES" >"$tmp/leaf.ext"
openssl req -x509 -config "$tmp/ca.cnf" -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$tmp/ca.key" -out "$tmp/ca.crt" -days 3650 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$tmp/tls.key" -out "$tmp/tls.csr" -subj "/CN=summit-alerts" 2>/dev/null
openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial \
  -out "$tmp/tls.crt" -days 825 -extfile "$tmp/leaf.ext" 2>/dev/null
# The services run as uid 10001: when run as root (the compose `certs` service), hand them the
# key; otherwise the files stay the caller's.
if [ "$(id -u)" = 0 ]; then chown "${SA_CERT_OWNER:-10001:10001}" "$tmp/tls.key"; fi
chmod 0644 "$tmp/ca.crt" "$tmp/tls.crt"
chmod 0600 "$tmp/ca.key" "$tmp/tls.key"
# Key before certificate, each by rename, so a reader never sees a certificate without its key.
for f in ca.key ca.crt tls.key tls.crt; do mv "$tmp/$f" "$DIR/$f"; done
echo "make-dev-certs: wrote $DIR/ca.crt, $DIR/tls.crt, $DIR/tls.key ($NAMES)" >&2
