# shellcheck shell=bash
# shellcheck disable=SC2154  # root, bin_dir, self, build_dir, packaged and the t_* folders come from bin/cove
# How bin/cove runs Cove's JVM programs: class paths, the CLI's JVM flags, the start-up caches, and the command
# lines of `cove daemon`, `cove graphql` and `cove desktop`. Sourced by bin/cove after bin/lib/java.sh and
# bin/lib/build.sh, with $root, $self, $build_dir, $packaged and the t_* folders set.
#
#   cove_ready           builds and trains when needed (one bin/cove at a time), then sets $cli_flags and exports
#                        COVE_JAVA, COVE_JAVA_OPTS, COVE_LAUNCHER, COVE_BUILD_ID, COVE_DAEMON_CLASSPATH and
#                        COVE_CLI_CLASSPATH (the CLI's jars, which the daemon loads to run the CLI's commands)
#   cove_daemon_command ARGS...   sets $cmd: the daemon's JVM, as rpc's DaemonLauncher runs it
#   cove_app_command NAME ARGS... sets $cmd: the GraphQL server (graphql) or the desktop app (desktop)

cove_newest() { # sets $newest to the newest of the files given (a glob's matches); no subshell
    local f
    newest=""
    for f in "$@"; do
        if [ -z "$newest" ] || [ "$f" -nt "$newest" ]; then newest=$f; fi
    done
}

