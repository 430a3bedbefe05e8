#!/bin/bash
# shellcheck disable=SC2016 # the checks below are shell text run inside the container, expanded there
# For an engineer changing the units: boots this machine's own Debian (an overlay of / on a tmpfs, so nothing
# is written to it) under systemd-nspawn with systemd as PID 1, runs install-kiosk.sh in it (twice; udev must
# read its touch-only rule without an error), and checks that under their full hardening the kiosk reads a serial reader (a pty in group dialout), opens a
# USB printer node (a pty in group lp, standing for /dev/usb/lp*), reaches pcscd, that the screen unit brings up
# cage and Chromium through its PAM session (headless: a container has no tty or display), and that both stop
# cleanly. Needs root and the systemd-container package; about 15 s. units-in-container.test.ts runs it.
#   sudo device/install/try-units-in-container.sh
# Exit code 0: every check passed. Needs: systemd-container, socat, curl, cage, xwayland, chromium, pcscd.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
command -v systemd-nspawn >/dev/null || { echo "apt-get install systemd-container" >&2; exit 2; }

work="$(mktemp -d /tmp/mk-container-XXXXXX)"
nspawn_pid=""
cleanup() {
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    kill "$nspawn_pid" 2>/dev/null || true
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  umount "$work/merged" 2>/dev/null || true
  umount "$work/app" 2>/dev/null || true
  umount "$work" 2>/dev/null || true
  rmdir "$work" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mount -t tmpfs -o size=2g tmpfs "$work"
mkdir -p "$work/upper" "$work/work" "$work/merged" "$work/app-upper" "$work/app-work" "$work/app"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/upper,workdir=$work/work" "$work/merged"
# The application at /opt/memberkiosk: this checkout, writable in the container (the installer may build the
# screen) without a byte written to it.
mount -t overlay overlay -o "lowerdir=$repo,upperdir=$work/app-upper,workdir=$work/app-work" "$work/app"
m="$work/merged"
mkdir -p "$m/opt/memberkiosk"
# The compiled code the kiosk unit runs (dist/), built into the application's overlay, not the checkout, and
# without checking types (the same JavaScript; npx tsc --noEmit checks them): install-kiosk.sh finds it current.
(cd "$work/app" && node bin/build.mjs --no-check >"$work/build.log" 2>&1) || { cat "$work/build.log" >&2; echo "the compiled build failed" >&2; exit 1; }

# Stand-ins, in place before the installer runs inside: kiosk.env with the hardware (the installer must keep
# it), no enrolment and no hub (the kiosk runs offline), pty pairs for the reader (group dialout) and the printer
# node (group lp), the screen without tty1 and on wlroots' headless backend.
mkdir -p "$m/etc/memberkiosk"
echo 'MEMBERKIOSK_DEVICE_ARGS="--hub mqtt://127.0.0.1:1 --id kiosk-container --store store-container --reader serial:/dev/ttyKIOSK --printer device:/dev/usb/lp9"' \
  >"$m/etc/memberkiosk/kiosk.env"
cat >"$m/etc/systemd/system/fake-hardware.service" <<'UNIT'
[Service]
ExecStartPre=/bin/mkdir -p /dev/usb
ExecStart=/bin/sh -c 'socat PTY,link=/dev/ttyKIOSK,group=dialout,mode=660,raw,echo=0 PTY,link=/dev/ttyKIOSK-far,raw,echo=0 & socat PTY,link=/dev/usb/lp9,group=lp,mode=660,raw,echo=0 PTY,link=/dev/lp9-far,raw,echo=0 & wait'
ExecStartPost=/bin/sh -c 'for i in $(seq 50); do [ -e /dev/ttyKIOSK ] && [ -e /dev/usb/lp9 ] && exit 0; sleep 0.1; done; exit 1'
UNIT
mkdir -p "$m/etc/systemd/system/memberkiosk-kiosk.service.d" "$m/etc/systemd/system/memberkiosk-screen.service.d"
printf '[Unit]\nConditionPathExists=\nRequires=fake-hardware.service\nAfter=fake-hardware.service\n' \
  >"$m/etc/systemd/system/memberkiosk-kiosk.service.d/container.conf"
printf '[Unit]\nConditionPathExists=\n[Service]\nTTYPath=\nStandardInput=null\nUtmpIdentifier=\nEnvironment=WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1\n' \
  >"$m/etc/systemd/system/memberkiosk-screen.service.d/container.conf"
# Services of this machine's image that are not needed in the container.
for unit in mosquitto.service avahi-daemon.service avahi-daemon.socket ssh.service cron.service apt-daily.timer \
  apt-daily-upgrade.timer e2scrub_reap.service; do
  ln -sfn /dev/null "$m/etc/systemd/system/$unit"
done

systemd-nspawn -D "$m" -M memberkiosk-try -b --private-network --register=no --keep-unit --link-journal=no \
  --uuid="$(tr -d - </proc/sys/kernel/random/uuid)" --bind="$work/app:/opt/memberkiosk" --console=pipe \
  >"$work/boot.log" 2>&1 &
nspawn_pid=$!
# The container's PID 1: the child of nspawn that is PID 1 in its own PID namespace, once it runs systemd. nspawn
# first forks a short-lived helper that sets up the mounts and starts that child; on a loaded machine the helper
# lives long enough to be found first, and once it has gone every nsenter fails ("stat of /proc/N/ns/user").
# Up to 60 s: it is usually there within a second, but a loaded machine schedules nspawn late.
container=""
for _ in $(seq 300); do
  for pid in $(pgrep -P "$nspawn_pid" || true); do
    if grep -Eq '^NSpid:[[:space:]]+[0-9]+[[:space:]]+1$' "/proc/$pid/status" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd ]; then
      container="$pid"
      break 2
    fi
  done
  sleep 0.2
