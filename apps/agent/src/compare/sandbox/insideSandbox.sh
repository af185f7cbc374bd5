#!/bin/sh
# Runs inside the bubblewrap sandbox (no network, its own PID namespace, only size-capped
# tmpfs folders writable): a virtual display, the program under resource limits, a
# recording of its window, and a few frames decoded for the agent to check. The program
# works in /work; what this script keeps (the outcome, the program's output, the
# recording) is in /out, so a program that fills its disk still gets its traceback seen.
# Both vanish with the sandbox: the results leave on file descriptor 3 (see emit below).
#   $1 seconds to record   $2 frames per second   $3 "space" to play (Flappy Bird: SPACE while
#   recording, then q and Esc to see it quit)
#   $4 address-space limit (bytes)   $5 process limit   $6 CPU seconds   $7 file size limit (bytes)
SECONDS_TO_RECORD=$1 FPS=$2 KEYS=$3
# SDL draws on the X display or fails, never silently into an invisible offscreen window.
export DISPLAY=:99 HOME=/work/home SDL_AUDIODRIVER=dummy SDL_VIDEODRIVER=x11
mkdir -p "$HOME" /work/program
cp /src/main.py /work/program/main.py
cd /work || exit 90

# One file out on fd 3: "NAME SIZE", a newline, the bytes. Plain files only (the program
# could have put links there); text files only their last 64 KiB.
emit() {
  [ -f "/out/$1" ] && [ ! -L "/out/$1" ] || return 0
  size=$(stat -c %s "/out/$1")
  [ "$2" = tail ] && [ "$size" -gt 65536 ] && size=65536
  printf '%s %s\n' "$1" "$size" >&3
  tail -c "$size" "/out/$1" >&3
}

mkdir -p /tmp/.X11-unix && chmod 1777 /tmp/.X11-unix
Xvfb :99 -screen 0 1024x768x24 -nolisten tcp >/out/xvfb.log 2>&1 3>&- &
# Until the display answers a request: its socket appears before it accepts connections,
# and a program that connects in between finds no display.
i=0
until xdotool getdisplaygeometry >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -gt 200 ] && { echo "display 0 0" >/out/result; emit result; exit 91; }
  sleep 0.05
done

# The program: its own session, limits on memory, processes, CPU time and file size. The
# CPU limit is soft first (SIGXCPU, so the outcome names it), then hard 5 s later.
# Python closes every descriptor past stderr before the program starts (dash keeps copies of
# the result pipe that `3>&-` does not reach), so the program inherits nothing of ours.
# The observer (/observe/sitecustomize.py) records what a tkinter or pygame program draws;
# with QUANTDECK_DRIVE_SECONDS it plays a pygame game too, asking for keys on /out/keys.
start_program() {
  PYTHONPATH=/observe \
    prlimit --as="$LIMIT_AS" --nproc="$LIMIT_NPROC" --cpu="$LIMIT_CPU:$((LIMIT_CPU + 5))" \
    --fsize="$LIMIT_FSIZE" --core=0 -- \
    python3 -c 'import os, sys; os.closerange(3, 65536); os.execv(sys.executable, [sys.executable, "-u", "program/main.py"])' \
    >>/out/stdout.txt 2>>/out/stderr.txt </dev/null 3>&- &
  PROGRAM=$!
}
PRESSER="" LIMIT_AS=$4 LIMIT_NPROC=$5 LIMIT_CPU=$6 LIMIT_FSIZE=$7
[ "$KEYS" = "space" ] && export QUANTDECK_DRIVE_SECONDS="$SECONDS_TO_RECORD"
start_program

# Waits (up to 5 s) for the program's window, or for the program to end: TARGET, X, Y,
# WIDTH, HEIGHT. Its window is the first visible one smaller than the screen (the
# screen-sized ones are the root's).
find_window() {
  TARGET="" X=0 Y=0 WIDTH=1024 HEIGHT=768
  DEADLINE=$(($(date +%s) + 5))
  while [ "$(date +%s)" -lt $DEADLINE ] && [ -z "$TARGET" ] && kill -0 $PROGRAM 2>/dev/null; do
    for id in $(xdotool search --onlyvisible --name '' 2>/dev/null; xdotool search --onlyvisible --class '' 2>/dev/null); do
      eval "$(xdotool getwindowgeometry --shell "$id" 2>/dev/null)"
      if [ "${WIDTH:-0}" -ge 16 ] && [ "${HEIGHT:-0}" -ge 16 ] &&
        { [ "$WIDTH" -lt 1024 ] || [ "$HEIGHT" -lt 768 ]; }; then
        TARGET=$id
        break
      fi
    done
    [ -z "$TARGET" ] && sleep 0.1
  done
}

# Whether the program ends (within 2 s) when KEY is pressed in its window.
quits_on() {
  xdotool mousemove --window "$TARGET" 10 10 windowfocus "$TARGET" key "$1" 2>/dev/null
  i=0
  while kill -0 $PROGRAM 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
  if kill -0 $PROGRAM 2>/dev/null; then
    echo "$1 ignored" >>/out/quit-keys
    stop_program
  else
    echo "$1 exited" >>/out/quit-keys
  fi
}

