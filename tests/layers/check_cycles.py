#!/usr/bin/env python3
"""check_cycles.py - the files of a layer call each other without a loop.

    check_cycles.py LIBRARY.a           exit 0, or 1 printing each cycle
    check_cycles.py --graph LIBRARY.a   the file graph, then as above
    check_cycles.py --self-test         the check finds a planted cycle

The graph is read from the built objects, not from the source: member A
depends on member B when A has an undefined symbol that B defines (nm).
So it sees what the linker sees: a call, or a use of a global, made from
one file into another, whatever headers were included.  A cycle means no
file of the loop can be read, tested or replaced without the others; the
layers (host/CMakeLists.txt) forbid that between folders, this within one.

A call the compiler inlined leaves no undefined symbol: an optimised
build may show fewer edges than a Debug one (kpi_acc_add, inline in
kpi_model.h, is an edge to kpi_accumulate.c only at -O0), never more.

NM, CC and AR name the tools (default nm, cc, ar).
"""
import os
import subprocess
import sys
import tempfile


def members(library, nm):
    """{member: (defined symbols, undefined symbols)} of a static library."""
    out = subprocess.run([nm, "-A", "-P", library], check=True,
                         capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        # "lib.a[member.o]: symbol TYPE [value size]" (POSIX format, GNU
        # nm prints "lib.a[member.o]: " before the symbol)
        head, _, rest = line.partition(": ")
        fields = rest.split()
        if not head.endswith("]") or len(fields) < 2:
            continue
        member = head[head.rindex("[") + 1:-1]
        symbol, kind = fields[0], fields[1]
        defined, undefined = found.setdefault(member, (set(), set()))
        if kind == "U":
            undefined.add(symbol)
        elif kind.isupper() and kind not in "N":	# global, not debug
            defined.add(symbol)
    return found


def graph(found):
    """{member: {member it uses: [symbols]}}"""
    owner = {}
    for member, (defined, _) in found.items():
        for symbol in defined:
            owner.setdefault(symbol, member)
    edges = {member: {} for member in found}
    for member, (_, undefined) in found.items():
        for symbol in sorted(undefined):
            other = owner.get(symbol)
            if other is not None and other != member:
                edges[member].setdefault(other, []).append(symbol)
    return edges


def components(edges):
    """The strongly connected components of more than one member (or of one
    that uses itself), each sorted; Tarjan's algorithm, iteratively."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                part = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    part.append(top)
                    if top == node:
                        break
                if len(part) > 1 or node in edges[node]:
                    found.append(sorted(part))
    return sorted(found)


def shortest_cycle(edges, part):
    """One shortest loop through the first member of a component."""
    start, inside = part[0], set(part)
    previous, queue = {start: None}, [start]
    for node in queue:
        for child in sorted(edges[node]):
            if child not in inside:
                continue
            if child == start:
                path = [node]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])
                return list(reversed(path)) + [start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return [start, start]


def name(member):
    return member[:-2] if member.endswith(".o") else member


def report(library, nm, show_graph):
    """Print the cycles of library (and its graph); the number of cycles."""
    edges = graph(members(library, nm))
    if show_graph:
        for member in sorted(edges):
            uses = ", ".join(name(m) for m in sorted(edges[member]))
            print(f"{name(member)} -> {uses or '-'}")
    cycles = components(edges)
    for part in cycles:
        loop = shortest_cycle(edges, part)
        print(f"{library}: a cycle through {len(part)} files, such as "
              + " -> ".join(name(m) for m in loop))
        for a in part:		# every call within the knot, to cut one
            for b in sorted(edges[a]):
                if b in part:
                    symbols = edges[a][b]
                    print(f"    {name(a)} uses {name(b)}: "
                          + ", ".join(symbols[:4])
                          + (" ..." if len(symbols) > 4 else ""))
    return len(cycles)


def self_test(nm):
    cc, ar = os.environ.get("CC", "cc"), os.environ.get("AR", "ar")
    with tempfile.TemporaryDirectory() as root:
        def library(files):
            objects = []
            for file, text in sorted(files.items()):
                source = os.path.join(root, file)
                with open(source, "w", encoding="utf-8") as f:
                    f.write(text)
                objects.append(source[:-2] + ".o")
                subprocess.run([cc, "-c", source, "-o", objects[-1]],
                               check=True)
            lib = os.path.join(root, "libt.a")
            if os.path.exists(lib):
                os.remove(lib)
            subprocess.run([ar, "rcs", lib] + objects, check=True)
            return lib
        # a -> b -> c, and d uses a's global: a chain, no cycle.
        chain = {
            "a.c": "int b(void);\nint a_count;\nint a(void) { return b(); }\n",
            "b.c": "int c(void);\nint b(void) { return c() + 1; }\n",
            "c.c": "static int c_inner(void) { return 2; }\n"
                   "int c(void) { return c_inner(); }\n",
            "d.c": "extern int a_count;\nint d(void) { return a_count; }\n",
        }
        lib = library(chain)
        edges = graph(members(lib, nm))
        assert edges == {"a.o": {"b.o": ["b"]}, "b.o": {"c.o": ["c"]},
                         "c.o": {}, "d.o": {"a.o": ["a_count"]}}, edges
        assert components(edges) == [], components(edges)
        # c calls back into a (the loop of a "current" kept above), and d
        # and e use each other's globals: two cycles.
        chain["c.c"] = ("int a(void);\nint c(void) { return a(); }\n")
        chain["e.c"] = "extern int d_seen;\nint e_seen;\n" \
                       "int e(void) { return d_seen; }\n"
        chain["d.c"] = "extern int e_seen;\nint d_seen;\n" \
                       "int d(void) { return e_seen; }\n"
        edges = graph(members(library(chain), nm))
        got = components(edges)
        assert got == [["a.o", "b.o", "c.o"], ["d.o", "e.o"]], got
        assert shortest_cycle(edges, got[0]) == ["a.o", "b.o", "c.o", "a.o"]
        assert shortest_cycle(edges, got[1]) == ["d.o", "e.o", "d.o"]
    print("check_cycles self-test: the chain has none; "
          "2 cycles found in 5 planted files")
    return 0


def main():
    nm = os.environ.get("NM", "nm")
    args = sys.argv[1:]
    if args == ["--self-test"]:
        return self_test(nm)
    show_graph = bool(args) and args[0] == "--graph"
    if show_graph:
        args = args[1:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 64
    count = report(args[0], nm, show_graph)
    if count:
        print(f"{args[0]}: {count} cycle{'s' if count > 1 else ''} "
              "between its files")
        return 1
    print(f"{args[0]}: its files call each other without a cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
