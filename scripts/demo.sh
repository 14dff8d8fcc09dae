#!/usr/bin/env bash
# The demo behind `make demo`: replay the seed captures into data/articles.db and show what was stored.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DB=${DB:-data/articles.db}

echo "== newsdesk replay seeds/ --db $DB"
$BIN/newsdesk replay seeds --db "$DB" --quiet
echo
echo "== what was stored"
$BIN/sqlite-utils "$DB" "select id, title, byline, published, outlet, language, credits, word_count from articles order by id" --table
echo
echo "== \$ sqlite-utils search $DB articles Aurus -c title -c outlet --table"
$BIN/sqlite-utils search "$DB" articles Aurus -c title -c outlet --table
echo
echo "== \$ sqlite-utils $DB \"select outlet, count(*) as n, sum(word_count) as words from articles group by outlet\" --table"
$BIN/sqlite-utils "$DB" "select outlet, count(*) as n, sum(word_count) as words from articles group by outlet" --table
