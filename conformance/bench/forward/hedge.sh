#!/usr/bin/env bash
# Hedged-upstream benchmark (issue 22 §2): clusterdns forwarding to a pair of lossy loopback proxies in front
# of Knot, hedge off (CoreDNS) vs on, p50/p99/p99.9 and upstream load. Loopback only; ~3 minutes. See README.md.
#
#   conformance/bench/forward/hedge.sh [--append FILE] [--keep DIR] [hedge.py run options...]
#
# --append FILE  append the Markdown result section to FILE (e.g. conformance/bench/RESULTS.md)
# --keep DIR     keep the work directory (configs, logs, every dnsperf output, result.json) in DIR
# Everything else is passed to `hedge.py run` (--rate, --seconds, --drop, --hedge-on, --skip-single, ...).
script=hedge.py
tools="java dnsperf python3 /usr/sbin/knotd"
tag=hedge
source "$(dirname "${BASH_SOURCE[0]}")/drive.sh"
