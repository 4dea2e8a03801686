#!/usr/bin/env bash
# Installs the Debian 12 packages summit-alerts needs to build, test and run, if missing.
# Needs root (or sudo). Nothing is downloaded except Debian packages.
#   --build-only   only what building the services needs (used by deploy/Dockerfile)
set -euo pipefail

# Building the services.
PACKAGES=(
  g++ cmake ninja-build pkg-config
  protobuf-compiler libprotobuf-dev protobuf-compiler-grpc libgrpc++-dev
  libabsl-dev libhiredis-dev libssl-dev libutf8proc-dev nlohmann-json3-dev libcurl4-openssl-dev
  libcpp-httplib-dev libvectorscan-dev libre2-dev libxml2-dev
  # Extraction (extract/, docs/EXTRACTION.md): GeoNames cities, stemming, language detection,
  # and the data they read at start-up (iso-codes countries/subdivisions and their names).
  libgeonames-dev libgeonames-common libstemmer-dev libexttextcat-dev libexttextcat-data iso-codes
)
# Tests, benchmarks, the demo.
if [ "${1:-}" != "--build-only" ]; then
  PACKAGES+=(
    libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev
    redis-server python3 python3-grpcio python3-protobuf python3-yaml python3-feedparser
    clang-14 libclang-rt-14-dev  # the libFuzzer targets (fuzz/, tools/fuzz.sh): libFuzzer's runtime
    clang-format-14  # tools/format.sh, the format check of tools/test.sh
    openssl  # the TLS tests make their certificates with it (tests/support/test_certificates.h)
  )
  # `kubectl kustomize` renders deploy/k8s in the manifest test; any kubectl on PATH will do.
  command -v kubectl >/dev/null 2>&1 || PACKAGES+=(kubernetes-client)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-deps: run as root, or install: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
