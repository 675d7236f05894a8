#!/usr/bin/env bash
# Install the Debian packages chainlead needs for tests and demo: PostgreSQL (a throwaway test
# server), Chromium (page tests) and a CJK font (so screenshots show Chinese). Idempotent.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "noto sans cjk\|wqy\|droid sans fallback" || need+=(fonts-noto-cjk)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "需要安装 ${need[*]}，但当前用户不是 root 且没有 sudo / need root or sudo to install: ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
