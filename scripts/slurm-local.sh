#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, for tests and CI (issue 22): `start` installs slurm-wlm and munge from
# Debian when missing, writes a slurm.conf with this host as the only node (all its CPUs and memory, one partition
# `local`), and starts munged (as user munge), slurmctld and slurmd (as root); `stop` stops them; `status` prints
# sinfo. Needs root (CI runs as root). Idempotent: `start` on a running cluster only checks it.
set -euo pipefail

CONF_DIR=/etc/slurm
STATE=/var/spool/slurmctld
SPOOL=/var/spool/slurmd
LOGS=/var/log/slurm

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "slurm-local.sh: must run as root (it installs packages and starts daemons)" >&2
    exit 2
  fi
}

install_packages() {
  if command -v slurmctld >/dev/null && command -v munged >/dev/null && command -v sbatch >/dev/null; then return; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
}

write_config() {
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  # RealMemory in MiB, leaving 10 % to the system; a job gets its share per CPU unless it asks (--mem).
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  local per_cpu=$((mem / cpus))
  mkdir -p "$CONF_DIR" "$STATE" "$SPOOL" "$LOGS"
  cat >"$CONF_DIR/slurm.conf" <<CONF
ClusterName=ocrm-local
SlurmctldHost=${host}
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=${per_cpu}
ReturnToService=2
StateSaveLocation=${STATE}
SlurmdSpoolDir=${SPOOL}
SlurmctldLogFile=${LOGS}/slurmctld.log
SlurmdLogFile=${LOGS}/slurmd.log
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
KillWait=5
MinJobAge=300
NodeName=${host} CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
PartitionName=local Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
}

start_munge() {
  if pgrep -x munged >/dev/null; then return; fi
  mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge
  chmod 0700 /etc/munge /var/lib/munge /var/log/munge
  chmod 0400 /etc/munge/munge.key
  chmod 0755 /run/munge
  su -s /bin/sh munge -c /usr/sbin/munged
}

wait_ready() {
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then return 0; fi
    sleep 1
  done
  echo "slurm-local.sh: the node did not become idle within 60 s; logs in $LOGS" >&2
  sinfo >&2 || true
  exit 1
}

start() {
  need_root
  install_packages
  write_config
  start_munge
  pgrep -x slurmctld >/dev/null || slurmctld
  pgrep -x slurmd >/dev/null || slurmd
  # A node left DOWN by an earlier stop comes back.
  scontrol update NodeName="$(hostname -s)" State=RESUME >/dev/null 2>&1 || true
  wait_ready
  sinfo
}

stop() {
  need_root
  pkill -x slurmd 2>/dev/null || true
  pkill -x slurmctld 2>/dev/null || true
  pkill -x munged 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *)
    echo "usage: scripts/slurm-local.sh start|stop|status" >&2
    exit 2
    ;;
esac