done
[ -n "$container" ] || { cat "$work/boot.log" >&2; echo "the container did not boot (no systemd as its PID 1 within 60 s)" >&2; exit 1; }
inside() { nsenter -t "$container" -a "$@"; }
# The boot settled: systemd answers on its bus (right after it starts it does not yet: "offline"), then no start
# job is left. Bounded: a boot that never settles goes on to the checks, which then say what is missing, after
# saying which jobs were still waiting; a failed unit of this machine's own image is named, not fatal.
settled="$(inside timeout 120 sh -c 'while :; do state="$(systemctl is-system-running --wait 2>/dev/null)"; case "$state" in "" | offline) sleep 0.2 ;; *) echo "$state"; exit 0 ;; esac; done' || true)"
case "$settled" in
  running) ;;
  degraded) echo "the container booted with failed units: $(inside systemctl list-units --state=failed --plain --no-legend | cut -d' ' -f1 | tr '\n' ' ')" >&2 ;;
  *)
    echo "the container's boot did not settle within 120 s (state: ${settled:-no answer}); jobs still waiting:" >&2
    inside systemctl list-jobs --no-pager >&2 || true
    ;;
esac

failures=0
total=0
check() { # check WHAT COMMAND...: runs COMMAND inside the container
  local what="$1"; shift
  total=$((total + 1))
  if inside sh -c "$*" >"$work/check.log" 2>&1; then
    echo "PASS $what"
  else
    echo "FAIL $what"
    tail -20 "$work/check.log" >&2
    failures=$((failures + 1))
  fi
}
check "install-kiosk.sh installs on the running system (users, units, enabled)" 'cd /opt/memberkiosk && device/install/install-kiosk.sh --ntp ntp.example.invalid --touch-only && systemctl is-enabled memberkiosk-kiosk memberkiosk-screen && id memberkiosk && id memberkiosk-screen'
check "a second run succeeds and keeps kiosk.env" 'cd /opt/memberkiosk && device/install/install-kiosk.sh --ntp ntp.example.invalid --touch-only | grep -q "kept /etc/memberkiosk/kiosk.env" && grep -q kiosk-container /etc/memberkiosk/kiosk.env'
check "udev reads the touch-only rule without an error" 'udevadm test /sys/class/net/lo 2>&1 | grep -q "rules file: /etc/udev/rules.d/90-memberkiosk-touch-only.rules" && ! udevadm test /sys/class/net/lo 2>&1 | grep "90-memberkiosk-touch-only.rules:"'
check "the kiosk unit starts and serves its screen" 'systemctl start memberkiosk-kiosk && for i in $(seq 60); do curl -fs -o /dev/null http://127.0.0.1:8080/ && exit 0; sleep 1; done; exit 1'
check "the kiosk runs as memberkiosk with dialout and lp" 'ps -o user=,supgrp= -p "$(systemctl show -p MainPID --value memberkiosk-kiosk)" | grep -E "^memberk.* .*dialout" | grep -q lp'
check "the kiosk runs the compiled build, without tsx's esbuild beside it" 'pid="$(systemctl show -p MainPID --value memberkiosk-kiosk)" && tr "\0" " " </proc/$pid/cmdline | grep -q "^/usr/bin/node /opt/memberkiosk/bin/memberkiosk-prod.mjs device " && ! pgrep -P "$pid" esbuild'
check "the serial reader (group dialout) is open" 'curl -fs http://127.0.0.1:8080/api/state | grep -q "\"cardReader\":{\"kind\":\"serial\",\"connected\":true"'
check "the printer node (group lp) is open" 'for i in $(seq 20); do curl -fs http://127.0.0.1:8080/api/state | grep -Eq "\"printer\":\{\"kind\":\"device\",\"connected\":true" && exit 0; sleep 1; done; exit 1'
check "a tap on the reader reaches the session" 'printf "04A1B2C3D4\r\n" >/dev/ttyKIOSK-far; sleep 1; curl -fs http://127.0.0.1:8080/api/session | grep -q "C3D4"'
check "the screen unit runs cage and Chromium, connected to the kiosk" 'systemctl start memberkiosk-screen && for i in $(seq 60); do ss -tnp | grep -q "127.0.0.1:8080 .*chromium" && exit 0; sleep 1; done; exit 1'
check "the screen stops cleanly (KillSignal=SIGHUP)" 'systemctl stop memberkiosk-screen && systemctl show -p Result --value memberkiosk-screen | grep -qx success'
check "the kiosk reaches pcscd (PC/SC)" 'sed -i "s#--reader serial:/dev/ttyKIOSK#--reader pcsc#" /etc/memberkiosk/kiosk.env && systemctl restart memberkiosk-kiosk && for i in $(seq 60); do curl -fs http://127.0.0.1:8080/api/state | grep -q "\"cardReader\":{\"kind\":\"pcsc\",\"connected\":true" && exit 0; sleep 1; done; exit 1'
check "the kiosk stops cleanly (exit 0 on SIGTERM)" 'systemctl stop memberkiosk-kiosk && [ "$(systemctl show -p ExecMainStatus --value memberkiosk-kiosk)" = 0 ] && systemctl show -p Result --value memberkiosk-kiosk | grep -qx success'
if [ "$failures" -gt 0 ]; then
  inside journalctl -u memberkiosk-kiosk -u memberkiosk-screen --no-pager -n 40 -o cat >&2 || true
fi
inside systemctl poweroff >/dev/null 2>&1 || true
# A container that does not power off within 60 s is killed by the cleanup.
for _ in $(seq 60); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 1; done
echo "$failures of $total checks failed"
[ "$failures" -eq 0 ]
