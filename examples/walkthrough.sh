#!/usr/bin/env bash
# Walkthrough: one institution's accreditation cycle from start to publication, driven from
# the command line against a worker of its own (embedded Temporal, fresh data directory).
#
# The real cycle takes three years. The demo compresses it in two ways:
#   - ACCREDIT_DAY_LENGTH=1s: one calendar day of the cycle lasts one second, so the notice
#     periods, the hearing and the appeal window (weeks of calendar time) pass in seconds;
#   - ACCREDIT_SELF_EVALUATION_INTERVAL=1w and ACCREDIT_CYCLE_LENGTH=1mo: the three annual
#     self-evaluations open a week apart instead of a year, and the next cycle starts a month
#     after this one instead of three years.
# Every rule still works on dates; the whole walkthrough takes about three minutes.
#
# Usage: examples/walkthrough.sh   (from anywhere; needs go and python3)
#        WALKTHROUGH_KEEP=1 examples/walkthrough.sh keeps the data directory and worker log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

INSTITUTION=H-01   # Bo- og aktivitetstilbuddet Lindevang, Region Hovedstaden
MANAGER=P-001      # Simon Bruun, its manager
SECRETARIAT=P-131  # Anders Mathiesen, Region Hovedstaden's secretariat

WORK="$(mktemp -d "${TMPDIR:-/tmp}/accredit-walkthrough.XXXXXX")"
WORKER_PID=""
STARTED_AT=$SECONDS

cleanup() {
	local rc=$?
	if [[ -n "$WORKER_PID" ]] && kill -0 "$WORKER_PID" 2>/dev/null; then
		kill -TERM "$WORKER_PID" 2>/dev/null || true
		wait "$WORKER_PID" 2>/dev/null || true
	fi
	if [[ $rc -ne 0 || -n "${WALKTHROUGH_KEEP:-}" ]]; then
		if [[ $rc -ne 0 ]]; then
			echo "walkthrough FAILED (exit $rc) after $((SECONDS - STARTED_AT))s; last lines of the worker log:" >&2
			tail -n 20 "$WORK/worker.log" >&2 2>/dev/null || true
		fi
		echo "(kept $WORK)" >&2
	else
		rm -rf "$WORK"
	fi
	exit $rc
}
trap cleanup EXIT

say() { printf '\n==> %s\n' "$*"; }
die() { echo "walkthrough: $*" >&2; exit 1; }

# ---- build -------------------------------------------------------------------------------
say "building worker and starter into $WORK/bin"
mkdir -p "$WORK/bin" "$WORK/data"
go build -o "$WORK/bin/worker" ./worker
go build -o "$WORK/bin/starter" ./starter
starter() { "$WORK/bin/starter" "$@"; }

# ---- a worker of our own -----------------------------------------------------------------
# Embedded Temporal on its own port and a fresh data directory: nothing else is touched.
unset TEMPORAL_ADDRESS TEMPORAL_NAMESPACE TEMPORAL_PROFILE ACCREDIT_CONFIG ACCREDIT_ACTOR
export ACCREDIT_DATA_DIR="$WORK/data"
export ACCREDIT_EMBEDDED_TEMPORAL_ADDR=127.0.0.1:7299
export ACCREDIT_HTTP_ADDR=127.0.0.1:8299
export ACCREDIT_DAY_LENGTH=1s
export ACCREDIT_SELF_EVALUATION_INTERVAL=1w
export ACCREDIT_CYCLE_LENGTH=1mo
export ACCREDIT_LOG_LEVEL=warn

if (exec 3<>/dev/tcp/127.0.0.1/7299) 2>/dev/null; then
	die "port 7299 is in use: stop whatever listens there first"
fi

say "starting the worker (log: $WORK/worker.log)"
"$WORK/bin/worker" >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!

for i in $(seq 1 120); do
	kill -0 "$WORKER_PID" 2>/dev/null || die "the worker stopped; see its log above"
	if starter ping --timeout 5s 2>/dev/null; then
		break
	fi
	[[ $i -eq 120 ]] && die "the worker did not answer ping within a minute"
	sleep 0.5
