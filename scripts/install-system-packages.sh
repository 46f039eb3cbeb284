#!/usr/bin/env bash
# System packages some tests use: headless Chromium and CJK fonts for the HTML report test.
# Installs them with apt when running as root on Debian/Ubuntu and they are missing;
# elsewhere it says what to install and carries on (those tests then skip, saying why).
set -u
packages=(chromium fonts-noto-cjk)
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "noto sans cjk" || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || echo "note: could not install ${missing[*]}; the browser test will skip" >&2
else
  echo "note: install ${missing[*]} (e.g. apt-get install ${packages[*]}) to run the browser test" >&2
fi
exit 0
