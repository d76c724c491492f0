#!/usr/bin/env bash
# Several marcgate nodes on one PostgreSQL, behind HAProxy, all on loopback (docs/scale-out.md).
#
#   scripts/cluster.sh start            PostgreSQL (unless MARCGATE_DB_URL names one), N nodes, HAProxy
#   scripts/cluster.sh stop             all of it (a local PostgreSQL keeps its data in the directory)
#   scripts/cluster.sh status           each node's /readyz and HAProxy's view of the nodes
#   scripts/cluster.sh kill-node I      kill -9 node I (HAProxy routes around it)
#   scripts/cluster.sh start-node I     start node I again
#   scripts/cluster.sh restart-node I   stop node I (SIGTERM: it answers the exports in progress), start it
#
# Settings (environment): MARCGATE_CLUSTER_DIR (default ./cluster: pids, logs, haproxy.cfg, the
# local PostgreSQL), MARCGATE_NODES (3), MARCGATE_CONNEXION_PORT (5500) and MARCGATE_HTTP_PORT
# (8080): HAProxy's ports; MARCGATE_NODE_PORT_BASE (15500): node I listens on BASE+2I
# (Connexion) and BASE+2I+1 (HTTP); MARCGATE_PG_PORT (55432): the local PostgreSQL's port;
# MARCGATE_DB_URL: an existing database instead of a local one; MARCGATE_Z3950_PORT: HAProxy's
# Z39.50 port (unset: no Z39.50), node I's Z39.50 on BASE+1000+I.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$(mkdir -p "${MARCGATE_CLUSTER_DIR:-./cluster}" && cd "${MARCGATE_CLUSTER_DIR:-./cluster}" && pwd)
NODES=${MARCGATE_NODES:-3}
CONNEXION_PORT=${MARCGATE_CONNEXION_PORT:-5500}
HTTP_PORT=${MARCGATE_HTTP_PORT:-8080}
BASE=${MARCGATE_NODE_PORT_BASE:-15500}
PG_PORT=${MARCGATE_PG_PORT:-55432}
Z3950_PORT=${MARCGATE_Z3950_PORT:-}
HOST=127.0.0.1

die() { echo "cluster.sh: $*" >&2; exit 1; }
node_connexion_port() { echo $((BASE + 2 * $1)); }
node_http_port() { echo $((BASE + 2 * $1 + 1)); }
node_z3950_port() { if [ -n "$Z3950_PORT" ]; then echo $((BASE + 1000 + $1)); else echo 0; fi; }

# Waits until a URL answers 200, for at most $2 seconds.
wait_ok() {
  local url=$1 seconds=$2
  for _ in $(seq $((seconds * 10))); do
    if curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

pg_bin() {
  local version
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || die "PostgreSQL is not installed (apt-get install postgresql), or set MARCGATE_DB_URL"
  echo "/usr/lib/postgresql/$version/bin"
}

# Runs a PostgreSQL program as the owner of the local cluster (postgres when we are root:
# PostgreSQL refuses to run as root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_local_pg() {
  local bin data=$DIR/pg
  bin=$(pg_bin)
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    if [ "$(id -u)" = 0 ]; then chown postgres "$data"; fi
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >"$DIR/pg-init.log"
  fi
  if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
      -o "-p $PG_PORT -k $data -c listen_addresses=$HOST -c max_connections=200" start >/dev/null
  fi
  as_pg "$bin/psql" -h "$HOST" -p "$PG_PORT" -U postgres -qtAc \
    "SELECT 1 FROM pg_roles WHERE rolname = 'marcgate'" | grep -q 1 ||
    as_pg "$bin/psql" -h "$HOST" -p "$PG_PORT" -U postgres -qc "CREATE ROLE marcgate LOGIN PASSWORD 'marcgate'"
  as_pg "$bin/psql" -h "$HOST" -p "$PG_PORT" -U postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname = 'marcgate'" | grep -q 1 ||
    as_pg "$bin/createdb" -h "$HOST" -p "$PG_PORT" -U postgres -O marcgate marcgate
  echo "postgres://marcgate:marcgate@$HOST:$PG_PORT/marcgate"
}

db_url() {
  if [ -n "${MARCGATE_DB_URL:-}" ]; then echo "$MARCGATE_DB_URL"; return; fi
  [ -f "$DIR/db-url" ] || die "no database: run scripts/cluster.sh start"
  cat "$DIR/db-url"
}

start_node() {
  local i=$1 url pid_file=$DIR/node$1.pid
  url=$(db_url)
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "node$i is running already (process $(cat "$pid_file"))"
    return
  fi
  # The nodes outlive this script: without npm's variables (set when it runs under npm, as in
  # `npm test`), serve would take this script's exit for npm's and stop (see serve's
  # npmParentGone).
  env -u npm_lifecycle_event node "$ROOT/bin/marcgate.js" serve --db "$url" --node-name "node$i" --host "$HOST" \
    --connexion-port "$(node_connexion_port "$i")" --http-port "$(node_http_port "$i")" \
    --z3950-port "$(node_z3950_port "$i")" \
    --proxy "$HOST" --public-url "http://$HOST:$HTTP_PORT" >>"$DIR/node$i.log" 2>&1 &
  echo $! >"$pid_file"
  if ! wait_ok "http://$HOST:$(node_http_port "$i")/readyz" 60; then
    tail -n 5 "$DIR/node$i.log" >&2
    die "node$i did not become ready (see $DIR/node$i.log)"
  fi
  echo "node$i ready: Connexion $(node_connexion_port "$i"), HTTP $(node_http_port "$i")"
}

