#!/usr/bin/env bash
# Install the Debian packages the test suite needs when they are missing: Pango and HarfBuzz for
# WeasyPrint's printed forms, Chromium for the browser tests, nginx and PgBouncer for the cluster test. Needs root; otherwise it only warns.
set -u
missing=()
ldconfig -p | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p | grep -q 'libharfbuzz-subset.so' || missing+=(libharfbuzz-subset0)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The cluster test (tests/cluster): a balancer and a pooler in front of the portal.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "warning: missing Debian packages (${missing[*]}); install them with apt-get as root" >&2
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
