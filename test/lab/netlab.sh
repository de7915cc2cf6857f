#!/usr/bin/env bash
# netlab.sh - the project's network lab: small "internets" made of Linux network
# namespaces, veth pairs and nftables rules, for ICE (RFC 8445) / ICE-TCP (RFC 6544)
# tests with real processes. See test/lab/README.md.
#
#   netlab.sh up <scenario>     build a scenario (tears down an older lab of this LAB_ID first)
#   netlab.sh down              kill the lab's processes, delete its namespaces and state
#   netlab.sh exec <host> cmd…  run a command in a(n) a, b, nat-a, nat-b or pub namespace
#   netlab.sh addrs             print the KEY=VALUE address file of the running lab
#   netlab.sh flush             forget every NAT/firewall binding (conntrack -F in each namespace)
#   netlab.sh reap <prefix>     tear down labs of <prefix>* whose owner process is gone
#   netlab.sh list              list the scenarios
#
# Environment: LAB_ID (namespace prefix, ^[a-z][a-z0-9]{0,15}$, default "itl"),
# LAB_OWNER_PID (a watchdog tears the lab down when that process dies),
# LAB_RUN_DIR (state; default ${TMPDIR:-/tmp}/ice-tcp-lab), LAB_DELAY_MS (100),
# LAB_LOSS_PCT (5), LAB_SEED (random) for `lossy`, LAB_PYTHON (python3).
#
# Nothing is ever created in the calling (host) namespace: every veth, address,
# route, rule, sysctl and the delay/loss daemon's queue live in the lab's namespaces.
set -euo pipefail
# System tools first: under npm/npx, node_modules/.bin comes first in PATH and holds an
# unrelated `nft` (@vercel/nft, a file tracer).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_ID=${LAB_ID:-itl}
RUN_BASE=${LAB_RUN_DIR:-${TMPDIR:-/tmp}/ice-tcp-lab}
STATE=$RUN_BASE/$LAB_ID
ROLES=(a b nat-a nat-b pub)
SCENARIOS=(open udp-blocked tcp-only-outbound cone-nat symmetric-nat lossy mixed-nat cloud-1to1 udp-blocked-symmetric)
PY=${LAB_PYTHON:-$(command -v python3 || echo /usr/bin/python3)}

die() { echo "netlab[$LAB_ID]: error: $*" >&2; exit 2; }
[[ $LAB_ID =~ ^[a-z][a-z0-9]{0,15}$ ]] || die "LAB_ID must match ^[a-z][a-z0-9]{0,15}\$"

ns() { echo "$LAB_ID-$1"; }
has_ns() { [[ -e /run/netns/$1 ]]; }
in_ns() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@"; }

preflight() {
    local t
    for t in ip nft sysctl flock "$@"; do
        command -v "$t" >/dev/null 2>&1 || die "missing tool: $t (apt-get install iproute2 nftables iptables conntrack)"
    done
    [[ $(id -u) -eq 0 ]] || die "needs root (network namespaces)"
}

take_lock() { mkdir -p "$RUN_BASE"; exec 9>"$RUN_BASE/$LAB_ID.lock"; flock -w 120 9 || die "lock timeout"; }

# ------------------------------------------------------------------ pieces
new_ns() {
    local n; n=$(ns "$1")
    ip netns add "$n"
    ip -n "$n" link set lo up
    # IPv4 only: no link-local IPv6 candidates opening a second, unfiltered path
    ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}
veth() { # roleX ifX roleY ifY: a cable between two lab namespaces
    ip -n "$(ns "$1")" link add "$2" type veth peer name "$4" netns "$(ns "$3")"
    ip -n "$(ns "$1")" link set "$2" up
    ip -n "$(ns "$3")" link set "$4" up
}
ipa() { ip -n "$(ns "$1")" addr add "$3" dev "$2"; }
gw() { ip -n "$(ns "$1")" route add default via "$2"; }
router() { in_ns "$1" sysctl -qw net.ipv4.ip_forward=1; }

# The public router: two service addresses on its loopback for STUN/TURN servers.
make_pub() { new_ns pub; router pub; ipa pub lo 192.0.2.1/32; ipa pub lo 192.0.2.2/32; }

