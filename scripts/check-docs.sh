#!/usr/bin/env bash
# Builds the API documentation of every library target with swift-docc-plugin,
# warnings as errors (a broken symbol link fails), and fails when a public
# symbol has no summary (articles are checked by the build itself). Members that conformances synthesize (Equatable,
# Hashable, Codable, RawRepresentable, Error) are not ours to document.
set -euo pipefail
cd "$(dirname "$0")/.."
synthesized='^(!=\(_:_:\)|hash\(into:\)|hashValue|init\(from:\)|encode\(to:\)|init\(rawValue:\)|localizedDescription|next\(upperBound:\))$'
status=0
for target in xLSTMTensor xLSTMNN xLSTM; do
    log=$(swift package --disable-sandbox generate-documentation --target "$target" --warnings-as-errors \
        --enable-inherited-docs --experimental-documentation-coverage --coverage-summary-level detailed 2>&1) || {
        echo "$log" | grep -v '^\[' >&2
        echo "documentation of $target failed to build" >&2
        exit 1
    }
    # Coverage rows: name | kind | abstract? | curated? | listing? | parameters | language | path.
    missing=$(echo "$log" | awk -F'|' -v synthesized="$synthesized" '
        NF >= 8 && $3 ~ /false/ {
            name = $1; gsub(/^ +| +$/, "", name)
            kind = $2; gsub(/^ +| +$/, "", kind)
            if (kind == "CollectionGroup" || kind == "Module" || kind == "Extended Module" || kind == "Article" || name ~ synthesized) next
            path = $8; gsub(/^ +| +$/, "", path)
            print "  " kind " " path
        }')
    if [[ -n "$missing" ]]; then
        echo "$target: public symbols without a summary:" >&2
        echo "$missing" >&2
        status=1
    else
        echo "$target: documentation builds without warnings; every public symbol has a summary"
    fi
done
exit $status
