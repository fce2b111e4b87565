import sys

print("exiting during init")
sys.exit(7)