# A (10.0.1.10) behind its edge box nat-a (WAN 198.51.100.2) on the public router.
make_a_behind_edge() {
    new_ns a; new_ns nat-a
    veth a eth0 nat-a lan0; veth nat-a wan0 pub eth-a
    ipa a eth0 10.0.1.10/24; gw a 10.0.1.1
    ipa nat-a lan0 10.0.1.1/24; ipa nat-a wan0 198.51.100.2/24; gw nat-a 198.51.100.1
    ipa pub eth-a 198.51.100.1/24
    router nat-a
}
# B (10.0.2.10) behind its edge box nat-b (WAN 203.0.113.2).
make_b_behind_edge() {
    new_ns b; new_ns nat-b
    veth b eth0 nat-b lan0; veth nat-b wan0 pub eth-b
    ipa b eth0 10.0.2.10/24; gw b 10.0.2.1
    ipa nat-b lan0 10.0.2.1/24; ipa nat-b wan0 203.0.113.2/24; gw nat-b 203.0.113.1
    ipa pub eth-b 203.0.113.1/24
    router nat-b
}
# B on the public segment itself (203.0.113.10), no NAT, no firewall.
make_b_public() {
    new_ns b; veth b eth0 pub eth-b
    ipa b eth0 203.0.113.10/24; gw b 203.0.113.1
    ipa pub eth-b 203.0.113.1/24
}

# A NAT. mapping=eim: port-preserving SNAT (endpoint-independent mapping);
# mapping=edm: SNAT fully-random (a new port per 5-tuple: "symmetric").
# Filtering is address-and-port dependent in both; unsolicited inbound packets,
# TCP SYNs included, are dropped silently (no RST), which is what lets two
# simultaneous-open SYNs cross through two cone NATs (RFC 6544 §2.2 / RFC 5382).
nat_rules() { # role lan-cidr wan-ip eim|edm
    local extra=""; [[ $4 == edm ]] && extra=fully-random
    in_ns "$1" nft -f - <<NFT
table ip lab_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan0" ip saddr $2 counter snat to $3 $extra comment "$4 NAT"
  }
}
table inet lab_fw {
  chain input {
    type filter hook input priority filter; policy drop;
    iif "lo" accept
    ct state established,related accept
    iifname "lan0" accept
    counter drop comment "unsolicited: dropped silently"
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    ct state invalid counter drop comment "never leak an un-NATed packet"
    iifname "lan0" oifname "wan0" counter accept
    counter drop comment "unsolicited: dropped silently"
  }
}
NFT
}

# A firewall on nat-a (routed, no NAT). udp-blocked: every UDP packet dropped
# both ways, A may open TCP to any port. tcp-only-outbound: A may open TCP to
# ports 80 and 443 only. Nothing may connect in to A.
fw_rules() { # scenario
    local allow
    if [[ $1 == udp-blocked ]]; then
        allow='meta l4proto tcp ct state new counter accept comment "outbound TCP, any port"'
    else
        allow='tcp dport { 80, 443 } ct state new counter accept comment "outbound TCP to 80/443 only"'
    fi
    in_ns nat-a nft -f - <<NFT
table inet lab_fw {
  chain input {
    type filter hook input priority filter; policy drop;
    iif "lo" accept
    ct state established,related accept
    counter drop
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    meta l4proto udp counter drop comment "all UDP dropped"
    ct state established,related accept
    ct state invalid counter drop
    iifname "lan0" oifname "wan0" $allow
    counter drop comment "everything else dropped"
  }
}
NFT
    ip -n "$(ns pub)" route add 10.0.1.0/24 via 198.51.100.2
}

# A 1:1 NAT (a cloud VM's public address): every port of 203.0.113.2 goes to B
# (10.0.2.10) and B's traffic leaves as 203.0.113.2, ports unchanged; no filtering
# (a security group that lets everything in).
one_to_one_rules() {
    in_ns nat-b nft -f - <<NFT
table ip lab_nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "wan0" ip daddr 203.0.113.2 counter dnat to 10.0.2.10 comment "1:1 inbound"
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan0" ip saddr 10.0.2.10 counter snat to 203.0.113.2 comment "1:1 outbound"
  }
}
NFT
}

