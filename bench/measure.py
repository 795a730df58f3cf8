"""Run a command, report its wall time and peak RSS (used by bench/run).

usage: measure.py STDIN_FILE LOG_FILE COMMAND [ARG...]

The command reads STDIN_FILE and writes stdout+stderr to LOG_FILE.
Prints "WALL_SECONDS PEAK_RSS_MIB" and exits with the command's status.
Peak RSS comes from getrusage(RUSAGE_CHILDREN), so it is the largest
child's high-water mark (never below this small wrapper's own size).
"""
import resource
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    stdin_path, log_path, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(stdin_path, "rb") as stdin, open(log_path, "wb") as log:
        t0 = time.perf_counter()
        status = subprocess.call(cmd, stdin=stdin, stdout=log, stderr=subprocess.STDOUT)
        wall = time.perf_counter() - t0
    rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{wall:.3f} {rss_mib:.1f}")
    sys.exit(status)


if __name__ == "__main__":
    main()
