#!/bin/sh
# Where a server's CPU goes while it fans out. Over SECONDS, for the processes PIDS (comma-separated), counts:
# write-family system calls (write, writev, sendto, sendmsg, sendmmsg) and io_uring send submissions; all system
# calls; the event loops' wake-ups (epoll_wait, epoll_pwait and epoll_pwait2 returns, io_uring_enter and futex
# calls, context switches by thread name); user and system CPU; the bytes the server's sockets on PORT sent (ss's
# bytes_sent, chunk framing included); and, for one JVM, its GC pauses (jstat). It prints them as key=value lines,
# raw counts over the window; `ssecast-bench idle-table` divides them by the window's deliveries.
#
#   sse-bench/scripts/syscalls.sh PIDS SECONDS PORT > OUT.properties     (as root: perf, else strace)
#
# perf counts kernel tracepoints (a fraction of a microsecond per system call, so CPU read under it is a little
# high); strace stops the process at every call, so under it only the counts mean anything, not the CPU.
# compare.sh's `syscalls` phase runs this over the 1 event/s window of a load run.
set -eu
pids=${1:?usage: syscalls.sh PIDS SECONDS PORT}
seconds=${2:?seconds}
port=${3:?port}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
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

threads > "$tmp/threads0"
gc0=$(gc)
cpu0=$(cpu_ticks)
sockets > "$tmp/sockets0"
case "$tracer" in
perf)
    old_ifs=$IFS
    IFS=$tab
    # shellcheck disable=SC2086 # the event list is split on tabs on purpose (a filter holds spaces)
    set -- ${set_args#"$tab"}
    IFS=$old_ifs
    perf stat -x, -o "$tmp/perf" "$@" -p "$pids" -- sleep "$seconds" 2> "$tmp/perf.err" \
        || { echo "perf stat failed: $(cat "$tmp/perf.err")" >&2; exit 1; }
    ;;
strace)
    set --
    for pid in $plist; do set -- "$@" -p "$pid"; done
    timeout -s INT "$seconds" strace -f -c -qq -o "$tmp/strace" "$@" 2> /dev/null || true
    ;;
*)
    sleep "$seconds"
    ;;
esac
sockets > "$tmp/sockets1"
cpu1=$(cpu_ticks)
gc1=$(gc)
threads > "$tmp/threads1"

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
    grep -v -e '^#' -e '^$' "$tmp/perf" | awk -F, 'NR == FNR {key[FNR] = $0; next}
        {v = $1 ~ /^[0-9.]+$/ ? $1 : -1; print key[FNR] "=" v}' "$tmp/keys" -
    ;;
strace)
    awk '$NF != "total" && $4 ~ /^[0-9]+$/ {n[$NF] = $4; t += $4}
        END {split("write writev sendto sendmsg sendmmsg epoll_wait epoll_pwait epoll_pwait2 io_uring_enter futex", k)
             for (i in k) print "sys." k[i] "=" n[k[i]] + 0; print "sys.total=" t + 0}' "$tmp/strace"
    ;;
esac
