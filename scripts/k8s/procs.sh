# Starting, checking and stopping the cluster's processes by the PIDs recorded under $K8S_RUN/pids
# (sourced after lib.sh). A PID counts as ours only while its command line names $K8S_RUN, so a
# recycled PID is never signalled.

pid_file() { echo "$K8S_RUN/pids/$1.pid"; }

# A process that exists and is not a zombie (a zombie's command line is empty).
pid_running() { [ -n "$(tr -d '\0' <"/proc/$1/cmdline" 2>/dev/null)" ]; }

component_pid() {
    local f
    f="$(pid_file "$1")"
    [ -f "$f" ] || return 1
    local pid
    pid="$(cat "$f")"
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$K8S_RUN/" || return 1
    echo "$pid"
}

component_alive() { component_pid "$1" >/dev/null; }

# start_component NAME COMMAND [ARGS...]: in the background, in a session of its own (so it outlives
# the caller's job), output to $K8S_RUN/logs/NAME.log, PID to $K8S_RUN/pids/NAME.pid.
start_component() {
    local name="$1"
    shift
    log "start $name (log $K8S_RUN/logs/$name.log)"
    setsid "$@" >"$K8S_RUN/logs/$name.log" 2>&1 </dev/null &
    echo "$!" >"$(pid_file "$name")"
    LAST_STARTED="$name"
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND until it succeeds; on timeout shows the log
# of the component started last and fails.
wait_for() {
    local what="$1" limit="$2"
    shift 2
    local t0
    t0="$(now)"
    until "$@" >/dev/null 2>&1; do
        if [ -n "${LAST_STARTED:-}" ] && ! component_alive "$LAST_STARTED"; then
            tail -n 30 "$K8S_RUN/logs/$LAST_STARTED.log" >&2 || true
            die "$LAST_STARTED exited while waiting for $what"
        fi
        if awk -v a="$t0" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then
            [ -n "${LAST_STARTED:-}" ] && tail -n 30 "$K8S_RUN/logs/$LAST_STARTED.log" >&2
            die "timed out after $limit s waiting for $what"
        fi
        sleep 0.2
    done
    log "$what: ok after $(elapsed "$t0") s"
}

# stop_component NAME [SECONDS]: SIGTERM, then SIGKILL after SECONDS (default 10) if still there.
stop_component() {
    local name="$1" limit="${2:-10}" pid
    if ! pid="$(component_pid "$name")"; then
        rm -f "$(pid_file "$name")"
        return 0
    fi
    log "stop $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < limit * 10; i++)); do
        pid_running "$pid" || break
        sleep 0.1
    done
    if pid_running "$pid"; then
        log "$name (pid $pid) still there after $limit s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        while pid_running "$pid"; do sleep 0.1; done
    fi
    rm -f "$(pid_file "$name")"
}

# The runtime directory of the cluster that holds this machine's addresses, if any: the machine-wide
# record, or (a cluster started before the record existed) the shared bind mount up.sh makes of its
# runtime directory while its bridge is there.
holder_run_dir() {
    if [ -f "$K8S_OWNER_FILE" ]; then
        cat "$K8S_OWNER_FILE"
        return 0
    fi
    ip link show "$K8S_BRIDGE" >/dev/null 2>&1 || return 1
    awk '$5 ~ /\/redis-stack\/k8s\/run$/ { print $5; found = 1; exit } END { exit !found }' /proc/self/mountinfo
}

# run_dir_alive RUN_DIR: whether any process of the cluster whose runtime directory is RUN_DIR runs.
run_dir_alive() {
    (
        K8S_RUN="$1"
        for c in "${K8S_COMPONENTS[@]}"; do component_alive "$c" && exit 0; done
        exit 1
    )
}

# Whether this machine's record names this cluster ($K8S_RUN).
holder_is_this_cluster() { [ -f "$K8S_OWNER_FILE" ] && [ "$(cat "$K8S_OWNER_FILE")" = "$K8S_RUN" ]; }
