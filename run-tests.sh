#!/usr/bin/env bash
# The tests: unit tests and end-to-end tests (real TensorFlow models in child JVMs, the dashboard in a real headless
# Chromium). Installs Debian's chromium and chromium-driver first when they are missing (the browser test drives
# them through Selenium), then runs `mvn -B verify`. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "==> Installing chromium and chromium-driver for the dashboard's browser test"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
exec mvn -B verify "$@"
