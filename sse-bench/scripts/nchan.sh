#!/bin/sh
# nchan (Debian's nginx + libnginx-mod-nchan) as the baseline of the real-socket runs: an EventSource subscriber
# location and an HTTP publisher location on a loopback port, configured here in a temporary prefix.
#
#   sse-bench/scripts/nchan.sh install          apt-get install nginx libnginx-mod-nchan (as root)
#   sse-bench/scripts/nchan.sh start PORT DIR   writes DIR/nginx.conf and starts nginx (as root); prints its pids
#   sse-bench/scripts/nchan.sh stop DIR         stops it
#
# Subscribe: GET http://127.0.0.1:PORT/sub?topic=bench (Accept: text/event-stream)
# Publish:   POST http://127.0.0.1:PORT/pub?topic=bench, the body is the event's data
set -eu
cmd=${1:?usage: nchan.sh install | start PORT DIR | stop DIR}
case "$cmd" in
install)
    apt-cache policy libnginx-mod-nchan | grep -q Candidate || apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y nginx libnginx-mod-nchan
    ;;
start)
    port=${2:?port}
    dir=${3:?dir}
    mkdir -p "$dir/logs" "$dir/tmp"
    module=$(ls /usr/lib/nginx/modules/ngx_nchan_module.so)
    workers=${NCHAN_WORKERS:-auto}
    cat > "$dir/nginx.conf" <<CONF
load_module $module;
daemon on;
pid $dir/nginx.pid;
worker_processes $workers;
worker_rlimit_nofile 20000;
error_log $dir/logs/error.log warn;
events {
    worker_connections 19500;
    multi_accept on;
}
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    nchan_shared_memory_size 256M;
    server {
        listen 127.0.0.1:$port backlog=4096;
        location = /sub {
            nchan_subscriber eventsource;
            nchan_channel_id \$arg_topic;
        }
        location = /pub {
            nchan_publisher;
            nchan_channel_id \$arg_topic;
            nchan_message_buffer_length 100;
            nchan_message_timeout 60s;
        }
    }
}
CONF
    nginx -p "$dir" -c "$dir/nginx.conf"
    sleep 1
    master=$(cat "$dir/nginx.pid")
    echo "$master $(pgrep -P "$master" | tr '\n' ' ')"
    ;;
stop)
    dir=${2:?dir}
    [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")"
    ;;
*)
    echo "usage: nchan.sh install | start PORT DIR | stop DIR" >&2
    exit 2
    ;;
esac