# Delay and loss: this kernel may lack sch_netem, so every IPv4 packet crossing
# pub (forwarded or bridged, and to/from pub's own addresses except loopback) is
# handed to an NFQUEUE and released by nfq_netem.py after the delay, or dropped.
# The rules have no --queue-bypass: a dead daemon drops everything (loud, not silent).
start_netem() {
    command -v iptables-restore >/dev/null || die "iptables needed for NFQUEUE (lossy)"
    local seed=(); [[ -n ${LAB_SEED:-} ]] && seed=(--seed "$LAB_SEED")
    setsid ip netns exec "$(ns pub)" "$PY" "$HERE/nfq_netem.py" --queue 0 \
        --delay "${LAB_DELAY_MS:-100}" --loss "${LAB_LOSS_PCT:-5}" "${seed[@]}" \
        --pidfile "$STATE/netem.pid" >"$STATE/netem.log" 2>&1 </dev/null 9>&- &
    local i; for i in $(seq 100); do [[ -s $STATE/netem.pid ]] && break; sleep 0.05; done
    [[ -s $STATE/netem.pid ]] || { cat "$STATE/netem.log" >&2; die "nfq_netem.py did not start"; }
    in_ns pub sysctl -qw net.bridge.bridge-nf-call-iptables=1
    in_ns pub iptables-restore <<IPT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT ! -i lo -j NFQUEUE --queue-num 0
-A FORWARD -j NFQUEUE --queue-num 0
-A OUTPUT ! -o lo -j NFQUEUE --queue-num 0
COMMIT
IPT
}

# open / lossy: A and B on one switch (bridge br0 in pub), no NAT, no filtering.
build_switch() {
    make_pub; new_ns a; new_ns b
    ip -n "$(ns pub)" link add br0 type bridge; ip -n "$(ns pub)" link set br0 up
    veth a eth0 pub port-a; veth b eth0 pub port-b
    ip -n "$(ns pub)" link set port-a master br0; ip -n "$(ns pub)" link set port-b master br0
    in_ns pub sysctl -qw net.bridge.bridge-nf-call-iptables=0
    ipa pub br0 10.0.0.1/24
    ipa a eth0 10.0.0.10/24; gw a 10.0.0.1
    ipa b eth0 10.0.0.20/24; gw b 10.0.0.1
}

env_file() { # scenario a_ip a_public b_ip b_public description
    {
        echo "# $6"
        echo "LAB_ID=$LAB_ID"; echo "LAB_SCENARIO=$1"
        echo "A_IP=$2"; echo "A_PUBLIC_IP=$3"; echo "B_IP=$4"; echo "B_PUBLIC_IP=$5"
        echo "PUB_IP=192.0.2.1"; echo "PUB_IP2=192.0.2.2"
        local r; for r in "${ROLES[@]}"; do has_ns "$(ns "$r")" && echo "NS_$(echo "${r//-/_}" | tr a-z A-Z)=$(ns "$r")"; done
    } >"$STATE/env"
}

build() {
    case $1 in
        open) build_switch
            env_file open 10.0.0.10 10.0.0.10 10.0.0.20 10.0.0.20 "one switch, no NAT, no filtering" ;;
        lossy) build_switch; start_netem
            env_file lossy 10.0.0.10 10.0.0.10 10.0.0.20 10.0.0.20 \
                "one switch, ${LAB_DELAY_MS:-100} ms one-way delay and ${LAB_LOSS_PCT:-5}% loss each way" ;;
        udp-blocked|tcp-only-outbound) make_pub; make_a_behind_edge; make_b_public; fw_rules "$1"
            env_file "$1" 10.0.1.10 10.0.1.10 203.0.113.10 203.0.113.10 "firewall in front of A; B public" ;;
        cone-nat) make_pub; make_a_behind_edge; make_b_behind_edge
            nat_rules nat-a 10.0.1.0/24 198.51.100.2 eim; nat_rules nat-b 10.0.2.0/24 203.0.113.2 eim
            env_file cone-nat 10.0.1.10 198.51.100.2 10.0.2.10 203.0.113.2 "two endpoint-independent NATs" ;;
        symmetric-nat) make_pub; make_a_behind_edge; make_b_behind_edge
            nat_rules nat-a 10.0.1.0/24 198.51.100.2 edm; nat_rules nat-b 10.0.2.0/24 203.0.113.2 edm
            env_file symmetric-nat 10.0.1.10 198.51.100.2 10.0.2.10 203.0.113.2 "two endpoint-dependent NATs" ;;
        mixed-nat) make_pub; make_a_behind_edge; make_b_behind_edge
            nat_rules nat-a 10.0.1.0/24 198.51.100.2 eim; nat_rules nat-b 10.0.2.0/24 203.0.113.2 edm
            env_file mixed-nat 10.0.1.10 198.51.100.2 10.0.2.10 203.0.113.2 "A cone NAT, B symmetric NAT" ;;
        udp-blocked-symmetric) make_pub; make_a_behind_edge; make_b_behind_edge
            fw_rules udp-blocked; nat_rules nat-b 10.0.2.0/24 203.0.113.2 edm
            env_file udp-blocked-symmetric 10.0.1.10 10.0.1.10 10.0.2.10 203.0.113.2 \
                "firewall dropping all UDP in front of A; B behind an endpoint-dependent NAT" ;;
        cloud-1to1) make_pub; make_a_behind_edge; make_b_behind_edge; fw_rules tcp-only-outbound; one_to_one_rules
            env_file cloud-1to1 10.0.1.10 10.0.1.10 10.0.2.10 203.0.113.2 \
                "A behind a firewall allowing outbound TCP 80/443 only; B a cloud VM behind a 1:1 NAT" ;;
        *) die "unknown scenario '$1' (${SCENARIOS[*]})" ;;
    esac
}

