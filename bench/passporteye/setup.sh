#!/usr/bin/env bash
# Installs PassportEye for the benchmark: Debian's tesseract CLI and a pinned virtualenv.
# Idempotent and quiet; the last stdout line is the venv's python.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${PASSPORTEYE_VENV:-$HOME/.cache/idproof/passporteye-venv}"

need=()
for pkg in tesseract-ocr tesseract-ocr-eng; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
# pip checks the pins itself; with everything already installed this is a no-op.
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt" >&2

echo "$venv/bin/python"
