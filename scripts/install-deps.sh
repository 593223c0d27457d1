#!/usr/bin/env bash
# scripts/install-deps.sh: installs the Debian 12 packages fundwatch needs to build, test and run
# its demo, when any is missing (as root, or through sudo). Each is explained in README.md.
set -eu
pkgs=(build-essential pkg-config clang libclang-rt-14-dev
      libsqlite3-dev sqlite3 libpq-dev postgresql-15 postgresql-client-15 postgresql-common
      libncurses-dev libxlsxwriter-dev libzip-dev libexpat1-dev libiniparser-dev libcsv-dev nettle-dev
      libopencc-dev libicu-dev unicode-data libcmocka-dev gettext tmux faketime valgrind python3-openpyxl libreoffice-calc-nogui time
      poppler-utils fonts-wqy-microhei fonts-crosextra-carlito jq)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