# Kill every process in the lab's namespaces (by pid), then delete the namespaces:
# that destroys their veths, addresses, routes, rules and conntrack tables.
teardown() {
    local r n pids p i
    for r in "${ROLES[@]}"; do
        n=$(ns "$r"); has_ns "$n" || continue
        pids=$(ip netns pids "$n" 2>/dev/null || true)
        for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
        for i in $(seq 40); do
            [[ -z $(ip netns pids "$n" 2>/dev/null || true) ]] && break; sleep 0.05
        done
        for p in $(ip netns pids "$n" 2>/dev/null || true); do kill -KILL "$p" 2>/dev/null || true; done
        ip netns del "$n" 2>/dev/null || echo "netlab[$LAB_ID]: could not delete $n" >&2
    done
    rm -rf "$STATE"
}

# A watchdog (a plain process, no network objects) that tears the lab down when its
# owner dies without calling `down` (test timeout, SIGKILL); it exits with the lab.
start_watchdog() {
    [[ -n ${LAB_OWNER_PID:-} ]] || return 0
    echo "$LAB_OWNER_PID" >"$STATE/owner"
    setsid bash -c '
        while [[ -d $2 ]]; do
            if ! kill -0 "$1" 2>/dev/null; then LAB_ID=$3 LAB_RUN_DIR=$4 "$5" down >/dev/null 2>&1; exit 0; fi
            sleep 1
        done' watchdog "$LAB_OWNER_PID" "$STATE" "$LAB_ID" "$RUN_BASE" "$HERE/netlab.sh" \
        </dev/null >/dev/null 2>&1 9>&- &
}

cmd_up() {
    local scen=${1:-}; [[ -n $scen ]] || die "usage: netlab.sh up <scenario>"
    [[ " ${SCENARIOS[*]} " == *" $scen "* ]] || die "unknown scenario '$scen' (${SCENARIOS[*]})"
    preflight; take_lock
    teardown
    mkdir -p "$STATE"
    trap 'rc=$?; [[ $rc -eq 0 ]] || { echo "netlab[$LAB_ID]: up failed, removing the partial lab" >&2; teardown; }' EXIT
    build "$scen"
    start_watchdog
    trap - EXIT
    cat "$STATE/env"
}

cmd_reap() { # prefix: labs whose recorded owner is dead
    local prefix=${1:-}; [[ $prefix =~ ^[a-z][a-z0-9]*$ ]] || die "usage: netlab.sh reap <prefix>"
    local d id
    for d in "$RUN_BASE"/"$prefix"*/; do
        [[ -f $d/owner ]] || continue
        kill -0 "$(cat "$d/owner")" 2>/dev/null && continue
        id=$(basename "$d"); LAB_ID=$id "$0" down || true
    done
}

case ${1:-help} in
    up) shift; cmd_up "$@" ;;
    # The lock file goes too: lab.ts gives every lab a fresh LAB_ID, so they would pile up.
    down) preflight; take_lock; teardown; rm -f "$RUN_BASE/$LAB_ID.lock" ;;
    exec) shift; [[ $# -ge 2 ]] || die "usage: netlab.sh exec <host> cmd…"
        n=$(ns "$1"); shift; has_ns "$n" || die "no namespace $n"; exec ip netns exec "$n" "$@" ;;
    addrs) [[ -f $STATE/env ]] || die "not up"; cat "$STATE/env" ;;
    flush) for r in "${ROLES[@]}"; do has_ns "$(ns "$r")" && in_ns "$r" conntrack -F >/dev/null 2>&1 || true; done ;;
    reap) shift; cmd_reap "$@" ;;
    list) printf '%s\n' "${SCENARIOS[@]}" ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
esac
