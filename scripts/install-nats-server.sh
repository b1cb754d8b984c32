#!/usr/bin/env bash
# Installs nats-server from Debian's packages when it is not already there
# (the tests start their own on a free port; `npm start` starts one when NATS_URL does not answer).
set -euo pipefail
if command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ]; then exit 0; fi
echo "installing nats-server from Debian's packages"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq nats-server
# On a host with systemd, the package also starts its own nats-server on 127.0.0.1:4222 without
# JetStream; `npm start` would connect to it and stop. Stop that one: the tests start their own
# servers, and `npm start` starts one with JetStream when nothing answers on NATS_URL.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nats-server 2>/dev/null; then
  $SUDO systemctl disable --now nats-server
fi
