#!/bin/bash
# Installs the system side of a memberkiosk kiosk around the application already unpacked at the prefix
# (default /opt/memberkiosk, with `npm ci --omit=dev` run there): checks the compiled code (dist/, which the kiosk
# unit runs) and builds it when stale, builds the touch screen, the two service users, the systemd units, the screen's PAM stack, /etc/memberkiosk/kiosk.env, the data directory, time
# synchronisation; enables the units. docs/OPERATIONS.md "Kiosk install" says what comes before (OS
# packages) and after (provision, start).
#
# Idempotent: run it again after an update, or to change --ntp; it never overwrites kiosk.env and never
# creates a user twice. It starts nothing: enrolment comes first.
#
#   install-kiosk.sh [--prefix DIR] [--ntp SERVER]... [--touch-only] [--root DIR]
#     --prefix      where the application is (default /opt/memberkiosk)
#     --ntp         the chain's NTP server (repeatable); written for systemd-timesyncd (and chrony, if installed)
#     --touch-only  install the udev rule that makes libinput ignore mice, so cage never draws a cursor
#     --root        install into the file tree DIR (an image being built, or a test) instead of this machine:
#                   users, files and enablement links are made there; nothing is checked, built or started
#                   (an image build runs `npm run build` and `npm run screen:build` in the prefix itself)
# Exit codes: 0 installed, 1 a prerequisite is missing, 2 bad usage.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix=/opt/memberkiosk
root=""
touch_only=no
ntp_servers=()

