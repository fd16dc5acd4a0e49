#!/usr/bin/env bash
# The team-mode part of screenshots-x.sh (inside Xvfb): a one-member etcd over TLS on loopback
# with a lab CA, management's laptop that created the team, a commercial's laptop and a third
# laptop that joined it. Shots: the commercial's window with its status line and a conflict
# badge, the Conflicts dialog, and management's and the commercial's windows side by side after
# a change made on the third laptop reached both.
set -euo pipefail
: "${BIN:?}" "${WORK:?}" "${OUT:?}" "${TEAMCERTS:?}"
pki="$WORK/pki"
"$TEAMCERTS" "$pki"
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(freeport)
peer=$(freeport)
endpoint="https://127.0.0.1:$port"
etcd --name shots --data-dir "$WORK/etcd" \
	--listen-client-urls "$endpoint" --advertise-client-urls "$endpoint" \
	--listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
	--initial-cluster "shots=http://127.0.0.1:$peer" \
	--cert-file "$pki/server.crt" --key-file "$pki/server.key" \
	--client-cert-auth --trusted-ca-file "$pki/ca.crt" --log-level error >"$WORK/etcd.log" 2>&1 &
etcd_pid=$!
pids=("$etcd_pid")
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

hq="$WORK/hq" road="$WORK/road" third="$WORK/third"
jean="jean.dupont@epicevents.com" jean_pw="Jean!pass-w0rd"
mkdir -p "$hq" "$road" "$third"
as() { local home="$1"; shift; EPICEVENTS_HOME="$home" "$BIN" "$@"; }
printf '%s\n' "$PASSWORD" | as "$hq" init --admin-email "$EMAIL" --admin-name "Ada Admin" --password-stdin --demo >/dev/null
printf '%s\n' "$PASSWORD" | as "$hq" login --email "$EMAIL" --password-stdin >/dev/null
printf '%s\n' "$jean_pw" | as "$hq" user password "$jean" --password-stdin >/dev/null
for _ in $(seq 1 50); do # the member takes a moment to serve
	as "$hq" team create --endpoints "$endpoint" --cacert "$pki/ca.crt" --cert "$pki/root.crt" --key "$pki/root.key" >/dev/null 2>&1 && break
	sleep 0.2
done
as "$hq" sync status | grep -q 'Mode: *team' || { echo "team create failed" >&2; exit 1; }
for who in "$jean" "$EMAIL"; do
	as "$hq" team identity "$who" --ca-cert "$pki/ca.crt" --ca-key "$pki/ca.key" \
		--out-cert "$pki/${who%%@*}.crt" --out-key "$pki/${who%%@*}.key" >/dev/null
done
as "$road" team join --endpoints "$endpoint" --cacert "$pki/ca.crt" --cert "$pki/jean.dupont.crt" --key "$pki/jean.dupont.key" >/dev/null
as "$third" team join --endpoints "$endpoint" --cacert "$pki/ca.crt" --cert "$pki/ada.admin.crt" --key "$pki/ada.admin.key" >/dev/null
printf '%s\n' "$jean_pw" | as "$road" login --email "$jean" --password-stdin >/dev/null
printf '%s\n' "$PASSWORD" | as "$third" login --email "$EMAIL" --password-stdin >/dev/null
client_id() { as "$1" client list --json | python3 -c "import json,sys; print(next(c['id'] for c in json.load(sys.stdin) if c['full_name']==sys.argv[1]))" "$2"; }
kevin=$(client_id "$road" "Kevin Casey")
marie=$(client_id "$third" "Marie Leclerc")

# The same field edited on two laptops: Jean's edit waits in his outbox (no sync yet), Ada's
# reaches the cluster first; Jean's window pushes at start and gets a conflict.
as "$road" client update "$kevin" --company "Cool Startup Group" >/dev/null
as "$third" client update "$kevin" --company "Cool Startup International" >/dev/null
as "$third" sync >/dev/null

window() { # home title-pattern: start a window and print its id
	EPICEVENTS_HOME="$1" "$BIN" >>"$WORK/window.log" 2>&1 &
	pids+=("$!")
	local w=""
	for _ in $(seq 1 150); do
		w=$(xdotool search --name "$2" 2>/dev/null | head -n1) && [ -n "$w" ] && break
		sleep 0.2
	done
	[ -n "$w" ] || { echo "no window $2" >&2; exit 1; }
	echo "$w"
}
shotw() { sleep "${3:-1}"; import -window "$2" "$OUT/$1.png"; echo "$OUT/$1.png"; }

wid=$(window "$road" 'Jean Dupont')
sleep 1
xdotool windowmove "$wid" 0 0
xdotool windowsize "$wid" 1280 800
xdotool windowfocus "$wid" key ctrl+3 # Clients (Home and Agenda come first)
sleep 4 # the first sync and the status line
shotw sync-status "$wid" 1
xdotool mousemove "${BADGE_X:-1215}" "${BADGE_Y:-781}"
sleep 0.3
xdotool click 1
shotw conflict-dialog "$wid" 1.5
xdotool key ctrl+q
sleep 1

# Two windows side by side; a change made on a third laptop reaches both.
left=$(window "$hq" 'Ada Admin')
right=$(window "$road" 'Jean Dupont')
sleep 1
xdotool windowmove "$left" 0 0
xdotool windowsize "$left" 640 800
xdotool windowmove "$right" 640 0
xdotool windowsize "$right" 640 800
for w in "$left" "$right"; do
	xdotool windowfocus "$w" key ctrl+3 # Clients
	sleep 0.5
done
sleep 3
as "$third" client update "$marie" --company "TechCorp Europe" >/dev/null
as "$third" sync >/dev/null
sleep 2
import -window root -crop 1280x800+0+0 "$OUT/team-two-windows.png"
echo "$OUT/team-two-windows.png"
for w in "$left" "$right"; do
	xdotool windowfocus "$w" key ctrl+q 2>/dev/null || true
done
sleep 1
