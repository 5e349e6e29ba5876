# Expect: the child's protocol survives, and the damage stays in the child.
import builtins
import json
import math
import os
import sys

math.exp = lambda x: 42.0
json.dumps = lambda *a, **k: "not json"
json.loads = lambda *a, **k: {"id": -1}
builtins.len = lambda x: -1
builtins.isinstance = lambda *a: False
builtins.any = lambda *a: True
builtins.memoryview = None
builtins.print = None
os.write = lambda *a: 0
os.read = lambda *a: b""
sys.stdout = sys.stderr = None


def run():
    return math.exp(0.0)