usage() {
  cat >&2 <<'USAGE'
usage: install-kiosk.sh [--prefix DIR] [--ntp SERVER]... [--touch-only] [--root DIR]
  --prefix      where the application is (default /opt/memberkiosk)
  --ntp         the chain's NTP server (repeatable)
  --touch-only  make libinput ignore mice, so that cage never draws a cursor
  --root        install into the file tree DIR instead of this machine (an image, a test)
USAGE
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || usage; prefix="$2"; shift 2 ;;
    --ntp) [ $# -ge 2 ] || usage; ntp_servers+=("$2"); shift 2 ;;
    --touch-only) touch_only=yes; shift ;;
    --root) [ $# -ge 2 ] || usage; root="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "install-kiosk: unknown option '$1'" >&2; usage ;;
  esac
done
case "$prefix" in /*) ;; *) echo "install-kiosk: --prefix must be an absolute path" >&2; exit 2 ;; esac
if [ -n "$root" ]; then
  [ -f "$root/etc/passwd" ] || { echo "install-kiosk: --root $root has no etc/passwd" >&2; exit 2; }
  root="$(cd "$root" && pwd)"
fi

say() { echo "install-kiosk: $*"; }
fail() { echo "install-kiosk: $*" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then fail "run as root (it creates users and writes to /etc)"; fi

# --- prerequisites (this machine only: an image brings its own packages) --------------------------------
if [ -z "$root" ]; then
  [ -f "$prefix/bin/memberkiosk-prod.mjs" ] || fail "no application at $prefix (unpack it there and run 'npm ci --omit=dev')"
  [ -d "$prefix/node_modules" ] || fail "$prefix/node_modules is missing: run 'npm ci --omit=dev' in $prefix"
  [ -x /usr/bin/node ] || fail "/usr/bin/node is missing: install Node.js 20.19 or newer"
  /usr/bin/node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || fail "/usr/bin/node is $(/usr/bin/node --version): memberkiosk needs 20.19 or newer"
  missing=()
  for tool in /usr/bin/cage /usr/bin/chromium /usr/bin/curl /usr/bin/Xwayland; do
    [ -x "$tool" ] || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] || fail "missing ${missing[*]}: apt-get install cage xwayland chromium curl fonts-noto-cjk pcscd"
fi

# --- the compiled code ----------------------------------------------------------------------------------
# The kiosk unit runs the compiled build (dist/, bin/memberkiosk-prod.mjs), which refuses to start when it is
# missing or older than the sources (exit 3). A release ships it current. After an update from git it is built
# here, as root, when TypeScript (a development dependency) is installed: npm ci, this script, npm prune --omit=dev.
if [ -z "$root" ]; then
  if stale="$(cd "$prefix" && /usr/bin/node bin/build.mjs --check 2>&1)"; then
    say "the compiled build (dist/) is current"
  else
    say "${stale#build: }"
    [ -d "$prefix/node_modules/typescript" ] \
      || fail "TypeScript is not installed to build it: in $prefix run 'npm ci', 'npm run build', 'npm prune --omit=dev', then this script again"
    (cd "$prefix" && /usr/bin/node bin/build.mjs) || fail "the compiled code did not build"
  fi
fi

# --- the screen -----------------------------------------------------------------------------------------
# The kiosk serves its touch screen from device/screen/dist and would build it at start when its sources are
# newer, but as memberkiosk under ProtectSystem=strict it cannot write the prefix: build it here, as root, when
# it is missing or stale (after an update), with the kiosk's own check, from the compiled code.
if [ -z "$root" ]; then
  (cd "$prefix" && /usr/bin/node -e \
    "import('./dist/scripts/screen/ensure-screen-built.js').then((m) => m.ensureScreenBuilt({ log: (line) => console.log('install-kiosk: ' + line) }))") \
    || fail "the kiosk screen did not build"
fi

# --- users ----------------------------------------------------------------------------------------------
# memberkiosk runs the kiosk and owns its data; memberkiosk-screen runs the browser and can read none of it.
has_user() {
  if [ -n "$root" ]; then grep -q "^$1:" "$root/etc/passwd"; else getent passwd "$1" >/dev/null; fi
}
add_system_user() {
  local name="$1" home="$2" comment="$3"
  if has_user "$name"; then
    say "user $name exists"
    return
  fi
  useradd ${root:+--root "$root"} --system --user-group --home-dir "$home" --no-create-home \
    --shell /usr/sbin/nologin --comment "$comment" "$name"
  say "created user $name"
}
add_system_user memberkiosk /var/lib/memberkiosk "memberkiosk kiosk"
add_system_user memberkiosk-screen /nonexistent "memberkiosk kiosk screen"
kiosk_uid="$(awk -F: '$1 == "memberkiosk" { print $3 }' "$root/etc/passwd" 2>/dev/null || true)"
kiosk_gid="$(awk -F: '$1 == "memberkiosk" { print $4 }' "$root/etc/passwd" 2>/dev/null || true)"
if [ -z "$root" ]; then kiosk_uid="$(id -u memberkiosk)"; kiosk_gid="$(id -g memberkiosk)"; fi

# --- files ----------------------------------------------------------------------------------------------
# Every file is written whole from the repository's copy: a second run leaves the same content and modes.
put() { # put MODE SOURCE DEST: copies SOURCE, with /opt/memberkiosk replaced by the prefix
  local mode="$1" source="$2" dest="$root$3" tmp
  tmp="$(mktemp)"
  sed "s#/opt/memberkiosk#${prefix}#g" "$source" >"$tmp"
  install -D -m "$mode" "$tmp" "$dest"
  rm -f "$tmp"
}
put 0644 "$here/memberkiosk-kiosk.service" /etc/systemd/system/memberkiosk-kiosk.service
put 0644 "$here/memberkiosk-screen.service" /etc/systemd/system/memberkiosk-screen.service
put 0644 "$here/pam-memberkiosk-screen" /etc/pam.d/memberkiosk-screen
if [ -e "$root/etc/memberkiosk/kiosk.env" ]; then
  say "kept /etc/memberkiosk/kiosk.env"
else
  put 0644 "$here/kiosk.env.example" /etc/memberkiosk/kiosk.env
  say "wrote /etc/memberkiosk/kiosk.env (set the hardware flags there)"
fi
if [ "$touch_only" = yes ]; then
  put 0644 "$here/90-memberkiosk-touch-only.rules" /etc/udev/rules.d/90-memberkiosk-touch-only.rules
  [ -n "$root" ] || udevadm control --reload || true
fi
# The data directory exists before the first start so that `provision` can run as memberkiosk.
install -d -m 0755 "$root/var/lib/memberkiosk"
install -d -m 0700 -o "$kiosk_uid" -g "$kiosk_gid" "$root/var/lib/memberkiosk/kiosk"

# --- time -----------------------------------------------------------------------------------------------
# The hub corrects each transaction's time by the offset it measures (and alerts CLOCK_SKEW past 2 minutes),
# but receipts, logs and certificate checks use this clock: keep it right with the chain's NTP server.
if [ ${#ntp_servers[@]} -gt 0 ]; then
  conf="$(mktemp)"
  printf '# memberkiosk: the chain'"'"'s NTP server (install-kiosk.sh --ntp)\n[Time]\nNTP=%s\n' "${ntp_servers[*]}" >"$conf"
  install -D -m 0644 "$conf" "$root/etc/systemd/timesyncd.conf.d/memberkiosk.conf"
  rm -f "$conf"
  if [ -d "$root/etc/chrony" ]; then
    conf="$(mktemp)"
    printf 'server %s iburst\n' "${ntp_servers[@]}" >"$conf"
    install -D -m 0644 "$conf" "$root/etc/chrony/sources.d/memberkiosk.sources"
    rm -f "$conf"
  fi
  say "NTP: ${ntp_servers[*]}"
fi

# --- enable ---------------------------------------------------------------------------------------------
if [ -n "$root" ]; then
  systemctl --root="$root" enable memberkiosk-kiosk.service memberkiosk-screen.service
  systemctl --root="$root" set-default graphical.target
  if [ -e "$root/lib/systemd/system/systemd-timesyncd.service" ]; then
    systemctl --root="$root" enable systemd-timesyncd.service
  fi
else
  systemctl daemon-reload
  systemctl enable memberkiosk-kiosk.service memberkiosk-screen.service
  # The screen belongs to graphical.target; a server install boots to multi-user.target.
  systemctl set-default graphical.target
  if [ -d /etc/chrony ]; then
    chronyc reload sources >/dev/null 2>&1 || true
  else
    timedatectl set-ntp true || say "could not turn on NTP synchronisation: check 'timedatectl timesync-status'"
    systemctl restart systemd-timesyncd.service || true
  fi
fi

say "done. Next: enrol this kiosk (docs/OPERATIONS.md \"Provisioning a kiosk\"):"
say "  runuser -u memberkiosk -- /usr/bin/node $prefix/bin/memberkiosk-prod.mjs provision --hub https://HUB:8443 --code MK1-... --data /var/lib/memberkiosk/kiosk"
say "then: systemctl start memberkiosk-kiosk memberkiosk-screen   (or reboot)"
