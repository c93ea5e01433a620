#!/bin/sh
# profguard container entrypoint (POSIX sh; tested under dash).
#
#   ENTRYPOINT ["/opt/profguard/profguard-entrypoint.sh"]
#   CMD ["java", "-jar", "/app/app.jar"]
#
# Before anything starts it checks LD_PRELOAD for MTuner's client; in a production container
# (tag from PROFGUARD_ENV, else APP_ENV, ENVIRONMENT, DEPLOY_ENV; production tags and glob patterns
# from PROFGUARD_PRODUCTION, default as the agent's) it fails fast with the refusal status
# (PROFGUARD_EXIT_CODE, default 78). Then it adds -javaagent:$PROFGUARD_AGENT (default
# /opt/profguard/profguard-agent.jar) to JAVA_TOOL_OPTIONS once, keeping what was there, and execs
# the command, so that the JVM takes this process's place (PID 1 in a container) and gets its
# signals. A missing agent jar is an error (exit 64), never a silent start without the guard.
# PROFGUARD_ENABLED=false skips the LD_PRELOAD check; the agent is still added and says it is off.
set -eu

say() {
    printf 'profguard: %s\n' "$*" >&2
}

if [ "$#" -eq 0 ]; then
    say "ERROR usage: profguard-entrypoint.sh COMMAND [ARG...]"
    exit 64
fi

agent=${PROFGUARD_AGENT:-/opt/profguard/profguard-agent.jar}
refusal=${PROFGUARD_EXIT_CODE:-78}
case $refusal in
    ''|*[!0-9]*) say "ERROR invalid PROFGUARD_EXIT_CODE='$refusal': expected a whole number from 1 to 255"; exit 64 ;;
esac
if [ "$refusal" -lt 1 ] || [ "$refusal" -gt 255 ]; then
    say "ERROR invalid PROFGUARD_EXIT_CODE='$refusal': expected a whole number from 1 to 255"
    exit 64
fi
if [ ! -f "$agent" ] || [ ! -r "$agent" ]; then
    say "ERROR agent jar not found or not readable at $agent (set PROFGUARD_AGENT). Not starting without the guard: exit status 64."
    exit 64
fi
case $agent in
    *[[:space:]]*) say "ERROR the agent path '$agent' contains white space, which JAVA_TOOL_OPTIONS cannot carry: exit status 64."; exit 64 ;;
esac

tag=${PROFGUARD_ENV:-${APP_ENV:-${ENVIRONMENT:-${DEPLOY_ENV:-}}}}
tag=$(printf '%s' "$tag" | tr '[:upper:]' '[:lower:]')
production=no
if [ -n "$tag" ]; then
    # Each entry is a tag or a glob pattern (* and ?), as the agent's option production takes them;
    # set -f: a pattern is matched against the tag, never expanded against file names.
    set -f
    for candidate in $(printf '%s' "${PROFGUARD_PRODUCTION:-prod;prod-*;production;production-*;prd;prd-*;live;live-*}" | tr ';,[:upper:]' '  [:lower:]'); do
        # shellcheck disable=SC2254 # the pattern is meant to match
        case $tag in
            $candidate) production=yes ;;
        esac
    done
    set +f
fi

# MTuner's client in a preloaded file: its exported C API, or the marks its code keeps when its
# symbols are hidden (the agent checks the same and more once the JVM runs).
client_in() {
    grep -q -a -e rmemShutDown -e rmemInit "$1" 2>/dev/null && return 0
    grep -q -a -e mtuner_capture_ "$1" 2>/dev/null && grep -q -a -F -e .MTuner "$1" 2>/dev/null
}

preloads=${LD_PRELOAD:-}
if [ "$(printf '%s' "${PROFGUARD_ENABLED:-true}" | tr '[:upper:]' '[:lower:]')" = false ]; then
    preloads=
fi
# action=neutralize or warn: the agent switches the client off or warns, with the probe; this
# script only refuses what the agent would refuse.
action=$(printf '%s' "${PROFGUARD_ACTION:-refuse}" | tr '[:upper:]' '[:lower:]' | tr -d '[:space:]')
if [ "$production" = yes ] && [ "$action" != refuse ]; then
    preloads=
fi
for entry in $(printf '%s' "$preloads" | tr ':' ' '); do
    if [ -f "$entry" ] && client_in "$entry"; then
        if [ "$production" = yes ]; then
            say "ERROR MTuner's client found in LD_PRELOAD=$entry (env=$tag; production). Refusing to start: the command will not run, exit status $refusal. Remove it from LD_PRELOAD or run outside production."
            exit "$refusal"
        fi
        say "WARN MTuner's client found in LD_PRELOAD=$entry (env=${tag:-none}; not production). Starting; in production this container would be refused."
    else
        case $(basename -- "$entry" | tr '[:upper:]' '[:lower:]') in
            *mtuner*) say "WARN LD_PRELOAD=$entry is named like MTuner's client (no client code found in it). Starting." ;;
        esac
    fi
done

option="-javaagent:$agent"
case " ${JAVA_TOOL_OPTIONS:-} " in
    *" $option "*|*" $option="*) ;; # already there (with or without arguments): once is enough
    *) JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:+$JAVA_TOOL_OPTIONS }$option" ;;
esac
export JAVA_TOOL_OPTIONS

exec "$@"