stop_node() {
  local i=$1 signal=${2:-TERM} pid_file=$DIR/node$1.pid pid
  [ -f "$pid_file" ] || return 0
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -"$signal" "$pid"
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pid_file"
}

write_haproxy_config() {
  local cfg=$DIR/haproxy.cfg i
  {
    cat <<EOF
# Written by scripts/cluster.sh. Connexion is TCP: HAProxy sends each node the client's address
# in a PROXY protocol header (send-proxy; the node's --proxy trusts it) and checks each node's
# HTTP /readyz (503 while its database is unreachable). A connection refused by a node that is
# stopping is tried again on another (retries, redispatch on every retry).
global
  maxconn 4096
  stats socket $DIR/haproxy.sock mode 600 level admin

defaults
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  retries 3
  option redispatch 1

frontend connexion
  bind $HOST:$CONNEXION_PORT
  mode tcp
  default_backend connexion_nodes

backend connexion_nodes
  mode tcp
  balance leastconn
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2 send-proxy
EOF
    for i in $(seq "$NODES"); do
      echo "  server node$i $HOST:$(node_connexion_port "$i") check port $(node_http_port "$i")"
    done
    if [ -n "$Z3950_PORT" ]; then
      cat <<EOF

# Z39.50 sessions (result sets) live on one node for the length of a TCP connection.
frontend z3950
  bind $HOST:$Z3950_PORT
  mode tcp
  default_backend z3950_nodes

backend z3950_nodes
  mode tcp
  balance leastconn
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2
EOF
      for i in $(seq "$NODES"); do
        echo "  server node$i $HOST:$(node_z3950_port "$i") check port $(node_http_port "$i")"
      done
    fi
    cat <<EOF

frontend http
  bind $HOST:$HTTP_PORT
  mode http
  option forwardfor
  default_backend http_nodes

backend http_nodes
  mode http
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2
EOF
    for i in $(seq "$NODES"); do
      echo "  server node$i $HOST:$(node_http_port "$i") check"
    done
  } >"$cfg"
  haproxy -c -q -f "$cfg" || die "haproxy refuses $cfg"
}

start_haproxy() {
  command -v haproxy >/dev/null || die "haproxy is not installed (apt-get install haproxy)"
  write_haproxy_config
  if [ -f "$DIR/haproxy.pid" ] && kill -0 "$(cat "$DIR/haproxy.pid")" 2>/dev/null; then
    kill -USR2 "$(cat "$DIR/haproxy.pid")" 2>/dev/null || true
  else
    haproxy -D -f "$DIR/haproxy.cfg" -p "$DIR/haproxy.pid"
  fi
  wait_ok "http://$HOST:$HTTP_PORT/readyz" 30 || die "HAProxy does not answer on $HTTP_PORT"
  echo "HAProxy: Connexion $HOST:$CONNEXION_PORT, HTTP http://$HOST:$HTTP_PORT"
}

status() {
  local i
  for i in $(seq "$NODES"); do
    printf 'node%s: ' "$i"
    curl -sS --max-time 3 "http://$HOST:$(node_http_port "$i")/readyz" 2>/dev/null || printf 'down'
    echo
  done
  if [ -S "$DIR/haproxy.sock" ]; then
    echo "show stat" | socat - "UNIX-CONNECT:$DIR/haproxy.sock" 2>/dev/null |
      awk -F, '$1 ~ /_nodes$/ && $2 ~ /^node/ { print "haproxy " $1 " " $2 ": " $18 }' || true
  fi
}

case "${1:-}" in
  start)
    if [ -z "${MARCGATE_DB_URL:-}" ]; then
      start_local_pg >"$DIR/db-url"
      chmod 600 "$DIR/db-url"
    fi
    for i in $(seq "$NODES"); do start_node "$i"; done
    start_haproxy
    ;;
  stop)
    if [ -f "$DIR/haproxy.pid" ]; then
      kill "$(cat "$DIR/haproxy.pid")" 2>/dev/null || true
      rm -f "$DIR/haproxy.pid"
    fi
    for i in $(seq "$NODES"); do stop_node "$i"; done
    if [ -z "${MARCGATE_DB_URL:-}" ] && [ -f "$DIR/pg/PG_VERSION" ]; then
      as_pg "$(pg_bin)/pg_ctl" -D "$DIR/pg" -m fast stop >/dev/null 2>&1 || true
    fi
    echo "stopped"
    ;;
  status) status ;;
  kill-node) stop_node "${2:?node number}" KILL && echo "node$2 killed" ;;
  start-node) start_node "${2:?node number}" ;;
  restart-node) stop_node "${2:?node number}" && start_node "$2" ;;
  *)
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
