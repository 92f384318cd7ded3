#!/usr/bin/env bash
# Make sure the system packages the app needs are present.
#   ensure-system.sh run   PostgreSQL + PostGIS (skipped when DATABASE_URL is set)
#   ensure-system.sh test  PostgreSQL + PostGIS + Chromium + GDAL (ogrinfo)
# As root on Debian/Ubuntu, missing packages are installed with apt-get; otherwise
# this prints the one command to run and stops.
set -euo pipefail
mode=${1:-run}
missing=()

pg_major() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sed -E 's#.*/postgresql/([0-9]+)/bin#\1#' | sort -n | tail -1)
  if [ -n "$d" ]; then echo "$d"; return; fi
  if command -v apt-cache >/dev/null 2>&1; then
    apt-cache depends postgresql 2>/dev/null | sed -nE 's/.*Depends: postgresql-([0-9]+)$/\1/p' | head -1
  fi
}

has_postgis() {
  local major=$1
  [ -n "$major" ] && [ -x "/usr/lib/postgresql/$major/bin/initdb" ] \
    && [ -f "/usr/share/postgresql/$major/extension/postgis.control" ]
}

if [ "$mode" = test ] || [ -z "${DATABASE_URL:-}" ]; then
  major=$(pg_major || true)
  if ! has_postgis "$major"; then
    [ -n "$major" ] || major=15
    missing+=(postgresql "postgresql-$major-postgis-3")
  fi
fi
if [ "$mode" = test ] && ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi
# GDAL's command-line tools: the OGC API tests read /ogc with ogrinfo and ogr2ogr.
if [ "$mode" = test ] && ! command -v ogrinfo >/dev/null 2>&1; then
  missing+=(gdal-bin)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null)" ]; then
    apt-get update -q
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
  # Debian's package starts a system cluster we do not use; leave it alone if it runs.
  exit 0
fi
echo "Missing system packages: install them with \`sudo apt-get install -y ${missing[*]}\` and run this again." >&2
exit 1
