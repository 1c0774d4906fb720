#!/usr/bin/env bash
# Writes a ClickHouse 18.16 user that may read only the analysts' database (users.d/<user>.xml beside the server's
# users.xml; the server reloads it within seconds). 18.16 has no SQL users: allow_databases is how a user is kept
# out of the raw database. Current releases: CREATE USER / GRANT instead (docs/privacy.md).
# Usage: bash infra/local/analyst-user.sh CLICKHOUSE_DIR USER PASSWORD DATABASE     (prints the file it wrote)
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 CLICKHOUSE_DIR USER PASSWORD DATABASE" >&2; exit 2; }
dir=$1 user=$2 password=$3 database=$4
[[ $user =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { echo "$0: user must be a plain name, got '$user'" >&2; exit 2; }
[[ $database =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { echo "$0: database must be a plain name, got '$database'" >&2; exit 2; }
mkdir -p "$dir/users.d"
sha=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)
file="$dir/users.d/$user.xml"
# Written aside and moved into place, so the server never reads half a file.
cat >"$file.tmp" <<XML
<yandex>
  <users>
    <$user>
      <password_sha256_hex>$sha</password_sha256_hex>
      <networks><ip>::1</ip><ip>127.0.0.1</ip></networks>
      <!-- readonly: SELECT only, no settings changes that could lift the limits -->
      <profile>readonly</profile>
      <quota>default</quota>
      <allow_databases><database>$database</database></allow_databases>
    </$user>
  </users>
</yandex>
XML
chmod 600 "$file.tmp"
mv "$file.tmp" "$file"
echo "$file"
