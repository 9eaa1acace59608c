#!/usr/bin/env python3
"""Writes an import file for the benchmark stores of tests/bench/ratios.sh.

Usage: python3 tests/bench/store_gen.py BOOKINGS NOW < demo-export.jsonl > store.jsonl

Reads an export of `halls init --demo` (made with HALLS_NOW=NOW, so that every date is
stable) and writes it again with a venue of its own added, open round the clock:

- FEED_ROOM: 1,000 public approved bookings from the day after NOW on (10 a day), the
  feed of P5 and the availability of P4;
- HALF_ROOM: 500 (5 a day), the cached feed of P1 and P2;
- WRITE_ROOMS rooms after them, ids consecutive, empty from NOW on, which take the
  writes of P3 and P7 (http_post.lua);
- the rest of BOOKINGS as history: approved bookings that ended before the feeds'
  window, spread over all these rooms, going back day by day from 40 days before NOW.
  A feed that walks its room's whole history pays for them; one that reads its window
  through the index does not.

Every booking is one hour, from 08:00 UTC on, so none overlaps another in its room.
"""
import json
import sys

FIRST_VENUE = 7  # the demo has 6 venues, 15 rooms, 62 bookings: ids after theirs
FEED_ROOM = 16
HALF_ROOM = 17
WRITE_ROOMS = 40
ROOMS = 2 + WRITE_ROOMS
DAY = 86400
DESCRIPTION = ("Open to everyone in the neighbourhood: bring a friend. Tea, coffee and "
               "biscuits afterwards in the foyer; the hall is step-free.")


def line(kind, record):
    return json.dumps({"kind": kind, "record": record}, sort_keys=True,
                      separators=(",", ":")) + "\n"


def venue():
    return line("venue", {
        "accessibility": "", "address": "1 Benchmark Road", "description": "",
        "email": "", "hours": "mon-sun 00:00-24:00", "id": FIRST_VENUE,
        "name": "Benchmark Centre", "timezone": "Europe/London"})


def room(rid, name):
    return line("room", {
        "approval": "auto", "capacity": 50, "cleanup_minutes": 0, "description": "",
        "features": [], "horizon_days": 3650, "id": rid, "max_minutes": 240,
        "max_occurrences": 104, "min_minutes": 30, "name": name, "notice_minutes": 0,
        "setup_minutes": 0, "venue_id": FIRST_VENUE})


def booking(bid, rid, start, now, title):
    return line("booking", {
        "attendees": 10, "created_at": now, "created_by": 0, "decided_at": now,
        "decided_by": 0, "description": DESCRIPTION, "end_ts": start + 3600,
        "group_id": 1, "id": bid, "note": None, "public": True, "room_id": rid,
        "sequence": 0, "series_id": None, "start_ts": start, "status": "approved",
        "title": title, "updated_at": now, "was_approved": True})


def future(rid, count, per_day, now):
    """count bookings from the day after now, per_day a day, from 08:00 UTC."""
    for k in range(count):
        yield rid, now + (1 + k // per_day) * DAY + (8 + k % per_day) * 3600


def history(count, now):
    """count bookings before the feeds' window: every room, 10 a day, going back."""
    for k in range(count):
        slot = k // ROOMS
        start = now - (40 + slot // 10) * DAY + (8 + slot % 10) * 3600
        yield FEED_ROOM + k % ROOMS, start


def main():
    total, now = int(sys.argv[1]), int(sys.argv[2])
    demo = sys.stdin.readlines()
    kinds = [json.loads(l)["kind"] for l in demo]
    out = sys.stdout
    next_id = 1 + max(json.loads(l)["record"]["id"] for l, k in zip(demo, kinds)
                      if k == "booking")
    for i, (l, kind) in enumerate(zip(demo, kinds)):
        out.write(l)
        after = kinds[i + 1] if i + 1 < len(kinds) else None
        if kind == "venue" and after != "venue":
            out.write(venue())
        elif kind == "room" and after != "room":
            out.write(room(FEED_ROOM, "Feed Hall"))
            out.write(room(HALF_ROOM, "Half Hall"))
            for r in range(WRITE_ROOMS):
                out.write(room(HALF_ROOM + 1 + r, "Bench Room %d" % (r + 1)))
        elif kind == "booking" and after != "booking":
            slots = list(future(FEED_ROOM, 1000, 10, now)) + list(future(HALF_ROOM, 500, 5, now))
            slots += list(history(max(total - len(slots), 0), now))
            for rid, start in slots:
                out.write(booking(next_id, rid, start, now, "Community event %d" % next_id))
                next_id += 1


if __name__ == "__main__":
    main()