# cove_module_cp FOLDER NAME: sets $module_cp to the module's newest jar and its lib/ folder's jars. An installed
# tree lists the jars one by one in sorted order: a start-up cache holds its class path, and `lib/*` expands in
# the folder's order on disk, which unpacking elsewhere may change (a checkout's caches are made where they are used).
cove_module_cp() {
    local f
    cove_newest "$1"/"$2"-*.jar
    module_cp=$newest
    if [ -n "$packaged" ]; then
        for f in "$1"/lib/*.jar; do module_cp="$module_cp:$f"; done
    else
        module_cp="$module_cp:$1/lib/*"
    fi
}

cove_set_classpaths() {
    cove_module_cp "$t_cli" cove-cli
    COVE_CLI_CLASSPATH=$module_cp
    cove_module_cp "$t_daemon" cove-daemon
    COVE_DAEMON_CLASSPATH=$module_cp
    # the native client hands its own build down (it read the same file, or the one of the tree it came from)
    if [ -z "${COVE_BUILD_ID:-}" ] && [ -f "$build_dir/build-id" ]; then
        read -r COVE_BUILD_ID <"$build_dir/build-id" || true
    fi
    COVE_BUILD_ID=${COVE_BUILD_ID:-}
    export COVE_CLI_CLASSPATH COVE_DAEMON_CLASSPATH COVE_BUILD_ID
}

# JVM flags for the CLI, chosen for start-up time (measured; see docs/cli.md): C1 only, the serial GC, and on
# JDK 25+ an AOT cache of the CLI made once after each build. Daemons started through this script get an AOT
# cache of their own start-up too (docs/benchmarks.md).
cove_jvm_setup() {
    cli_flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
    # The JDK's SelectorProvider, named: a JVM's first socket channel otherwise looks for another one with a
    # ServiceLoader, which opens and indexes every jar of the class path in Java (~15-80 ms measured).
    case ${OSTYPE:-} in
        linux*) cli_flags+=(-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider) ;;
        darwin*) cli_flags+=(-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.KQueueSelectorProvider) ;;
    esac
    if [ "${COVE_JAVA_MAJOR:-0}" -ge 25 ]; then
        # A JVM's exit waits up to 300 ms (30 x 10 ms) for threads in native code; after `cove start` the JDK's
        # process reaper thread is in waitpid() for the daemon it spawned, so every start paid the whole 300 ms.
        # (A product flag of JDK 25; older JDKs do not know it.)
        cli_flags+=(-XX:UserThreadWaitAttemptsAtExit=0)
    fi
    case " ${COVE_JAVA_OPTS:-} " in
        *" --enable-native-access=ALL-UNNAMED "*) ;;
        *) COVE_JAVA_OPTS="--enable-native-access=ALL-UNNAMED${COVE_JAVA_OPTS:+ $COVE_JAVA_OPTS}" ;;
    esac
    export COVE_JAVA COVE_JAVA_OPTS COVE_LAUNCHER=$self
    cli_aot=""
    daemon_aot=""
    if [ "${COVE_JAVA_MAJOR:-0}" -ge 25 ] && [ "${COVE_NO_AOT:-}" != 1 ]; then
        cove_java_release "$JAVA_HOME"
        # a short hash of the JDK's folder (two JDKs of one version in two places get caches of their own)
        local jdk_hash=5381 i c aot_id
        for ((i = 0; i < ${#JAVA_HOME}; i++)); do
            printf -v c '%d' "'${JAVA_HOME:i:1}"
            jdk_hash=$(((jdk_hash * 33 + c) % 4294967296))
        done
        aot_id=${COVE_RELEASE_RUNTIME:-$COVE_JAVA_MAJOR}-$jdk_hash
        # an installed tree's runtime is its own and moves with it
        if [ -n "$packaged" ]; then aot_id=${COVE_RELEASE_RUNTIME:-$COVE_JAVA_MAJOR}-package; fi
        cli_aot=$build_dir/cli-$aot_id.aot
        daemon_aot=$build_dir/daemon-$aot_id.aot
    fi
}

cove_needs_aot() {
    [ -n "$cli_aot" ] || return 1
    # an installed tree's caches are made once by bin/package (COVE_PACKAGE_TRAIN=1); its folder may be read-only
    if [ -n "$packaged" ] && [ "${COVE_PACKAGE_TRAIN:-}" != 1 ]; then return 1; fi
    [ -f "$cli_aot" ] && [ -f "$daemon_aot" ] || return 0
    local f
    for f in "$t_cli"/*.jar "$t_cli"/lib/*.jar "$t_daemon"/*.jar "$t_daemon"/lib/*.jar; do
        if [ "$f" -nt "$cli_aot" ]; then return 0; fi
    done
    return 1
}

# cove_cli_run [-X... JVM options] ARGS: the CLI in a child JVM, for the training run
cove_cli_run() {
    local jvm=()
    while [ $# -gt 0 ] && [ "${1#-X}" != "$1" ]; do jvm+=("$1"); shift; done
    "$COVE_JAVA" "${cli_flags[@]}" "${jvm[@]}" -cp "$COVE_CLI_CLASSPATH" dev.cove.cli.CoveCli "$@"
}

# Records `cove library list` against a throwaway daemon into the CLI's AOT cache, and that daemon's start-up
# and first calls into the daemons' cache (written when it exits). Best effort: if anything fails, cove simply
# runs without the caches.
cove_train_aot() {
    local docs=${training_docs:-$root/docs} data out=$cli_aot.$$.tmp dout=$daemon_aot.$$.tmp pid
    echo "Preparing start-up caches for this JDK…" >&2
    data=$(mktemp -d "${TMPDIR:-/tmp}/cove-aot.XXXXXX") || return 0
    # the training's `library create` sets a default library: keep it out of the user's CLI settings
    local -x XDG_CONFIG_HOME="$data/config"
    local record=""
    if [ "$dout" = "${dout//[[:space:]]/}" ]; then record="-XX:AOTCacheOutput=$dout -Xlog:aot=off -Xlog:cds=off"; fi
    if COVE_JAVA_OPTS="$COVE_JAVA_OPTS $record" cove_cli_run --data-dir "$data" start >/dev/null 2>&1; then
        cove_cli_run --data-dir "$data" library create aot-training >/dev/null 2>&1 || true
        cove_cli_run --data-dir "$data" location add --wait "$docs" >/dev/null 2>&1 || true
        if cove_cli_run -XX:AOTCacheOutput="$out" -Xlog:aot=off -Xlog:cds=off --data-dir "$data" library list \
                >/dev/null 2>&1 && [ -s "$out" ]; then
            mv -f "$out" "$cli_aot"
        fi
        if ! cove_cli_run --data-dir "$data" shutdown >/dev/null 2>&1; then
            pid=$(cat "$data/daemon/daemon.lock" 2>/dev/null || true)
            [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
        fi
    fi
    # the daemon writes its cache as it exits, which `shutdown` waits for
    if [ -s "$dout" ]; then mv -f "$dout" "$daemon_aot"; fi
    rm -f "$out" "$dout" "$dout.config"
    rm -rf "$data"
}

cove_ready() {
    cove_jvm_setup
    if cove_needs_build || cove_needs_native || cove_needs_aot; then
        mkdir -p "$build_dir"
        if command -v flock >/dev/null 2>&1; then
            exec 9>"$build_dir/lock"
            flock 9           # one build at a time; whoever waited finds it done
        fi
        if cove_needs_build; then cove_build; elif cove_needs_native; then cove_build_native_only; fi
        cove_set_classpaths
        if cove_needs_aot; then cove_train_aot; fi
        exec 9>&-
    fi
    cove_set_classpaths
    if [ -n "$daemon_aot" ] && [ -f "$daemon_aot" ] && [ "$daemon_aot" = "${daemon_aot//[[:space:]]/}" ]; then
        # (COVE_JAVA_OPTS is split on spaces, so a cache under a path with spaces is left out)
        COVE_JAVA_OPTS="$COVE_JAVA_OPTS -XX:AOTCache=$daemon_aot -Xlog:aot=off -Xlog:cds=off"
    fi
    if [ -n "$cli_aot" ] && [ -f "$cli_aot" ]; then
        cli_flags+=(-XX:AOTCache="$cli_aot" -Xlog:aot=off -Xlog:cds=off)
    else
        cli_flags+=(-Xshare:auto)
    fi
}

# The daemon's JVM with the heap defaults of rpc's DaemonLauncher.withHeapCeiling (-Xmx512m unless the options size
# the heap; each tuning flag unless they set it), and the arguments but --json (a CLI option) as DaemonMain takes them.
cove_daemon_command() {
    local opts o t name given sized=""
    read -ra opts <<<"$COVE_JAVA_OPTS"
    cmd=("$COVE_JAVA" "${opts[@]}")
    for o in "${opts[@]}"; do
        case $o in -Xmx*|-XX:MaxHeapSize*|-XX:MaxRAM*) sized=1 ;; esac
    done
    if [ -z "$sized" ]; then cmd+=(-Xmx512m); fi
    for t in -Xms16m -XX:GCTimeRatio=4 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30; do
        case $t in -Xms*) name=-Xms ;; *) name=${t%%=*}= ;; esac
        given=""
        for o in "${opts[@]}"; do
            case $o in "$name"*) given=1 ;; -XX:InitialHeapSize*) if [ "$name" = -Xms ]; then given=1; fi ;; esac
        done
        if [ -z "$given" ]; then cmd+=("$t"); fi
    done
    cmd+=(-cp "$COVE_DAEMON_CLASSPATH" "${COVE_DAEMON_MAIN:-dev.cove.daemon.DaemonMain}")
    for o in "$@"; do
        if [ "$o" != --json ]; then cmd+=("$o"); fi
    done
}

# The GraphQL server and the desktop app are programs of their own; every argument but the word goes to them.
cove_app_command() {
    local name=$1 main target
    shift
    case $name in
        graphql) main=dev.cove.graphql.GraphqlMain ;;
        desktop) main=dev.cove.desktop.DesktopMain ;;
    esac
    target=t_$name
    cove_module_cp "${!target}" cove-"$name"
    if [ -z "${COVE_APP_JAVA_OPTS+set}" ]; then
        # JavaFX and Jetty's dependencies use native access and sun.misc.Unsafe; say yes instead of warning
        COVE_APP_JAVA_OPTS="--enable-native-access=ALL-UNNAMED"
        if [ "${COVE_JAVA_MAJOR:-0}" -ge 23 ]; then
            COVE_APP_JAVA_OPTS="$COVE_APP_JAVA_OPTS --sun-misc-unsafe-memory-access=allow"
        fi
    fi
    local app_opts
    read -ra app_opts <<<"$COVE_APP_JAVA_OPTS"
    cmd=("$COVE_JAVA" "${app_opts[@]}" -cp "$module_cp" "$main" "$@")
}
