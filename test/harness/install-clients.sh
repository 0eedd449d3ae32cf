#!/usr/bin/env bash
# Installs the clients of the AWS Query protocol that the clients tier runs against the
# local server: Debian's boto3 (1.26, botocore 1.29) and AWS CLI (2.9). When both are
# there already, this only asks dpkg.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

wanted=(python3-boto3 awscli)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-clients: apt-get install ${missing[*]}"
start=$SECONDS
as_root apt-get -o DPkg::Lock::Timeout=300 update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-clients: ${missing[*]} ready ($((SECONDS - start))s)"
