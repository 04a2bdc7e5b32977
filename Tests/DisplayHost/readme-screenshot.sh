#!/usr/bin/env bash
# Makes docs/images/mica-window.png: emu's window on Mica's shell under a private Xvfb, a few commands
# typed with xdotool, the counters overlay on (host key + O), and the X server's pixels saved by DisplayHost.
# Needs Xvfb, xdotool, libglfw3 and Mesa (libgl1-mesa-dri). Run from anywhere: Tests/DisplayHost/readme-screenshot.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${1:-docs/images/mica-window.png}
display=:$((200 + RANDOM % 100))

dotnet build -v q -nologo Tests/DisplayHost >/dev/null
bin=Tests/DisplayHost/bin/Debug/net10.0
Xvfb "$display" -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
emu=
cleanup() { [ -n "$emu" ] && kill "$emu" 2>/dev/null; kill "$xvfb" 2>/dev/null; rm -f "$com1"; }
com1=$(mktemp)
trap cleanup EXIT
sleep 1

DISPLAY=$display dotnet "$bin/emu.dll" run --display window </dev/null >"$com1" &
emu=$!
ready() { grep -q 'mica> ' "$com1" && grep -q '\[fbd\] ready' "$com1"; }
for _ in $(seq 600); do ready && break; sleep 0.1; done
ready || { echo "readme-screenshot: the shell or fbd did not start" >&2; exit 1; }

type_line() { DISPLAY=$display xdotool mousemove 200 200 type --delay 30 "$1"; DISPLAY=$display xdotool key Return; sleep 1.5; }
DISPLAY=$display xdotool mousemove 200 200 key Return   # a fresh prompt: the first may have come before fbd was ready
sleep 1
type_line "help"
type_line "echo hello from the window"
type_line "ps"
type_line "uptime"
DISPLAY=$display xdotool key Control_R+o
sleep 2.5   # the overlay's counters are sampled once a second
dotnet "$bin/DisplayHost.dll" --capture "$display" "$out" 0 0 1024 768
echo "readme-screenshot: wrote $out"