done

# ---- the registry ------------------------------------------------------------------------
say "importing the registry"
starter institutions import examples/institutions.csv --as "$SECRETARIAT"
starter people import examples/people.csv --as "$SECRETARIAT"

# json EXPR: evaluate a Python expression over the JSON on stdin, bound to d.
json() { python3 -c 'import json, sys; d = json.load(sys.stdin); r = eval(sys.argv[1]); print("\n".join(r) if isinstance(r, list) else r)' "$1"; }

# attempt CMD...: run a starter command; print its output; return its exit code (no set -e).
attempt() {
	local out rc=0
	out="$("$@" 2>&1)" || rc=$?
	[[ -n "$out" ]] && printf '%s\n' "$out"
	return $rc
}

# ---- year 1 to 3: self-evaluations --------------------------------------------------------
say "starting the cycle of $INSTITUTION as the secretariat ($SECRETARIAT)"
starter cycle start --institution "$INSTITUTION" --as "$SECRETARIAT"

for year in 1 2 3; do
	say "self-evaluation, year $year: waiting for it to open"
	starter cycle wait "$INSTITUTION" --step self-evaluation --timeout 1m
	starter selfeval submit "$INSTITUTION" --file examples/selfevaluation.json --as "$MANAGER"
done

# ---- external evaluation: the team --------------------------------------------------------
say "external evaluation: waiting for the invitations"
starter cycle wait "$INSTITUTION" --step invitation --timeout 1m
# Each invitee has five (one-second) days to answer; a late answer brings the next candidate,
# so accept whatever invitation is open until the team is complete and the visit date is due.
for round in $(seq 1 40); do
	status="$(starter cycle status "$INSTITUTION" --json)"
	open="$(json '[s["key"] + " " + s["holder_id"] for s in (d["stage"] or {}).get("steps", []) if s["status"] == "open"]' <<<"$status")"
	if grep -q '^visit-date ' <<<"$open" && ! grep -q '^invitation/' <<<"$open"; then
		break
	fi
	if grep -q '^manual-assignment/' <<<"$open"; then
		die "no candidate is left for a seat; the secretariat must assign it by hand: $open"
	fi
	while read -r key person; do
		[[ "$key" == invitation/* ]] || continue
		attempt starter assignment accept "$INSTITUTION" --as "$person" || echo "   ($person could not accept; trying again)"
	done <<<"$open"
	[[ $round -eq 40 ]] && die "the team was not complete after 40 rounds: $open"
	sleep 0.3
done
starter cycle status "$INSTITUTION" --json | json '["   %-24s %-6s %s" % (m["seat"], m["person_id"], m["status"]) for m in d["stage"]["team"]]'

# ---- the visit ----------------------------------------------------------------------------
LEAD="$(starter cycle wait "$INSTITUTION" --step visit-date --json | json 'd["steps"][0]["holder_id"]')"
VISIT="$(starter cycle status "$INSTITUTION" --json | python3 -c '
import datetime, json, sys
today = datetime.date.fromisoformat(json.load(sys.stdin)["cycle"]["today"])
print(today + datetime.timedelta(days=35))')"
say "the lead ($LEAD) sets the visit for $VISIT (35 days ahead; the notice period is 4 weeks)"
starter visit set "$INSTITUTION" --date "$VISIT" --as "$LEAD"

say "waiting for the visit day, then recording the visit"
starter cycle wait "$INSTITUTION" --step visit --timeout 1m >/dev/null
for i in $(seq 1 120); do
	rc=0
	out="$(starter visit record "$INSTITUTION" --as "$LEAD" \
		--notes "Interview med forstander, 6 medarbejdere, 4 beboere og 3 pårørende; rundvisning i begge afdelinger" 2>&1)" || rc=$?
	if [[ $rc -eq 0 ]]; then
		echo "$out"
		break
	fi
	[[ $rc -eq 2 ]] || die "visit record failed: $out"
	(( i % 10 == 1 )) && echo "   not yet: ${out#error: }"
	[[ $i -eq 120 ]] && die "the visit could not be recorded within a minute: $out"
	sleep 0.5
done

# ---- report, hearing, follow-up ------------------------------------------------------------
say "the lead submits the report (verdict 2)"
starter cycle wait "$INSTITUTION" --step report --timeout 1m >/dev/null
starter report submit "$INSTITUTION" --file examples/report.json --as "$LEAD"

say "hearing: the manager comments on a factual error"
starter cycle wait "$INSTITUTION" --step hearing --timeout 1m >/dev/null
starter report comment "$INSTITUTION" --as "$MANAGER" \
	--text "Rapporten nævner fire beboere i afdeling Bøgen uden aktuel evaluering; det korrekte tal er tre."

say "follow-up: waiting for the hearing to close, then the action plan is due"
starter cycle wait "$INSTITUTION" --step action-plan --timeout 2m
starter actionplan submit "$INSTITUTION" --as "$MANAGER" --area 5.1 --area 6.1 --text \
	"Alle handleplaner revideres inden for tre måneder efter en fast årsplan, som afdelingslederne følger op på hver måned. Pårørende får svar inden for to hverdage; vagtplanen angiver, hvem der svarer, når kontaktpersonen har fri."

say "timeline of cycle 1 while the appeal window is open"
starter cycle status "$INSTITUTION"

say "waiting for the appeal window to close, publication, and the next cycle"
starter cycle wait "$INSTITUTION" --next-cycle --timeout 3m

# ---- the result ------------------------------------------------------------------------------
say "published"
starter publications list --institution "$INSTITUTION"

say "on the public pages, without signing in: http://$ACCREDIT_HTTP_ADDR/offentlig/tilbud/$INSTITUTION"
fetch() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=30).read().decode())' "$1"; }
fetch "http://$ACCREDIT_HTTP_ADDR/offentlig/tilbud/$INSTITUTION" | grep -q "Lindevang" || die "the public page of $INSTITUTION does not show it"
echo "   the institution's page shows the result; in the JSON feed:"
fetch "http://$ACCREDIT_HTTP_ADDR/offentlig/resultater.json" |
	json '["   %s, cycle %d, version %d: verdict %d, published %s" % (r["institution_name"], r["cycle"], r["version"], r["verdict"], r["published_on"]) for r in d["results"]]'
echo "   in the Atom feed of new publications:"
fetch "http://$ACCREDIT_HTTP_ADDR/offentlig/nyt.atom" |
	python3 -c 'import sys, xml.etree.ElementTree as E; a = "{http://www.w3.org/2005/Atom}"; print("\n".join("   " + e.find(a + "title").text for e in E.parse(sys.stdin).getroot().iter(a + "entry")))'

YEAR="$(starter publications list --institution "$INSTITUTION" --json | json 'str(d[0]["published_on"])[:4]')"
say "the annual report $YEAR of Region Hovedstaden (the cycle's calendar year), as HTML and PDF"
starter report annual --year "$YEAR" --region hovedstaden --format html --out "$WORK/aarsrapport-$YEAR-hovedstaden.html"
if starter report annual --year "$YEAR" --region hovedstaden --format pdf --out "$WORK/aarsrapport-$YEAR-hovedstaden.pdf" 2>"$WORK/pdf.err"; then
	:
else
	echo "   (no PDF: $(cat "$WORK/pdf.err"))"
fi

say "status of $INSTITUTION: cycle 2 has begun (with the compressed calendar its first self-evaluation is already due)"
starter cycle status "$INSTITUTION"

say "open steps, longest overdue first"
starter steps list

say "audit trail"
starter audit "$INSTITUTION"

say "done in $((SECONDS - STARTED_AT))s"
echo "notifications in the outbox for $INSTITUTION: $(starter outbox list --institution "$INSTITUTION" --json | json 'len(d)')"
