#!/bin/sh
# Point-in-time recovery of a hub's PostgreSQL cluster: WAL archiving, base backups, and a recovery prepared in a
# new data directory. docs/OPERATIONS.md ("PostgreSQL: point-in-time recovery") walks through it, and
# scripts/backup/postgres-pitr.test.ts runs exactly these steps against a real PostgreSQL 15, so the document and
# the test cannot drift apart.
#
# Run it as the user PostgreSQL runs as (postgres): the files it writes must be that user's. The connection for
# base-backup comes from libpq's variables (PGHOST, PGPORT, PGUSER, PGPASSWORD or ~/.pgpass); the role needs the
# REPLICATION attribute and a "replication" line in pg_hba.conf. PostgreSQL's programs are taken from PG_BIN if
# set (e.g. /usr/lib/postgresql/15/bin), else from PATH.
#
#   postgres-pitr.sh archive-settings ARCHIVE
#       prints the postgresql.conf lines that archive every WAL segment into the folder ARCHIVE (append them, then
#       restart PostgreSQL: archive_mode takes effect only on a start)
#   postgres-pitr.sh base-backup DEST
#       takes a base backup into the new folder DEST (base.tar.gz and pg_wal.tar.gz, both checked whole)
#   postgres-pitr.sh prepare-recovery BASE ARCHIVE DATA [TARGET_TIME]
#       unpacks the base backup BASE into the new data directory DATA and sets it to replay the WAL of ARCHIVE on
#       its first start: up to TARGET_TIME ('2026-12-01 14:59:00+08': stops at the first commit after it), or
#       to the end of the archive when left out; then it ends recovery and opens for writes (a new timeline).
#       Start it with pg_ctl -D DATA start (on a port of its own while the old cluster still runs).
set -eu

bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN/$1"; else echo "$1"; fi
}

usage() {
  sed -n '12,21p' "$0" >&2
  exit 2
}

[ $# -ge 1 ] || usage
command=$1
shift

case "$command" in
archive-settings)
  [ $# -eq 1 ] || usage
  archive=$1
  case "$archive" in /*) ;; *) echo "postgres-pitr.sh: ARCHIVE must be an absolute path" >&2; exit 2 ;; esac
  # wal_level replica is PostgreSQL's default; said here so a cluster set to minimal is caught. The command never
  # overwrites a segment already archived (a second cluster pointed at the same folder by mistake fails loudly
  # instead), and exits non-zero when the copy fails: PostgreSQL keeps the segment and retries.
  # archive_timeout: a quiet hub still archives its last writes within 5 minutes.
  cat <<EOF
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $archive/%f && cp %p $archive/%f.partial && mv $archive/%f.partial $archive/%f'
archive_timeout = 300
EOF
  ;;
base-backup)
  [ $# -eq 1 ] || usage
  dest=$1
  if [ -e "$dest" ]; then echo "postgres-pitr.sh: $dest exists already" >&2; exit 2; fi
  # -Ft -z: one compressed tar of the data directory (base.tar.gz) and one of the WAL written meanwhile
  # (pg_wal.tar.gz, streamed: -Xstream), so the backup is consistent on its own; --checkpoint=fast starts now
  # rather than at the next scheduled checkpoint.
  "$(bin pg_basebackup)" -D "$dest" -Ft -z -Xstream --checkpoint=fast --no-password
  # Checked now, not on the bad day: both archives whole, and the data one holding its backup_label (what makes
  # recovery start from this backup's checkpoint). pg_verifybackup reads plain-format backups only (PostgreSQL 15).
  gzip -t "$dest/base.tar.gz"
  gzip -t "$dest/pg_wal.tar.gz"
  tar -tzf "$dest/base.tar.gz" | grep -qx backup_label || { echo "postgres-pitr.sh: $dest/base.tar.gz has no backup_label" >&2; exit 1; }
  echo "base backup written: $dest"
  ;;
prepare-recovery)
  [ $# -eq 3 ] || [ $# -eq 4 ] || usage
  base=$1
  archive=$2
  data=$3
  target=${4:-}
  case "$archive" in /*) ;; *) echo "postgres-pitr.sh: ARCHIVE must be an absolute path" >&2; exit 2 ;; esac
  if [ -e "$data" ] && [ -n "$(ls -A "$data")" ]; then echo "postgres-pitr.sh: $data is not empty" >&2; exit 2; fi
  mkdir -p "$data"
  chmod 700 "$data"
  tar -xzf "$base/base.tar.gz" -C "$data"
  mkdir -p "$data/pg_wal"
  tar -xzf "$base/pg_wal.tar.gz" -C "$data/pg_wal"
  # The recovered cluster must not archive into the same folder as the one it came from: its new timeline's
  # segments would mix with the old ones. Turned off here; set its own archive once it runs.
  {
    echo "# point-in-time recovery (scripts/backup/postgres-pitr.sh prepare-recovery)"
    echo "archive_mode = off"
    echo "restore_command = 'cp $archive/%f %p'"
    if [ -n "$target" ]; then
      echo "recovery_target_time = '$target'"
    fi
    echo "recovery_target_action = 'promote'"
  } >>"$data/postgresql.auto.conf"
  touch "$data/recovery.signal"
  echo "recovery prepared in $data: start it with pg_ctl -D $data start${target:+ (replays to $target)}"
  ;;
*)
  usage
  ;;
esac
