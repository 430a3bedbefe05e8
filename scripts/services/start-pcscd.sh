#!/usr/bin/env bash
# Starts pcscd in the background (no systemd on CI or dev machines) unless one already runs.
# The vsmartcard vpcd driver then offers readers "Virtual PCD 00 00/00 01" waiting for a virtual card on TCP 35963/35964.
set -u
if ! command -v pcscd >/dev/null 2>&1; then echo "pcscd not installed; PC/SC tests will report it" >&2; exit 0; fi
if [ -S /run/pcscd/pcscd.comm ] && pgrep -x pcscd >/dev/null 2>&1; then exit 0; fi
mkdir -p /run/pcscd
rm -f /run/pcscd/pcscd.comm  # a dead pcscd leaves its socket behind
pcscd --foreground >/tmp/pcscd.log 2>&1 &
for _ in $(seq 1 50); do [ -S /run/pcscd/pcscd.comm ] && exit 0; sleep 0.1; done
echo "pcscd did not come up; see /tmp/pcscd.log" >&2
