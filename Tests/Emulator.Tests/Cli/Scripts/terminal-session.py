#!/usr/bin/env python3
"""Runs emu on a pseudo-terminal as a person would (issue 14 item 3) and prints what it saw, one fact a line.
usage: terminal-session.py DOTNET EMU_DLL [emu args...]
Waits for the shell prompt, types `help`, Ctrl-C, an arrow key, Ctrl-A h, then Ctrl-A x; checks the terminal's
settings after emu exits equal those before."""
import os, pty, select, subprocess, sys, termios, time

def read_until(fd, needle, seconds, seen):
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            seen.extend(data)
            if needle.encode() in seen:
                return True
    return needle.encode() in seen

master, slave = pty.openpty()
before = termios.tcgetattr(slave)
p = subprocess.Popen(sys.argv[1:], stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
seen = bytearray()
print("prompt:", read_until(master, "mica> ", 120, seen))
during = termios.tcgetattr(slave)
print("raw while running:", during[3] & termios.ICANON == 0 and during[3] & termios.ECHO == 0 and during[3] & termios.ISIG == 0)
seen.clear()
os.write(master, b"help\r")
print("help answered:", read_until(master, "uptime", 30, seen))
os.write(master, b"\x03")  # Ctrl-C goes to the guest: emu keeps running
time.sleep(1)
print("alive after ctrl-c:", p.poll() is None)
os.write(master, b"\x1b[A")  # an arrow key, as the terminal sends it
time.sleep(0.5)
seen.clear()
os.write(master, b"\x01h")
print("escape help:", read_until(master, "C-a x", 20, seen))
os.write(master, b"\x01x")
try:
    status = p.wait(30)
except subprocess.TimeoutExpired:
    p.kill()
    status = "hung"
print("status after ctrl-a x:", status)
print("terminal restored:", termios.tcgetattr(slave) == before)
