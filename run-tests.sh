#!/usr/bin/env bash
# The tests: unit tests and end-to-end tests (real TensorFlow models in child JVMs, the dashboard in a real headless
# Chromium, /metrics checked by promtool and scraped by a real Prometheus server). Installs Debian's chromium and
# chromium-driver (the browser test drives them through Selenium) and prometheus (promtool and the server) first when
# they are missing, then runs `mvn -B verify`. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")"
MISSING=()
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "==> Installing chromium and chromium-driver for the dashboard's browser test"
  MISSING+=(chromium chromium-driver)
fi
if [ ! -x /usr/bin/promtool ] || [ ! -x /usr/bin/prometheus ]; then
  echo "==> Installing prometheus (promtool and the server) for the /metrics tests"
  MISSING+=(prometheus)
fi
if [ ${#MISSING[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  # the tests start their own Prometheus server on a free loopback port; the package's service is not used
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${MISSING[@]}" >/dev/null
fi
exec mvn -B verify "$@"
