#!/bin/bash
# Waits until the kiosk answers its screen page, so the browser never opens on "This site can't be reached".
# memberkiosk-screen.service runs it as ExecStartPre.
#   wait-for-kiosk-screen.sh URL [SECONDS]   (default 120 s)
# Exit codes: 0 the page answered 2xx; 1 not within SECONDS (systemd then restarts the screen unit); 2 bad usage.
set -u

url="${1:-}"
limit="${2:-120}"
if [ -z "$url" ] || ! [[ "$limit" =~ ^[0-9]+$ ]]; then
  echo "usage: wait-for-kiosk-screen.sh URL [SECONDS]" >&2
  exit 2
fi

# Microseconds from EPOCHREALTIME (bash 5): SECONDS ticks in whole seconds from an unknown fraction, so a limit
# counted with it could end up to a second early.
now_us() { local t="${EPOCHREALTIME/[.,]/}"; echo "$((10#$t))"; }
deadline=$(( $(now_us) + limit * 1000000 ))
while :; do
  # -f: an error status (the kiosk starting, a 5xx) is not "ready"; --max-time bounds one attempt.
  if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
    exit 0
  fi
  if [ "$(now_us)" -ge "$deadline" ]; then
    echo "wait-for-kiosk-screen: $url did not answer within ${limit}s (is memberkiosk-kiosk.service running? journalctl -u memberkiosk-kiosk)" >&2
    exit 1
  fi
  sleep 1
done
