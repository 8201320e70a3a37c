#!/usr/bin/env bash
# Install the Debian packages the product (run) or its test suite (test) needs, and make sure
# a PostgreSQL answers on 127.0.0.1:5432. Safe to run again: it only installs what is missing.
set -euo pipefail
mode="${1:-run}"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
updated=""

apt_install() {
  [ -n "$updated" ] || { $SUDO apt-get update -qq; updated=1; }
  $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

python3 -c "import venv, ensurepip" 2>/dev/null || apt_install python3-venv
[ "$mode" = "test" ] || exit 0

command -v chromium >/dev/null || apt_install chromium
if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  version="$(ls /etc/postgresql | sort -n | tail -1)"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
    || $SUDO pg_ctlcluster "$version" main start
  # Debian's cluster asks loopback clients for a password: give the test user one.
  $SUDO su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\""
fi
for _ in $(seq 1 30); do
  (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && exit 0
  sleep 1
done
echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2
exit 1
