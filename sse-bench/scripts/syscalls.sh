#!/bin/sh
# Where a server's CPU goes while it fans out. Over SECONDS from START, for the processes PIDS (comma-separated),
# counts: write-family system calls (write, writev, sendto, sendmsg, sendmmsg) and io_uring send submissions; all
# system calls; the event loops' wake-ups (epoll_wait, epoll_pwait and epoll_pwait2 returns, io_uring_enter and
# futex calls, context switches by thread name); user and system CPU, by thread too; the bytes the server's
# sockets on PORT sent (ss's bytes_sent, chunk framing included); and, for one JVM, its GC pauses (jstat). It
# prints them as key=value lines, raw counts over the window; `ssecast-bench idle-table` divides them by the
# window's deliveries.
#
#   sse-bench/scripts/syscalls.sh PIDS SECONDS PORT [START] > OUT.properties     (as root: perf, else strace)
#
# START is the window's opening in seconds since the epoch (date +%s.%N), at least a second away so that perf can
# attach first (default: a second from now). perf counts in 100 ms intervals from before START to after the end,
# and only the intervals inside the window are summed, so that its counts, /proc's and ss's cover one window: a
# caller that keeps events half a second away from both ends gets each event's fan-out whole or not at all.
# perf counts kernel tracepoints (a fraction of a microsecond per system call, so CPU read under it is a little
# high); strace stops the process at every call, so under it only the counts mean anything, not the CPU, and its
# window is only as exact as its start. compare.sh's `syscalls` phase runs this over the 1 event/s window of a load.
set -eu
pids=${1:?usage: syscalls.sh PIDS SECONDS PORT [START]}
seconds=${2:?seconds}
port=${3:?port}
start=${4:-$(date +%s.%N | awk '{printf "%.3f", $1 + 1}')}
tmp=$(mktemp -d)
tracer_pid=
trap 'rm -rf "$tmp"; [ -z "$tracer_pid" ] || kill "$tracer_pid" 2> /dev/null || true' EXIT
plist=$(echo "$pids" | tr ',' ' ')

cpu_ticks() { # -> "utime stime" summed over the processes (all their threads), in clock ticks
    for pid in $plist; do sed 's/.*) //' "/proc/$pid/stat"; done | awk '{u += $12; s += $13} END {print u, s}'
}
threads() { # -> one line per thread: tid name voluntary nonvoluntary cpu (switches and clock ticks so far)
    for pid in $plist; do
        for task in /proc/"$pid"/task/*; do
            cpu=$(sed 's/.*) //' "$task/stat" 2>/dev/null | awk '{print $12 + $13}') || continue
            awk -v tid="${task##*/}" -v cpu="$cpu" '/^Name:/ {sub(/^Name:[ \t]*/, ""); gsub(/[^A-Za-z0-9_.-]/, "_")
                name = $0} /^voluntary_ctxt_switches/ {v = $2} /^nonvoluntary_ctxt_switches/ {n = $2}
                END {print tid, name, v, n, cpu}' "$task/status" 2>/dev/null || true
        done
    done
}
sockets() { # -> one line per established server-side socket of the port: local peer bytes_sent
    ss -Htin state established "( sport = :$port )" | awk '/^[^ \t]/ {key = $3 " " $4; next}
        {for (i = 1; i <= NF; i++) if ($i ~ /^bytes_sent:/) {sub(/^bytes_sent:/, "", $i); print key, $i}}'
}
sleep_until() { # epoch seconds
    delay=$(date +%s.%N | awk -v t="$1" '{d = t - $1; if (d < 0) d = 0; printf "%.3f", d}')
    sleep "$delay"
}
gc() { # -> "pauses seconds" so far of a JVM (young, full and concurrent-cycle pauses), or nothing
    case "$pids" in *,*) return 0 ;; esac
    jstat -gc "$pids" 2>/dev/null | awk 'NR == 1 {for (i = 1; i <= NF; i++) col[$i] = i}
        NR == 2 {p = $col["YGC"] + $col["FGC"] + ("CGC" in col ? $col["CGC"] : 0); print p, $col["GCT"]}' || true
}

tracefs=/sys/kernel/tracing
[ -d "$tracefs/events/syscalls" ] || tracefs=/sys/kernel/debug/tracing
# key, tracepoint (or perf event) and optional filter, in the order perf prints them
sends='opcode == 2 || opcode == 9 || opcode == 23 || opcode == 26 || opcode == 47 || opcode == 48'
: > "$tmp/keys"
tab=$(printf '\t')
set_args=
want() {
    case "$2" in
    *:*) [ -d "$tracefs/events/${2%%:*}/${2#*:}" ] || return 0 ;;
    esac
    echo "$1" >> "$tmp/keys"
    if [ $# -gt 2 ]; then
        set_args="$set_args$tab-e$tab$2$tab--filter$tab$3"
    else
        set_args="$set_args$tab-e$tab$2"
    fi
}
want sys.write syscalls:sys_enter_write
want sys.writev syscalls:sys_enter_writev
want sys.sendto syscalls:sys_enter_sendto
want sys.sendmsg syscalls:sys_enter_sendmsg
want sys.sendmmsg syscalls:sys_enter_sendmmsg
want sys.epoll_wait syscalls:sys_exit_epoll_wait
want sys.epoll_pwait syscalls:sys_exit_epoll_pwait
want sys.epoll_pwait2 syscalls:sys_exit_epoll_pwait2
want sys.io_uring_enter syscalls:sys_enter_io_uring_enter
want sys.futex syscalls:sys_enter_futex
want sys.total raw_syscalls:sys_enter
want uring.sends io_uring:io_uring_submit_req "$sends"  # WRITEV SENDMSG WRITE SEND SEND_ZC SENDMSG_ZC
want uring.submits io_uring:io_uring_submit_req
want perf.context_switches context-switches
want perf.task_clock_ms task-clock
tracer=none
if command -v perf > /dev/null && [ -d "$tracefs/events/syscalls" ]; then
    tracer=perf
