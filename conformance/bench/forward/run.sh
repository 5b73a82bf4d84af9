#!/usr/bin/env bash
# Forwarding-and-cache benchmark (issue 5): clusterdns vs Unbound on forwarded names with a warm cache, then
# clusterdns with a dead upstream. Loopback only; ~5 minutes with the defaults. See README.md.
#
#   conformance/bench/forward/run.sh [--append FILE] [--keep DIR] [bench.py run options...]
#
# --append FILE  append the Markdown result section to FILE (e.g. conformance/bench/RESULTS.md)
# --keep DIR     keep the work directory (configs, logs, every dnsperf output, result.json) in DIR
# Everything else is passed to `bench.py run` (--rounds, --seconds, --rate, --flood, --flood-rate, ...).
script=bench.py
tools="java jcmd dnsperf dig python3 /usr/sbin/knotd /usr/sbin/unbound /usr/sbin/unbound-checkconf"
tag=fwd
source "$(dirname "${BASH_SOURCE[0]}")/drive.sh"
