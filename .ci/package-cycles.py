#!/usr/bin/env python3
"""Package cycles among io.billingbatch packages, from jdeps over target/classes."""
import subprocess, sys, collections
out = subprocess.run(["jdeps", "-verbose:package", "-filter:none", sys.argv[1] if len(sys.argv) > 1 else "target/classes"],
                     capture_output=True, text=True).stdout
edges = collections.defaultdict(set)
for line in out.splitlines():
    parts = line.split()
    if len(parts) >= 3 and parts[1] == "->" and parts[0].startswith("io.billingbatch") and parts[2].startswith("io.billingbatch") and parts[0] != parts[2]:
        edges[parts[0]].add(parts[2])
index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in edges.get(v, ()):
        if w not in index: visit(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(sorted(comp))
for v in list(edges): 
    if v not in index: visit(v)
for p in sorted(edges): print(p, "->", ", ".join(sorted(q.replace("io.billingbatch.", "") for q in edges[p])))
print("cycles:", sccs if sccs else "none")
sys.exit(1 if sccs else 0)
