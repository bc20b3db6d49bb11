#!/usr/bin/env python3
"""Lists the largest functions of a wasm module by code size, using its name section.
Usage: scripts/wasm-sizes.py target/wasm32-unknown-unknown/release/cyzen_senselink.wasm [N]"""
import sys

def leb(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]; pos += 1
        result |= (byte & 0x7F) << shift; shift += 7
        if not byte & 0x80:
            return result, pos

def main():
    data = open(sys.argv[1], "rb").read()
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    pos, imported, bodies, names, data_size = 8, 0, [], {}, 0
    while pos < len(data):
        sid = data[pos]; pos += 1
        size, pos = leb(data, pos)
        end = pos + size
        if sid == 2:  # imports: count function imports
            count, p = leb(data, pos)
            for _ in range(count):
                n, p = leb(data, p); p += n
                n, p = leb(data, p); p += n
                kind = data[p]; p += 1
                if kind == 0: _, p = leb(data, p); imported += 1
                elif kind == 1: p += 1; flags = data[p]; p += 1; _, p = leb(data, p); p = leb(data, p)[1] if flags & 1 else p
                elif kind == 2: flags = data[p]; p += 1; _, p = leb(data, p); p = leb(data, p)[1] if flags & 1 else p
                elif kind == 3: p += 2
                elif kind == 4: p += 1; _, p = leb(data, p)
        elif sid == 10:
            count, p = leb(data, pos)
            for i in range(count):
                n, p2 = leb(data, p)
                bodies.append((imported + i, n + (p2 - p)))
                p = p2 + n
        elif sid == 11:
            data_size = size
        elif sid == 0:
            n, p = leb(data, pos); name = data[p:p + n].decode(); p += n
            if name == "name":
                while p < end:
                    sub = data[p]; p += 1
                    sz, p = leb(data, p)
                    if sub == 1:
                        count, q = leb(data, p)
                        for _ in range(count):
                            idx, q = leb(data, q); n, q = leb(data, q)
                            names[idx] = data[q:q + n].decode(errors="replace"); q += n
                    p += sz
        pos = end
    total = sum(s for _, s in bodies)
    print(f"code {total} bytes in {len(bodies)} functions; data segments {data_size} bytes")
    for idx, size in sorted(bodies, key=lambda b: -b[1])[:top]:
        print(f"{size:8} {names.get(idx, f'func[{idx}]')[:150]}")

main()
