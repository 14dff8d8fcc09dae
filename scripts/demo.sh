#!/usr/bin/env bash
# The demo behind `make demo`: replay the seed captures, then crawl a bundled news site on loopback,
# all into data/articles.db, and show what was stored.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DB=${DB:-data/articles.db}

echo "== newsdesk replay seeds/ --db $DB"
$BIN/newsdesk replay seeds --db "$DB" --quiet
echo
echo "== what was stored"
$BIN/sqlite-utils "$DB" "select id, title, byline, published, outlet, language, credits, word_count from articles where source = 'replay' order by id" --table
echo
echo "== \$ sqlite-utils search $DB articles Aurus -c title -c outlet --table"
$BIN/sqlite-utils search "$DB" articles Aurus -c title -c outlet --table
echo

# A live crawl with no network: the bundled site (real German news pages) served on 127.0.0.1.
log=$(mktemp)
$BIN/newsdesk demo-site --port 0 > "$log" 2>&1 &
site_pid=$!
trap 'kill $site_pid 2>/dev/null || true; rm -f "$log"' EXIT
# Up to 60 s: on a busy machine the server's start-up (Python and the site's pages) can take a while.
for _ in $(seq 600); do grep -q "serving" "$log" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" | head -1 || true)
if [ -z "$url" ]; then echo "make demo: the demo site did not start:"; cat "$log"; exit 1; fi
echo "== newsdesk crawl $url --db $DB   (robots.txt, sitemaps and feeds first, then links)"
$BIN/newsdesk crawl "$url" --db "$DB" -s AUTOTHROTTLE_START_DELAY=0.1
echo
echo "== \$ sqlite-utils $DB \"select source, outlet, count(*) as n, sum(word_count) as words from articles group by 1, 2\" --table"
$BIN/sqlite-utils "$DB" "select source, outlet, count(*) as n, sum(word_count) as words from articles group by 1, 2 order by 1, 3 desc" --table
echo
echo "== \$ sqlite-utils $DB \"select stage, reason, url from failures\" --table"
$BIN/sqlite-utils "$DB" "select stage, reason, url from failures" --table
echo
echo "== done: the corpus is $DB. newsdesk is installed in .venv, not on your PATH: run it as .venv/bin/newsdesk, or"
echo "   activate the environment first, then run newsdesk:"
echo "     source .venv/bin/activate"
echo "     newsdesk stats --db $DB"
echo "   Run make demo again: it stores nothing new (the demo site's articles keep their canonical URLs on any port)."