# Presses the keys the observer asks for (a key name a line on /out/keys) through XTest:
# the key reaches the game within a millisecond (an xdotool process per key took 100 ms and
# more, too late for a bird falling towards a pipe).
PRESS_KEYS='
import ctypes, sys, time
x11, xtst = ctypes.CDLL("libX11.so.6"), ctypes.CDLL("libXtst.so.6")
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XStringToKeysym.restype = ctypes.c_ulong
x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
xtst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
display = x11.XOpenDisplay(None)
for line in sys.stdin:
    code = x11.XKeysymToKeycode(display, x11.XStringToKeysym(line.strip().encode()))
    if display and code:
        xtst.XTestFakeKeyEvent(display, code, 1, 0); x11.XFlush(ctypes.c_void_p(display))
        time.sleep(0.04)
        xtst.XTestFakeKeyEvent(display, code, 0, 0); x11.XFlush(ctypes.c_void_p(display))
'

stop_program() {
  kill -TERM $PROGRAM 2>/dev/null; sleep 0.3; kill -KILL $PROGRAM 2>/dev/null
  wait $PROGRAM 2>/dev/null
}

find_window 10
GRAB="-video_size 1024x768 -i :99"
if [ -n "$TARGET" ]; then
  sleep 0.5 # let it draw its first frames
  eval "$(xdotool getwindowgeometry --shell "$TARGET" 2>/dev/null)"
  # Even sizes, clipped to the screen (x11grab refuses areas outside it).
  [ "$X" -lt 0 ] && X=0
  [ "$Y" -lt 0 ] && Y=0
  [ $((X + WIDTH)) -gt 1024 ] && WIDTH=$((1024 - X))
  [ $((Y + HEIGHT)) -gt 768 ] && HEIGHT=$((768 - Y))
  WIDTH=$((WIDTH / 2 * 2)) HEIGHT=$((HEIGHT / 2 * 2))
  GRAB="-video_size ${WIDTH}x${HEIGHT} -i :99+${X},${Y}"
  xdotool mousemove --window "$TARGET" 10 10 windowfocus "$TARGET" 2>/dev/null
fi

if kill -0 $PROGRAM 2>/dev/null || [ -n "$TARGET" ]; then
  # When the recording starts, on the observer's clock: verdicts point into the recording.
  python3 -c 'import time; print(time.monotonic())' >/out/recording-start 2>/dev/null
  # shellcheck disable=SC2086
  ffmpeg -nostdin -loglevel error -f x11grab -draw_mouse 0 -framerate "$FPS" $GRAB \
    -t "$SECONDS_TO_RECORD" -c:v libvpx -deadline realtime -cpu-used 8 -b:v 1M \
    -pix_fmt yuv420p -y /out/recording.webm 2>/out/ffmpeg.log 3>&- &
  RECORDER=$!
  if [ "$KEYS" = "space" ] && [ -n "$TARGET" ]; then
    # Flappy Bird: the observer presses keys as a player would (a pygame game it can see),
    # through xdotool here; any other program gets SPACE now and then.
    mkfifo -m 600 /out/keys
    python3 -u -c "$PRESS_KEYS" 0<>/out/keys 3>&- &
    PRESSER=$!
    sleep 0.3
    [ -e /out/driving ] || while kill -0 $RECORDER 2>/dev/null; do
      xdotool key space 2>/dev/null
      sleep 0.35
    done
  fi
  wait $RECORDER
fi

# The outcome: still running (it ran for the whole recording), or how it ended.
if kill -0 $PROGRAM 2>/dev/null; then
  STATUS=running
  [ -n "$PRESSER" ] && kill $PRESSER 2>/dev/null
  if [ "$KEYS" = "space" ] && [ -n "$TARGET" ]; then
    # Flappy Bird quits on q and on Esc: q now, Esc in a second run (unobserved, unplayed).
    quits_on q
    unset QUANTDECK_DRIVE_SECONDS
    export QUANTDECK_OBSERVE=off
    start_program
    find_window 20
    [ -n "$TARGET" ] && sleep 0.5 && quits_on Escape
    stop_program
  else
    stop_program
  fi
else
  wait $PROGRAM; STATUS="exited $?"
fi

# Frames for the agent to check: 64×48 grey, 2 per second. Decoded here, inside the
# sandbox, because the program could have replaced the recording with a crafted file.
if [ -s /out/recording.webm ]; then
  ffmpeg -nostdin -loglevel error -i /out/recording.webm -vf fps=2,scale=64:48,format=gray \
    -f rawvideo -y /out/frames.gray 2>>/out/ffmpeg.log 3>&-
fi
echo "$STATUS window=${TARGET:+yes}" >/out/result
emit result
emit stdout.txt tail
emit stderr.txt tail
emit recording.webm
emit frames.gray
emit recording-start
emit observe.jsonl
emit quit-keys
