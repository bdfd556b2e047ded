"""Generate a synthetic project of N touchpoints, as .touch files and as the same data in YAML.

    python bench/generate.py N OUT_DIR [--seed S]

writes OUT_DIR/touch/**.touch and OUT_DIR/yaml/**.yaml: one YAML file per .touch file,
holding the same declarations in the YAML a user would write by hand for them
(see bench/baseline.py for its pydantic models). The projects are shaped like
examples/telecom and examples/banking: shared files of calendars, owners and
journeys, then touchpoint files that import them (each file belongs to one department:
it imports the calendars, its department's owners, the central service units of
owners_000 and one journeys file, so a file's imports do not grow with the project,
as in a real one), each touchpoint with 3-4 steps
performed by several units and 3-4 metrics covering all five kinds, some with
Hebrew titles. The same N and seed always give the same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

import yaml

TOUCHPOINTS_PER_FILE = 20
OWNERS_PER_FILE = 25
JOURNEYS_PER_FILE = 10

CHANNELS = ["phone", "chat", "email", "web", "app", "sms", "whatsapp", "store", "field", "mail", "social"]
UPDATE_CHANNELS = ["sms", "email", "app", "whatsapp"]
RECEIVERS = [("email", "{n}@example.com"), ("slack", "#{n}"), ("pagerduty", "{n}-primary"),
             ("opsgenie", "{n}-oncall"), ("webhook", "https://hooks.example.com/{n}")]
UNITS_EN = ["Service Center", "Field Operations", "Billing", "Payments", "Contact Center", "Logistics",
            "Claims", "Onboarding", "Retention", "Network Operations", "Care Team", "Accounts"]
UNITS_HE = ["מוקד שירות", "תפעול שטח", "חיובים", "תשלומים", "מרכז קשר", "לוגיסטיקה", "תביעות",
            "קליטת לקוחות", "שימור לקוחות", "מרכז רשת", "צוות טיפול", "חשבונות"]
PEOPLE = ["Avi Cohen", "Dana Levi", "Yossi Mizrahi", "Noa Friedman", "Moshe Peretz", "Tamar Katz",
          "Eli Ben-David", "Michal Shapiro", "Ron Azulay", "Shira Golan"]
STEP_TITLES_EN = ["Customer reports the request", "Request confirmed with the customer",
                  "Work carried out", "Follow-up call confirms the result", "Customer notified"]
STEP_TITLES_HE = ["הלקוח מדווח על הפנייה", "מועד הטיפול מאושר מול הלקוח", "ביצוע העבודה",
                  "שיחת מעקב מוודאת שהבעיה נפתרה", "הלקוח מקבל הודעה"]
EXPECTATIONS_EN = ["My fault is fixed, and I know when the technician will come.",
                   "The money I sent arrives on time, and I can see it left my account.",
                   "After I move, every bill and letter reaches my new address.",
                   "Someone answers quickly and solves it in one call."]
EXPECTATIONS_HE = ["התקלה שלי מתוקנת, ואני יודע מתי יגיע הטכנאי.",
                   "הכסף ששלחתי מגיע בזמן, ואני רואה שיצא מהחשבון.",
                   "אחרי המעבר, כל חשבון ומכתב מגיעים לכתובת החדשה.",
                   "עונים לי מהר ופותרים בשיחה אחת."]
STEP_NAMES = ["report", "confirm", "visit", "verify", "notify"]
CALENDARS = [
    ("il_office", "Israel office hours", "Asia/Jerusalem", [("sun-thu", "08:00", "18:00"), ("fri", "08:00", "13:00")], "IL"),
    ("bank_days", "Bank business days", "Asia/Jerusalem", [("sun-thu", "08:30", "16:00")], "IL"),
    ("eu_office", "European office hours", "Europe/Berlin", [("mon-fri", "09:00", "17:00")], "DE"),
]


def build(n: int, seed: int, per_file: int = TOUCHPOINTS_PER_FILE) -> list[tuple[str, dict]]:
    """The project as a list of (relative path without suffix, declarations) in file order.

    Declarations are plain data: both emitters below render exactly this.
    """
    rng = random.Random(seed)
    n_owners = max(6, n // 20)
    n_journeys = max(2, n // 50)
    files: list[tuple[str, dict]] = []

    files.append(("shared/calendars", {
        "calendars": [{"name": name, "title": title, "timezone": tz,
                       "hours": [{"days": d, "from": a, "to": b} for d, a, b in hours],
                       "holidays": country}
                      for name, title, tz, hours, country in CALENDARS],
        "defaults": {"window": "28d", "charter_language": "en"},
    }))

    owners = [f"unit_{i:04d}" for i in range(n_owners)]
    for start in range(0, n_owners, OWNERS_PER_FILE):
        decls = []
        for i in range(start, min(n_owners, start + OWNERS_PER_FILE)):
            hebrew = i % 3 == 0
            names = UNITS_HE if hebrew else UNITS_EN
            person = PEOPLE[i % len(PEOPLE)]
            kind, fmt = RECEIVERS[i % 2]  # notify: email or slack
            owner = {"name": owners[i], "title": f"{names[i % len(names)]} {i}",
                     "manager": {"name": person, "email": person.lower().replace(" ", ".") + f"{i}@example.com"},
                     "notify": [{"kind": kind, "to": fmt.format(n=f"unit-{i}")}]}
            if i % 4 != 3:
                kind, fmt = RECEIVERS[2 + i % 3]
                owner["page"] = [{"kind": kind, "to": fmt.format(n=f"unit-{i}")}]
            decls.append(owner)
        files.append((f"shared/owners_{start // OWNERS_PER_FILE:03d}", {"owners": decls}))

    journeys = []
    for start in range(0, n_journeys, JOURNEYS_PER_FILE):
        decls = []
        for j in range(start, min(n_journeys, start + JOURNEYS_PER_FILE)):
            stages = [{"name": s, "title": t} for s, t in
                      [("join", "Joining"), ("support", "Getting help"), ("move", "Moving"), ("pay", "Paying")][: 3 + j % 2]]
            decls.append({"name": f"journey_{j:04d}", "title": f"Journey {j}" if j % 2 else f"מסע לקוח {j}",
                          "stages": stages})
            journeys.append((f"journey_{j:04d}", [s["name"] for s in stages]))
        files.append((f"shared/journeys_{start // JOURNEYS_PER_FILE:03d}", {"journeys": decls}))

    owner_files_total = -(-n_owners // OWNERS_PER_FILE)
    journey_files_total = -(-n_journeys // JOURNEYS_PER_FILE)
    central = owners[:OWNERS_PER_FILE]
    for start in range(0, n, per_file):
        decls = []
        owner_files = set()
        journey_files = set()
        batch = start // per_file
        dept = batch % owner_files_total
        department = owners[dept * OWNERS_PER_FILE:(dept + 1) * OWNERS_PER_FILE]
        book = batch % journey_files_total
        department_journeys = journeys[book * JOURNEYS_PER_FILE:(book + 1) * JOURNEYS_PER_FILE]
        for t in range(start, min(n, start + per_file)):
            decls.append(_touchpoint(rng, t, department, central, department_journeys))
            for o in [decls[-1]["owner"]] + [s["by"] for s in decls[-1]["steps"]]:
                owner_files.add(owners.index(o) // OWNERS_PER_FILE)
            journey_files.add(int(decls[-1]["journey"].split(".")[0][len("journey_"):]) // JOURNEYS_PER_FILE)
        imports = (["../shared/calendars"]
                   + [f"../shared/owners_{k:03d}" for k in sorted(owner_files)]
                   + [f"../shared/journeys_{k:03d}" for k in sorted(journey_files)])
        files.append((f"touchpoints/batch_{start // per_file:04d}",
                      {"imports": imports, "touchpoints": decls}))
    return files


def _touchpoint(rng: random.Random, t: int, owners: list[str], central: list[str], journeys: list) -> dict:
    hebrew = t % 4 == 0
    journey, stages = journeys[rng.randrange(len(journeys))]
    owner = owners[rng.randrange(len(owners))]
    # every other touchpoint hands steps to a central unit (a shared service center)
    helper = (central if t % 2 else owners)[rng.randrange(len(central if t % 2 else owners))]
    n_steps = 3 + t % 2
    steps = []
    titles = STEP_TITLES_HE if hebrew else STEP_TITLES_EN
    for k in range(n_steps):
        step = {"name": STEP_NAMES[k], "title": titles[k], "by": helper if k % 2 == 0 else owner}
        if k != 2:
            step["via"] = rng.choice(["phone", "sms", "app", "web", "email"])
        steps.append(step)
    last = STEP_NAMES[n_steps - 1]
    metrics = [
        {"name": "answer", "title": "Customer speaks with a representative" if not hebrew else "הלקוח מדבר עם נציג",
         "time": {"from": "report.start", "to": "report.answered"},
         "promise": {"percent": 80, "within": "30s"}, "target": {"percent": 90, "within": "20s"}},
        {"name": "done", "title": "Request completed" if not hebrew else "הפנייה טופלה",
         "time": {"from": "report.start", "to": f"{last}.end", "on": CALENDARS[t % 3][0]},
         "promise": {"percent": 95, "within": f"{24 + 24 * (t % 3)}h"},
         "target": {"percent": 98, "within": f"{12 + 12 * (t % 3)}h"}, "window": "30d"},
    ]
    extra = [
        {"name": "abandoned", "title": "Calls abandoned before an answer",
         "ratio": {"of": "offered", "cases": "abandoned"},
         "promise": {"at_most": "5%"}, "target": {"at_most": "3%"}},
        {"name": "first_contact", "title": "Solved in the first contact",
         "ratio": {"of": "contacts", "cases": "resolved_first_contact"},
         "promise": {"at_least": "70%"}, "target": {"at_least": "80%"}},
        {"name": "csat", "title": "Satisfaction after the visit" if not hebrew else "שביעות רצון אחרי הביקור",
         "score": {"low": 1, "high": 5}, "promise": {"average_at_least": 4.3}},
        {"name": "effort", "title": "Effort the customer reports",
         "score": {"low": 1, "high": 7}, "promise": {"percent": 80, "at_least": 5}},
        {"name": "recommend", "title": "Would recommend us", "nps": True,
         "promise": {"at_least": 30}, "target": {"at_least": 40}},
        {"name": "complaints", "title": "Complaints", "count": {"what": "complaints", "per": "7d"},
         "promise": {"at_most": 20}, "target": {"at_most": 10}},
    ]
    metrics += rng.sample(extra, 1 + t % 2)
    tp = {"name": f"tp_{t:05d}", "title": f"Touchpoint {t}" if not hebrew else f"נקודת מגע {t}",
          "journey": f"{journey}.{rng.choice(stages)}", "owner": owner,
          "expectation": rng.choice(EXPECTATIONS_HE if hebrew else EXPECTATIONS_EN),
          "channels": sorted(rng.sample(CHANNELS, 1 + t % 3), key=CHANNELS.index),
          "steps": steps, "metrics": metrics}
    if t % 3 == 0:
        tp["tags"] = ["regulated", "money"]
    if t % 2 == 0:
        tp["updates"] = {"every": "4h", "via": rng.choice(UPDATE_CHANNELS), "until": f"{last}.end"}
    tp["escalate"] = {"to": "manager", "on": "breach" if t % 2 else "risk"}
    if t % 5 == 0:
        tp["note"] = ("The follow-up call is made by the service center, but the owner\n"
                      "owns the customer's satisfaction with the result.\n")
    return tp


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _pct(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value}%"


def _objective(o: dict) -> str:
    if "within" in o:
        return f"{_pct(o['percent'])} within {o['within']}"
    if "average_at_least" in o:
        return f"average at least {o['average_at_least']}"
    if "percent" in o:
        return f"{_pct(o['percent'])} at least {o['at_least']}"
    if "at_least" in o:
        return f"at least {o['at_least']}"
    return f"at most {o['at_most']}"


def to_touch(decls: dict) -> str:
    out: list[str] = []
    for path in decls.get("imports", []):
        out.append(f"import {_q(path + '.touch')}")
    if out:
        out.append("")
    for c in decls.get("calendars", []):
        out.append(f"calendar {c['name']} {_q(c['title'])} {{")
        out.append(f"    timezone {_q(c['timezone'])}")
        out += [f"    hours {h['days']} {h['from']}-{h['to']}" for h in c["hours"]]
        out.append(f"    holidays {_q(c['holidays'])}")
        out += ["}", ""]
    if "defaults" in decls:
        d = decls["defaults"]
        out += ["defaults {", f"    window {d['window']}", f"    charter language {_q(d['charter_language'])}", "}", ""]
    for o in decls.get("owners", []):
        out.append(f"owner {o['name']} {_q(o['title'])} {{")
        out.append(f"    manager {_q(o['manager']['name'])} <{o['manager']['email']}>")
        out += [f"    notify {r['kind']} {_q(r['to'])}" for r in o["notify"]]
        out += [f"    page {r['kind']} {_q(r['to'])}" for r in o.get("page", [])]
        out += ["}", ""]
    for j in decls.get("journeys", []):
        out.append(f"journey {j['name']} {_q(j['title'])} {{")
        out += [f"    stage {s['name']} {_q(s['title'])}" for s in j["stages"]]
        out += ["}", ""]
    for tp in decls.get("touchpoints", []):
        out.append(f"touchpoint {tp['name']} {_q(tp['title'])} {{")
        out.append(f"    journey {tp['journey']}")
        out.append(f"    owner {tp['owner']}")
        out.append(f"    expectation {_q(tp['expectation'])}")
        out.append(f"    channels {', '.join(tp['channels'])}")
        if "tags" in tp:
            out.append(f"    tags {', '.join(_q(x) for x in tp['tags'])}")
        out.append("")
        for s in tp["steps"]:
            via = f" via {s['via']}" if "via" in s else ""
            out.append(f"    step {s['name']} {_q(s['title'])} by {s['by']}{via}")
        out.append("")
        for m in tp["metrics"]:
            out.append(f"    metric {m['name']} {_q(m['title'])} {{")
            if "time" in m:
                on = f" on {m['time']['on']}" if "on" in m["time"] else ""
                out.append(f"        time from {m['time']['from']} to {m['time']['to']}{on}")
            elif "ratio" in m:
                out.append(f"        ratio {m['ratio']['cases']} of {m['ratio']['of']}")
            elif "score" in m:
                out.append(f"        score {m['score']['low']}..{m['score']['high']}")
            elif m.get("nps"):
                out.append("        nps")
            else:
                out.append(f"        count {m['count']['what']} per {m['count']['per']}")
            out.append(f"        promise {_objective(m['promise'])}")
            if "target" in m:
                out.append(f"        target {_objective(m['target'])}")
            if "window" in m:
                out.append(f"        window {m['window']}")
            out.append("    }")
        if "updates" in tp:
            u = tp["updates"]
            out.append(f"    updates every {u['every']} via {u['via']} until {u['until']}")
        out.append(f"    escalate to {tp['escalate']['to']} on {tp['escalate']['on']}")
        if "note" in tp:
            out.append('    note """')
            out += ["        " + line for line in tp["note"].splitlines()]
            out.append('    """')
        out += ["}", ""]
    return "\n".join(out)


