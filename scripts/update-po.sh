#!/bin/sh
# scripts/update-po.sh: extracts the translatable strings (_() and N_()) of the screens and their
# engine queries into po/fundwatch.pot and merges them into every po/*.po (new strings arrive
# untranslated and `msgfmt --check` in `make mo` shows them). Run from the checkout's root.
set -eu
cd "$(dirname "$0")/.."
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --add-comments=TRANSLATORS \
  --package-name=fundwatch --msgid-bugs-address=fundwatch --no-wrap --sort-by-file \
  -o po/fundwatch.pot audit/*.c audit/store/*.c gen/*.c export/*.c tui/*.c cli/*.c
for po in po/*.po; do
  [ -f "$po" ] || continue
  msgmerge --quiet --update --backup=none --no-wrap "$po" po/fundwatch.pot
done
