#!/usr/bin/env bash
# Makes the screenshots of docs/screenshots/ with the demo data, under Xvfb.
# Usage: tests/screenshots.sh [output dir]   (BIN=path uses an already built binary)
# Needs: xvfb-run, xdotool, imagemagick (import), etcd (team mode), and a cgo toolchain for Fyne.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -z "${BIN:-}" ]; then
	BIN="$work/epicevents"
	CGO_ENABLED=1 go build -o "$BIN" .
fi
FLIPBIT="$work/flipbit"
go build -o "$FLIPBIT" ./tests/flipbit
TEAMCERTS="$work/teamcerts"
go build -o "$TEAMCERTS" ./tests/teamcerts
export EPICEVENTS_HOME="$work/home" LANG="${SHOT_LANG:-en_US.UTF-8}" LANGUAGE= LC_ALL= SENTRY_DSN=
export WORK="$work" BIN FLIPBIT TEAMCERTS OUT="$(cd "$out" && pwd)" EMAIL="ada.admin@epicevents.com" PASSWORD="Adm1n!pass-word"
printf '%s\n' "$PASSWORD" | "$BIN" init --admin-email "$EMAIL" --admin-name "Ada Admin" --password-stdin --demo >/dev/null
# The import preview (File → Import clients…) is drawn by Fyne's test driver: the file dialog
# before it cannot be driven under Xvfb.
# So are the week views of the agenda (English and French), with events around a change of time.
EPICEVENTS_SHOTS="$OUT" go test -count=1 -run 'TestScreenshot_' ./ui >/dev/null
echo "$OUT/import-preview.png $OUT/agenda-week.png $OUT/agenda-fr-week.png"
exec xvfb-run -a -s '-screen 0 1280x800x24' bash tests/screenshots-x.sh