def to_yaml(decls: dict) -> str:
    data = dict(decls)
    if "imports" in data:
        data["imports"] = [p + ".yaml" for p in data["imports"]]
    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
                     sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)


def generate(n: int, out: Path, seed: int = 2026, per_file: int = TOUCHPOINTS_PER_FILE) -> dict[str, int]:
    if out.exists():
        shutil.rmtree(out)
    stats = {"files": 0, "touch_bytes": 0, "yaml_bytes": 0}
    for rel, decls in build(n, seed, per_file):
        for kind, suffix, text in (("touch", ".touch", to_touch(decls)), ("yaml", ".yaml", to_yaml(decls))):
            path = out / kind / (rel + suffix)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            stats[f"{kind}_bytes"] += len(text.encode("utf-8"))
        stats["files"] += 1
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of touchpoints")
    parser.add_argument("out", type=Path, help="output directory (replaced)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--per-file", type=int, default=TOUCHPOINTS_PER_FILE,
                        help=f"touchpoints per file (default {TOUCHPOINTS_PER_FILE}; the bench also runs 100)")
    args = parser.parse_args(argv)
    stats = generate(args.n, args.out, args.seed, args.per_file)
    print(f"{args.n} touchpoints in {stats['files']} files: {args.out}/touch "
          f"({stats['touch_bytes'] // 1024} KiB), {args.out}/yaml ({stats['yaml_bytes'] // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
