#!/usr/bin/env bash
# The part of screenshots.sh that runs inside Xvfb; see there.
set -euo pipefail
"$BIN" >"$WORK/window.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT

wait_title() { # wait until the window title matches a shell pattern
	for _ in $(seq 1 150); do
		case "$(xdotool getwindowname "$wid" 2>/dev/null)" in $1) return 0 ;; esac
		sleep 0.2
	done
	echo "timed out waiting for the title $1" >&2
	exit 1
}
shot() { sleep "${2:-1}"; import -window "$wid" "$OUT/$1.png"; echo "$OUT/$1.png"; }
click() { # x y [clicks]: the window is at 0,0
	xdotool mousemove "$1" "$2"
	sleep 0.3
	for _ in $(seq 1 "${3:-1}"); do xdotool click 1; sleep 0.05; done
}

# place puts the window at 0,0 in 1280x800 and waits until it is there: under load the window
# manager-less X server applies a move or resize late, and clicks at fixed places then miss.
place() {
	for _ in $(seq 1 50); do
		xdotool windowmove "$wid" 0 0
		xdotool windowsize "$wid" 1280 800
		sleep 0.2
		case "$(xdotool getwindowgeometry "$wid" 2>/dev/null | tr -d '\n')" in
		*"Position: 0,0"*"Geometry: 1280x800"*) sleep 0.5; return 0 ;;
		esac
	done
	echo "the window never reached 0,0 1280x800" >&2
	exit 1
}

# find_window PATTERN: waits for a window whose name matches, sets wid and focuses it.
find_window() {
	wid=""
	for _ in $(seq 1 150); do
		wid=$(xdotool search --name "$1" 2>/dev/null | head -n1) && [ -n "$wid" ] && break
		sleep 0.2
	done
	[ -n "$wid" ] || { echo "no window named $1" >&2; exit 1; }
	sleep 1
	xdotool windowfocus "$wid"
	sleep 0.3
}

# restart [LANG]: starts the window again (in that language), logs in unless the saved session
# opens the main window directly, and puts the window at 0,0 in 1280x800.
restart() {
	LANG="${1:-$LANG}" "$BIN" >>"$WORK/window.log" 2>&1 &
	pid=$!
	find_window '^Epic Events CRM'
	case "$(xdotool getwindowname "$wid")" in
	'Epic Events CRM')
		xdotool type --delay 15 "$EMAIL"
		xdotool key Tab
		xdotool type --delay 15 "$PASSWORD"
		xdotool key Return
		wait_title 'Epic Events CRM — *'
		;;
	esac
	place
}

find_window '^Epic Events CRM$' # the login window
xdotool type --delay 15 "$EMAIL"
shot login 0.5
xdotool key Tab
xdotool type --delay 15 "$PASSWORD"
xdotool key Return
wait_title 'Epic Events CRM — *'
place
shot home 1.5 # the first tab (issue #14)
xdotool key ctrl+2
shot agenda 1.5
xdotool key ctrl+3
sleep 1
click 300 213 # select the second client: the whole row is highlighted
shot clients 1.5
xdotool key ctrl+4
shot contracts
xdotool key ctrl+6
shot collaborators
xdotool key ctrl+5
sleep 1
# Select the unassigned event and press Enter: its form opens (once its data is read in the
# background) with the support picker focused; Space opens the picker.
click "${EVENT_X:-300}" "${EVENT_Y:-252}"
sleep 1 # a single click is delivered once the double-click delay (300 ms) has passed
xdotool key Return
sleep 2
xdotool key space
shot events-assign 1.5
xdotool key Escape # closes the picker's list; the form keeps the focus, and Ctrl+Q with it
sleep 0.5
kill "$pid"
wait "$pid" || true

# The agenda in French (issue #14): the saved session opens the main window directly.
restart fr_FR.UTF-8
sleep 1
xdotool key ctrl+2
shot agenda-fr 1.5
xdotool key ctrl+q
wait "$pid" || true

# A client damaged after a backup, as a failing disk would (issue #13): the status line says it
# is hidden; File → Check database… names it; Repair puts the backup's copy back.
printf '%s\n' "$PASSWORD" | "$BIN" login --email "$EMAIL" --password-stdin >/dev/null
"$BIN" backup "$WORK/friday.db" >/dev/null
"$FLIPBIT" "$EPICEVENTS_HOME/epicevents.db" clients 1 >/dev/null
restart
sleep 1.5
xdotool key ctrl+3 # Clients (Home and Agenda come first)
shot damaged-hidden 1
click "${FILE_X:-22}" "${FILE_Y:-12}" # the File menu
sleep 0.5
[ -n "${SHOT_MENU:-}" ] && shot file-menu 0.5
click "${CHECK_X:-80}" "${CHECK_Y:-168}" # File → Check database… (after Export, Import clients, Backup)
shot check-database 1.5
click "${REPAIR_X:-672}" "${REPAIR_Y:-550}" # Repair
shot repair-database 1.5
xdotool key ctrl+q
wait "$pid" || true

# Team mode (issue #12): sync status, the Conflicts dialog, two windows syncing.
bash tests/screenshots-team.sh

if grep -q -e "Error in Fyne call thread" -e "panic" "$WORK/window.log"; then
	cat "$WORK/window.log" >&2
	exit 1
fi