elif command -v strace > /dev/null; then
    tracer=strace
fi

case "$tracer" in
perf)
    old_ifs=$IFS
    IFS=$tab
    # shellcheck disable=SC2086 # the event list is split on tabs on purpose (a filter holds spaces)
    set -- ${set_args#"$tab"}
    IFS=$old_ifs
    perf_start=$(date +%s.%N)
    perf stat -x, -I 100 -o "$tmp/perf" "$@" -p "$pids" > /dev/null 2> "$tmp/perf.err" &
    tracer_pid=$!
    ;;
esac
gc0=$(gc)
sleep_until "$start"
cpu0=$(cpu_ticks)
sockets > "$tmp/sockets0"
threads > "$tmp/threads0"
case "$tracer" in
strace)
    set --
    for pid in $plist; do set -- "$@" -p "$pid"; done
    timeout -s INT "$seconds" strace -f -c -qq -o "$tmp/strace" "$@" 2> /dev/null || true
    ;;
esac
sleep_until "$(echo "$start $seconds" | awk '{printf "%.3f", $1 + $2}')"
cpu1=$(cpu_ticks)
sockets > "$tmp/sockets1"
threads > "$tmp/threads1"
gc1=$(gc)
if [ "$tracer" = perf ]; then
    kill -INT "$tracer_pid" 2> /dev/null || true
    wait "$tracer_pid" || true
    [ -s "$tmp/perf" ] || { echo "perf stat failed: $(cat "$tmp/perf.err")" >&2; exit 1; }
fi

echo "tracer=$tracer"
echo "pids=$pids"
echo "seconds=$seconds"
echo "cpu.ticks_per_second=$(getconf CLK_TCK)"
echo "$cpu0 $cpu1" | awk '{print "cpu.user_ticks=" $3 - $1; print "cpu.system_ticks=" $4 - $2}'
# bytes sent in the window by the sockets open at both ends of it (a socket closed in it took its count along)
awk 'NR == FNR {b[$1 " " $2] = $3; next} ($1 " " $2) in b {n++; sent += $3 - b[$1 " " $2]}
    END {print "tcp.sockets=" n + 0; printf "tcp.bytes_sent=%.0f\n", sent}' "$tmp/sockets0" "$tmp/sockets1"
if [ -n "$gc0" ] && [ -n "$gc1" ]; then
    echo "$gc0 $gc1" | awk '{print "gc.pauses=" $3 - $1; printf "gc.seconds=%.4f\n", $4 - $2}'
fi
awk 'NR == FNR {v[$1] = $3; n[$1] = $4; c[$1] = $5; next}
    {V[$2] += $3 - v[$1]; N[$2] += $4 - n[$1]; C[$2] += $5 - c[$1]; tv += $3 - v[$1]; tn += $4 - n[$1]}
    END {print "ctx.voluntary=" tv; print "ctx.nonvoluntary=" tn
         for (t in V) print V[t], N[t], C[t], t}' "$tmp/threads0" "$tmp/threads1" > "$tmp/ctx"
grep '^ctx\.' "$tmp/ctx"
# the threads (same names summed) that woke most and that ran most: event loops, the tick thread, GC, JIT...
grep -v '^ctx\.' "$tmp/ctx" > "$tmp/by-thread"
{
    sort -k1,1nr "$tmp/by-thread" | head -8
    sort -k3,3nr "$tmp/by-thread" | head -8
} | sort -u -k4,4 | awk '{print "thread." $4 ".voluntary=" $1; print "thread." $4 ".nonvoluntary=" $2
    print "thread." $4 ".cpu_ticks=" $3}'
case "$tracer" in
perf)
    # lines: interval end (seconds since perf began), value, unit, event...; each interval lists the events in the
    # order asked, "<not counted>" when no thread ran in it. The intervals that end inside the window count.
    from=$(echo "$start $perf_start" | awk '{printf "%.3f", $1 - $2}')
    grep -v -e '^#' -e '^$' "$tmp/perf" | awk -F, -v from="$from" -v to="$(echo "$from $seconds" | awk '{print $1 + $2}')" '
        NR == FNR {key[FNR - 1] = $0; keys = FNR; next}
        $1 != at {at = $1; i = 0}
        {k = key[i++]; if (!(k in sum)) sum[k] = 0
         if ($1 + 0 > from + 0.05 && $1 + 0 <= to + 0.05) {if ($2 ~ /^[0-9.]+$/) sum[k] += $2; else if ($2 !~ /not counted/) bad[k] = 1}}
        END {for (i = 0; i < keys; i++) {k = key[i]; print k "=" (k in bad ? -1 : sum[k] + 0)}}' "$tmp/keys" -
    ;;
strace)
    awk '$NF != "total" && $4 ~ /^[0-9]+$/ {n[$NF] = $4; t += $4}
        END {split("write writev sendto sendmsg sendmmsg epoll_wait epoll_pwait epoll_pwait2 io_uring_enter futex", k)
             for (i in k) print "sys." k[i] "=" n[k[i]] + 0; print "sys.total=" t + 0}' "$tmp/strace"
    ;;
esac
