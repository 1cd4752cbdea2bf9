#!/bin/sh
# A parent that stops gracefully: on SIGTERM it waits for its child, which
# says it got SIGTERM too and exits. The child only hears SIGTERM if the stop
# signal goes to the whole process group.
sh -c 'trap "echo child got TERM; exit 0" TERM; while :; do sleep 0.1; done' &
trap 'wait; exit 0' TERM
echo family ready
wait
