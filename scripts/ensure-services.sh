#!/usr/bin/env bash
# Makes sure RabbitMQ and PostgreSQL are up for the integration and e2e tests:
# starts them when installed and stopped, installs them with apt when missing and root,
# and otherwise fails with a message that says what to do.
set -euo pipefail

is_root() { [ "$(id -u)" = "0" ]; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apt_install() {
  if ! is_root; then
    echo "[setup] $1 is not installed. Install it (apt-get install $2) or run the tests as root so they can." >&2
    exit 1
  fi
  echo "[setup] installing $2 with apt"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

ensure_rabbitmq() {
  if port_open 5672; then return; fi
  command -v rabbitmq-server >/dev/null || apt_install RabbitMQ rabbitmq-server
  echo "[setup] starting RabbitMQ"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  if ! timeout 120 rabbitmqctl -q await_startup >/dev/null 2>&1; then
    echo "[setup] RabbitMQ did not start: see /var/log/rabbitmq. Start it with: rabbitmq-server -detached" >&2
    exit 1
  fi
}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
  command -v pg_ctlcluster >/dev/null || apt_install PostgreSQL postgresql
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "[setup] starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
  done
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "[setup] PostgreSQL is not accepting connections on 127.0.0.1:5432. Start it with: pg_ctlcluster --skip-systemctl-redirect $version main start" >&2
    exit 1
  fi
  # Tests connect as postgres over TCP without a password.
  if ! psql -h 127.0.0.1 -U postgres -c 'select 1' >/dev/null 2>&1; then
    echo "[setup] PostgreSQL rejects user postgres on 127.0.0.1 without a password: allow trust for 127.0.0.1/32 in pg_hba.conf" >&2
    exit 1
  fi
}

ensure_rabbitmq
ensure_postgres
